"""FeatureSpec.arm_geometry: the forearms in the body's frame, and old specs still loading unchanged."""

import numpy as np
import pytest

from gesture_ros.classify.features import DEFAULT_POSE_LANDMARKS, FeatureSpec, FeatureSpecError
from gesture_ros.common.landmarks import POSE_LENGTH, Field, KeypointFrame, PoseLandmark, empty_landmarks

SPEC = FeatureSpec(pose_landmarks=DEFAULT_POSE_LANDMARKS + ("LEFT_HIP", "RIGHT_HIP"), arm_geometry=True)
P = PoseLandmark


def body(wrists: dict, mirror: bool = False, visible: float = 1.0) -> KeypointFrame:
    """Return a 640x480 frame with a body facing the camera; ``wrists`` maps a landmark to (x, y)."""
    pose = empty_landmarks(POSE_LENGTH)
    pose[:, Field.VISIBILITY] = 1.0
    pts = {P.NOSE: (0.5, 0.2), P.LEFT_SHOULDER: (0.6, 0.35), P.RIGHT_SHOULDER: (0.4, 0.35),
           P.LEFT_ELBOW: (0.63, 0.5), P.RIGHT_ELBOW: (0.37, 0.5), P.LEFT_HIP: (0.56, 0.65),
           P.RIGHT_HIP: (0.44, 0.65), P.LEFT_INDEX: (0.5, 0.6), P.RIGHT_INDEX: (0.5, 0.6), **wrists}
    for lm, (x, y) in pts.items():
        pose[lm, :2] = (1 - x if mirror else x, y)
    pose[P.LEFT_WRIST, Field.VISIBILITY] = visible
    return KeypointFrame(stamp_ns=0, image_width=640, image_height=480, pose=pose)


def arms(frame: KeypointFrame) -> dict:
    names = SPEC.names()
    f = SPEC.frame_features(frame)
    return {n.split(".")[1]: float(f[names.index(n)]) for n in names if n.startswith("arms.")}


CROSSED = {P.LEFT_WRIST: (0.45, 0.6), P.RIGHT_WRIST: (0.55, 0.6)}
HANGING = {P.LEFT_WRIST: (0.64, 0.66), P.RIGHT_WRIST: (0.36, 0.66)}
FOLDED = {P.LEFT_WRIST: (0.4, 0.5), P.RIGHT_WRIST: (0.6, 0.51)}


def test_crossed_forearms_intersect_and_hanging_arms_do_not():
    x, hang = arms(body(CROSSED)), arms(body(HANGING))
    assert x["valid"] == 1.0 and x["wrist_cross"] > 0.3 and x["forearm_cross"] > 0.2
    assert x["left_slope"] > 0.3 and x["right_slope"] > 0.3  # pointing down and in
    assert hang["wrist_cross"] < -1.0 and hang["forearm_cross"] < 0 and hang["wrist_gap"] > 1.0


def test_folded_arms_have_level_forearms():
    folded = arms(body(FOLDED))
    assert folded["wrist_cross"] > 0.5  # the wrists are crossed over...
    assert abs(folded["left_slope"]) < 0.1 and abs(folded["right_slope"]) < 0.1  # ...but the forearms are level


def test_a_mirrored_image_gives_the_same_geometry():
    for wrists in (CROSSED, HANGING, FOLDED):
        assert arms(body(wrists, mirror=True)) == pytest.approx(arms(body(wrists)), abs=1e-5)


def test_unseen_wrist_gives_zeros_and_an_invalid_flag():
    assert set(arms(body(CROSSED, visible=0.1)).values()) == {0.0}


def test_old_specs_load_unchanged_and_the_field_needs_a_pose():
    old = FeatureSpec().to_dict()
    assert "arm_geometry" not in old  # models saved before the field existed compare equal
    assert FeatureSpec.from_dict(old) == FeatureSpec()
    assert FeatureSpec.from_dict(SPEC.to_dict()) == SPEC and SPEC.dim == FeatureSpec().dim + 6 + 6
    with pytest.raises(FeatureSpecError, match="arm_geometry"):
        FeatureSpec(parts=("right_hand",), arm_geometry=True)
    assert np.all(np.isfinite(SPEC.window_features([body(CROSSED), body(HANGING)])))
