"""A swipe never fires from a hand held still: stroke one-shots need a wrist that just moved (core, no ROS)."""

import numpy as np
import pytest

from gesture_ros.classify.event_config import EventConfig
from gesture_ros.classify.event_machine import EventStateMachine, FrameRef
from gesture_ros.classify.hands_at_rest import RestConfig, RestTracker
from gesture_ros.classify.params import PARAMS, settings_from
from gesture_ros.classify.swipe_viewpoint import stroke_signs
from gesture_ros.common.gesture_event import EventType
from gesture_ros.common.landmarks import HAND_LENGTH, Field, HandLandmark, KeypointFrame, empty_landmarks
from gesture_ros.common.model_meta import GestureKind

LABELS = ["none", "swipe_left", "swipe_right"]
KINDS = {"none": GestureKind.NONE, "swipe_left": GestureKind.TRIGGER, "swipe_right": GestureKind.TRIGGER}
STEP_NS = 66_666_667  # 15 fps
SWIPE_LEFT = np.array([0.1, 0.9, 0.0], np.float32)
SWIPE_RIGHT = np.array([0.1, 0.0, 0.9], np.float32)
SIGNS = stroke_signs(exchanged=False)  # swipe_left: toward image -x, as STROKE moves
NONE = np.array([0.9, 0.05, 0.05], np.float32)
PALM = 0.1  # of the image height
# 1 s of stroke (the wrist moves 0.4 of the image width: 5.3 palm lengths at 640x480), then 2 s held still
STROKE = [0.7 - 0.4 * min(i, 15) / 15 for i in range(45)]


def _machine(**kw) -> EventStateMachine:
    kw.setdefault("stroke_gestures", {"swipe_left", "swipe_right"})
    return EventStateMachine(LABELS, KINDS, EventConfig(threshold=0.7, cooldown_s=0.0, **kw))


def _hand(t: int, x: float) -> KeypointFrame:
    """Return a right hand with its wrist at image x ``x`` and a palm PALM of the image tall."""
    hand = empty_landmarks(HAND_LENGTH)
    hand[:, Field.VISIBILITY] = 1.0
    for i in range(HAND_LENGTH):
        hand[i, :2] = (x + 0.005 * i, 0.5 - 0.005 * i)
    hand[HandLandmark.WRIST, :2] = (x, 0.5)
    hand[HandLandmark.MIDDLE_FINGER_MCP, :2] = (x, 0.5 - PALM)
    return KeypointFrame(stamp_ns=t, frame_id="cam", image_width=640, image_height=480, right_hand=hand)


def _run(xs: list[float], probs: list[np.ndarray], signs=None, **kw) -> tuple[list[int], EventStateMachine]:
    """Feed wrist positions through a RestTracker and probabilities through the machine; return TRIGGER frames."""
    m, rest, fired = _machine(**kw), RestTracker(), []
    for i, (x, p) in enumerate(zip(xs, probs, strict=True)):
        t = 10**18 + i * STEP_NS
        rest.push(_hand(t, x))
        fired += [i for e in m.step(FrameRef(t), p, motion=rest, stroke_signs=signs)
                  if e.event_type is EventType.TRIGGER]
    return fired, m


def test_a_swipe_read_into_a_hand_held_still_does_not_fire():
    fired, m = _run(STROKE, [NONE] * 37 + [SWIPE_LEFT] * 8)  # read 1.5 s after the wrist stopped
    assert fired == []
    assert m.stale_strokes == 1  # refused once, then consumed until the probability falls back
    fired, _ = _run([0.5] * 45, [NONE] * 10 + [SWIPE_LEFT] * 5 + [NONE] * 30)  # never moved
    assert fired == []


def test_a_swipe_early_in_the_stroke_and_just_after_it_fires():
    during, _ = _run(STROKE, [NONE] * 4 + [SWIPE_LEFT] * 5 + [NONE] * 36)  # a third of the way
    assert during == [4]
    after, _ = _run(STROKE, [NONE] * 24 + [SWIPE_LEFT] * 3 + [NONE] * 18)  # 0.6 s after the wrist stopped
    assert after == [24]


def test_travel_is_in_palm_lengths_over_the_window():
    rest = RestTracker(RestConfig(travel_s=1.0))
    for i, x in enumerate(STROKE):
        rest.push(_hand(i * STEP_NS, x))
        if i == 15:  # the whole stroke; positions are medians over smooth_s, which shortens its end by a frame
            assert 0.85 * 0.4 * 640 / 480 / PALM <= rest.travel(i * STEP_NS) <= 0.4 * 640 / 480 / PALM
    assert rest.travel(44 * STEP_NS) < 0.01  # the last second was still


def test_the_settings_set_how_far_and_how_long_and_zero_turns_it_off():
    probs = [NONE] * 37 + [SWIPE_LEFT] * 8
    assert _run(STROKE, probs, stroke_min_travel=0.0)[0] == [37]
    assert _run(STROKE, probs, stroke_gestures=frozenset())[0] == [37]
    during = [NONE] * 10 + [SWIPE_LEFT] * 5 + [NONE] * 30
    assert _run(STROKE, during, stroke_min_travel=8.0)[0] == []  # the stroke covers 5.3 palm lengths


def test_without_motion_information_the_check_is_off():
    events = _machine().step(FrameRef(0), SWIPE_LEFT, motion=None)
    assert [e.gesture for e in events] == ["swipe_left"]


def test_the_parameters_reach_the_decider_and_are_checked():
    values = {p.name: p.default for p in PARAMS}
    values["stroke_window_s"] = 1.5
    decider = settings_from(values).decider
    assert decider.events.stroke_gestures == frozenset({"swipe_left", "swipe_right"})
    assert decider.events.stroke_min_travel == 1.0
    assert decider.rest.travel_s == 1.5
    with pytest.raises(ValueError, match="stroke_min_travel"):
        EventConfig(stroke_min_travel=-1.0)


def test_with_the_names_directions_a_swipe_needs_its_wrist_to_come_its_way():
    """The stroke STROKE goes toward image -x: swipe_left's way. A swipe_right read on it fires only
    when the check has no direction."""
    during_right = [NONE] * 4 + [SWIPE_RIGHT] * 5 + [NONE] * 36
    assert _run(STROKE, during_right)[0] == [4]
    fired, m = _run(STROKE, during_right, SIGNS)
    assert fired == [] and m.stale_strokes == 1
    assert _run(STROKE, [NONE] * 4 + [SWIPE_LEFT] * 5 + [NONE] * 36, SIGNS)[0] == [4]
    assert _run(STROKE, [NONE] * 24 + [SWIPE_LEFT] * 3 + [NONE] * 18, SIGNS)[0] == [24]  # 0.6 s after it stopped
    assert _run(STROKE, [NONE] * 37 + [SWIPE_LEFT] * 8, SIGNS)[0] == []  # 1.5 s after: the hand is still
    assert _run(STROKE, [NONE] * 4 + [SWIPE_LEFT] * 5 + [NONE] * 36, stroke_signs(exchanged=True))[0] == []


def test_a_swipe_read_as_the_hand_sets_off_fires_when_its_stroke_comes_its_way():
    """A model may read a swipe a few frames before the wrist has moved (a 1.5 candidate on the GIF's
    left stroke): with directions it waits STROKE_EARLY_S, still armed; a read that long before a
    stroke the other way never fires."""
    from gesture_ros.classify.event_machine import STROKE_EARLY_S

    sets_off = [0.7] * 10 + STROKE[:35]  # still for 10 frames, then the stroke toward -x
    early = [NONE] * 7 + [SWIPE_LEFT] * 12 + [NONE] * 26  # read from 0.2 s before the wrist moves
    fired, m = _run(sets_off, early, SIGNS)
    assert len(fired) == 1 and 10 < fired[0] < 7 + STROKE_EARLY_S * 1e9 / STEP_NS and m.stale_strokes == 0
    assert _run(sets_off, early)[0] == []  # without directions: consumed at once, as before
    assert _run(sets_off, [NONE] * 7 + [SWIPE_RIGHT] * 12 + [NONE] * 26, SIGNS)[0] == []  # the other way
    fired, m = _run(sets_off, [NONE] + [SWIPE_LEFT] * 18 + [NONE] * 26, SIGNS)  # 0.6 s before: a misread
    assert fired == [] and m.stale_strokes == 1


def test_stroke_is_the_way_the_wrist_came_from_the_far_side_of_its_path():
    rest = RestTracker(RestConfig(travel_s=1.0))
    back_a_little = [0.3 + 0.4 * i / 10 for i in range(11)] + [0.7 - 0.03 * i for i in range(1, 4)]  # 14 frames
    for i, x in enumerate(back_a_little):
        rest.push(_hand(i * STEP_NS, x))
    t = (len(back_a_little) - 1) * STEP_NS
    right, left = rest.stroke(t, +1), rest.stroke(t, -1)
    assert 0 < left < 0.5 < 2.0 < right <= rest.travel(t) + 1e-9  # came right a long way, then back a little


def _pose_wrist(t: int, xy: tuple[float, float], visibility: float = 0.8) -> KeypointFrame:
    """Return a pose whose left wrist is at ``xy`` (image units) and whose shoulders are 0.3 wide."""
    pose = empty_landmarks(33)
    pose[:, Field.VISIBILITY] = 1.0
    pose[11, :2], pose[12, :2] = (0.65, 0.3), (0.35, 0.3)
    pose[15, :2] = xy
    pose[15, Field.VISIBILITY] = visibility
    return KeypointFrame(stamp_ns=t, frame_id="cam", image_width=640, image_height=480, pose=pose)


def test_a_wrist_placed_outside_the_image_is_not_followed():
    """The pose model extrapolates a wrist it cannot see; a guess jumping between the hand and half an
    image below the frame is no stroke. Within a tenth of the image beyond the border it still counts."""
    rest = RestTracker(RestConfig(travel_s=1.0))
    jumping = [(0.6, 0.6) if i % 3 else (0.45, 1.7) for i in range(15)]
    for i, xy in enumerate(jumping):
        rest.push(_pose_wrist(i * STEP_NS, xy))
    assert rest.travel(14 * STEP_NS) == 0.0
    edge = RestTracker(RestConfig(travel_s=1.0))
    for i in range(15):
        edge.push(_pose_wrist(i * STEP_NS, (0.3 + 0.05 * i, 1.05)))  # just below the border, moving right
    assert edge.stroke(14 * STEP_NS, +1) > 2.0
