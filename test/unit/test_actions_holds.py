"""Held gestures in the dispatcher, against a real OSC receiver: stops win, repeats run while
the gesture is held and its source is alive, a hold ended early runs its END actions."""

from textwrap import dedent

import pytest
from support.action_peers import OscReceiver, wait_until

from gesture_ros.actions.action_map import parse_action_map
from gesture_ros.actions.dispatcher import Dispatcher
from gesture_ros.actions.result import Outcome
from gesture_ros.actions.safety import SafetySettings
from gesture_ros.actions.yaml_reader import ActionMapError
from gesture_ros.common.gesture_event import EventType, GestureEventData

S = 1_000_000_000
START, END = EventType.START, EventType.END


def _event(gesture, event_type, sequence, stamp_ns=100 * S, source="cam0", person=0):
    return GestureEventData(event_id=f"e{sequence}", gesture=gesture, event_type=event_type, stamp_ns=stamp_ns,
                            confidence=0.9, sequence=sequence, source_id=source, person_id=person)


def _map(port, queue_size=64):
    return parse_action_map(dedent(f"""\
        targets:
          base: {{type: osc, host: 127.0.0.1, port: {port}, protocol: tcp, allow: ["/drive", "/halt", "/note"],
                  queue_size: {queue_size}}}
        actions:
          pointing:
            START: [{{target: base, name: drive, address: /drive, args: [1], repeat_hz: 20}}]
            END: [{{target: base, name: halt, address: /halt}}]
          thumbs_up:
            START: [{{target: base, name: note, address: /note}}]
          open_palm:
            START: [{{target: base, name: palm_halt, address: /halt, stop: true}}]
        """), "robot.yaml")


@pytest.fixture
def osc():
    receiver = OscReceiver("tcp")  # one ordered stream: what the base saw last is what it does
    yield receiver
    receiver.close()


def _dispatcher(osc, results, clock_ns=lambda: 100 * S, **settings):
    settings = {"max_event_age_s": 0.3, "rate_limit_count": 0, "hold_timeout_s": 0.5, **settings}
    dispatcher = Dispatcher(report=results.append, clock_ns=clock_ns, settings=SafetySettings(**settings))
    dispatcher.load(_map(osc.port))
    return dispatcher


def _addresses(osc):
    return [address for address, _ in osc.snapshot()]


def test_repeats_run_while_held_and_stop_at_the_end(osc):
    results = []
    dispatcher = _dispatcher(osc, results)
    try:
        dispatcher.handle(_event("pointing", START, 1))
        for i in range(30):  # the classifier keeps deciding on cam0's frames
            dispatcher.confirm("cam0", 0, 100 * S + i, {"none": 0.1, "pointing": 0.9})
            if len(osc.snapshot()) >= 5:
                break
            wait_until(lambda: False, 0.05)
        assert _addresses(osc)[:5] == ["/drive"] * 5
        dispatcher.handle(_event("pointing", END, 2))
        assert wait_until(lambda: "/halt" in _addresses(osc))
        wait_until(lambda: False, 0.3)  # no repeat may follow the stop
        assert _addresses(osc)[-1] == "/halt" and _addresses(osc).count("/halt") == 1
        stats = dispatcher.stats()
        assert stats.repeats >= 4 and stats.holds == 0
        # only the START's own run is reported; the repeats are counted
        assert [(r.action_name, r.outcome) for r in results] == [("drive", Outcome.DONE), ("halt", Outcome.DONE)]
    finally:
        dispatcher.close()


def test_a_silent_source_releases_the_hold_and_runs_its_end(osc):
    results = []
    dispatcher = _dispatcher(osc, results, hold_timeout_s=0.2)
    try:
        dispatcher.handle(_event("pointing", START, 1))  # and then nothing: the classifier died
        assert wait_until(lambda: "/halt" in _addresses(osc))
        wait_until(lambda: False, 0.3)
        assert _addresses(osc)[-1] == "/halt"
        halt = [r for r in results if r.action_name == "halt"]
        assert len(halt) == 1 and halt[0].outcome == Outcome.DONE
        assert halt[0].detail.startswith("released (no sign of life from 'cam0' for 0.2 s (gesture/scores)): ")
        assert halt[0].event.event_type == END and halt[0].event.stamp_ns == 100 * S
        assert dispatcher.stats().releases["no sign of life from 'cam0' for 0.2 s (gesture/scores)"] == 1
    finally:
        dispatcher.close()


def test_disarming_mid_gesture_runs_the_end_and_a_late_stale_end_still_stops(osc):
    results = []
    now = [100 * S]
    dispatcher = _dispatcher(osc, results, clock_ns=lambda: now[0])
    try:
        dispatcher.handle(_event("pointing", START, 1))
        assert wait_until(lambda: "/drive" in _addresses(osc))
        dispatcher.gate.settings.armed = False
        dispatcher.release_all("disarmed")
        assert wait_until(lambda: "/halt" in _addresses(osc))
        count = len(osc.snapshot())
        wait_until(lambda: False, 0.3)
        assert len(osc.snapshot()) == count  # no repeats after the release
        dispatcher.handle(_event("thumbs_up", START, 2))  # disarmed: no note
        now[0] = 110 * S  # the real END comes 10 s late: stale, disarmed, still a stop
        dispatcher.handle(_event("pointing", END, 3))
        assert wait_until(lambda: _addresses(osc).count("/halt") == 2)
        by_name = [(r.action_name, r.outcome, r.detail.split(":")[0]) for r in results]
        assert ("note", Outcome.SKIPPED, "disarmed") in by_name
        assert [r.outcome for r in results if r.action_name == "halt"] == [Outcome.DONE, Outcome.DONE]
        assert "/note" not in _addresses(osc)
    finally:
        dispatcher.close()


def test_a_marked_stop_runs_while_disarmed_and_the_shutdown_releases_holds(osc):
    results = []
    dispatcher = _dispatcher(osc, results, armed=False)
    dispatcher.handle(_event("open_palm", START, 1))
    assert wait_until(lambda: _addresses(osc) == ["/halt"])
    dispatcher.set_armed(True)  # arming also clears the latch the palm's stop engaged
    dispatcher.handle(_event("pointing", START, 2))
    dispatcher.confirm("cam0", 0, 100 * S, {"pointing": 0.9})
    assert wait_until(lambda: "/drive" in _addresses(osc))
    dispatcher.close()
    assert wait_until(lambda: _addresses(osc)[-1] == "/halt")  # the receiver may still be reading the stream
    wait_until(lambda: False, 0.3)
    assert _addresses(osc)[-1] == "/halt"  # nothing drives after the shutdown's stop
    assert [r.detail for r in results if r.action_name == "halt"][0].startswith("released (shutting down): ")


def test_a_stop_takes_the_place_of_queued_work_when_the_queue_is_full(osc):
    results = []
    dispatcher = Dispatcher(report=results.append, clock_ns=lambda: 100 * S,
                            settings=SafetySettings(max_event_age_s=0, rate_limit_count=0))
    dead = parse_action_map(dedent("""\
        targets:
          base: {type: osc, host: 127.0.0.1, port: 9, protocol: tcp, allow: ["/drive", "/halt", "/note"],
                 queue_size: 2, timeout_s: 0.2, retry: {attempts: 20, backoff_s: 0.2}}
        actions:
          thumbs_up:
            START: [{target: base, name: note, address: /note}]
            END: [{target: base, name: halt, address: /halt}]
        """), "dead.yaml")
    dispatcher.load(dead)
    try:
        dispatcher.handle(_event("thumbs_up", START, 1, source="cam1"))
        assert wait_until(lambda: dispatcher.stats().targets[0].queued == 0)  # being tried (and retried)
        for sequence in range(2, 5):  # two wait, the fourth overflows
            dispatcher.handle(_event("thumbs_up", START, sequence, source=f"cam{sequence}"))
        dispatcher.handle(_event("thumbs_up", END, 5, source="cam1"))
        skipped = [(r.event.sequence, r.detail.split(":")[0]) for r in results if r.outcome == Outcome.SKIPPED]
        assert skipped == [(4, "queue full"), (3, "superseded")]
        assert dispatcher.stats().targets[0].overflows == 2
    finally:
        dispatcher.gate.settings.armed = False  # let the worker give up on the queued notes
        dispatcher.close(timeout_s=10)


def test_a_repeat_needs_an_end_and_only_start_actions_repeat():
    with pytest.raises(ActionMapError) as err:
        parse_action_map(dedent("""\
            targets:
              base: {type: log}
            actions:
              pointing:
                START: [{target: base, name: drive, repeat_hz: 10}]
              swipe_left:
                TRIGGER: [{target: base, name: turn, repeat_hz: 5}]
            """), "m.yaml")
    assert err.value.errors == [
        "m.yaml:7: repeat_hz of action 'turn' is only for START actions (they repeat while the gesture is held)",
        "m.yaml:5: action 'drive' repeats while 'pointing' is held but 'pointing' has no END action to stop it"]


def _keep_confirming(dispatcher, done, scores, timeout=5.0, source="cam0", person=0):
    """Send a source's scores at 20 Hz until ``done()``; return whether it came."""
    for i in range(int(timeout / 0.05)):
        if done():
            return True
        dispatcher.confirm(source, person, 100 * S + i, scores)
        wait_until(lambda: False, 0.05)
    return done()


def test_scores_that_no_longer_rank_the_held_gesture_release_it(osc):
    # issue 26 item 1: the classifier's scores are a sign of life only while they rank the gesture
    results = []
    dispatcher = _dispatcher(osc, results, hold_timeout_s=0.3)
    try:
        dispatcher.handle(_event("pointing", START, 1))
        assert wait_until(lambda: "/drive" in _addresses(osc))
        assert _keep_confirming(dispatcher, lambda: "/halt" in _addresses(osc), {"none": 0.92, "pointing": 0.08})
        halt, = [r for r in results if r.action_name == "halt"]
        assert halt.detail.startswith("released (the gesture/scores of 'cam0' no longer rank 'pointing' for 0.3 s")
        count = len(osc.snapshot())
        _keep_confirming(dispatcher, lambda: False, {"pointing": 0.9}, timeout=0.3)  # too late: no repeat
        assert len(osc.snapshot()) == count
    finally:
        dispatcher.close()


def test_a_refused_end_still_ends_its_hold(osc):
    results = []
    dispatcher = _dispatcher(osc, results)
    try:
        dispatcher.handle(_event("pointing", START, 1))
        assert wait_until(lambda: "/drive" in _addresses(osc))
        assert not dispatcher.refused_end(_event("pointing", END, 2, source="cam9"), "stamp")  # not its hold
        assert dispatcher.refused_end(_event("pointing", END, 3, stamp_ns=7200 * S), "stamp")
        assert wait_until(lambda: "/halt" in _addresses(osc))
        assert [r.detail.split(":")[0] for r in results if r.action_name == "halt"] == ["released (END refused"]
        assert dispatcher.stats().releases["END refused"] == 1 and dispatcher.stats().holds == 0
    finally:
        dispatcher.close()


def test_max_hold_s_ends_any_hold_whatever_the_scores_say(osc):
    results = []
    dispatcher = Dispatcher(report=results.append, clock_ns=lambda: 100 * S,
                            settings=SafetySettings(max_event_age_s=0, rate_limit_count=0, hold_timeout_s=5.0))
    dispatcher.load(parse_action_map(dedent(f"""\
        targets:
          base: {{type: osc, host: 127.0.0.1, port: {osc.port}, protocol: tcp, allow: ["/drive", "/halt"]}}
        actions:
          pointing:
            START: [{{target: base, name: drive, address: /drive, repeat_hz: 20, max_hold_s: 0.4}}]
            END: [{{target: base, name: halt, address: /halt}}]
        """), "m.yaml"))
    try:
        dispatcher.handle(_event("pointing", START, 1))
        assert _keep_confirming(dispatcher, lambda: "/halt" in _addresses(osc), {"pointing": 0.99})
        assert dispatcher.stats().releases["held longer than max_hold_s"] == 1
    finally:
        dispatcher.close()


def test_a_stop_from_anyone_ends_every_hold_and_latches(osc):
    # issue 26 item 2: person 1 of cam0 and cam1 drive, person 2 of cam0 shows the palm
    results = []
    now = [0.0]
    dispatcher = Dispatcher(report=results.append, clock_ns=lambda: 100 * S, monotonic=lambda: now[0],
                            settings=SafetySettings(max_event_age_s=0, rate_limit_count=0, hold_timeout_s=60,
                                                    stop_latch_s=2.0))
    dispatcher.load(_map(osc.port))
    try:
        dispatcher.handle(_event("pointing", START, 1, person=1))
        dispatcher.handle(_event("pointing", START, 2, source="cam1"))
        assert dispatcher.stats().holds == 2
        dispatcher.handle(_event("open_palm", START, 3, person=2))
        stats = dispatcher.stats()
        assert stats.holds == 1 and stats.releases["stop"] == 2  # only the palm's own hold is left
        assert stats.latched == "stop latched: 'open_palm' from 'cam0' person 2 is still held (re-arm to clear)"
        dispatcher.handle(_event("pointing", END, 4, person=1))
        dispatcher.handle(_event("pointing", START, 5, person=1))  # person 1 points again: no drive
        now[0] = 10.0
        dispatcher.handle(_event("open_palm", END, 6, person=2))  # the palm ends: 2 s more
        now[0] = 11.5
        dispatcher.handle(_event("pointing", START, 7, source="cam1"))
        skipped = [(r.event.sequence, r.detail) for r in results if r.action_name == "drive"
                   and r.outcome == Outcome.SKIPPED]
        assert skipped == [(5, "stop latched: 'open_palm' from 'cam0' person 2 is still held (re-arm to clear)"),
                           (7, "stop latched: 0.50 s of stop_latch_s 2 left after 'open_palm' from 'cam0' person 2")]
        now[0] = 12.1
        dispatcher.handle(_event("pointing", START, 8, source="cam1"))  # the latch is over
        assert wait_until(lambda: (8, Outcome.DONE) in [(r.event.sequence, r.outcome) for r in results])
        dispatcher.handle(_event("open_palm", START, 10))
        dispatcher.handle(_event("pointing", START, 11, source="cam1"))
        dispatcher.set_armed(True)  # re-arming clears the latch at once
        dispatcher.handle(_event("pointing", START, 12, source="cam1"))
        outcomes = {r.event.sequence: r.outcome for r in results if r.action_name == "drive"}
        assert outcomes[11] == Outcome.SKIPPED and wait_until(
            lambda: {r.event.sequence: r.outcome for r in results if r.action_name == "drive"}.get(12) == Outcome.DONE)
    finally:
        dispatcher.close()
