"""The keypoint engine against the mediapipe backend on real clips, and its detectors running only when needed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from support.data import shared_data

from gesture_ros.perception.engine.backend import open_backend
from gesture_ros.perception.engine.extractor import EngineExtractor
from gesture_ros.perception.extraction.far_body import FarBodyOptions
from gesture_ros.perception.extraction.options import ExtractorOptions
from gesture_ros.perception.extractor import ExtractorError
from tools.bench.engine import Agreement, compare_clip, pose_given_reference_regions, read_frames


@pytest.fixture(scope="module")
def open_hand():
    return read_frames(shared_data("videos/open_hand_no_gesture.mp4"), limit=60)


def test_hands_agree_with_mediapipe_on_the_open_hand_clip(open_hand):
    agreement = Agreement()
    compare_clip(open_hand, "hands", agreement)
    found = agreement.summary()
    assert found["hands_compared"] >= 55  # one hand in every frame
    assert found["hand_presence_agreement"] >= 0.98
    assert found["hand_error_median"] <= 0.02 and found["hand_error_p95"] <= 0.1  # in hand lengths


def test_hands_and_pose_agree_with_mediapipe_on_the_swipe_clip():
    agreement = Agreement()
    compare_clip(read_frames(shared_data("videos/swipe2_left_right.gif")), "hands_pose", agreement)
    found = agreement.summary()
    assert found["pose_frames"] >= 50 and found["pose_presence_agreement"] >= 0.95
    assert found["pose_error_median"] <= 0.02  # torso lengths
    assert found["hand_presence_agreement"] >= 0.98
    assert found["hand_error_median"] <= 0.02 and found["hand_error_p95"] <= 0.1


def test_hands_and_pose_agree_with_mediapipe_on_stills_of_every_folder():
    root = shared_data("stills")
    agreement = Agreement()
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.jpg"))[:2]:  # a fresh extractor per still, as in static use
            compare_clip(read_frames(path), "hands_pose", agreement)
    found = agreement.summary()
    assert found["hand_sides"] >= 20 and found["hands_compared"] >= 4 and found["pose_frames"] >= 5
    assert found["hand_presence_agreement"] >= 0.98 and found["pose_presence_agreement"] >= 0.98
    assert found["hand_error_median"] <= 0.02 and found["hand_error_p95"] <= 0.1
    assert found["pose_error_median"] <= 0.02


def test_pose_in_mediapipes_own_tracked_regions_agrees_on_every_frame_of_the_close_up_clip():
    # On the close-up clip both backends make up a body around the hand, and following it from frame
    # to frame amplifies any difference: a region 1e-4 off (float noise of the networks) changes the
    # crop by one grey level and moves that body's landmarks by a tensor pixel (docs/engine.md). Given
    # MediaPipe's region each frame, every per-frame step (crop, network, heatmap, projection,
    # smoothing, presence threshold) must give MediaPipe's pose.
    frames = read_frames(shared_data("videos/open_hand_no_gesture.mp4"))
    differ, errors = pose_given_reference_regions(frames)
    assert len(errors) >= 150  # a body on most frames
    assert differ == 0
    assert np.median(errors) <= 0.002 and max(errors) <= 0.01  # torso lengths


def test_a_tracked_hand_is_followed_without_the_palm_detector(open_hand):
    options = ExtractorOptions(model="hands", max_num_hands=1, far_body=FarBodyOptions(scan_every=0))
    with EngineExtractor(options) as engine:
        frames = [engine.process(bgr, i * 33_333_333) for i, bgr in enumerate(open_hand[:30])]
        figures = engine.figures()
    assert sum(f.has_hand for f in frames) == 30
    assert figures["palm detections"] == 1 and figures["hand network calls"] == 30


def test_a_missing_second_hand_is_looked_for_every_palm_detect_every_frames(open_hand):
    options = ExtractorOptions(model="hands", max_num_hands=2)
    with EngineExtractor(replace(options, palm_detect_every=5)) as engine:
        frames = [engine.process(bgr, i * 33_333_333) for i, bgr in enumerate(open_hand[:30])]
        figures = engine.figures()
    assert sum(f.has_hand for f in frames) == 30
    assert figures["palm detections"] == 6  # frames 0, 5, ..., 25: one hand in view, two wanted
    # MediaPipe's own rule (palm_detect_every 1, the default) runs it on every frame while a hand is missing
    with EngineExtractor(options) as engine:
        for i, bgr in enumerate(open_hand[:10]):
            engine.process(bgr, i * 33_333_333)
        assert engine.figures()["palm detections"] == 10


def test_a_fast_hand_lost_between_detections_is_looked_for_in_the_same_frame():
    # The swiping hand outruns its tracked region on a few frames; with palm_detect_every 5 the palm
    # detector then runs on that frame at once, so the hands found match MediaPipe's rule frame by frame.
    frames = read_frames(shared_data("videos/swipe2_left_right.gif"))
    found = {}
    for every in (1, 5):
        with EngineExtractor(ExtractorOptions(model="hands", palm_detect_every=every)) as engine:
            found[every] = [(f.left_hand is not None, f.right_hand is not None)
                            for f in (engine.process(bgr, i * 33_333_333) for i, bgr in enumerate(frames))]
            detections = engine.figures()["palm detections"]
        assert sum(a or b for a, b in found[every]) >= 0.8 * len(frames)
    assert found[5] == found[1]
    assert detections < len(frames) // 2  # palm_detect_every 5 still skips most detector runs


def test_a_reset_makes_the_next_frame_detect_again(open_hand):
    with EngineExtractor(ExtractorOptions(model="hands", max_num_hands=1)) as engine:
        engine.process(open_hand[0], 0)
        engine.process(open_hand[1], 1)
        engine.hand_stage.reset()
        frame = engine.process(open_hand[2], 2)
        assert frame.has_hand and engine.figures()["palm detections"] == 2


def test_the_engine_gives_the_same_frame_layout_as_the_mediapipe_backend(open_hand):
    with open_backend(ExtractorOptions(model="hands"), "onnx") as engine:
        frame = engine.process(open_hand[0], 123, "cam")
    assert frame.model.startswith("onnx-hands/") and frame.stamp_ns == 123 and frame.frame_id == "cam"
    hand = frame.right_hand if frame.right_hand is not None else frame.left_hand
    assert hand.shape == (21, 5) and hand.dtype == np.float32 and np.isnan(hand[:, 3:]).all()
    assert 0.5 < max(frame.left_hand_score, frame.right_hand_score) <= 1.0


def test_what_the_engine_cannot_serve_is_one_clear_error():
    with pytest.raises(ExtractorError, match="holistic"):
        open_backend(ExtractorOptions(model="holistic"), "onnx")
    with pytest.raises(ValueError, match="backend 'tflite' is unknown"):
        open_backend(ExtractorOptions(model="hands"), "tflite")


@pytest.mark.parametrize("bad", [np.zeros((0, 0, 3), np.uint8), np.zeros((10, 10), np.uint8)])
def test_bad_images_are_refused_with_one_sentence(bad):
    with EngineExtractor(ExtractorOptions(model="hands")) as engine:
        with pytest.raises(ValueError, match="expected a BGR uint8"):
            engine.process(bad, 0)


def test_odd_sized_and_tiny_images_do_not_crash():
    with EngineExtractor(ExtractorOptions(model="hands_pose")) as engine:
        for shape in ((1, 1, 3), (7, 333, 3), (481, 3, 3)):
            frame = engine.process(np.full(shape, 128, np.uint8), 0)
            assert (frame.image_width, frame.image_height) == (shape[1], shape[0])


def test_the_far_body_search_finds_the_small_people_of_the_far_stills_on_the_engine():
    import cv2

    root = shared_data("stills/body_video_pause")
    for prefix in ("0b42d29c", "0d36c43f", "11a0c37c"):  # test_far_body.py's far stills
        bgr = cv2.imread(str(next(root.glob(f"{prefix}*.jpg"))))
        with EngineExtractor(ExtractorOptions(model="hands_pose", far_body=FarBodyOptions(scan_every=0))) as engine:
            assert engine.process(bgr, 0).pose is None  # too small for the whole frame
        with EngineExtractor(ExtractorOptions(model="hands_pose")) as engine:
            poses = [engine.process(bgr, k * 66_666_667).pose for k in range(3)]
            assert engine.figures()["far-body scans"] == 1  # found once, then followed on its crop
        for pose in poses:
            assert pose is not None
            y = pose[:, 1]
            assert y[0] < y[23] < y[27]  # nose above hip above ankle: a standing person
            assert 40 < (y[27] - y[0]) * bgr.shape[0] < 200  # the small person, not a large false body
