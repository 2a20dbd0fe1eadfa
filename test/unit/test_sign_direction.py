"""The hand-sign rows' recall by where the fingers point: the figures that show which rows are the gesture."""

import numpy as np
import pytest

from gesture_ros.common.landmarks import HandLandmark as H
from gesture_ros.toolkit.eval_summary import fold_lines
from gesture_ros.toolkit.fold_eval import direction_deg, sign_report


def hand(angle_deg: float) -> np.ndarray:
    """A (1, 21, 2) image hand (y down) whose wrist-to-middle-knuckle and index point ``angle_deg`` from up."""
    a = np.deg2rad(angle_deg)
    xy = np.zeros((1, 21, 2))
    xy[0, H.MIDDLE_FINGER_MCP] = xy[0, H.INDEX_FINGER_TIP] = [np.sin(a), -np.cos(a)]
    return xy


@pytest.mark.parametrize("angle", [0.0, 30.0, 90.0, 150.0, 180.0, -60.0])
def test_the_direction_is_measured_from_image_up_either_side(angle):
    assert direction_deg(hand(angle), H.WRIST, H.MIDDLE_FINGER_MCP)[0] == pytest.approx(abs(angle))


def test_recall_is_reported_per_direction_for_the_open_palm_and_the_pointing():
    labels = ["none", "open_palm", "fist", "pointing"]
    y = np.array([1, 1, 1, 1, 3, 3, 0])
    pred = np.array([1, 0, 1, 0, 3, 2, 0])
    hands = np.concatenate([hand(a) for a in (10.0, 20.0, 60.0, 170.0, 5.0, 120.0, 0.0)])
    rep = sign_report(y, pred, labels, hands)
    assert rep["open_palm_by_direction"] == {"0-45": {"n": 2, "recall": 0.5}, "45-100": {"n": 1, "recall": 1.0},
                                             "100-181": {"n": 1, "recall": 0.0}}
    assert rep["pointing_by_direction"] == {"0-45": {"n": 1, "recall": 1.0}, "45-100": {"n": 0, "recall": None},
                                            "100-181": {"n": 1, "recall": 0.0}}
    assert rep["open_palm"]["recall"] == 0.5  # the goal is still judged on every row
    stills = {"stills": {}, "hand_sign": rep, "folds": {}, "stills_per_person": {}}
    text = "\n".join(fold_lines(stills, {}))
    assert "open_palm recall by the fingers' direction (from image up): 0-45 deg 0.500 (n=2)" in text
    assert "pointing recall by the index finger's direction" in text
