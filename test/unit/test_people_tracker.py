"""Several people on constructed geometry (no MediaPipe): crops, face tiles, the tracker's rules, hand assignment."""

import numpy as np
import pytest

from gesture_ros.common.landmarks import HAND_LENGTH, POSE_LENGTH, Field, HandLandmark
from gesture_ros.common.landmarks import PoseLandmark as P
from gesture_ros.perception.extraction.crops import Crop, cut, to_image
from gesture_ros.perception.extraction.face_finder import Face, merge, tiles
from gesture_ros.perception.extraction.hand_regions import HandRegion
from gesture_ros.perception.extraction.observations import HandObservation, Person, Side
from gesture_ros.perception.extraction.people_tracker import PeopleTracker, body_crop_from_face
from gesture_ros.perception.extraction.person_models import HandCandidate, assign_hands

W, H = 1280, 360


def body(x: float, y: float = 120, shoulder: float = 60) -> Person:
    """A facing person with the nose at (x, y) pixels, every landmark around it visible."""
    arr = np.zeros((POSE_LENGTH, 5), np.float32)
    arr[:, Field.PRESENCE] = np.nan
    points = {P.NOSE: (x, y), P.LEFT_SHOULDER: (x + shoulder / 2, y + 40), P.RIGHT_SHOULDER: (x - shoulder / 2, y + 40),
              P.LEFT_WRIST: (x + shoulder, y + 120), P.RIGHT_WRIST: (x - shoulder, y + 120),
              P.LEFT_HIP: (x + 20, y + 160), P.RIGHT_HIP: (x - 20, y + 160)}
    for landmark, (px, py) in points.items():
        arr[landmark, :2] = (px / W, py / H)
        arr[landmark, Field.VISIBILITY] = 1.0
    return Person(arr)


def face(x: float, y: float = 120, side: float = 30, score: float = 0.9) -> Face:
    return Face(x, y, side, score)


def test_a_crop_maps_landmarks_back_to_the_image_and_pads_outside():
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[100:110, 200:210] = 255  # a white square
    crop = Crop(205, 105, 40)
    out = cut(rgb, crop, 160)
    assert out.shape == (160, 160, 3) and out[80, 80].tolist() == [255, 255, 255] and out[0, 0].tolist() == [0, 0, 0]
    lm = np.array([[0.5, 0.5, 0.1, 0.9, np.nan]], np.float32)
    back = to_image(lm, crop, W, H)
    assert back[0, :2] == pytest.approx([205 / W, 105 / H]) and back[0, 2] == pytest.approx(0.1 * 40 / W)
    assert back[0, 3] == pytest.approx(0.9) and np.isnan(back[0, 4])
    edge = cut(rgb, Crop(0, 0, 100), 64)  # three quarters outside the image: black, no error
    assert edge.shape == (64, 64, 3) and edge[:32, :32].max() == 0


def test_face_tiles_cover_a_wide_frame_with_overlap_and_duplicates_merge():
    assert tiles(640, 360) == [(0, 0, 360), (280, 0, 360)]
    t = tiles(1344, 360)
    assert t[0][0] == 0 and t[-1][0] + 360 == 1344 and all(b[0] - a[0] < 360 for a, b in zip(t, t[1:], strict=False))
    assert tiles(360, 640) == [(0, 0, 360), (0, 280, 360)]
    assert tiles(480, 480) == [(0, 0, 480)]
    same = merge([face(100, score=0.8), face(103, score=0.95), face(400)])
    assert [(f.cx, f.score) for f in same] == [(103, 0.95), (400, 0.9)]


def test_new_faces_get_new_ids_up_to_max_people_largest_first():
    tracker = PeopleTracker(max_people=2, lost_after=3)
    tracker.add_faces([face(100, side=20), face(500, side=40), face(900, side=30)])
    assert [(t.person_id, t.anchor[0]) for t in tracker.tracks] == [(1, 500), (2, 900)]
    assert tracker.tracks[0].crop == body_crop_from_face(face(500, side=40))


def test_a_face_claims_the_nearest_track_and_a_lost_track_is_re_found_with_its_id():
    tracker = PeopleTracker(max_people=3, lost_after=3)
    tracker.add_faces([face(200), face(600)])
    for t in tracker.tracks:
        t.seen(body(t.anchor[0]), W, H)
    tracker.add_faces([face(210), face(590)])  # the same two people, moved a little
    assert [t.person_id for t in tracker.tracks] == [1, 2]
    tracker.tracks[0].missed()  # person 1's pose lost for a frame ...
    tracker.finish_frame(W, H)
    tracker.add_faces([face(220)])  # ... and their face seen again: same id, crop from the face
    assert [t.person_id for t in tracker.tracks] == [1, 2]
    assert tracker.tracks[0].crop == body_crop_from_face(face(220))


def test_a_track_lost_for_lost_after_frames_ends_and_ids_are_never_reused():
    tracker = PeopleTracker(max_people=3, lost_after=3)
    tracker.add_faces([face(200), face(600)])
    for _ in range(3):
        tracker.tracks[0].missed()
        tracker.finish_frame(W, H)
    assert tracker.ended == [1] and [t.person_id for t in tracker.tracks] == [2]
    tracker.add_faces([face(200)])  # the same place again: a new person to the tracker
    assert [t.person_id for t in tracker.tracks] == [2, 3]


def test_a_new_face_when_full_ends_the_track_lost_longest():
    tracker = PeopleTracker(max_people=2, lost_after=10)
    tracker.add_faces([face(200), face(600)])
    tracker.tracks[1].seen(body(600), W, H)
    tracker.tracks[0].missed()  # person 1 walked off ...
    tracker.add_faces([face(1000)])  # ... and someone walked in elsewhere
    tracker.finish_frame(W, H)
    assert [t.person_id for t in tracker.tracks] == [2, 3] and tracker.ended == [1]
    tracker.tracks[0].seen(body(600), W, H)
    tracker.tracks[1].seen(body(1000), W, H)
    tracker.add_faces([face(200)])  # full, nobody lost: no room, nothing ended
    tracker.finish_frame(W, H)
    assert [t.person_id for t in tracker.tracks] == [2, 3] and tracker.ended == []


def test_two_tracks_on_one_body_keep_the_older_id():
    tracker = PeopleTracker(max_people=3, lost_after=3)
    tracker.add_faces([face(200), face(260)])  # two faces close together: two tracks at first
    for t in tracker.tracks:
        t.seen(body(205), W, H)  # both poses found the same body
    tracker.finish_frame(W, H)
    assert [t.person_id for t in tracker.tracks] == [1] and tracker.ended == [2]


def test_a_body_crop_follows_its_pose_only_when_the_pose_leaves_it():
    tracker = PeopleTracker(max_people=1, lost_after=3)
    tracker.add_faces([face(300)])
    track = tracker.tracks[0]
    track.seen(body(300), W, H)
    crop = track.crop
    track.seen(body(303), W, H)
    assert track.crop == crop  # a small move keeps the crop (Pose keeps tracking in it)
    track.seen(body(500), W, H)
    assert track.crop != crop and track.crop.contains(500, 200)


def hand_at(x: float, y: float, palm: float = 20.0) -> HandObservation:
    arr = np.zeros((HAND_LENGTH, 5), np.float32)
    arr[:, :2] = (x / W, (y - palm) / H)
    arr[HandLandmark.WRIST, :2] = (x / W, y / H)
    arr[HandLandmark.MIDDLE_FINGER_MCP, :2] = (x / W, (y - palm) / H)
    return HandObservation(Side.RIGHT, arr, 0.9)


def candidate(side: Side, hand: HandObservation, wrist: tuple, length: float = 20.0) -> HandCandidate:
    region = HandRegion(side, np.array(wrist, np.float32), length)
    return HandCandidate(side, hand, region.distance(hand.wrist_px(W, H)), region)


def test_a_hand_seen_in_two_peoples_crops_goes_to_the_nearest_wrist_only():
    shared = hand_at(300, 200)  # between person 1's right wrist (290) and person 2's left wrist (330)
    candidates = {1: [candidate(Side.RIGHT, shared, (290, 200))],
                  2: [candidate(Side.LEFT, hand_at(301, 200), (330, 200)), candidate(Side.RIGHT, hand_at(400, 200), (400, 200))]}
    out = assign_hands(candidates, max_distance=2.0, width=W, height=H)
    assert out[1] == {Side.RIGHT: shared}
    assert list(out[2]) == [Side.RIGHT]  # person 2's left crop only saw person 1's hand
    far = assign_hands({1: [candidate(Side.LEFT, hand_at(500, 200), (300, 200))]}, 2.0, W, H)
    assert far == {1: {}}  # ten hand lengths from the wrist: nobody's
