"""FeatureSpec: layout, NaN and missing parts, invariances, swipe direction, round trips."""

import numpy as np
import pytest

from gesture_ros.classify.features import FeatureSpec, FeatureSpecError, SequenceArrays
from gesture_ros.common.landmarks import HAND_LENGTH, POSE_LENGTH, KeypointFrame
from gesture_ros.common.landmarks import PoseLandmark as P
from gesture_ros.toolkit.synth.generator import generate_one

SPEC = FeatureSpec()


def _frames(label="open_palm", seed=3):
    """Real-layout frames of one synthetic performance (with hands and pose)."""
    for s in range(seed, seed + 50):
        seq = generate_one(label, s)
        a = seq.rendered.arrays
        if seq.rendered.model == "holistic" and np.isfinite(a.pose[:, 0, 0]).all():
            return a
    raise AssertionError("no holistic sequence found")


def _frame(a: SequenceArrays, i: int) -> KeypointFrame:
    def part(arr):
        return None if not np.isfinite(arr[i, 0, 0]) else arr[i]

    return KeypointFrame(stamp_ns=int(a.stamps_ns[i]), image_width=a.image_size[0], image_height=a.image_size[1],
                         pose=part(a.pose), left_hand=part(a.left_hand), right_hand=part(a.right_hand))


def test_dim_matches_names_and_output():
    a = _frames()
    out = SPEC.sequence_features(a)
    assert out.shape == (len(a), SPEC.dim) and out.dtype == np.float32
    assert len(SPEC.names()) == SPEC.dim == len(set(SPEC.names()))


def test_frame_window_and_sequence_paths_agree():
    a = _frames()
    frames = [_frame(a, i) for i in range(len(a))]
    seq = SPEC.sequence_features(a)
    np.testing.assert_allclose(SPEC.window_features(frames), seq, atol=1e-6)
    np.testing.assert_allclose(SPEC.frame_features(frames[5], frames[4]), seq[5], atol=1e-6)


def test_empty_frame_is_all_zero_with_flags_off():
    out = SPEC.frame_features(KeypointFrame(stamp_ns=1))
    assert np.all(out == 0.0)


def test_nan_hand_is_missing_not_propagated():
    hand = np.random.default_rng(0).random((HAND_LENGTH, 5)).astype(np.float32)
    hand[3, 0] = np.nan
    out = SPEC.frame_features(KeypointFrame(stamp_ns=1, right_hand=hand))
    names = SPEC.names()
    assert np.all(np.isfinite(out))
    assert out[names.index("hand.present")] == 0.0
    assert np.all(out == 0.0)


def test_missing_prev_part_gives_no_stale_velocity():
    a = _frames()
    f1 = _frame(a, 10)
    prev = KeypointFrame(stamp_ns=int(a.stamps_ns[9]))  # nothing detected in the frame before
    out = SPEC.frame_features(f1, prev)
    names = SPEC.names()
    for n in ("hand.vx", "hand.vy", "hand.v_valid", "pose.left_wrist.v_valid"):
        assert out[names.index(n)] == 0.0


def test_translation_and_scale_invariance():
    a = _frames()
    moved = SequenceArrays(a.stamps_ns, a.pose.copy(), a.left_hand.copy(), a.right_hand.copy(), a.image_size)
    for arr in (moved.pose, moved.left_hand, moved.right_hand):
        arr[..., 0] = (arr[..., 0] - 0.5) * 0.6 + 0.45  # shrink about a point and shift
        arr[..., 1] = (arr[..., 1] - 0.5) * 0.6 + 0.55
    np.testing.assert_allclose(SPEC.sequence_features(moved), SPEC.sequence_features(a), atol=2e-4)


def test_frame_rate_does_not_change_velocity_units():
    a = _frames()
    fast = SequenceArrays(a.stamps_ns[::2], a.pose[::2], a.left_hand[::2], a.right_hand[::2], a.image_size)
    names = SPEC.names()
    vx = names.index("pose.right_wrist.vx")
    full = SPEC.sequence_features(a)[:, vx]
    half = SPEC.sequence_features(fast)[:, vx]
    # mean velocity over the same span agrees although half the frames are gone
    assert abs(full[1:21].mean() - half[1:11].mean()) < 0.05 + 0.2 * abs(full[1:21].mean())


def _swipe(direction: float, left: bool) -> list:
    hand = np.zeros((HAND_LENGTH, 5), np.float32)
    rng = np.random.default_rng(1)
    hand[:, :2] = rng.uniform(-0.05, 0.05, (HAND_LENGTH, 2))
    hand[0, :2] = 0.0
    hand[9, :2] = (0.0, -0.08)  # middle MCP above the wrist
    frames = []
    for i in range(10):
        h = hand.copy()
        h[:, 0] += 0.3 + direction * 0.04 * i
        h[:, 1] += 0.5
        kw = {"left_hand": h} if left else {"right_hand": h}
        frames.append(KeypointFrame(stamp_ns=i * 40_000_000, image_width=640, image_height=480, **kw))
    return frames


@pytest.mark.parametrize("left", [False, True])
def test_swipe_direction_is_kept_for_either_hand(left):
    names = SPEC.names()
    right = SPEC.window_features(_swipe(+1.0, left))[1:, names.index("hand.vx")]
    leftward = SPEC.window_features(_swipe(-1.0, left))[1:, names.index("hand.vx")]
    assert np.all(right > 0.1) and np.all(leftward < -0.1)


def test_left_hand_shape_is_mirrored_into_right():
    frames = _swipe(0.0, left=False)
    mirrored = []
    for f in frames:
        h = f.right_hand.copy()
        h[:, 0] = 1.0 - h[:, 0]
        mirrored.append(KeypointFrame(stamp_ns=f.stamp_ns, image_width=640, image_height=480, left_hand=h))
    np.testing.assert_allclose(SPEC.window_features(frames), SPEC.window_features(mirrored), atol=1e-5)


def test_hallucinated_tiny_pose_around_a_big_hand_is_dropped():
    hand = np.zeros((HAND_LENGTH, 5), np.float32)
    hand[:, :2] = np.random.default_rng(2).uniform(0.3, 0.7, (HAND_LENGTH, 2))
    hand[0, :2], hand[9, :2] = (0.5, 0.8), (0.5, 0.4)
    pose = np.full((POSE_LENGTH, 5), 0.5, np.float32)
    pose[P.LEFT_SHOULDER, :2], pose[P.RIGHT_SHOULDER, :2] = (0.52, 0.5), (0.48, 0.5)
    out = SPEC.frame_features(KeypointFrame(stamp_ns=1, pose=pose, right_hand=hand))
    assert out[SPEC.names().index("pose.present")] == 0.0


def test_dict_round_trip_and_unknown_keys():
    spec = FeatureSpec(parts=("right_hand",), hand_z=True, motion=False)
    assert FeatureSpec.from_dict(spec.to_dict()) == spec
    assert FeatureSpec.from_dict(spec.to_dict()).dim == spec.dim
    with pytest.raises(FeatureSpecError, match="unknown keys"):
        FeatureSpec.from_dict({**spec.to_dict(), "colour": 1})
    with pytest.raises(FeatureSpecError, match="parts"):
        FeatureSpec(parts=("tail",))
