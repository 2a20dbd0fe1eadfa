"""KeypointExtractor: real MediaPipe on real frames of ../shared/data."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest
from support.data import shared_data

from gesture_ros.common.landmarks import (
    HAND_LENGTH,
    POSE_LENGTH,
    Field,
    HandLandmark,
    PoseLandmark,
)
from gesture_ros.perception.extraction.hand_stage import HandStage
from gesture_ros.perception.extraction.image import prepare_image
from gesture_ros.perception.extractor import ExtractorOptions, KeypointExtractor
from gesture_ros.perception.sources import Pace, SourceOptions, open_source

FAST = SourceOptions(pace=Pace.AS_FAST_AS_CONSUMED)


def frames(relative: str, every: int = 1, limit: int = 1000):
    with open_source(str(shared_data(relative)), FAST) as source:
        return [f for f in source if f.index % every == 0][:limit]


@pytest.fixture(scope="module")
def open_hand():
    return frames("videos/open_hand_no_gesture.mp4", every=4)


@pytest.fixture(scope="module")
def swipe():
    return frames("videos/swipe2_left_right.gif", limit=14)


def run(options: ExtractorOptions, clip):
    with KeypointExtractor(options) as extractor:
        return [extractor.process(f.image, f.stamp_ns, "cam") for f in clip], extractor


def test_hands_finds_the_open_hand(open_hand):
    result, extractor = run(ExtractorOptions(model="hands"), open_hand)
    found = [k for k in result if k.has_hand]
    assert len(found) >= 0.95 * len(result)
    k = found[0]
    assert k.model == f"mediapipe-hands/{__import__('mediapipe').__version__}"
    assert (k.image_width, k.image_height, k.frame_id) == (640, 360, "cam")
    assert [r.stamp_ns for r in result] == [f.stamp_ns for f in open_hand]
    hand = k.left_hand if k.left_hand is not None else k.right_hand
    assert hand.shape == (HAND_LENGTH, 5)
    assert np.isnan(hand[:, Field.VISIBILITY]).all() and np.isnan(hand[:, Field.PRESENCE]).all()
    assert ((hand[:, [Field.X, Field.Y]] > -0.1) & (hand[:, [Field.X, Field.Y]] < 1.1)).all()
    assert 0.5 < max(k.left_hand_score, k.right_hand_score) <= 1.0
    assert k.pose is None and k.face is None
    assert {"prepare p50 ms", "models p50 ms", "hands p50 ms", "recovery p95 ms"} <= set(extractor.timer.summary())


def test_mirrored_input_swaps_the_hands(open_hand):
    clip = open_hand[:10]
    facing, _ = run(ExtractorOptions(model="hands", mirrored_input=False), clip)
    selfie, _ = run(ExtractorOptions(model="hands", mirrored_input=True), clip)
    for a, b in zip(facing, selfie, strict=True):
        assert (a.left_hand is None) == (b.right_hand is None)
        if a.left_hand is not None:
            np.testing.assert_allclose(a.left_hand, b.right_hand, atol=1e-4)


def test_hands_labels_agree_with_pose_sides(swipe):
    """With mirrored_input=False, Hands' left_hand is at Pose's LEFT_WRIST (anatomical sides)."""
    result, extractor = run(ExtractorOptions(model="hands_pose", max_num_hands=1), swipe)
    assert extractor.model_name.startswith("mediapipe-hands+pose/")
    checked = 0
    for k in result:
        if k.pose is None or not k.has_hand:
            continue
        side, hand = ("LEFT", k.left_hand) if k.left_hand is not None else ("RIGHT", k.right_hand)
        wrist = hand[HandLandmark.WRIST, [Field.X, Field.Y]]
        same = k.pose[PoseLandmark[f"{side}_WRIST"], [Field.X, Field.Y]]
        other = k.pose[PoseLandmark[f"{'RIGHT' if side == 'LEFT' else 'LEFT'}_WRIST"], [Field.X, Field.Y]]
        assert np.linalg.norm(wrist - same) < np.linalg.norm(wrist - other)
        checked += 1
    assert checked >= 0.8 * len(result)
    pose = result[0].pose
    assert pose.shape == (POSE_LENGTH, 5) and np.isfinite(pose[:, Field.VISIBILITY]).all()


def test_mirrored_input_swaps_pose_sides(swipe):
    clip = swipe[:3]
    facing, _ = run(ExtractorOptions(model="pose"), clip)
    selfie, _ = run(ExtractorOptions(model="pose", mirrored_input=True), clip)
    a, b = facing[0].pose, selfie[0].pose
    np.testing.assert_allclose(a[PoseLandmark.LEFT_WRIST], b[PoseLandmark.RIGHT_WRIST], atol=1e-4)
    np.testing.assert_allclose(a[PoseLandmark.NOSE], b[PoseLandmark.NOSE], atol=1e-4)


def test_holistic_gives_pose_hand_and_face(swipe):
    result, _ = run(ExtractorOptions(model="holistic", enable_face=True), swipe[:6])
    k = result[-1]
    assert k.pose is not None and k.left_hand is not None and k.face is not None
    assert k.face.shape[0] in (468, 478)
    wrist = k.left_hand[HandLandmark.WRIST, [Field.X, Field.Y]]
    assert np.linalg.norm(wrist - k.pose[PoseLandmark.LEFT_WRIST, [Field.X, Field.Y]]) < 0.1


def test_no_hand_in_a_blank_frame():
    with KeypointExtractor(ExtractorOptions(model="hands")) as extractor:
        k = extractor.process(np.zeros((120, 160, 3), np.uint8), 5, "cam")
    assert not k.has_hand and k.left_hand_score == 0.0 and k.stamp_ns == 5


@pytest.mark.parametrize("options,words", [
    (ExtractorOptions(model="yolo"), "model 'yolo' is unknown"),
    (ExtractorOptions(max_num_hands=0), "max_num_hands must be 1..4"),
    (ExtractorOptions(min_tracking_confidence=1.5), "min_tracking_confidence must be in 0..1"),
    (ExtractorOptions(model="hands", enable_face=True), "enable_face needs model 'holistic'"),
])
def test_bad_options(options, words):
    with pytest.raises(ValueError, match=words):
        KeypointExtractor(options)


def test_rejects_non_bgr_input():
    with KeypointExtractor() as extractor, pytest.raises(ValueError, match="expected a BGR uint8"):
        extractor.process(cv2.cvtColor(np.zeros((8, 8, 3), np.uint8), cv2.COLOR_BGR2GRAY), 0)


def test_hands_and_pose_at_once_give_what_they_give_one_after_the_other(swipe):
    together, extractor = run(ExtractorOptions(model="hands_pose"), swipe)
    assert {"pose p50 ms", "hands p50 ms", "models p50 ms"} <= set(extractor.timer.summary())
    apart, _ = run(ExtractorOptions(model="hands_pose", concurrent=False), swipe)
    for a, b in zip(together, apart, strict=True):
        for part in ("pose", "left_hand", "right_hand"):
            x, y = getattr(a, part), getattr(b, part)
            assert (x is None) == (y is None), part
            if x is not None:
                np.testing.assert_array_equal(x, y)


def test_a_reset_tracker_detects_afresh_as_static_image_mode_does(open_hand):
    """The legacy API has no reset call: HandStage.reset() must make the next frame a fresh detection."""
    import mediapipe as mp

    options = ExtractorOptions(model="hands")
    images = [prepare_image(f.image) for f in open_hand[:12]]
    with mp.solutions.hands.Hands(static_image_mode=True, max_num_hands=2) as static:
        fresh = [static.process(image.rgb).multi_hand_landmarks for image in images]
    for pool in (None, ThreadPoolExecutor(2)):  # blank frame in place, and the spare tracker
        stage = HandStage(mp, options, pool)
        try:
            for i, image in enumerate(images):
                if i in (5, 9):
                    stage.reset()
                hands = stage.process(image)
                if i in (0, 5, 9):  # the first frame, and each frame after a reset
                    assert all(h.redetected for h in hands) and len(hands) == len(fresh[i])
                    expected = np.array([[p.x, p.y] for p in fresh[i][0].landmark], np.float32)
                    np.testing.assert_array_equal(hands[0].landmarks[:, :2], expected)
                else:
                    assert not any(h.redetected for h in hands)
        finally:
            stage.close()
            if pool is not None:
                pool.shutdown()


def test_a_large_frame_scaled_down_first_gives_the_same_keypoints(open_hand):
    clip = open_hand[:6]
    small, _ = run(ExtractorOptions(model="hands"), clip)
    big = [type(f)(image=cv2.resize(f.image, (1280, 720), interpolation=cv2.INTER_CUBIC), stamp_ns=f.stamp_ns,
                   index=f.index) for f in clip]
    scaled, _ = run(ExtractorOptions(model="hands", max_image_side=640), big)
    for a, b in zip(small, scaled, strict=True):
        assert (b.image_width, b.image_height) == (1280, 720)  # the camera image's size, not the scaled one
        ha = a.left_hand if a.left_hand is not None else a.right_hand
        hb = b.left_hand if b.left_hand is not None else b.right_hand
        np.testing.assert_allclose(ha[:, :2], hb[:, :2], atol=0.01)
