"""The far-body search (perception/extraction/far_body.py): a body too small for whole-frame Pose.

The search's own rules (when it scans, where, how it follows and lets go) are checked with a
stand-in detector that "finds" a body wherever a bright patch is in its crop; the real
MediaPipe Pose is checked on real stills of a person standing ~5 m away whom whole-frame Pose
misses.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.data import shared_data

from gesture_ros.common.landmarks import N_FIELDS, POSE_LENGTH, Field, HandLandmark, PoseLandmark
from gesture_ros.perception.extraction.crops import Crop
from gesture_ros.perception.extraction.far_body import FarBodyOptions, FarBodySearch, follow_crop, scan_tiles
from gesture_ros.perception.extraction.image import prepare_image
from gesture_ros.perception.extraction.observations import HandObservation, Person, Side
from gesture_ros.perception.extractor import ExtractorOptions, KeypointExtractor

# Stills of person C (crossed forearms, ~100 px tall in 640x480) in which Pose on the whole frame finds no body.
FAR_STILLS = ["0b42d29c", "0d36c43f", "11a0c37c"]


def _bright_patch_finder(calls: list[np.ndarray], visibility: float = 1.0):
    """Return a detector that sees a 'body' (landmarks spanning its bright pixels) in a crop."""

    def find(rgb: np.ndarray) -> list[Person]:
        calls.append(rgb)
        ys, xs = np.nonzero(rgb[..., 0] > 128)
        if len(xs) < 20:
            return []
        h, w = rgb.shape[:2]
        pose = np.zeros((POSE_LENGTH, N_FIELDS), np.float32)
        pose[:, Field.X] = np.linspace(xs.min(), xs.max(), POSE_LENGTH) / w
        pose[:, Field.Y] = np.linspace(ys.min(), ys.max(), POSE_LENGTH) / h
        pose[:, Field.VISIBILITY] = visibility
        return [Person(pose=pose)]

    return find


def _frame(patch: tuple[int, int, int, int] | None, size=(480, 640)) -> np.ndarray:
    img = np.zeros((*size, 3), np.uint8)
    if patch:
        x0, y0, x1, y1 = patch
        img[y0:y1, x0:x1] = 255
    return img


def test_scan_tiles_cover_every_corner_of_the_frame():
    tiles = scan_tiles(640, 480, 2, 0.6)
    assert len(tiles) == 4
    for x, y in ((0, 0), (639, 0), (0, 479), (639, 479), (320, 240)):
        assert any(t.contains(x, y) for t in tiles), (x, y)


def test_follow_crop_is_centred_on_the_trusted_landmarks_with_a_margin():
    pose = np.zeros((POSE_LENGTH, N_FIELDS), np.float32)
    pose[:, Field.X] = np.linspace(0.4, 0.5, POSE_LENGTH)  # 64 px wide at 640
    pose[:, Field.Y] = np.linspace(0.2, 0.5, POSE_LENGTH)  # 144 px tall at 480
    pose[:, Field.VISIBILITY] = 1.0
    pose[PoseLandmark.LEFT_ANKLE, [Field.X, Field.VISIBILITY]] = (0.95, 0.1)  # untrusted: left out
    crop = follow_crop(pose, 640, 480, 1.5)
    assert crop.cx == pytest.approx(0.45 * 640, abs=1.0)
    assert crop.cy == pytest.approx(0.35 * 480, abs=1.0)
    assert crop.side == pytest.approx(1.5 * 144, abs=1.0)


def test_a_small_body_is_found_on_a_tile_in_full_frame_coordinates_then_followed():
    calls: list[np.ndarray] = []
    search = FarBodySearch(_bright_patch_finder(calls), FarBodyOptions(scan_every=10))
    image = prepare_image(_frame((500, 400, 530, 470)))  # bottom right: found on the last tile
    people = search.search(image)
    assert len(calls) == 4 and len(people) == 1
    xs = people[0].pose[:, Field.X] * 640
    ys = people[0].pose[:, Field.Y] * 480
    assert xs.min() == pytest.approx(500, abs=3) and xs.max() == pytest.approx(529, abs=3)
    assert ys.min() == pytest.approx(400, abs=3) and ys.max() == pytest.approx(469, abs=3)
    assert search.following and search.crop.contains(515, 435)
    calls.clear()
    moved = prepare_image(_frame((490, 390, 520, 460)))
    assert len(search.follow(moved)) == 1 and len(calls) == 1  # one crop, no scan
    assert search.crop.contains(505, 425)


def test_scans_are_spaced_and_a_lost_body_is_looked_for_again_at_once():
    calls: list[np.ndarray] = []
    search = FarBodySearch(_bright_patch_finder(calls), FarBodyOptions(scan_every=3))
    empty = prepare_image(_frame(None))
    counts = []
    for _ in range(9):
        calls.clear()
        search.search(empty)
        counts.append(len(calls))
    assert counts == [4, 0, 0, 0, 4, 0, 0, 0, 4]
    body = prepare_image(_frame((100, 100, 130, 180)))
    assert search.search(body) == []  # a body that walks in waits for the next scan
    assert search.search(body) == [] and search.search(body) == []
    assert len(search.search(body)) == 1 and search.following
    calls.clear()
    assert search.follow(empty) == [] and not search.following and len(calls) == 1
    calls.clear()
    search.search(empty)
    assert len(calls) == 4  # lost: searched again on the next frame without a body


def _hand(palm_px: float) -> HandObservation:
    lm = np.zeros((21, N_FIELDS), np.float32)
    lm[HandLandmark.WRIST, :2] = (0.5, 0.5)
    lm[HandLandmark.MIDDLE_FINGER_MCP, :2] = (0.5, 0.5 - palm_px / 480)
    return HandObservation(Side.RIGHT, lm, 0.9)


def test_a_close_up_hand_means_a_near_person_and_no_search_until_it_is_gone():
    calls: list[np.ndarray] = []
    search = FarBodySearch(_bright_patch_finder(calls), FarBodyOptions(scan_every=5))
    empty = prepare_image(_frame(None))
    search.note_hands([_hand(60.0)], 640, 480)  # a 60 px palm: a hand held up to the camera
    assert search.search(empty) == [] and calls == []
    search.note_hands([_hand(8.0)], 640, 480)  # an 8 px palm: a far person's hand
    search.search(empty)
    assert len(calls) == 4


def test_a_body_pose_barely_sees_is_clutter_and_the_search_goes_on():
    calls: list[np.ndarray] = []
    search = FarBodySearch(_bright_patch_finder(calls, visibility=0.53), FarBodyOptions(scan_every=5))
    assert search.search(prepare_image(_frame((100, 100, 130, 180)))) == []
    assert len(calls) == 4 and not search.following


def test_off_never_runs_the_detector():
    calls: list[np.ndarray] = []
    search = FarBodySearch(_bright_patch_finder(calls), FarBodyOptions(scan_every=0))
    assert search.search(prepare_image(_frame((100, 100, 130, 180)))) == [] and calls == []


def test_a_body_large_enough_for_the_whole_frame_is_not_followed():
    search = FarBodySearch(_bright_patch_finder([]), FarBodyOptions(scan_every=5))
    people = search.search(prepare_image(_frame((50, 20, 250, 400))))  # 380 px of 480: large
    assert len(people) == 1 and not search.following


def test_options_out_of_range_are_named():
    with pytest.raises(ValueError, match="far_body_tiles"):
        ExtractorOptions(model="pose", far_body=FarBodyOptions(tiles=9)).validate()
    with pytest.raises(ValueError, match="far_body_scan_every"):
        ExtractorOptions(model="pose", far_body=FarBodyOptions(scan_every=-1)).validate()


@pytest.fixture(scope="module")
def far_images():
    import cv2

    root = shared_data("stills/body_video_pause")
    return [cv2.imread(str(next(root.glob(f"{p}*.jpg")))) for p in FAR_STILLS]


def _poses(options: ExtractorOptions, bgr: np.ndarray, frames: int = 3) -> list[np.ndarray | None]:
    with KeypointExtractor(options) as ex:
        return [ex.process(bgr, k * 66_666_667).pose for k in range(frames)]


def test_mediapipe_misses_a_far_person_on_the_whole_frame_and_the_search_finds_them(far_images):
    for bgr in far_images:
        assert _poses(ExtractorOptions(model="hands_pose", far_body=FarBodyOptions(scan_every=0)), bgr) == [None] * 3
        poses = _poses(ExtractorOptions(model="hands_pose"), bgr)
        assert all(p is not None for p in poses)
        for pose in poses:  # a standing person: head above hips above ankles, all inside the frame
            y = pose[:, Field.Y]
            assert y[PoseLandmark.NOSE] < y[PoseLandmark.LEFT_HIP] < y[PoseLandmark.LEFT_ANKLE]
            assert np.all((pose[:, Field.X] > 0) & (pose[:, Field.X] < 1))
            height_px = (y[PoseLandmark.LEFT_ANKLE] - y[PoseLandmark.NOSE]) * bgr.shape[0]
            assert 40 < height_px < 200, height_px  # the small person, not a large false body


def test_the_followed_body_is_found_on_its_crop_without_the_whole_frame(far_images):
    with KeypointExtractor(ExtractorOptions(model="pose")) as ex:
        ex.process(far_images[0], 0)
        far = ex.pose_stage.far
        assert far.following and far.scans == 1
        crop: Crop = far.crop
        for k in range(1, 4):
            assert ex.process(far_images[0], k * 66_666_667).pose is not None
        assert far.scans == 1 and far.crop.iou(crop) > 0.8
