"""Event state machine on scripted probability sequences."""

from collections.abc import Sequence

import numpy as np
import pytest

from gesture_ros.classify.event_config import EventConfig
from gesture_ros.classify.event_machine import Event, EventStateMachine, FrameRef
from gesture_ros.classify.smoothing import Smoother, Smoothing
from gesture_ros.common.gesture_event import EventType
from gesture_ros.common.model_meta import GestureKind

LABELS = ["none", "open_palm", "fist", "swipe_left", "swipe_right"]
KINDS = {"none": GestureKind.NONE, "open_palm": GestureKind.HELD, "fist": GestureKind.HELD,
         "swipe_left": GestureKind.TRIGGER, "swipe_right": GestureKind.TRIGGER}
STEP_NS = 40_000_000  # 25 fps


def probs(**top: float) -> np.ndarray:
    """Return a probability vector: the named labels get their values, 'none' the rest."""
    p = np.zeros(len(LABELS), dtype=np.float32)
    for label, value in top.items():
        p[LABELS.index(label)] = value
    p[0] = max(0.0, 1.0 - p[1:].sum())
    return p


def run(machine: EventStateMachine, script: Sequence[np.ndarray], t0: int = 0) -> list[Event]:
    events = []
    for i, p in enumerate(script):
        events += machine.step(FrameRef(t0 + i * STEP_NS, "cam"), p, window_start_ns=t0 + (i - 15) * STEP_NS)
    return events


def machine(**cfg) -> EventStateMachine:
    base: dict = {"threshold": 0.8, "exit_threshold": 0.5, "min_duration_s": 0.0, "cooldown_s": 0.0}
    base.update(cfg)
    return EventStateMachine(LABELS, KINDS, EventConfig(**base))


def kinds_of(events: list[Event]):
    return [(e.event_type, e.gesture) for e in events]


def assert_paired(events: list[Event]) -> None:
    """Never two STARTs without an END; every START ended by an END of the same gesture."""
    active = None
    for e in events:
        if e.event_type is EventType.START:
            assert active is None, f"START {e.gesture} while {active} active"
            active = e.gesture
        elif e.event_type is EventType.END:
            assert active == e.gesture
            active = None


def test_held_gesture_hysteresis_gives_one_start_and_one_end():
    # dips to 0.6 (below enter 0.8, above exit 0.5) must not end the gesture
    script = [probs()] * 3 + [probs(open_palm=0.9), probs(open_palm=0.6), probs(open_palm=0.85),
                              probs(open_palm=0.55), probs(open_palm=0.9)] + [probs(open_palm=0.3)] + [probs()] * 2
    events = run(machine(), script)
    assert kinds_of(events) == [(EventType.START, "open_palm"), (EventType.END, "open_palm")]
    start, end = events
    assert start.frame.stamp_ns == 3 * STEP_NS and start.start_ns == 3 * STEP_NS
    assert end.frame.stamp_ns == 8 * STEP_NS == end.end_ns
    assert end.start_ns == start.start_ns
    assert end.duration_s == pytest.approx(5 * STEP_NS / 1e9)


def test_flicker_around_one_threshold_without_hysteresis_would_double_fire():
    script = [probs(swipe_left=v) for v in (0.85, 0.75, 0.85, 0.78, 0.9, 0.2, 0.9)]
    events = run(machine(), script)
    # one TRIGGER for the first rise, a second only after falling below exit (0.5)
    assert kinds_of(events) == [(EventType.TRIGGER, "swipe_left")] * 2
    assert [e.frame.stamp_ns for e in events] == [0, 6 * STEP_NS]


def test_trigger_carries_window_start_and_deciding_frame():
    events = run(machine(), [probs(), probs(swipe_right=0.95)], t0=10 * STEP_NS)
    (ev,) = events
    assert ev.event_type is EventType.TRIGGER
    assert ev.frame.stamp_ns == ev.end_ns == 11 * STEP_NS
    assert ev.start_ns == (11 - 15) * STEP_NS


def test_min_duration_delays_start_and_drops_short_blips():
    m = machine(min_duration_s=0.1)  # 2.5 frames at 25 fps
    blip = [probs(fist=0.9)] * 2 + [probs()] * 2
    assert run(m, blip) == []
    events = run(m, [probs(fist=0.9)] * 5 + [probs()], t0=100 * STEP_NS)
    assert kinds_of(events) == [(EventType.START, "fist"), (EventType.END, "fist")]
    # START is decided at the 4th frame (0.12 s >= 0.1 s) but starts at the first
    assert events[0].frame.stamp_ns == 103 * STEP_NS
    assert events[0].start_ns == 100 * STEP_NS


def test_cooldown_per_gesture_blocks_repeats_not_others():
    m = machine(cooldown_s=1.0, cooldowns={"swipe_right": 0.2})
    up_down = [probs(swipe_left=0.9), probs()]
    events = run(m, up_down * 5)  # swipe_left every 80 ms for 400 ms
    assert kinds_of(events) == [(EventType.TRIGGER, "swipe_left")]
    events = run(m, [probs(swipe_right=0.9), probs()] * 5, t0=20 * STEP_NS)
    # swipe_right's own cooldown is 0.2 s: fires at 0, 0.24 s (6 frames) ...
    assert [e.frame.stamp_ns for e in events] == [20 * STEP_NS, 26 * STEP_NS]


def test_cooldown_swallows_a_rise_instead_of_firing_late():
    m = machine(cooldown_s=0.2)
    # fire, drop, rise again inside the cooldown and stay high past it: no late second event
    script = [probs(swipe_left=0.9), probs()] + [probs(swipe_left=0.9)] * 10
    assert len(run(m, script)) == 1


def test_refractory_blocks_other_triggers():
    m = machine(refractory_s=0.3)
    script = [probs(swipe_right=0.9), probs(swipe_left=0.9), probs(), probs(), probs(),
              probs(), probs(), probs(), probs(swipe_left=0.9)]
    events = run(m, script)
    assert kinds_of(events) == [(EventType.TRIGGER, "swipe_right"), (EventType.TRIGGER, "swipe_left")]
    assert events[1].frame.stamp_ns == 8 * STEP_NS


def test_reject_class_wins_over_a_low_threshold():
    m = machine(thresholds={"open_palm": 0.3})
    p = probs(open_palm=0.35)  # none = 0.65 is the most probable class
    assert run(m, [p] * 5) == []
    assert kinds_of(run(m, [probs(open_palm=0.55)])) == [(EventType.START, "open_palm")]


def test_new_held_gesture_ends_the_old_one_first():
    # open_palm stays above its exit threshold while fist takes over: the switch ends it
    m = machine(min_duration_s=0.05, exit_threshold=0.3, thresholds={"fist": 0.55})
    script = [probs(open_palm=0.9)] * 3 + [probs(fist=0.6, open_palm=0.35)] * 4 + [probs()]
    events = run(m, script)
    assert kinds_of(events) == [(EventType.START, "open_palm"), (EventType.END, "open_palm"),
                                (EventType.START, "fist"), (EventType.END, "fist")]
    assert events[1].frame == events[2].frame  # same deciding frame, END first
    assert events[2].start_ns == 3 * STEP_NS and events[2].frame.stamp_ns == 5 * STEP_NS
    assert_paired(events)


def test_allow_and_deny_lists():
    script = [probs(swipe_left=0.9), probs(), probs(swipe_right=0.9), probs(), probs(open_palm=0.9), probs()]
    assert {e.gesture for e in run(machine(deny={"swipe_left"}), script)} == {"swipe_right", "open_palm"}
    assert {e.gesture for e in run(machine(allow={"swipe_left"}), script)} == {"swipe_left"}


def test_denying_an_active_gesture_ends_it():
    m = machine()
    events = run(m, [probs(open_palm=0.9)] * 2)
    m.config = EventConfig(threshold=0.8, min_duration_s=0.0, cooldown_s=0.0, deny={"open_palm"})
    events += run(m, [probs(open_palm=0.9)] * 2, t0=2 * STEP_NS)
    assert kinds_of(events) == [(EventType.START, "open_palm"), (EventType.END, "open_palm")]


def test_end_all_closes_the_active_gesture_at_the_last_frame():
    m = machine()
    run(m, [probs(fist=0.9)] * 4)
    (end,) = m.end_all()
    assert end.event_type is EventType.END and end.gesture == "fist"
    assert end.frame.stamp_ns == end.end_ns == 3 * STEP_NS
    assert m.active is None
    assert m.end_all() == []  # nothing dangling, nothing repeated


def test_random_sequences_never_break_start_end_pairing():
    rng = np.random.default_rng(7)
    m = machine(min_duration_s=0.04, cooldown_s=0.1)
    events: list[Event] = []
    t = 0
    for block in range(40):
        label = rng.choice(LABELS[1:])
        for _ in range(int(rng.integers(1, 8))):
            events += m.step(FrameRef(t), probs(**{str(label): float(rng.uniform(0.3, 1.0))}))
            t += STEP_NS
        if block % 9 == 0:
            events += m.end_all()
    events += m.end_all()
    assert any(e.event_type is EventType.START for e in events)
    assert_paired(events)
    assert m.active is None


def test_smoothing_removes_a_one_frame_spike():
    m = machine()
    ema = Smoother(Smoothing.EMA, alpha=0.4)
    script = [probs()] * 3 + [probs(swipe_left=1.0)] + [probs()] * 3
    assert run(m, [ema.update(p) for p in script]) == []
    mean = Smoother(Smoothing.MEAN, span=3)
    assert run(m, [mean.update(p) for p in script]) == []
    assert len(run(m, script)) == 1  # unsmoothed, the spike fires


def test_config_validation():
    with pytest.raises(ValueError, match=r"thresholds\['fist'\] must be in \[0, 1\]"):
        EventConfig(thresholds={"fist": 1.5})
    with pytest.raises(ValueError, match="cooldown_s must be >= 0"):
        EventConfig(cooldown_s=-1)
    cfg = EventConfig(threshold=0.7, exit_threshold=0.9, thresholds={"fist": 0.6})
    assert cfg.exit("fist") == 0.6 and cfg.exit("open_palm") == 0.7  # exit never above enter
    assert cfg.unknown_labels(LABELS) == []
    assert EventConfig(deny={"wave"}).unknown_labels(LABELS) == ["wave"]


def test_an_unseen_gesture_waits_armed_and_fires_on_the_first_frame_that_shows_it():
    m = machine()
    script = [probs(swipe_left=0.9)] * 6
    events = []
    for i, p in enumerate(script):
        unseen = frozenset({"swipe_left"}) if i < 4 else frozenset()
        events += m.step(FrameRef(i * STEP_NS, "cam"), p, unseen=unseen)
    assert kinds_of(events) == [(EventType.TRIGGER, "swipe_left")]
    assert events[0].frame.stamp_ns == 4 * STEP_NS


def test_an_unseen_held_gesture_does_not_start_until_seen_and_others_are_untouched():
    m = machine()
    events = []
    for i in range(5):
        events += m.step(FrameRef(i * STEP_NS, "cam"), probs(fist=0.9), unseen=frozenset({"fist"}))
    assert events == []
    events += m.step(FrameRef(5 * STEP_NS, "cam"), probs(fist=0.9))
    assert kinds_of(events) == [(EventType.START, "fist")]
    other = machine()
    got = other.step(FrameRef(0, "cam"), probs(open_palm=0.9), unseen=frozenset({"fist"}))
    assert kinds_of(got) == [(EventType.START, "open_palm")]
