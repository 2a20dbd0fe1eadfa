"""OSC actions reach real python-osc receivers over UDP and TCP (SLIP and size-prefixed)."""

import threading
from textwrap import dedent

import pytest
from pythonosc.dispatcher import Dispatcher as OscDispatcher
from pythonosc.osc_tcp_server import ThreadingOSCTCPServer
from support.action_peers import OscReceiver, wait_until

from gesture_ros.actions.action_map import parse_action_map
from gesture_ros.actions.dispatcher import Dispatcher
from gesture_ros.actions.result import Outcome
from gesture_ros.actions.safety import SafetySettings
from gesture_ros.common.gesture_event import EventType, GestureEventData
from tools.ports import free_port

S = 1_000_000_000


class ReusableTcpServer(ThreadingOSCTCPServer):
    """A receiver that can be restarted on the same port (the console rebooting)."""

    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False


def _serve(server):
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def _event(gesture, event_type, sequence, confidence=0.75):
    return GestureEventData(event_id=f"e{sequence}", gesture=gesture, event_type=event_type, stamp_ns=100 * S,
                            confidence=confidence, sequence=sequence, source_id="cam0")


def _dispatcher(text, results):
    dispatcher = Dispatcher(report=results.append, clock_ns=lambda: 100 * S,
                            settings=SafetySettings(max_event_age_s=0, rate_limit_count=0))
    dispatcher.load(parse_action_map(dedent(text), "map.yaml"))
    return dispatcher


@pytest.fixture
def receivers():
    udp, tcp = OscReceiver("udp"), OscReceiver("tcp")
    yield udp, tcp
    udp.close()
    tcp.close()


def test_scripted_events_arrive_exactly_as_mapped(receivers):
    udp, tcp = receivers
    results = []
    dispatcher = _dispatcher(f"""\
        targets:
          qlab: {{type: osc, host: 127.0.0.1, port: {udp.port}, allow: ["/go", "/cue/*/start"]}}
          eos: {{type: osc, host: 127.0.0.1, port: {tcp.port}, protocol: tcp, allow: ["/eos/cue/*/*/fire", "/gesture/**"]}}
        actions:
          x_cross:
            TRIGGER:
              - {{target: eos, address: /eos/cue/1/5/fire}}
              - {{target: qlab, address: /cue/10/start, args: ["{{gesture}}", "{{confidence}}", "{{sequence}}"]}}
          open_palm:
            START: [{{target: eos, address: /gesture/palm/on, args: [1.0, "{{source_id}}"]}}]
            END: [{{target: eos, address: /gesture/palm/off, args: [0]}}]
          swipe_right:
            TRIGGER: [{{target: qlab, address: /go}}]
        """, results)
    try:
        script = [_event("x_cross", EventType.TRIGGER, 1), _event("open_palm", EventType.START, 2),
                  _event("fist", EventType.START, 3), _event("open_palm", EventType.END, 4),
                  _event("swipe_right", EventType.TRIGGER, 5), _event("open_palm", EventType.TRIGGER, 6)]
        for event in script:
            dispatcher.handle(event)
        assert tcp.wait_for(3) == [("/eos/cue/1/5/fire", []), ("/gesture/palm/on", [1.0, "cam0"]),
                                   ("/gesture/palm/off", [0])]
        assert udp.wait_for(2) == [("/cue/10/start", ["x_cross", 0.75, 1]), ("/go", [])]
        assert wait_until(lambda: len(results) == 5)
        assert {r.outcome for r in results} == {Outcome.DONE}
        assert {r.target for r in results if r.action_name == "x_cross/TRIGGER/1"} == \
            {f"osc+tcp://127.0.0.1:{tcp.port}/eos/cue/1/5/fire"}
        stats = dispatcher.stats()
        assert (stats.events, stats.acted, stats.unmapped) == (6, 4, 2)
    finally:
        dispatcher.close()


def test_tcp_reconnects_after_the_receiver_restarts():
    port = free_port()
    received = []
    osc = OscDispatcher()
    osc.set_default_handler(lambda address, *args: received.append((address, list(args))))

    def serve():
        return _serve(ReusableTcpServer(("127.0.0.1", port), osc, mode="1.1"))

    results = []
    dispatcher = _dispatcher(f"""\
        targets:
          desk: {{type: osc, host: 127.0.0.1, port: {port}, protocol: tcp, allow: ["/go"],
                  retry: {{attempts: 5, backoff_s: 0.05}}}}
        actions:
          swipe_right:
            TRIGGER: [{{target: desk, address: /go, args: ["{{sequence}}"]}}]
        """, results)
    try:
        dispatcher.handle(_event("swipe_right", EventType.TRIGGER, 1))
        assert wait_until(lambda: len(results) == 1)
        assert results[0].outcome == Outcome.FAILED and "Connection refused" in results[0].detail
        assert results[0].attempts == 5
        server = serve()
        dispatcher.handle(_event("swipe_right", EventType.TRIGGER, 2))
        assert wait_until(lambda: received == [("/go", [2])])
        server.shutdown()
        server.server_close()
        server = serve()  # the console rebooted: the old connection is dead
        dispatcher.handle(_event("swipe_right", EventType.TRIGGER, 3))
        assert wait_until(lambda: received == [("/go", [2]), ("/go", [3])])
        server.shutdown()
        server.server_close()
    finally:
        dispatcher.close()


def test_osc_1_0_size_prefixed_framing():
    received = []
    osc = OscDispatcher()
    osc.set_default_handler(lambda address, *args: received.append((address, list(args))))
    server = _serve(ReusableTcpServer(("127.0.0.1", 0), osc, mode="1.0"))
    results = []
    dispatcher = _dispatcher(f"""\
        targets:
          eos: {{type: osc, host: 127.0.0.1, port: {server.server_address[1]}, protocol: tcp, framing: length,
                 allow: ["/eos/cue/*/*/fire"]}}
        actions:
          x_cross:
            TRIGGER: [{{target: eos, address: /eos/cue/2/7/fire}}, {{target: eos, address: /eos/cue/2/8/fire}}]
        """, results)
    try:
        dispatcher.handle(_event("x_cross", EventType.TRIGGER, 1))
        assert wait_until(lambda: len(received) == 2)
        assert received == [("/eos/cue/2/7/fire", []), ("/eos/cue/2/8/fire", [])]
    finally:
        dispatcher.close()
        server.shutdown()
        server.server_close()
