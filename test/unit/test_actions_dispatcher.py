"""Dispatcher safety with real peers: a hung target blocks nobody, overflow is reported,
disarm stops queued work, a burst is rate limited, a map swaps live."""

import threading
from contextlib import contextmanager
from textwrap import dedent

import pytest
from support.action_peers import HttpReceiver, OscReceiver, wait_until

from gesture_ros.actions.action_map import parse_action_map
from gesture_ros.actions.dispatcher import Dispatcher
from gesture_ros.actions.result import Outcome
from gesture_ros.actions.safety import SafetySettings
from gesture_ros.common.gesture_event import EventType, GestureEventData
from tools.ports import free_port

S = 1_000_000_000


def _event(gesture, sequence):
    return GestureEventData(event_id=f"e{sequence}", gesture=gesture, event_type=EventType.TRIGGER,
                            stamp_ns=100 * S, sequence=sequence)


def _map(http_url, osc_port, queue_size=64, extra=""):
    return parse_action_map(dedent(f"""\
        targets:
          venue: {{type: http, base_url: "{http_url}", timeout_s: 20, queue_size: {queue_size}}}
          desk: {{type: osc, host: 127.0.0.1, port: {osc_port}, allow: ["/go"]}}
          dead: {{type: osc, host: 127.0.0.1, port: {free_port()}, protocol: tcp, allow: ["/go"],
                  retry: {{attempts: 3, backoff_s: 0.05}}}}
        actions:
          x_cross:
            TRIGGER: [{{target: venue, path: /x}}]
          swipe_left:
            TRIGGER: [{{target: desk, address: /go, args: ["{{sequence}}"]}}, {{target: dead, address: /go}}]
        {extra}"""), "map.yaml")


@pytest.fixture
def peers():
    hold = threading.Event()
    http, osc = HttpReceiver(hold=hold), OscReceiver("udp")
    yield http, osc, hold
    hold.set()
    http.close()
    osc.close()


@contextmanager
def _running(peers, results, queue_size=64, **settings):
    """Yield a dispatcher on the peers' map reporting into ``results``; release the venue and close it after."""
    http, osc, hold = peers
    settings = {"max_event_age_s": 0, "rate_limit_count": 0, **settings}
    dispatcher = Dispatcher(report=results.append, clock_ns=lambda: 100 * S, settings=SafetySettings(**settings))
    dispatcher.load(_map(http.url, osc.port, queue_size=queue_size))
    try:
        yield dispatcher
    finally:
        hold.set()
        dispatcher.close()


def test_hung_and_dead_targets_do_not_block_the_others(peers):
    http, osc, hold = peers
    results = []
    with _running(peers, results) as dispatcher:
        dispatcher.handle(_event("x_cross", 1))
        assert http.wait_for(1)  # the venue now hangs on this request
        for sequence in range(2, 7):
            dispatcher.handle(_event("swipe_left", sequence))
        assert osc.wait_for(5) == [("/go", [n]) for n in range(2, 7)]
        assert wait_until(lambda: sum(r.action_name.startswith("swipe_left") for r in results) == 10)
        dead = [r for r in results if r.target.startswith("osc+tcp")]
        assert {(r.outcome, r.attempts) for r in dead} == {(Outcome.FAILED, 3)}
        assert not [r for r in results if r.action_name == "x_cross/TRIGGER/1"]  # still hanging
        stats = {t.name: t for t in dispatcher.stats().targets}
        assert stats["dead"].state == "failing" and stats["dead"].failed == 5
        assert stats["desk"].done == 5 and stats["venue"].done == 0
        hold.set()
        assert wait_until(lambda: any(r.action_name == "x_cross/TRIGGER/1" for r in results))


def test_queue_overflow_is_counted_and_reported(peers):
    http, osc, hold = peers
    results = []
    with _running(peers, results, queue_size=2) as dispatcher:
        dispatcher.handle(_event("x_cross", 1))
        assert http.wait_for(1)
        for sequence in range(2, 7):
            dispatcher.handle(_event("x_cross", sequence))
        skipped = [r for r in results if r.outcome == Outcome.SKIPPED]
        assert [r.event.sequence for r in skipped] == [4, 5, 6]
        assert skipped[0].detail == "queue full: target 'venue' already holds 2 actions; this one was not run"
        assert dispatcher.stats().targets[0].overflows == 3
        hold.set()
        assert wait_until(lambda: sum(r.outcome == Outcome.DONE for r in results) == 3)
        assert [body for _, _, body in http.snapshot()] == [None] * 3


def test_disarm_skips_work_already_queued(peers):
    http, osc, hold = peers
    results = []
    with _running(peers, results) as dispatcher:
        dispatcher.handle(_event("x_cross", 1))
        assert http.wait_for(1)
        dispatcher.handle(_event("x_cross", 2))
        dispatcher.gate.settings.armed = False
        dispatcher.handle(_event("swipe_left", 3))
        hold.set()
        assert wait_until(lambda: len(results) == 4)
        by_sequence = {(r.event.sequence, r.target[:3]): (r.outcome, r.detail) for r in results}
        assert by_sequence[(1, "POS")][0] == Outcome.DONE
        assert by_sequence[(2, "POS")] == (Outcome.SKIPPED, "disarmed (waited for target 'venue')")
        assert by_sequence[(3, "osc")] == (Outcome.SKIPPED, "disarmed")
        assert len(http.snapshot()) == 1 and osc.snapshot() == []


def test_burst_of_fifty_reaches_the_target_at_most_the_configured_count(peers):
    http, osc, _ = peers
    results = []
    with _running(peers, results, rate_limit_count=4, rate_limit_window_s=60.0) as dispatcher:
        for sequence in range(50):
            dispatcher.handle(_event("swipe_left", sequence))
        assert wait_until(lambda: len(results) == 100)
        assert osc.wait_for(4) == [("/go", [n]) for n in range(4)]
        assert sum(r.detail.startswith("global rate limit") for r in results) == 92
        stats = dispatcher.stats()
        assert (stats.acted, stats.skipped, stats.skip_reasons["global rate limit"]) == (4, 46, 92)
    assert len(osc.snapshot()) == 4


def test_new_map_replaces_the_old_one_live(peers):
    http, osc, _ = peers
    results = []
    with _running(peers, results) as dispatcher:
        dispatcher.handle(_event("swipe_left", 1))
        assert osc.wait_for(1)
        swapped = parse_action_map(dedent(f"""\
            targets:
              desk: {{type: osc, host: 127.0.0.1, port: {osc.port}, allow: ["/go", "/stop"]}}
            actions:
              swipe_right:
                TRIGGER: [{{target: desk, address: /stop}}]
            """), "map2.yaml")
        dispatcher.load(swapped)
        dispatcher.handle(_event("swipe_left", 2))
        dispatcher.handle(_event("swipe_right", 3))
        assert osc.wait_for(2) == [("/go", [1]), ("/stop", [])]
        assert dispatcher.stats().unmapped == 1
