"""action_dispatch_node end to end: the real executable, real DDS on loopback, real peers
(OSC UDP and TCP, HTTP, mpv, a ROS subscriber and a Trigger service), scripted events."""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from pathlib import Path
from textwrap import dedent

import pytest

rclpy = pytest.importorskip("rclpy")

from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from geometry_msgs.msg import Twist  # noqa: E402
from gesture_ros.msg import ActionRecord, GestureEvent, GestureScores  # noqa: E402
from pythonosc.udp_client import SimpleUDPClient  # noqa: E402
from rcl_interfaces.srv import GetParameters, SetParameters  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from std_msgs.msg import Bool, Empty, String  # noqa: E402
from std_srvs.srv import SetBool, Trigger  # noqa: E402
from support.action_peers import (  # noqa: E402
    HttpReceiver,
    MpvPlayer,
    OscReceiver,
    call_resending,
    wait_until,
    write_wav,
)
from support.ros_env import NodeProcess  # noqa: E402

from gesture_ros.ros.qos import EVENT_QOS  # noqa: E402
from tools.ports import LOOPBACK, free_port  # noqa: E402

TRIGGER, START, END = GestureEvent.TRIGGER, GestureEvent.START, GestureEvent.END
NODE = "/action_dispatch_node"
# The executable's `#!/usr/bin/env python3` must find this interpreter (the venv's).
CHILD_ENV = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def _map_text(udp, tcp, http, mpv_socket, media):
    return dedent(f"""\
        targets:
          qlab: {{type: osc, host: 127.0.0.1, port: {udp.port}, allow: ["/go", "/cue/*/start"]}}
          eos: {{type: osc, host: 127.0.0.1, port: {tcp.port}, protocol: tcp, allow: ["/eos/cue/*/*/fire"]}}
          dead: {{type: osc, host: 127.0.0.1, port: {free_port()}, protocol: tcp, allow: ["/go"],
                  retry: {{attempts: 3, backoff_s: 0.05}}}}
          venue: {{type: http, base_url: "{http.url}"}}
          player: {{type: mpv, socket: {mpv_socket}}}
          robot: {{type: ros}}
          journal: {{type: log}}
        actions:
          x_cross:
            TRIGGER:
              - {{target: eos, address: /eos/cue/1/5/fire, args: ["{{confidence}}"], cooldown_s: 30}}
              - {{target: player, command: loadfile, file: {media}}}
              - {{target: venue, path: /gesture, json: {{g: "{{gesture}}", seq: "{{sequence}}"}}}}
              - {{target: dead, address: /go}}
          swipe_right:
            TRIGGER: [{{target: qlab, address: /go, args: ["{{sequence}}"]}}]
          open_palm:
            START:
              - {{target: player, command: pause}}
              - {{target: robot, topic: cmd_vel, msg_type: geometry_msgs/Twist}}
          pointing:
            START: [{{target: robot, topic: cmd_vel, msg_type: geometry_msgs/Twist, linear: {{x: 0.2}}, angular: {{z: -0.1}}}}]
            END: [{{target: robot, topic: commands, msg_type: std_msgs/String, data: "{{gesture}} ended"}}]
          thumbs_up:
            START: [{{target: player, command: volume_up, step: 10}}, {{target: robot, service: estop_reset}}]
          fist:
            START: [{{target: journal, message: "fist {{sequence}}"}}]
        """)


class Peer:
    """A test node that publishes gesture events and records everything the dispatcher does."""

    def __init__(self, context) -> None:
        self.node = rclpy.create_node("dispatch_test_peer", context=context)
        self.events = self.node.create_publisher(GestureEvent, "gesture/events", EVENT_QOS)
        self.scores = self.node.create_publisher(GestureScores, "gesture/scores", EVENT_QOS)
        self.armed = self.node.create_publisher(Bool, "dispatch/armed", EVENT_QOS)
        self.records: list[ActionRecord] = []
        self.twists: list[Twist] = []
        self.strings: list[str] = []
        self.diagnostics: list[DiagnosticArray] = []
        self.trigger_calls = 0
        self.node.create_subscription(ActionRecord, "actions/log", self.records.append, EVENT_QOS)
        self.node.create_subscription(Twist, "cmd_vel", self.twists.append, EVENT_QOS)
        self.node.create_subscription(String, "commands", lambda m: self.strings.append(m.data), EVENT_QOS)
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self.diagnostics.append, 10)
        self.node.create_service(Trigger, "estop_reset", self._on_trigger)
        self.set_armed = self.node.create_client(SetBool, "dispatch/set_armed")
        self.set_params = self.node.create_client(SetParameters, f"{NODE}/set_parameters")
        self.get_params = self.node.create_client(GetParameters, f"{NODE}/get_parameters")
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)
        self._thread = threading.Thread(target=self.executor.spin, daemon=True)
        self._thread.start()
        self.sequence = 0

    def _on_trigger(self, request, response):
        self.trigger_calls += 1
        response.success, response.message = True, "reset"
        return response

    def wait_for_node(self, published=("actions/log",)) -> None:
        assert wait_until(lambda: self.events.get_subscription_count() > 0 and self.set_params.service_is_ready()
                          and all(self.node.count_publishers(t) > 0 for t in published), timeout=30), \
            "node did not come up"

    def send(self, gesture: str, event_type: int, age_s: float = 0.0, confidence: float = 0.9,
             person: int = 0) -> GestureEvent:
        self.sequence += 1
        msg = GestureEvent(event_id=f"ev-{self.sequence}", source_id="test/cam0", sequence=self.sequence,
                           gesture=gesture, confidence=confidence, event_type=event_type, model_id="test",
                           person_id=person)
        stamp_ns = self.node.get_clock().now().nanoseconds - int(age_s * 1e9)
        msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
        msg.header.frame_id = "camera_optical_frame"
        msg.start_stamp = msg.end_stamp = msg.header.stamp
        self.events.publish(msg)
        return msg

    def records_for(self, event: GestureEvent, count: int) -> list[ActionRecord]:
        assert wait_until(lambda: len([r for r in self.records if r.event_id == event.event_id]) >= count), \
            f"expected {count} records for {event.gesture}"
        return [r for r in self.records if r.event_id == event.event_id]

    def call(self, client, request):
        return call_resending(client, request)

    def send_scores(self, scores: dict[str, float], person: int = 0) -> None:
        """Publish the classifier's smoothed probabilities of one window of test/cam0, stamped now."""
        msg = GestureScores(source_id="test/cam0", person_id=person, labels=list(scores),
                            probabilities=list(scores.values()), model_id="test")
        msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(self.node.get_clock().now().nanoseconds, 1_000_000_000)
        self.scores.publish(msg)

    def set_param(self, name: str, value):
        request = SetParameters.Request(parameters=[Parameter(name, value=value).to_parameter_msg()])
        return self.call(self.set_params, request).results[0]

    def figures(self) -> dict[str, str]:
        """Return the latest /diagnostics figures of the dispatcher (empty before the first)."""
        status = [s for d in self.diagnostics for s in d.status if s.name == NODE]
        return {kv.key: kv.value for kv in status[-1].values} if status else {}

    def moving(self) -> list[Twist]:
        return [t for t in self.twists if t.linear.x or t.angular.z]

    def close(self) -> None:
        self.executor.shutdown()
        self._thread.join(5)
        self.node.destroy_node()


@pytest.fixture
def rig(rclpy_context, domain, tmp_path):
    udp, tcp, http = OscReceiver("udp"), OscReceiver("tcp"), HttpReceiver()
    player = MpvPlayer(tmp_path / "mpv.sock")
    media = write_wav(tmp_path / "clip.wav")
    map_path = tmp_path / "show.yaml"
    map_path.write_text(_map_text(udp, tcp, http, player.socket_path, media))
    peer = Peer(rclpy_context)
    procs: list[NodeProcess] = []

    def start(published=("actions/log", "cmd_vel", "commands"), arm=True, **params) -> NodeProcess:
        params = {"action_map": str(map_path), "max_event_age_s": 2.0, "global_rate_limit": 0, **params}
        proc = NodeProcess("action_dispatch_node", domain, params, log_dir=tmp_path, env=CHILD_ENV)
        procs.append(proc)
        try:
            peer.wait_for_node(published)
        except AssertionError:
            raise AssertionError(f"action_dispatch_node did not come up; its log:\n{proc.log()}") from None
        if arm:  # the show map publishes a Twist: it starts disarmed
            assert peer.call(peer.set_armed, SetBool.Request(data=True)).success
        return proc

    class Rig:
        pass

    rig = Rig()
    rig.__dict__.update(udp=udp, tcp=tcp, http=http, player=player, media=media, map_path=map_path, peer=peer,
                        start=start, tmp=tmp_path)
    try:
        yield rig
    finally:
        for proc in procs:
            proc.stop()
        peer.close()
        player.stop()
        for server in (udp, tcp, http):
            server.close()


def test_scripted_events_reach_every_peer_exactly_as_mapped(rig):
    proc = rig.start()
    peer = rig.peer
    x = peer.send("x_cross", TRIGGER, confidence=0.75)
    records = peer.records_for(x, 4)
    assert rig.tcp.wait_for(1) == [("/eos/cue/1/5/fire", [0.75])]
    assert rig.http.wait_for(1) == [("POST", "/gesture", {"g": "x_cross", "seq": 1})]
    assert wait_until(lambda: rig.player.get("path") == str(rig.media))
    by_name = {r.action_name: r for r in records}
    assert {n: r.result for n, r in by_name.items()} == {
        "x_cross/TRIGGER/1": ActionRecord.DONE, "x_cross/TRIGGER/2": ActionRecord.DONE,
        "x_cross/TRIGGER/3": ActionRecord.DONE, "x_cross/TRIGGER/4": ActionRecord.FAILED}
    dead = by_name["x_cross/TRIGGER/4"]
    assert dead.attempts == 3 and "Connection refused" in dead.detail
    done = by_name["x_cross/TRIGGER/1"]
    assert done.header.stamp == x.header.stamp and done.header.frame_id == "camera_optical_frame"
    assert done.target == f"osc+tcp://127.0.0.1:{rig.tcp.port}/eos/cue/1/5/fire" and done.action_type == "osc"
    assert 0.0 <= done.latency_s < 60.0 and not math.isnan(done.latency_s)

    for gesture, event_type in [("swipe_right", TRIGGER), ("open_palm", START), ("pointing", START),
                                ("pointing", END), ("fist", END), ("fist", START), ("thumbs_up", START)]:
        last = peer.send(gesture, event_type)
    peer.records_for(last, 2)
    assert rig.udp.wait_for(1) == [("/go", [2])]
    assert wait_until(lambda: len(peer.twists) == 2)
    assert [(t.linear.x, t.angular.z) for t in peer.twists] == [(0.0, 0.0), (0.2, -0.1)]
    assert wait_until(lambda: peer.strings == ["pointing ended"])
    assert wait_until(lambda: peer.trigger_calls == 1)
    assert rig.player.get("volume") == 110 and rig.player.get("pause") is True

    last = peer.send("x_cross", TRIGGER)
    # the second x_cross: cue in cooldown (skipped), the rest ran again
    second = {r.action_name: r for r in peer.records_for(last, 4)}
    assert second["x_cross/TRIGGER/1"].result == ActionRecord.SKIPPED
    assert second["x_cross/TRIGGER/1"].detail.startswith("cooldown: ")
    assert second["x_cross/TRIGGER/3"].result == ActionRecord.DONE
    assert len(rig.tcp.snapshot()) == 1 and len(rig.http.snapshot()) == 2
    assert wait_until(lambda: any(r.action_name == "fist/START/1" and r.detail == "fist 7" for r in peer.records))

    assert wait_until(lambda: any(s.values and any(kv.key == "dead state" and kv.value == "failing"
                                                   for kv in s.values) for d in peer.diagnostics for s in d.status))
    status = [s for d in peer.diagnostics for s in d.status if s.name == NODE][-1]
    values = {kv.key: kv.value for kv in status.values}
    assert status.level == b"\x01" and "dead" in status.message
    assert values["eos state"] == "ok" and values["events"] == "9" and values["events unmapped"] == "1"
    assert proc.stop() == 0
    assert "Traceback" not in proc.log_path.read_text()


def test_disarmed_fires_nothing_and_stale_events_are_dropped(rig):
    rig.start()
    peer = rig.peer
    response = peer.call(peer.set_armed, SetBool.Request(data=False))
    assert response.success and response.message == "disarmed"
    event = peer.send("swipe_right", TRIGGER)
    record, = peer.records_for(event, 1)
    assert (record.result, record.detail) == (ActionRecord.SKIPPED, "disarmed")
    assert wait_until(lambda: peer.figures().get("armed") == "False")

    peer.armed.publish(Bool(data=True))
    assert wait_until(lambda: peer.figures().get("armed") == "True")
    stale = peer.send("swipe_right", TRIGGER, age_s=10.0)
    record, = peer.records_for(stale, 1)
    assert record.result == ActionRecord.SKIPPED and record.detail.startswith("stale: event is 10.")
    fresh = peer.send("swipe_right", TRIGGER)
    assert peer.records_for(fresh, 1)[0].result == ActionRecord.DONE
    assert rig.udp.wait_for(1) == [("/go", [fresh.sequence])]
    assert len(rig.udp.snapshot()) == 1

    disarm = peer.node.create_publisher(Empty, "dispatch/disarm", EVENT_QOS)  # the venue bridge's disarm-only topic
    assert wait_until(lambda: disarm.get_subscription_count() > 0, timeout=30)
    disarm.publish(Empty())
    assert wait_until(lambda: peer.figures().get("armed") == "False")
    late = peer.send("swipe_right", TRIGGER)
    assert (peer.records_for(late, 1)[0].result, peer.records_for(late, 1)[0].detail) == (ActionRecord.SKIPPED, "disarmed")


def test_burst_of_fifty_yields_at_most_the_configured_count(rig):
    rig.start(global_rate_limit=3, global_rate_window_s=3600.0)
    peer = rig.peer
    events = [peer.send("swipe_right", TRIGGER) for _ in range(50)]
    assert wait_until(lambda: len(peer.records) == 50)
    done = [r for r in peer.records if r.result == ActionRecord.DONE]
    assert len(done) == 3
    assert sum(r.detail.startswith("global rate limit: 3 events per 3600 s") for r in peer.records) == 47
    assert rig.udp.wait_for(3) == [("/go", [e.sequence]) for e in events[:3]]
    # Nothing more arrives: all 50 records are in, so every send was made before this datagram, which
    # the receiver's socket hands out after them (one socket, in order; no waiting a while and hoping).
    end = ("/test/end", [1])
    SimpleUDPClient(LOOPBACK, rig.udp.port).send_message(*end)
    assert wait_until(lambda: end in rig.udp.snapshot())
    assert [item for item in rig.udp.snapshot() if item != end] == [("/go", [e.sequence]) for e in events[:3]]


def test_run_time_parameters_cannot_switch_the_safety_off(rig):
    # issue 26 item 6: anyone on the DDS domain can call set_parameters; none of these may change
    rig.start()
    peer = rig.peer
    for name, value in [("action_map", "/dev/zero"), ("armed", False), ("max_event_age_s", 0.0),
                        ("hold_timeout_s", 60.0), ("global_rate_limit", 0), ("max_stamp_skew_s", 0.0),
                        ("stop_latch_s", 0.0), ("hold_exit_threshold", 0.0), ("model", "/dev/zero")]:
        result = peer.set_param(name, value)
        assert not result.successful and "read-only" in result.reason, (name, result.reason)
    values = peer.call(peer.get_params, GetParameters.Request(names=["action_map", "max_event_age_s"])).values
    assert (values[0].string_value, values[1].double_value) == (str(rig.map_path), 2.0)
    event = peer.send("swipe_right", TRIGGER)
    assert peer.records_for(event, 1)[0].result == ActionRecord.DONE  # still armed, the map in force
    assert rig.udp.wait_for(1) == [("/go", [event.sequence])]


def test_bad_map_at_start_up_is_one_clear_error_and_the_node_keeps_running(rig):
    rig.map_path.write_text("actions:\n  fist:\n    START: [{target: nowhere}]\n")
    proc = rig.start(published=("actions/log",))
    peer = rig.peer
    event = peer.send("fist", START)
    assert wait_until(lambda: any(s.level == b"\x02" for d in peer.diagnostics for s in d.status))
    assert not [r for r in peer.records if r.event_id == event.event_id]
    assert proc.proc.poll() is None
    log = proc.log()
    assert f"{rig.map_path}:3: unknown target 'nowhere'" in log and "Traceback" not in log


ROBOT_MAP = """\
    targets:
      base: {type: ros}
    actions:
      pointing:
        START: [{target: base, name: forward, topic: cmd_vel, msg_type: geometry_msgs/Twist, linear: {x: 0.2},
                 repeat_hz: 10}]
        END: [{target: base, name: forward_end, topic: cmd_vel, msg_type: geometry_msgs/Twist}]
      open_palm:
        START: [{target: base, name: halt, topic: cmd_vel, msg_type: geometry_msgs/Twist, stop: true}]
    """
POINTING, NOT_POINTING = {"none": 0.05, "pointing": 0.9, "open_palm": 0.05}, {"none": 0.9, "pointing": 0.05}


def _start_robot(rig, **params):
    rig.map_path.write_text(dedent(ROBOT_MAP))
    rig.start(published=("actions/log", "cmd_vel"), arm=False, hold_timeout_s=0.5, **params)
    peer = rig.peer
    # issue 26 item 4: a map that publishes a Twist starts disarmed though 'armed' defaults to true
    assert wait_until(lambda: peer.figures().get("armed") == "False")
    start = peer.send("pointing", START)
    assert peer.records_for(start, 1)[0].detail == "disarmed" and not peer.twists
    assert peer.call(peer.set_armed, SetBool.Request(data=True)).success
    peer.send("pointing", END)
    assert wait_until(lambda: len(peer.twists) == 1)  # the END's stop ran while the START did not


def _scores_until(peer, scores, done, timeout=10.0, person=0) -> bool:
    """Publish scores at 10 Hz, as the classifier does, until ``done()``; return whether it came."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and not done():
        peer.send_scores(scores, person)
        time.sleep(0.1)
    return done()


def _stopped(peer, after: int):
    return lambda: any(t.linear.x == 0.0 for t in peer.twists[after:])


@pytest.mark.parametrize("end", ["none", "stamped 2 h off"])
def test_a_lost_or_refused_end_does_not_leave_the_robot_driving(rig, end):
    # issue 26 item 1: scores that rank 'none' are no sign of life of a held 'pointing', and an
    # END the node refuses (stamped outside max_stamp_skew_s) still ends the hold
    _start_robot(rig)
    peer = rig.peer
    peer.send("pointing", START)
    assert _scores_until(peer, POINTING, lambda: len(peer.moving()) >= 3), "the held gesture never drove"
    before = len(peer.twists)
    if end == "none":
        assert _scores_until(peer, NOT_POINTING, _stopped(peer, before)), "still driving on scores ranking none"
        reason = "released (the gesture/scores of 'test/cam0' no longer rank 'pointing' for 0.5 s (gesture/scores))"
    else:
        peer.send("pointing", END, age_s=7200.0)
        assert _scores_until(peer, POINTING, _stopped(peer, before)), "still driving after a refused END"
        reason = "released (END refused: stamp)"
    stop_at = next(i for i, t in enumerate(peer.twists) if i >= before and t.linear.x == 0.0)
    _scores_until(peer, POINTING, lambda: False, timeout=1.0)  # the hold is gone: scores revive nothing
    assert all(t.linear.x == 0.0 for t in peer.twists[stop_at:])
    assert wait_until(lambda: any(r.action_name == "forward_end" and r.detail.startswith(reason)
                                  for r in peer.records)), [r.detail for r in peer.records]


def test_a_stop_from_another_person_ends_the_drive_and_latches(rig):
    # issue 26 item 2: person 1 points, person 2 shows the palm
    _start_robot(rig, stop_latch_s=1.5)
    peer = rig.peer
    peer.send("pointing", START, person=1)
    assert _scores_until(peer, POINTING, lambda: len(peer.moving()) >= 3, person=1)
    before = len(peer.twists)
    peer.send("open_palm", START, person=2)
    assert wait_until(_stopped(peer, before))
    moved = len(peer.moving())
    _scores_until(peer, POINTING, lambda: False, timeout=1.0, person=1)  # person 1 still points: a second
    assert len(peer.moving()) == moved
    peer.send("pointing", END, person=1)
    again = peer.send("pointing", START, person=1)  # person 1 points anew while the palm is up
    record, = peer.records_for(again, 1)
    assert record.result == ActionRecord.SKIPPED and record.detail.startswith("stop latched: 'open_palm' from "
                                                                               "'test/cam0' person 2 is still held")
    peer.send("open_palm", END, person=2)
    later = peer.send("pointing", START, person=1)  # within stop_latch_s of the palm's END
    assert peer.records_for(later, 1)[0].detail.startswith("stop latched: ")
    _scores_until(peer, POINTING, lambda: False, timeout=0.5, person=1)
    assert len(peer.moving()) == moved
    assert wait_until(lambda: peer.figures().get("stop latched") == "no", timeout=10)
    peer.send("pointing", END, person=1)
    free = peer.send("pointing", START, person=1)  # the latch is over
    assert peer.records_for(free, 1)[0].result == ActionRecord.DONE
    assert wait_until(lambda: len(peer.moving()) > moved)


PROFILES = Path(__file__).resolve().parents[2] / "config" / "profiles"
ARMED_AT_START = {"concert": True, "media": True, "robot": False}  # the profile's own map


@pytest.mark.parametrize("robot_map", [False, True], ids=["own map", "robot map"])
@pytest.mark.parametrize("profile", sorted(p.stem for p in PROFILES.glob("*.yaml")))
def test_a_motion_map_starts_disarmed_under_every_shipped_profile(rclpy_context, profile, robot_map):
    # issue 26 item 4: action_map:=robot.yaml under any profile must not drive at once
    import yaml

    from gesture_ros.nodes.action_dispatch_node import ActionDispatchNode

    values = yaml.safe_load((PROFILES / f"{profile}.yaml").read_text())["/**/action_dispatch_node"]["ros__parameters"]
    values = {**values, "diagnostics_period_s": 0.1, **({"action_map": "config/actions/robot.yaml"} if robot_map else {})}
    node = ActionDispatchNode(context=rclpy_context, parameter_overrides=[Parameter(k, value=v) for k, v in values.items()])
    peer = rclpy.create_node("profile_probe", context=rclpy_context)
    reports: list[DiagnosticArray] = []
    peer.create_subscription(DiagnosticArray, "/diagnostics", reports.append, 10)
    executor = SingleThreadedExecutor(context=rclpy_context)
    executor.add_node(node)
    executor.add_node(peer)
    try:
        end = time.monotonic() + 20
        while not reports and time.monotonic() < end:
            executor.spin_once(timeout_sec=0.05)
        figures = {kv.key: kv.value for kv in reports[-1].status[0].values}
        assert figures["action map"].endswith(values["action_map"])
        assert figures["armed"] == str(ARMED_AT_START[profile] and not robot_map)
    finally:
        executor.shutdown()
        node.destroy_node()
        peer.destroy_node()
