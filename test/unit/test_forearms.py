"""forearms_crossable: both elbows and wrists seen, the wrists within the body's width of each other."""

import numpy as np

from gesture_ros.classify.forearms import FOREARM_LANDMARKS, forearms_crossable
from gesture_ros.common.landmarks import N_FIELDS, POSE_LENGTH, Field, KeypointFrame
from gesture_ros.common.landmarks import PoseLandmark as P


def frame(pose: np.ndarray | None, width: int = 640, height: int = 480) -> KeypointFrame:
    return KeypointFrame(stamp_ns=1, frame_id="cam", image_width=width, image_height=height, pose=pose)


def body(wrist_dx: float = 0.02, visibility: float = 0.9) -> np.ndarray:
    """A body facing the camera, shoulders 0.2 of the width apart, wrists ``wrist_dx`` apart at the belly."""
    pose = np.full((POSE_LENGTH, N_FIELDS), np.nan, np.float32)
    pose[:, Field.VISIBILITY] = visibility
    at = {P.NOSE: (0.5, 0.2), P.LEFT_SHOULDER: (0.6, 0.35), P.RIGHT_SHOULDER: (0.4, 0.35),
          P.LEFT_ELBOW: (0.65, 0.5), P.RIGHT_ELBOW: (0.35, 0.5),
          P.LEFT_WRIST: (0.5 - wrist_dx / 2, 0.6), P.RIGHT_WRIST: (0.5 + wrist_dx / 2, 0.6)}
    for lm, (x, y) in at.items():
        pose[lm, Field.X], pose[lm, Field.Y] = x, y
    return pose


def test_crossed_forearms_in_view_can_be_an_x():
    assert forearms_crossable(frame(body()))


def test_no_frame_no_pose_or_a_hidden_wrist_or_elbow_cannot():
    assert not forearms_crossable(None)
    assert not forearms_crossable(frame(None))
    for lm in FOREARM_LANDMARKS:
        hidden = body()
        hidden[lm, Field.VISIBILITY] = 0.4
        assert not forearms_crossable(frame(hidden)), lm
        assert forearms_crossable(frame(hidden), min_visibility=0.3), lm  # a model's own, lower threshold
        missing = body()
        missing[lm, Field.X] = np.nan
        assert not forearms_crossable(frame(missing)), lm


def test_wrists_farther_apart_than_the_body_is_wide_cannot():
    assert forearms_crossable(frame(body(wrist_dx=0.19)))
    assert not forearms_crossable(frame(body(wrist_dx=0.21)))
    # the body's width in pixels: a 4:3 image of the same normalised body is narrower than 16:9,
    # wrists and shoulders alike, so the verdict holds
    assert not forearms_crossable(frame(body(wrist_dx=0.21), 1280, 720))


def test_a_body_turned_sideways_takes_its_width_from_the_neck_and_no_shoulders_no_gap_check():
    turned = body(wrist_dx=0.12)  # 0.16 of the height apart (4:3)
    turned[P.LEFT_SHOULDER, Field.X], turned[P.RIGHT_SHOULDER, Field.X] = 0.52, 0.48  # 0.05 of the height
    assert forearms_crossable(frame(turned))  # the neck, 0.15 high, makes the body 0.18 wide
    hidden = body(wrist_dx=0.5)
    hidden[P.LEFT_SHOULDER, Field.VISIBILITY] = 0.1
    assert forearms_crossable(frame(hidden))


def test_a_recorder_without_visibility_is_believed():
    assert forearms_crossable(frame(body(visibility=np.nan)))
