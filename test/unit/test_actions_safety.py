"""Safety gate: disarmed, stale events, global rate limit, cooldowns, minimum confidence."""

from gesture_ros.actions.model import Action
from gesture_ros.actions.safety import SafetyGate, SafetySettings
from gesture_ros.common.gesture_event import EventType, GestureEventData

S = 1_000_000_000


def _event(stamp_ns=100 * S, confidence=0.9, gesture="x_cross"):
    return GestureEventData(event_id="e", gesture=gesture, event_type=EventType.TRIGGER, stamp_ns=stamp_ns,
                            confidence=confidence)


def _action(name="a", cooldown_s=0.0, min_confidence=0.0):
    return Action(name=name, gesture="x_cross", event_type=EventType.TRIGGER, target="t", spec=None,
                  cooldown_s=cooldown_s, min_confidence=min_confidence)


def test_disarmed_fires_nothing():
    gate = SafetyGate(SafetySettings(armed=False))
    decisions = gate.admit(_event(), [_action("a"), _action("b")], clock_ns=100 * S, monotonic_s=0.0)
    assert [reason for _, reason in decisions] == ["disarmed", "disarmed"]


def test_stale_and_future_events_are_dropped():
    gate = SafetyGate(SafetySettings(max_event_age_s=0.5))
    assert gate.admit(_event(), [_action()], clock_ns=100 * S + S // 2, monotonic_s=0)[0][1] is None
    reason = gate.admit(_event(), [_action("b")], clock_ns=101 * S, monotonic_s=0)[0][1]
    assert reason == "stale: event is 1.000 s old (max_event_age_s 0.5)"
    reason = gate.admit(_event(stamp_ns=110 * S), [_action("c")], clock_ns=100 * S, monotonic_s=0)[0][1]
    assert reason.startswith("clock skew: event stamped 10.000 s in the future")
    assert SafetyGate(SafetySettings(max_event_age_s=0)).event_veto(_event(stamp_ns=0), 100 * S) is None


def test_burst_of_fifty_yields_at_most_the_configured_count():
    gate = SafetyGate(SafetySettings(rate_limit_count=3, rate_limit_window_s=1.0, max_event_age_s=0))
    admitted = sum(gate.admit(_event(), [_action()], 0, monotonic_s=i * 0.001)[0][1] is None for i in range(50))
    assert admitted == 3
    # the window slides: one second after the first admission a new event goes through
    assert gate.admit(_event(), [_action()], 0, monotonic_s=1.0)[0][1] is None


def test_cooldown_holds_per_action_and_does_not_spend_the_rate_limit():
    gate = SafetyGate(SafetySettings(rate_limit_count=2, rate_limit_window_s=10.0, max_event_age_s=0))
    slow, fast = _action("slow", cooldown_s=2.0), _action("fast")
    first = gate.admit(_event(), [slow, fast], 0, monotonic_s=0.0)
    assert [r for _, r in first] == [None, None]
    second = gate.admit(_event(), [slow], 0, monotonic_s=1.0)
    assert second[0][1] == "cooldown: 1.00 s of 2 s left"
    # the cooled-down event did not use the second rate slot
    assert gate.admit(_event(), [fast], 0, monotonic_s=1.5)[0][1] is None
    assert gate.admit(_event(), [slow], 0, monotonic_s=2.5)[0][1].startswith("global rate limit: 2 events per 10 s")


def test_low_confidence_is_skipped():
    gate = SafetyGate(SafetySettings(max_event_age_s=0))
    reason = gate.admit(_event(confidence=0.4), [_action(min_confidence=0.6)], 0, 0.0)[0][1]
    assert reason == "low confidence: 0.40 below min_confidence 0.6"


def _stop(name="stop", event_type=EventType.END, stop=False):
    return Action(name=name, gesture="x_cross", event_type=event_type, target="t", spec=None,
                  cooldown_s=5.0, min_confidence=0.9, stop=stop)


def test_stops_run_when_disarmed_stale_cooling_down_or_rate_limited():
    gate = SafetyGate(SafetySettings(armed=False, max_event_age_s=0.3, rate_limit_count=1, rate_limit_window_s=60))
    end, marked, other = _stop("end"), _stop("marked", EventType.START, stop=True), _action("other")
    old = _event(stamp_ns=90 * S, confidence=0.1)  # 10 s old, weak
    decisions = gate.admit(old, [end, marked, other], clock_ns=100 * S, monotonic_s=0.0)
    assert [(a.name, r) for a, r in decisions] == [("end", None), ("marked", None), ("other", "disarmed")]
    # again at once: cooldown_s 5 and min_confidence 0.9 do not hold a stop back either
    assert [r for _, r in gate.admit(old, [end, marked], clock_ns=100 * S, monotonic_s=0.1)] == [None, None]
    gate.settings.armed = True
    fresh = _event(stamp_ns=100 * S)
    assert gate.admit(fresh, [other], 100 * S, monotonic_s=0.2)[0][1] is None  # spends the only rate slot
    decisions = gate.admit(fresh, [other, end], 100 * S, monotonic_s=0.3)
    assert decisions[0][1].startswith("global rate limit") and decisions[1][1] is None


def test_stops_do_not_spend_the_rate_limit():
    gate = SafetyGate(SafetySettings(rate_limit_count=1, rate_limit_window_s=60, max_event_age_s=0))
    for i in range(5):
        assert gate.admit(_event(), [_stop()], 0, monotonic_s=i)[0][1] is None
    assert gate.admit(_event(), [_action()], 0, monotonic_s=6)[0][1] is None
