"""FeatureSpec.finger_geometry: a hand sign's bends and reach do not change when the hand turns or moves."""

import numpy as np

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.classify.finger_geometry import FINGER_GEOMETRY_NAMES
from gesture_ros.common.landmarks import HAND_LENGTH, Field, KeypointFrame, empty_landmarks

SPEC = FeatureSpec(parts=("left_hand", "right_hand"), motion=False, finger_geometry=True)
MCP_X = (-0.25, -0.08, 0.08, 0.24)  # index..pinky knuckles of a right palm seen from the front


def hand(pointing: bool) -> np.ndarray:
    """Return (21, 2) points of a right hand, wrist at the origin, fingers up (-y): open or pointing."""
    pts = np.zeros((HAND_LENGTH, 2))
    pts[1:5] = [(-0.3, -0.25), (-0.5, -0.45), (-0.62, -0.62), (-0.7, -0.78)]  # thumb out to the side
    for f, x in enumerate(MCP_X):
        base = 5 + 4 * f
        pts[base] = (x, -1.0)
        folded = pointing and f > 0
        for j, step in enumerate((0.45, 0.3, 0.25)):
            prev = pts[base + j]
            pts[base + j + 1] = prev + ((0.0, step) if folded and j > 0 else (0.0, -step))
    return pts


def frame(points: np.ndarray, angle_deg: float = 0.0, scale: float = 0.1, at=(0.5, 0.6), left: bool = False):
    a = np.deg2rad(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    xy = points @ rot.T * scale
    if left:
        xy[:, 0] *= -1
    arr = empty_landmarks(HAND_LENGTH)
    arr[:, :2] = xy + np.array(at)
    arr[:, Field.Z] = 0.0
    side = {"left_hand": arr} if left else {"right_hand": arr}
    return KeypointFrame(stamp_ns=0, image_width=480, image_height=480, **side)


def fingers(f: KeypointFrame) -> dict:
    names = SPEC.names()
    v = SPEC.frame_features(f)
    return {n.split(".fingers.")[1]: float(v[i]) for i, n in enumerate(names) if ".fingers." in n}


def joints(f: KeypointFrame) -> np.ndarray:
    names = SPEC.names()
    return SPEC.frame_features(f)[[i for i, n in enumerate(names) if n.endswith((".x", ".y"))]]


def test_a_turned_moved_scaled_or_left_hand_keeps_its_finger_features():
    ref = fingers(frame(hand(pointing=True)))
    for kwargs in ({"angle_deg": 35.0}, {"angle_deg": -50.0, "scale": 0.04, "at": (0.2, 0.3)}, {"left": True}):
        moved = frame(hand(pointing=True), **kwargs)
        assert np.allclose(list(fingers(moved).values()), list(ref.values()), atol=1e-5), kwargs
    assert not np.allclose(joints(frame(hand(True), angle_deg=35.0)), joints(frame(hand(True))), atol=0.05)


def test_finger_features_tell_a_pointing_hand_from_an_open_one():
    point, open_ = fingers(frame(hand(pointing=True))), fingers(frame(hand(pointing=False)))
    assert open_["middle.bend2"] < -0.99 and open_["index.bend2"] < -0.99  # straight
    assert point["middle.bend2"] > 0.9 and point["index.bend2"] < -0.99  # folded back / straight
    assert point["index.reach"] > 1.5 > point["middle.reach"] and open_["middle.reach"] > 1.5
    assert point["index.along_palm"] > 0.9 and point["middle.along_palm"] < -0.9
    assert len(point) == len(FINGER_GEOMETRY_NAMES) == 26


def test_no_hand_gives_zero_finger_features_and_old_specs_load_unchanged():
    empty = KeypointFrame(stamp_ns=0, image_width=480, image_height=480)
    assert not any(fingers(empty).values())
    old = FeatureSpec().to_dict()
    assert "finger_geometry" not in old and FeatureSpec.from_dict(old) == FeatureSpec()
    spec = FeatureSpec(finger_geometry=True)
    assert FeatureSpec.from_dict(spec.to_dict()) == spec and spec.dim == FeatureSpec().dim + 26
