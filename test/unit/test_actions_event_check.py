"""Events no one may act on are refused with a kind and one bounded sentence."""

import math

from gesture_ros.actions.event_check import check_event
from gesture_ros.common.gesture_event import EventType, GestureEventData

S = 1_000_000_000
GESTURES = frozenset({"none", "swipe_left", "open_palm"})


def _check(**change):
    fields = {"event_id": "e1", "gesture": "swipe_left", "event_type": EventType.TRIGGER, "stamp_ns": 100 * S,
              "confidence": 0.9, "source_id": "cam"}
    return check_event(GestureEventData(**{**fields, **change}), GESTURES, clock_ns=100 * S, max_skew_s=3600)


def test_good_events_pass_and_each_bad_one_has_its_kind():
    assert _check() is None
    assert _check(stamp_ns=100 * S + 3000 * S) is None  # ahead, but within the skew: the gate decides
    cases = {"confidence": [{"confidence": math.nan}, {"confidence": math.inf}, {"confidence": -0.1},
                            {"confidence": 1.5}],
             "unknown gesture": [{"gesture": "swipe_up"}, {"gesture": "none"}, {"gesture": ""}],
             "oversized field": [{"event_id": "x" * 100_000}, {"source_id": "s" * 257}],
             "event id": [{"event_id": ""}],
             "stamp": [{"stamp_ns": 0}, {"stamp_ns": 100 * S + 7200 * S}]}
    for kind, changes in cases.items():
        for change in changes:
            got, sentence = _check(**change)
            assert got == kind, (change, got)
            assert len(sentence) < 400 and "\n" not in sentence


def test_the_sentence_bounds_and_escapes_outside_strings():
    kind, sentence = _check(event_id="\x1b[2J" + "y" * 5000, gesture="swipe_up")
    assert kind == "oversized field" and "\\x1b[2J" in sentence and "(5004 characters)" in sentence


def test_no_clock_yet_or_no_skew_limit_checks_no_skew():
    event = GestureEventData(event_id="e", gesture="swipe_left", event_type=EventType.TRIGGER, stamp_ns=5 * S)
    assert check_event(event, GESTURES, clock_ns=0, max_skew_s=3600) is None  # sim time before /clock
    assert check_event(event, GESTURES, clock_ns=10**6 * S, max_skew_s=0) is None
    assert check_event(event, frozenset(), clock_ns=10**6 * S, max_skew_s=0) is None
