"""Real swipes (the shared GIF through the real extractor, the shipped model and config): return strokes.

A stroke followed at once by the arm coming back (the stroke's own real frames played
backwards) must give one swipe; the GIF's two deliberate strokes, a second apart, must
still give two, also when looped.
"""

import pytest
from support.data import shared_data

from gesture_ros.common.paths import resolve_shipped
from gesture_ros.toolkit import event_eval as E

MODEL = resolve_shipped("models/gesture_default.onnx")
# The last release (1.4.0) reads swipes into still hands and misses strokes without the model's clock:
# the rules' reasons are shown on it; the shipped model must give the right events with them.
PREVIOUS = resolve_shipped("models/eval/gesture_default-1.4.0.onnx")


@pytest.fixture(scope="module")
def gif_frames():
    path = shared_data(E.SWIPE_CLIP)
    return E.clip_frames(path.parents[1], E.SWIPE_CLIP, "hands_pose")


@pytest.mark.parametrize("label,t0,t1", E.GIF_STROKES)
@pytest.mark.parametrize("pause_s", [0.0, 0.2])
def test_a_real_stroke_and_its_return_stroke_give_one_swipe(gif_frames, label, t0, t1, pause_s):
    frames = E.with_return(gif_frames, t0, t1, pause_s)
    assert E.fired(E.run(E.decider(MODEL), frames, "gif")) == [label]


def test_without_the_return_rule_the_return_stroke_would_fire(gif_frames):
    label, t0, t1 = E.GIF_STROKES[0]
    frames = E.with_return(gif_frames, t0, t1, 0.0)
    fired = E.fired(E.run(E.decider(MODEL, {"return_stroke_s": 0.0, "refractory_s": 0.0}), frames, "gif"))
    assert fired == [label, "swipe_left"]


def test_two_deliberate_swipes_give_two_events_also_looped(gif_frames):
    assert E.fired(E.run(E.decider(MODEL), gif_frames, "gif")) == ["swipe_right", "swipe_left"]
    looped = E.fired(E.run(E.decider(MODEL), E.looped(gif_frames, 3), "gif"))
    assert looped == ["swipe_right", "swipe_left"] * 3


def test_hands_only_keypoints_a_stroke_and_its_return_give_one_swipe_other_events_only_on_the_held_frame():
    """Hands only: the left stroke's first frame, held 1.5 s at the end, is a two-finger point; a
    pointing START may begin there (a held hand shape), never during the strokes."""
    path = shared_data(E.SWIPE_CLIP)
    frames = E.clip_frames(path.parents[1], E.SWIPE_CLIP, "hands")
    for label, t0, t1 in E.GIF_STROKES:
        events = E.return_events(E.decider(MODEL), E.with_return(frames, t0, t1, 0.0), E.held_frames(frames), "gif")
        assert [e.split()[1] for e in events if e.split()[1].startswith("swipe")] == [label], events
        assert all(e.endswith(E.HELD_MARK) for e in events if not e.split()[1].startswith("swipe")), events


def test_at_half_the_frame_rate_a_stroke_and_its_return_give_no_opposite_swipe(gif_frames):
    """Extraction at half the camera's rate: the GIF up to its left stroke, then the arm coming back and
    resting. Model 1.4.0 reads a swipe_right into the hand held still 1.5 s after the return; a swipe is
    the hand's motion, so stroke_gestures refuses it (without: a media player seeks back, then forward).
    Resampled to the model's rate (resample, 7.5 fps -> 25) it no longer reads it either."""
    frames = E.half_rate_return(gif_frames)
    assert E.fired(E.run(E.decider(MODEL), frames, "gif")) == ["swipe_right", "swipe_left"]
    assert E.fired(E.run(E.decider(PREVIOUS), frames, "gif")) == ["swipe_right", "swipe_left"]
    unfilled = E.fired(E.run(E.decider(PREVIOUS, {"resample": False}), frames, "gif"))
    assert unfilled == ["swipe_right", "swipe_left"]
    neither = E.fired(E.run(E.decider(PREVIOUS, {"stroke_gestures": [], "resample": False}), frames, "gif"))
    assert neither == ["swipe_right", "swipe_left", "swipe_right"]
    assert E.fired(E.run(E.decider(PREVIOUS, {"stroke_gestures": []}), frames, "gif")) == ["swipe_right", "swipe_left"]


def test_hands_only_a_swipe_read_into_a_still_hand_does_not_eat_the_real_stroke():
    """Hands only, the left stroke clip starts 0.8 s before the stroke with the hand still: model 1.4.0
    reads a swipe_right there; unchecked, the real left stroke is then taken for its return stroke."""
    path = shared_data(E.SWIPE_CLIP)
    frames = E.with_return(E.clip_frames(path.parents[1], E.SWIPE_CLIP, "hands"), *E.GIF_STROKES[1][1:], 0.0)
    assert E.fired(E.run(E.decider(MODEL), frames, "gif")) == ["swipe_left"]
    assert E.fired(E.run(E.decider(PREVIOUS), frames, "gif")) == ["swipe_left"]
    assert E.fired(E.run(E.decider(PREVIOUS, {"stroke_gestures": []}), frames, "gif")) == ["swipe_right"]


@pytest.mark.parametrize("extractor", ["hands_pose", "hands"])
def test_extraction_at_a_third_of_the_camera_rate_still_gives_both_swipes_with_frame_fill(extractor):
    """70 % of the GIF's frames skipped (4.5 fps; the extractor sees only the kept ones, as live): the
    model's 20-frame window would span 4 s, where it was trained on 0.5-1.7 s; the decider fills in
    frames up to the model's rate (resample). Without it model 1.4.0 misses the left stroke."""
    from gesture_ros.toolkit.drops import keep_pattern
    from gesture_ros.toolkit.live_eval import extract

    path = shared_data(E.SWIPE_CLIP)
    n = len(E.clip_frames(path.parents[1], E.SWIPE_CLIP, extractor))
    frames = [f for f in extract(path, keep_pattern(n, 0.7), extractor) if f is not None]
    assert E.fired(E.run(E.decider(MODEL), frames, "gif")) == ["swipe_right", "swipe_left"]
    assert E.fired(E.run(E.decider(PREVIOUS), frames, "gif")) == ["swipe_right", "swipe_left"]
    assert E.fired(E.run(E.decider(PREVIOUS, {"resample": False}), frames, "gif")) == ["swipe_right"]
