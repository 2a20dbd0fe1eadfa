import numpy as np
import pytest

from gesture_ros.common.landmarks import (
    HAND_BONES,
    HAND_LENGTH,
    POSE_BONES,
    POSE_LENGTH,
    Field,
    HandLandmark,
    KeypointError,
    KeypointFrame,
    Part,
    PoseLandmark,
    empty_landmarks,
    pose_score,
)


def test_enums_match_mediapipe_layout():
    assert POSE_LENGTH == 33 and HAND_LENGTH == 21
    assert PoseLandmark.LEFT_WRIST == 15 and HandLandmark.INDEX_FINGER_TIP == 8
    assert all(max(b) < HAND_LENGTH for b in HAND_BONES)
    assert all(max(b) < POSE_LENGTH for b in POSE_BONES)


def test_frame_accepts_full_parts_and_treats_empty_as_absent():
    hand = empty_landmarks(HAND_LENGTH)
    frame = KeypointFrame(stamp_ns=5, right_hand=hand, left_hand=np.zeros((0, 5)))
    assert frame.left_hand is None and frame.right_hand.dtype == np.float32
    assert frame.part(Part.RIGHT_HAND) is frame.right_hand and frame.has_hand
    assert np.isnan(frame.right_hand[0, Field.VISIBILITY])


@pytest.mark.parametrize("shape", [(20, 5), (21, 4), (21,), (33, 5)])
def test_frame_rejects_wrong_hand_shapes_naming_the_part(shape):
    with pytest.raises(KeypointError, match="left_hand has shape"):
        KeypointFrame(stamp_ns=0, left_hand=np.zeros(shape))


def test_pose_score_is_the_mean_finite_visibility_and_zero_without_a_pose():
    pose = empty_landmarks(POSE_LENGTH)
    assert pose_score(None) == 0.0 and pose_score(pose) == 0.0  # no pose; visibility not given
    pose[:, Field.VISIBILITY] = 0.5
    pose[:3, Field.VISIBILITY] = [1.0, np.nan, 0.0]
    assert pose_score(pose) == pytest.approx((1.0 + 0.0 + 0.5 * 30) / 32)
