"""Several real people in one frame: stills of three people (../shared/data) side by side, as a clip.

Person A (thumbs up, large), B (open palm, shown smaller) and C (full body, far: hands ~15 px)
stand side by side in a 1344x360 frame; after 24 frames A leaves for 16 frames, then comes back.
The real PeopleExtractor (face detection, Pose and Hands per person) of both backends (mediapipe,
and onnx: the engine's networks) and the classifier's own decider with the shipped model must keep
them apart: ids, keypoints, hands and events.
"""

import numpy as np
import pytest
from support.people_stage import STAGE, stage_clip

from gesture_ros.common.gesture_event import EventType
from gesture_ros.common.landmarks import HandLandmark
from gesture_ros.common.landmarks import PoseLandmark as P
from gesture_ros.common.paths import resolve_shipped
from gesture_ros.perception.engine.backend import open_backend
from gesture_ros.perception.extraction.options import ExtractorOptions, PeopleOptions
from gesture_ros.perception.extractor import KeypointExtractor
from gesture_ros.perception.people_extractor import PeopleExtractor, extract, open_extractor
from gesture_ros.toolkit import event_eval as E

ALL_IN, AWAY, BACK = 24, 16, 12
OPTIONS = ExtractorOptions(people=PeopleOptions(max_people=3, lost_after=10))


@pytest.fixture(scope="module", params=["mediapipe", "onnx"])
def clip(request):
    """The stage clip through the people extractor of each backend (onnx: engine/people.py)."""
    images, stamps, panels = stage_clip(ALL_IN, AWAY, BACK)
    with open_backend(OPTIONS, request.param) as ex:
        assert isinstance(ex, PeopleExtractor) and ex.model_name.startswith(f"{request.param}-people/")
        frames = [extract(ex, img, t, "stage") for img, t in zip(images, stamps, strict=True)]
        figures = ex.figures()
    width, height = images[0].shape[1], images[0].shape[0]
    return frames, stamps, panels, (width, height), figures


def panel_of(frame, panels, width) -> int:
    """Return the index of the panel the person's nose is in."""
    x = frame.pose[P.NOSE, 0] * width
    (index,) = [i for i, p in enumerate(panels) if p.x0 <= x < p.x1]
    return index


def test_each_person_side_by_side_gets_their_own_stable_id(clip):
    frames, _, panels, (width, _), _ = clip
    ids_of_panel: dict[int, set[int]] = {}
    for people in frames[:ALL_IN]:
        assert len(people) == 3 and len({f.person_id for f in people}) == 3
        for f in people:
            ids_of_panel.setdefault(panel_of(f, panels, width), set()).add(f.person_id)
    assert sorted(ids_of_panel) == [0, 1, 2]
    assert all(len(ids) == 1 for ids in ids_of_panel.values()), ids_of_panel  # one id per person, all along
    assert 0 not in {i for ids in ids_of_panel.values() for i in ids}


def test_no_hand_is_given_to_another_persons_body(clip):
    frames, _, panels, (width, height), _ = clip
    found = {0: 0, 1: 0}  # A's and B's gesturing (right) hands
    for people in frames:
        for f in people:
            if f.pose is None:
                continue
            panel = panels[panel_of(f, panels, width)]
            for side, hand in (("LEFT", f.left_hand), ("RIGHT", f.right_hand)):
                if hand is None:
                    continue
                wrist = hand[HandLandmark.WRIST, :2] * (width, height)
                pose_wrist = f.pose[P[f"{side}_WRIST"], :2] * (width, height)
                palm = np.linalg.norm((hand[HandLandmark.MIDDLE_FINGER_MCP, :2] - hand[0, :2]) * (width, height))
                assert panel.x0 <= wrist[0] < panel.x1, (f.person_id, side, wrist, panel)
                assert np.linalg.norm(wrist - pose_wrist) <= 3 * max(palm, 5.0), (f.person_id, side)
            i = panel_of(f, panels, width)
            found[i] = found.get(i, 0) + (f.right_hand is not None)
    seen = ALL_IN + AWAY + BACK
    assert found[1] >= 0.9 * seen and found[0] >= 0.9 * (ALL_IN + BACK), found


def test_a_person_who_leaves_loses_their_id_and_comes_back_with_a_new_one(clip):
    frames, _, panels, (width, _), figures = clip
    first = {panel_of(f, panels, width): f.person_id for f in frames[ALL_IN - 1]}
    away = frames[ALL_IN + AWAY - 1]
    assert {f.person_id for f in away} == {first[1], first[2]}  # B and C keep theirs while A is away
    back = {panel_of(f, panels, width): f.person_id for f in frames[-1]}
    assert back[1] == first[1] and back[2] == first[2]
    assert back[0] not in first.values() and back[0] > max(first.values())  # ids are never reused
    assert figures["people lost"] == 1 and figures["people seen"] == 4


def test_each_person_gets_their_own_events_and_a_leaving_persons_hold_ends(clip):
    frames, stamps, panels, (width, _), _ = clip
    who = {f.person_id: STAGE["indices"][panel_of(f, panels, width)] for people in frames for f in people
           if f.pose is not None}
    decider = E.decider(resolve_shipped("models/gesture_default.onnx"))
    events = [e for people in frames for f in people for e in decider.push("stage", f).events]
    events += decider.close()
    by_person: dict[int, list] = {}
    for e in events:
        by_person.setdefault(e.person_id, []).append(e)
    a_first = next(pid for pid, i in sorted(who.items()) if i == 0)
    b = next(pid for pid, i in who.items() if i == 1)
    c = next(pid for pid, i in who.items() if i == 2)
    started = {pid: {e.gesture for e in evs if e.event_type is not EventType.END} for pid, evs in by_person.items()}
    assert "thumbs_up" in started[a_first] and "open_palm" in started[b], started
    assert not started.get(c, set()) & {"thumbs_up", "open_palm"}, started  # nobody else's gesture
    assert "open_palm" not in started[a_first] and "thumbs_up" not in started[b], started
    # A's thumbs up ENDs once A is gone for the keypoint timeout, judged on the other people's frames
    end = next(e for e in by_person[a_first] if e.event_type is EventType.END and e.gesture == "thumbs_up")
    left_ns = stamps[ALL_IN]
    assert left_ns <= end.stamp_ns <= left_ns + int((decider.config.keypoint_timeout_s + 0.3) * 1e9)
    assert all(e.source_id == "stage" for e in events)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))  # one sequence per source


def test_max_people_one_is_the_single_person_extractor():
    with open_extractor(ExtractorOptions()) as ex:
        assert isinstance(ex, KeypointExtractor)
        frames = extract(ex, np.zeros((120, 160, 3), np.uint8), 1, "cam")
    assert len(frames) == 1 and frames[0].person_id == 0 and frames[0].pose is None


def test_nobody_in_view_gives_one_empty_frame():
    with open_extractor(ExtractorOptions(people=PeopleOptions(max_people=2))) as ex:
        assert isinstance(ex, PeopleExtractor)
        frames = extract(ex, np.zeros((120, 160, 3), np.uint8), 1, "cam")
    assert len(frames) == 1 and frames[0].person_id == 0 and not frames[0].has_hand and frames[0].pose is None
