"""HTTP actions reach a real local http.server: method, path, JSON body, status, retries."""

from textwrap import dedent

import pytest
from support.action_peers import HttpReceiver, wait_until

from gesture_ros.actions.action_map import parse_action_map
from gesture_ros.actions.dispatcher import Dispatcher
from gesture_ros.actions.result import Outcome
from gesture_ros.actions.safety import SafetySettings
from gesture_ros.common.gesture_event import EventType, GestureEventData
from tools.ports import free_port

S = 1_000_000_000


def _event(gesture, sequence, event_type=EventType.TRIGGER):
    return GestureEventData(event_id=f"id-{sequence}", gesture=gesture, event_type=event_type, stamp_ns=100 * S,
                            confidence=0.5, sequence=sequence, source_id="cam0")


def _run(base_url, events, results, retry="{attempts: 1}", expect=1):
    dispatcher = Dispatcher(report=results.append, clock_ns=lambda: 100 * S,
                            settings=SafetySettings(max_event_age_s=0, rate_limit_count=0))
    dispatcher.load(parse_action_map(dedent(f"""\
        targets:
          venue: {{type: http, base_url: "{base_url}", timeout_s: 2, retry: {retry},
                   headers: {{X-Show: dame}}}}
        actions:
          x_cross:
            TRIGGER:
              - {{target: venue, path: /api/gesture, json: {{gesture: "{{gesture}}", id: "{{event_id}}",
                   confidence: "{{confidence}}", text: "seq {{sequence}}"}}}}
          fist:
            START: [{{target: venue, method: GET, path: /api/ping}}]
        """), "map.yaml"))
    try:
        for event in events:
            dispatcher.handle(event)
        wait_until(lambda: len(results) >= expect)
    finally:
        dispatcher.close()


@pytest.fixture
def server():
    receiver = HttpReceiver()
    yield receiver
    receiver.close()


def test_requests_arrive_as_mapped(server):
    results = []
    _run(server.url, [_event("x_cross", 1), _event("swipe_left", 2), _event("fist", 3, EventType.START)], results,
         expect=2)
    assert server.snapshot() == [
        ("POST", "/api/gesture", {"gesture": "x_cross", "id": "id-1", "confidence": 0.5, "text": "seq 1"}),
        ("GET", "/api/ping", None)]
    assert [(r.outcome, r.attempts, r.target) for r in results] == [
        (Outcome.DONE, 1, f"POST {server.url}/api/gesture"), (Outcome.DONE, 1, f"GET {server.url}/api/ping")]


def test_error_status_is_retried_then_succeeds():
    server = HttpReceiver(fail_first=2)
    try:
        results = []
        _run(server.url, [_event("x_cross", 1)], results, retry="{attempts: 3, backoff_s: 0.01}")
        assert [(r.outcome, r.attempts) for r in results] == [(Outcome.DONE, 3)]
        assert len(server.snapshot()) == 3
    finally:
        server.close()


def test_dead_server_fails_with_a_reason():
    results = []
    url = f"http://127.0.0.1:{free_port()}"
    _run(url, [_event("x_cross", 1)], results, retry="{attempts: 2, backoff_s: 0.01}")
    assert [(r.outcome, r.attempts) for r in results] == [(Outcome.FAILED, 2)]
    assert results[0].detail.startswith(f"POST {url}/api/gesture failed: ")
