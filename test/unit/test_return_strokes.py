"""A swipe's return stroke gives no event; deliberate swipes after a rest still do (core, no ROS)."""

import numpy as np
import pytest
from support import hand_frames as hf
from support.tiny_onnx import write_model
from test_event_machine import KINDS, LABELS, STEP_NS, probs

from gesture_ros.classify.event_config import EventConfig
from gesture_ros.classify.event_machine import EventStateMachine, FrameRef
from gesture_ros.classify.gesture_decider import DeciderConfig, GestureDecider
from gesture_ros.classify.hands_at_rest import RestConfig, RestTracker
from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
from gesture_ros.common.gesture_event import EventType
from gesture_ros.common.landmarks import KeypointFrame

CPU = RuntimeOptions(providers=["cpu"], warmup_runs=1)


def machine(**cfg) -> EventStateMachine:
    base: dict = {"threshold": 0.8, "exit_threshold": 0.5, "min_duration_s": 0.0, "cooldown_s": 0.0,
                  "return_stroke_s": 2.0}
    base.update(cfg)
    return EventStateMachine(LABELS, KINDS, EventConfig(**base))


class Rested:
    """A Motion whose rested_since answers with a given function (the hands never hold still)."""

    def __init__(self, fn) -> None:
        self.rested_since = fn

    def still_for_ns(self, t_ns: int) -> int:
        return 0


def strokes(m: EventStateMachine, script, rested=None) -> list[str]:
    """Step through (label or None, frames) pieces; return the TRIGGERed gestures."""
    out, i = [], 0
    motion = Rested(rested) if rested else None
    for label, n in script:
        for _ in range(n):
            p = probs(**{label: 0.95}) if label else probs()
            out += [e.gesture for e in m.step(FrameRef(i * STEP_NS), p, motion=motion)
                    if e.event_type is EventType.TRIGGER]
            i += 1
    return out


def test_opposite_swipe_right_after_a_swipe_is_its_return_stroke():
    m = machine()
    assert strokes(m, [("swipe_right", 10), (None, 3), ("swipe_left", 10), (None, 10)]) == ["swipe_right"]
    assert m.returns_suppressed == 1


def test_opposite_swipe_after_the_hands_rested_fires():
    m = machine()
    fired = strokes(m, [("swipe_right", 10), (None, 3), ("swipe_left", 10)], rested=lambda t: True)
    assert fired == ["swipe_right", "swipe_left"]


def test_opposite_swipe_later_than_return_stroke_s_fires_even_without_rest():
    m = machine(return_stroke_s=0.5)  # 0.5 s = 12.5 steps
    fired = strokes(m, [("swipe_right", 5), (None, 10), ("swipe_left", 5)], rested=lambda t: False)
    assert fired == ["swipe_right", "swipe_left"]


def test_a_wave_without_rest_fires_once_and_return_stroke_s_zero_turns_the_rule_off():
    wave = [("swipe_right", 6), (None, 2), ("swipe_left", 6), (None, 2), ("swipe_right", 6), (None, 2),
            ("swipe_left", 6)]
    assert strokes(machine(), wave, rested=lambda t: False) == ["swipe_right"]
    assert strokes(machine(return_stroke_s=0.0), wave, rested=lambda t: False) == [
        "swipe_right", "swipe_left", "swipe_right", "swipe_left"]


def test_same_direction_again_is_not_a_return_stroke():
    m = machine()
    assert strokes(m, [("swipe_right", 5), (None, 5), ("swipe_right", 5)]) == ["swipe_right", "swipe_right"]


def test_the_rest_must_come_after_the_stroke():
    seen = []

    def rested(t: int) -> bool:
        seen.append(t)
        return t < 0  # the only rest was before the first swipe

    m = machine()
    assert strokes(m, [("swipe_right", 5), (None, 3), ("swipe_left", 5)], rested) == ["swipe_right"]
    assert seen == [0]  # asked about the time of the first swipe's TRIGGER


def _hand(t_s: float, x: float | None) -> KeypointFrame:
    return hf.frame(int(hf.T0_NS + t_s * 1e9), x)


def test_rest_tracker_sees_a_pause_and_not_a_turnaround():
    tracker = RestTracker(RestConfig(rest_s=0.3))
    fps = 25
    xs = np.r_[np.linspace(0.2, 0.7, 15), np.linspace(0.7, 0.25, 15)]  # out and straight back
    for i, x in enumerate(xs):
        tracker.push(_hand(i / fps, float(x)))
    assert not tracker.rested_since(hf.T0_NS)
    for i in range(10):  # 0.4 s still
        tracker.push(_hand((len(xs) + i) / fps, 0.25))
    assert tracker.rested_since(hf.T0_NS)
    assert not tracker.rested_since(int(hf.T0_NS + (len(xs) + 3) / fps * 1e9))  # only 0.24 s after that


def test_rest_tracker_ignores_repeated_frames_and_counts_a_missing_hand_as_rest():
    tracker = RestTracker(RestConfig(rest_s=0.3))
    # a GIF-like stroke: every position shown twice (zero frame-to-frame motion every other frame)
    xs = np.repeat(np.linspace(0.2, 0.8, 10), 2)
    moving = [tracker.push(_hand(i / 15, float(x))) for i, x in enumerate(xs)]
    assert not tracker.rested_since(hf.T0_NS)
    assert sum(moving[4:]) >= len(moving[4:]) - 1
    t = len(xs) / 15
    for i in range(6):  # 0.4 s without a hand
        tracker.push(_hand(t + i / 15, None))
    assert tracker.rested_since(int(hf.T0_NS + (t - 0.01) * 1e9))


def test_jitter_of_a_resting_hand_is_still():
    tracker = RestTracker(RestConfig(rest_s=0.3))
    rng = np.random.default_rng(0)
    for i in range(20):  # a third of a palm (palm = 0.15 * 0.35 image heights) per frame
        tracker.push(_hand(i / 15, 0.5 + float(rng.normal(0, 0.006))))
    assert tracker.rested_since(hf.T0_NS)


@pytest.fixture
def model(tmp_path):
    return load_model(write_model(tmp_path / "tiny.onnx", window=8, model_id="tiny", version="1"), CPU)


def _decide(model, frames, return_stroke_s: float) -> list[str]:
    events = EventConfig(threshold=0.7, min_duration_s=0.2, cooldown_s=0.5, refractory_s=0.3,
                         return_stroke_s=return_stroke_s, deny={"open_palm"})
    d = GestureDecider(model, DeciderConfig(events=events))
    out = []
    for f in frames:
        out += [e.gesture for e in d.push("cam", f).events if e.event_type is EventType.TRIGGER]
    return out


def test_decider_drops_the_return_stroke_and_keeps_a_swipe_after_a_pause(model):
    stroke = list(hf.empty(8)) + list(hf.sweep(12, 8, 0.2, 0.8))
    back = list(hf.sweep(12, 20, 0.8, 0.2)) + list(hf.empty(12, 32))
    paused = list(hf.still(20, 20, x=0.8)) + list(hf.sweep(12, 40, 0.8, 0.2)) + list(hf.empty(12, 52))
    assert _decide(model, stroke + back, 2.0) == ["swipe_right"]
    assert _decide(model, stroke + back, 0.0) == ["swipe_right", "swipe_left"]
    assert _decide(model, stroke + paused, 2.0) == ["swipe_right", "swipe_left"]


def test_a_return_stroke_the_model_reads_on_is_quiet_for_its_cooldown_after_the_reading_ends():
    """The arm came back and is held there; the model's reading of the return flickers off and on: the
    second rise is the same return, not a new swipe, for cooldown_s after the first reading fell."""
    script = [("swipe_right", 5), (None, 2), ("swipe_left", 20), (None, 2), ("swipe_left", 5)]
    m = machine(cooldown_s=1.0)
    assert strokes(m, script) == ["swipe_right"] and m.returns_suppressed == 1
    later = script + [(None, 30), ("swipe_left", 5)]  # 1.2 s after the reading fell: a swipe again
    assert strokes(machine(cooldown_s=1.0), later) == ["swipe_right", "swipe_left"]
