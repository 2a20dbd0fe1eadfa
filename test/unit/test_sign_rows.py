"""The hand-sign rows under the author's definitions, and the folds that hold whole performers out."""

import numpy as np
import pytest
from support.data import shared_data

from gesture_ros.common.gestures import default_kinds, default_labels
from gesture_ros.common.landmarks import HandLandmark as H
from gesture_ros.toolkit.sign_rows import UNSURE, performer_folds, relabel, sign_split, sources
from gesture_ros.toolkit.training_windows import build_windows


def hands(*angles: float) -> np.ndarray:
    """(N, 21, 2) image hands (y down) whose wrist-to-middle-knuckle points ``angle`` degrees from up."""
    xy = np.zeros((len(angles), 21, 2))
    for i, a in enumerate(np.deg2rad(angles)):
        xy[i, H.MIDDLE_FINGER_MCP] = [np.sin(a), -np.cos(a)]
    return xy


def test_open_rows_are_a_stop_palm_only_with_the_fingers_up_and_none_when_they_hang():
    classes = np.array(["Open"] * 6)
    got = relabel(classes, hands(0.0, 30.0, -44.0, 70.0, 120.0, 180.0))
    assert got.tolist() == ["open_palm", "open_palm", "open_palm", UNSURE, "none", "none"]


def test_every_pointer_row_is_pointing_whatever_its_direction_and_close_ok_keep_their_meaning():
    got = relabel(np.array(["Pointer", "Pointer", "Close", "OK"]), hands(180.0, 90.0, 150.0, 0.0))
    assert got.tolist() == ["pointing", "pointing", "fist", "none"]


def test_windows_that_touch_an_unsure_row_are_neither_trained_nor_scored():
    labels, kinds = default_labels(), default_kinds()
    fl = np.array(["open_palm"] * 30 + [UNSURE] * 5 + ["none"] * 30)
    f = np.zeros((len(fl), 3), np.float32)
    ws = build_windows([("s", "g", f, fl)], 20, 1, labels, kinds)
    ends = ws.starts  # one sequence: a window's start offset (into the padded features) is its last frame
    assert not np.any((ends >= 30) & (ends < 35 + 19)), ends  # every window covering a row 30..34 left out
    assert len(ws) == (30 - 11) + (65 - 54)  # the rest are kept: held open_palm from 60 % cover, then none
    assert set(ws.y.tolist()) == {labels.index("open_palm"), labels.index("none")}


def test_performers_are_balanced_over_the_folds_largest_first_deterministically():
    counts = {"a": 100, "b": 60, "c": 50, "d": 20, "e": 10}
    folds = performer_folds(counts)
    assert folds == {"a": 0, "b": 1, "c": 2, "d": 2, "e": 1}
    assert performer_folds(dict(reversed(list(counts.items())))) == folds


def test_each_performer_is_held_out_in_exactly_one_fold_and_never_trained_on_there():
    data = shared_data("landmarks/hand_sign_more").parents[1]
    performers = set(sources(data))
    assert len(performers) == 13
    held_by = {}
    for k in range(3):
        train, held = sign_split(data, 40, k)
        seen, scored = {g for _i, g, _a, _f in train}, {g for _i, g, _a, _f in held}
        assert held and not seen & scored
        assert seen | scored == {f"performer-{p}" for p in performers}
        for g in scored:
            held_by.setdefault(g, []).append(k)
    assert all(len(v) == 1 for v in held_by.values()) and len(held_by) == 13


@pytest.mark.parametrize("name", ["kinivi", "SrishtiSingh100__hand-gesture-recognition-mediapipe"])
def test_a_performers_open_rows_split_by_the_palms_direction(name):
    data = shared_data("landmarks/hand_sign_more").parents[1]
    train, _ = sign_split(data, 10 ** 6, None)
    labels = np.concatenate([fl for _i, g, _a, fl in train if g == f"performer-{name}"])
    assert {"open_palm", "fist", "pointing", "none"} <= set(labels.tolist())
