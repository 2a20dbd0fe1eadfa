"""The extractor's stages on constructed geometry (no MediaPipe): image preparation, hand regions,
recovery checks, hand-to-body association, and the recovery flow with scripted stage results."""

from __future__ import annotations

import numpy as np
import pytest

from gesture_ros.common.landmarks import HAND_LENGTH, POSE_LENGTH, Field, HandLandmark, PoseLandmark
from gesture_ros.perception.extraction.hand_regions import hand_regions, pose_is_plausible
from gesture_ros.perception.extraction.image import prepare_image
from gesture_ros.perception.extraction.observations import HandObservation, Person, Side
from gesture_ros.perception.extraction.options import ExtractorOptions, RecoveryOptions
from gesture_ros.perception.extraction.recovery import HandChecks, Scene, Verdict, associate

W, H = 640, 480


def pose(left_wrist=(400, 300), right_wrist=(240, 300), shoulders=(380, 260), visible=1.0) -> np.ndarray:
    """A facing person (unmirrored image: the performer's left is at larger x), pixels in, normalised out."""
    arr = np.zeros((POSE_LENGTH, 5), np.float32)  # landmarks not placed below are not visible
    arr[:, Field.PRESENCE] = np.nan
    points = {PoseLandmark.LEFT_SHOULDER: (shoulders[0], 150), PoseLandmark.RIGHT_SHOULDER: (shoulders[1], 150),
              PoseLandmark.LEFT_WRIST: left_wrist, PoseLandmark.RIGHT_WRIST: right_wrist,
              PoseLandmark.LEFT_INDEX: (left_wrist[0], left_wrist[1] - 30),
              PoseLandmark.RIGHT_INDEX: (right_wrist[0], right_wrist[1] - 30)}
    for landmark, (x, y) in points.items():
        arr[landmark, :2] = (x / W, y / H)
        arr[landmark, Field.VISIBILITY] = visible
    return arr


def hand(side: Side, wrist=(400, 300), palm=40.0, score=0.9, redetected=False) -> HandObservation:
    """A hand with its wrist at ``wrist`` (pixels) and a palm ``palm`` pixels long, fingers up."""
    arr = np.zeros((HAND_LENGTH, 5), np.float32)
    arr[:, 3:] = np.nan
    for i in range(HAND_LENGTH):
        arr[i, :2] = ((wrist[0] + (i % 5 - 2) * palm * 0.25) / W, (wrist[1] - palm * (0.5 + i / 14)) / H)
    arr[HandLandmark.WRIST, :2] = (wrist[0] / W, wrist[1] / H)
    arr[HandLandmark.MIDDLE_FINGER_MCP, :2] = (wrist[0] / W, (wrist[1] - palm) / H)
    return HandObservation(side, arr, score, redetected)


def scene(person: Person | None, stamp_ns: int = 1_000_000_000) -> Scene:
    return Scene(person, hand_regions(person, W, H) if person else {}, W, H, stamp_ns)


def test_prepare_converts_once_and_scales_only_large_frames():
    bgr = np.zeros((720, 1280, 3), np.uint8)
    bgr[..., 0] = 255  # blue
    small = prepare_image(bgr, max_side=640)
    assert small.rgb.shape == (360, 640, 3) and (small.width, small.height) == (1280, 720)
    assert small.scale == pytest.approx(0.5) and small.rgb[0, 0].tolist() == [0, 0, 255]
    assert not small.rgb.flags.writeable
    same = prepare_image(bgr, max_side=0)
    assert same.rgb.shape == (720, 1280, 3) and same.scale == 1.0
    assert prepare_image(bgr, max_side=2000).rgb.shape == (720, 1280, 3)
    with pytest.raises(ValueError, match="expected a BGR uint8"):
        prepare_image(np.zeros((4, 4), np.uint8))


def test_hand_regions_sit_on_the_pose_wrists_sized_from_the_pose():
    regions = hand_regions(Person(pose()), W, H)
    assert set(regions) == {Side.LEFT, Side.RIGHT}
    np.testing.assert_allclose(regions[Side.LEFT].wrist_px, (400, 300), atol=1e-3)
    # shoulders 120 px apart -> a palm of about 42 px, longer than the 30 px to the pose index point
    assert regions[Side.LEFT].hand_length_px == pytest.approx(120 * 0.35, rel=1e-3)
    assert regions[Side.LEFT].distance(np.array([400.0, 342.0])) == pytest.approx(1.0, rel=1e-2)
    hidden = pose()
    hidden[PoseLandmark.RIGHT_WRIST, Field.VISIBILITY] = 0.1
    assert set(hand_regions(Person(hidden), W, H)) == {Side.LEFT}


def test_a_close_up_hand_makes_the_body_implausible():
    person = Person(pose())
    assert pose_is_plausible(person, palm_px=40.0, width=W, height=H)
    assert not pose_is_plausible(person, palm_px=300.0, width=W, height=H)  # palm longer than the shoulders


CHECKS = [
    ("on its wrist", hand(Side.LEFT, (405, 295)), Verdict.OK),
    ("at the other side's wrist", hand(Side.LEFT, (240, 300)), Verdict.FAR_FROM_WRIST),
    ("collapsed", hand(Side.LEFT, (400, 300), palm=8.0), Verdict.COLLAPSED),
]


@pytest.mark.parametrize("name,observed,expected", CHECKS, ids=[c[0] for c in CHECKS])
def test_checks_against_the_body(name, observed, expected):
    assert HandChecks(RecoveryOptions()).verdict(observed, scene(Person(pose()))) is expected


def test_a_close_up_without_a_plausible_body_keeps_its_hand():
    big = hand(Side.LEFT, (100, 400), palm=250.0)  # far from the small pose, but far bigger than its body
    assert HandChecks(RecoveryOptions()).verdict(big, scene(Person(pose()))) is Verdict.OK
    assert HandChecks(RecoveryOptions()).verdict(big, scene(None)) is Verdict.OK


def test_jump_is_judged_against_the_last_accepted_hand_and_the_time_between():
    checks = HandChecks(RecoveryOptions(max_speed=40.0))
    first = scene(None, stamp_ns=0)
    checks.accept([hand(Side.RIGHT, (100, 300))], first)
    far = hand(Side.RIGHT, (500, 300))  # 400 px = 10 palms
    assert checks.verdict(far, scene(None, stamp_ns=40_000_000)) is Verdict.JUMP  # 10 > 40 * 0.04 + 1
    assert checks.verdict(far, scene(None, stamp_ns=300_000_000)) is Verdict.OK  # 10 < 40 * 0.3 + 1
    fresh = hand(Side.RIGHT, (500, 300), redetected=True)
    assert checks.verdict(fresh, scene(None, stamp_ns=40_000_000)) is Verdict.OK  # fresh evidence: no jump
    assert checks.verdict(far, scene(None, stamp_ns=900_000_000)) is Verdict.OK  # the track is too old
    shrunk = hand(Side.RIGHT, (110, 300), palm=10.0)
    assert checks.verdict(shrunk, scene(None, stamp_ns=40_000_000)) is Verdict.COLLAPSED


def test_association_follows_the_pose_wrists_where_the_body_is_plausible():
    person = Person(pose())
    # Hands called both "left"; the one at the right wrist becomes the right hand.
    a, b = hand(Side.LEFT, (400, 300), score=0.9), hand(Side.LEFT, (240, 300), score=0.8)
    out = {h.side: h for h in associate([a, b], scene(person), max_distance=2.0)}
    assert out[Side.LEFT] is a and out[Side.RIGHT] is b
    # A mislabelled single hand is put on the side whose wrist it sits on.
    (moved,) = associate([hand(Side.RIGHT, (400, 300))], scene(person), max_distance=2.0)
    assert moved.side is Side.LEFT
    # No body: Hands' label stands and the lower-scored duplicate is left out.
    out = associate([hand(Side.LEFT, score=0.9), hand(Side.LEFT, (100, 100), score=0.8)], scene(None), 2.0)
    assert [(h.side, h.score) for h in out] == [(Side.LEFT, 0.9)]


class ScriptedHands:
    """Stands in for MediaPipe Hands: returns scripted hands, fresh ones after reset()."""

    def __init__(self, tracked: list[HandObservation], fresh: list[HandObservation]) -> None:
        self.tracked, self.fresh, self.resets, self._reset = tracked, fresh, 0, False

    def process(self, image):
        out = self.fresh if self._reset else self.tracked
        self._reset = False
        return [HandObservation(h.side, h.landmarks.copy(), h.score, h.redetected) for h in out]

    def reset(self):
        self.resets += 1
        self._reset = True

    def close(self):
        pass


class ScriptedPose:
    def __init__(self, person):
        self.person = person

    def process(self, image):
        return [self.person]

    def close(self):
        pass


def scripted_extractor(tracked, fresh, options=None):
    from gesture_ros.perception.extractor import KeypointExtractor

    extractor = KeypointExtractor(options or ExtractorOptions(model="hands_pose"))
    for stage in (extractor.hand_stage, extractor.pose_stage):
        stage.close()
    extractor.hand_stage = ScriptedHands(tracked, fresh)
    extractor.pose_stage = ScriptedPose(Person(pose()))
    return extractor


def test_a_tracked_hand_far_from_its_wrist_is_re_detected():
    wrong = hand(Side.LEFT, (560, 80), palm=40.0)  # tracking reports the left hand far from both wrists...
    right = hand(Side.LEFT, (400, 300), redetected=True)  # ...a fresh detection finds it on its wrist
    with scripted_extractor([wrong], [right]) as extractor:
        frame = extractor.process(np.zeros((H, W, 3), np.uint8), 1_000_000_000)
        assert extractor.hand_stage.resets == 1
        assert extractor.figures()["re-detections: far from the pose wrist"] == 1
    assert frame.right_hand is None  # the wrong hand is published under no side
    np.testing.assert_allclose(frame.left_hand[HandLandmark.WRIST, :2], (400 / W, 300 / H), atol=1e-5)


def test_a_fresh_detection_that_collapsed_is_left_out_and_good_tracking_is_left_alone():
    collapsed = hand(Side.LEFT, (400, 300), palm=5.0)
    with scripted_extractor([collapsed], [hand(Side.LEFT, (400, 300), palm=5.0, redetected=True)]) as extractor:
        frame = extractor.process(np.zeros((H, W, 3), np.uint8), 1)
        assert frame.left_hand is None and extractor.figures()["hands left out: collapsed shape"] == 1
    good = hand(Side.LEFT, (402, 298))
    with scripted_extractor([good], []) as extractor:
        frame = extractor.process(np.zeros((H, W, 3), np.uint8), 1)
        assert extractor.hand_stage.resets == 0 and frame.left_hand is not None


def test_skipped_frames_reset_the_tracker_only_when_asked():
    options = ExtractorOptions(model="hands_pose", recovery=RecoveryOptions(redetect_after_skipped=3))
    good = hand(Side.LEFT, (402, 298))
    with scripted_extractor([good], [good], options) as extractor:
        image = np.zeros((H, W, 3), np.uint8)
        extractor.process(image, 1, skipped=2)
        assert extractor.hand_stage.resets == 0
        extractor.process(image, 2, skipped=3)
        assert extractor.hand_stage.resets == 1 and extractor.figures()["re-detections: frames skipped"] == 1


@pytest.mark.parametrize("options,words", [
    (ExtractorOptions(max_image_side=10), "max_image_side must be 0"),
    (ExtractorOptions(recovery=RecoveryOptions(min_palm_fraction=1.5)), "min_palm_fraction must be < 1"),
    (ExtractorOptions(recovery=RecoveryOptions(max_speed=0)), "max_speed must be > 0"),
    (ExtractorOptions(recovery=RecoveryOptions(redetect_after_skipped=-1)), "redetect_after_skipped must be >= 0"),
])
def test_bad_stage_options(options, words):
    with pytest.raises(ValueError, match=words):
        options.validate()
