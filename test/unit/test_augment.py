"""Keypoint augmentation: the hand tilt (a hand turned out of the image plane about its wrist)."""

import numpy as np

from gesture_ros.toolkit.augment import AugmentConfig, _tilt_hand, augment
from gesture_ros.toolkit.synth.generator import generate_one

ASPECT = 16 / 9


def _reach(hand: np.ndarray) -> np.ndarray:
    """Return (T, 21) distances from the wrist in height units (x scaled by the aspect)."""
    return np.linalg.norm((hand[..., :2] - hand[:, :1, :2]) * np.array([ASPECT, 1.0]), axis=-1)


def test_tilt_foreshortens_a_hand_about_its_wrist_by_at_most_the_cosine():
    rng = np.random.default_rng(3)
    hand = rng.uniform(0.3, 0.7, (40, 21, 5))
    hand[5] = np.nan  # a frame without the hand stays without it
    tilted = _tilt_hand(hand.copy(), np.random.default_rng(4), 50.0, ASPECT)
    ok = np.arange(40) != 5
    np.testing.assert_allclose(tilted[ok, 0, :2], hand[ok, 0, :2])
    np.testing.assert_array_equal(tilted[..., 2:][ok], hand[..., 2:][ok])
    assert np.isnan(tilted[5]).all()
    ratio = _reach(tilted[ok])[:, 1:] / _reach(hand[ok])[:, 1:]
    assert ratio.max() <= 1 + 1e-9 and ratio.min() >= np.cos(np.deg2rad(50.0)) - 1e-9
    assert ratio.min() < 0.99  # some landmark lies off the axis and moved
    # one tilt for the whole sequence: a landmark's ratio is the same in every frame of a rigid hand
    rigid = np.repeat(hand[:1], 10, axis=0)
    r = _reach(_tilt_hand(rigid.copy(), np.random.default_rng(4), 50.0, ASPECT))
    np.testing.assert_allclose(r, np.repeat(r[:1], 10, axis=0))


def test_augment_tilts_hands_only_when_asked_and_leaves_the_pose_alone():
    s = generate_one("thumbs_up", 7).rendered
    arrays, labels = s.arrays, s.frame_labels
    side = "right_hand" if np.isfinite(arrays.right_hand[:, 0, 0]).any() else "left_hand"
    shrink = []
    for seed in range(6):
        off, _ = augment(arrays, labels, np.random.default_rng(seed), AugmentConfig())
        on, _ = augment(arrays, labels, np.random.default_rng(seed), AugmentConfig(hand_tilt_deg=60.0))
        np.testing.assert_array_equal(off.pose, on.pose)
        np.testing.assert_array_equal(off.stamps_ns, on.stamps_ns)
        a, b = getattr(off, side), getattr(on, side)
        seen = np.isfinite(a[:, 0, 0]) & np.isfinite(b[:, 0, 0])
        assert seen.sum() > 10
        shrink.append(np.median(_reach(b[seen])[:, 1:]) / np.median(_reach(a[seen])[:, 1:]))
        again, _ = augment(arrays, labels, np.random.default_rng(seed), AugmentConfig(hand_tilt_deg=60.0))
        np.testing.assert_array_equal(getattr(again, side), b)
    # jitter alone moves landmarks by ~0.003 of the image; these tilts shorten the hand 3-28%
    assert max(shrink) < 1.01 and np.mean(shrink) < 0.95
