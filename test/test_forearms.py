"""forearms_seen: both elbows and wrists in the pose, each visible enough."""

import numpy as np

from gesture_ros.core.forearms import FOREARM_LANDMARKS, forearms_seen
from gesture_ros.core.landmarks import N_FIELDS, POSE_LENGTH, Field, KeypointFrame


def frame(pose: np.ndarray | None) -> KeypointFrame:
    return KeypointFrame(stamp_ns=1, frame_id="cam", image_width=640, image_height=480, pose=pose)


def body(visibility: float = 0.9) -> np.ndarray:
    pose = np.full((POSE_LENGTH, N_FIELDS), 0.5, np.float32)
    pose[:, Field.VISIBILITY] = visibility
    return pose


def test_a_body_with_both_forearms_visible_shows_them():
    assert forearms_seen(frame(body()))


def test_no_frame_no_pose_or_a_hidden_wrist_or_elbow_does_not():
    assert not forearms_seen(None)
    assert not forearms_seen(frame(None))
    for lm in FOREARM_LANDMARKS:
        hidden = body()
        hidden[lm, Field.VISIBILITY] = 0.4
        assert not forearms_seen(frame(hidden)), lm
        missing = body()
        missing[lm, Field.X] = np.nan
        assert not forearms_seen(frame(missing)), lm


def test_only_the_forearms_count_and_a_recorder_without_visibility_is_believed():
    pose = body(0.1)
    pose[list(FOREARM_LANDMARKS), Field.VISIBILITY] = 0.5
    assert forearms_seen(frame(pose))
    assert forearms_seen(frame(body(np.nan)))
