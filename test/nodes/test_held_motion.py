"""Held motion on a robot fails safe: real classifier_node and action_dispatch_node executables
over DDS on loopback, a ROS subscriber on cmd_vel as the robot base.

The robot keeps moving only while the pipeline says so: the Twist is re-sent while the gesture
is held; when the keypoints stop, the classifier's watchdog ends the gesture and the END's zero
Twist goes out even if the dispatcher was disarmed meanwhile; a stale END still stops; a
classifier that falls silent releases the hold. Deadlines are generous functional bounds.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from textwrap import dedent

import pytest

rclpy = pytest.importorskip("rclpy")

from geometry_msgs.msg import Twist  # noqa: E402
from gesture_ros.msg import ActionRecord, GestureEvent, GestureScores, Keypoints  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from std_srvs.srv import SetBool  # noqa: E402
from support import hand_frames as hf  # noqa: E402
from support.action_peers import call_resending, wait_until  # noqa: E402
from support.ros_env import NodeProcess  # noqa: E402
from support.tiny_onnx import write_model  # noqa: E402

from gesture_ros.ros.conversions import keypoints_to_msg, ns_to_stamp, stamp_to_ns  # noqa: E402
from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS  # noqa: E402

CHILD_ENV = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
WATCHDOG_S = 0.5
DEADLINE_S = WATCHDOG_S + 10.0  # generous: a loaded CI machine, never a performance claim
START, END = GestureEvent.START, GestureEvent.END
HELD_PALM = {"labels": ["none", "open_palm"], "probabilities": [0.1, 0.9]}  # scores that still rank the palm

ROBOT_MAP = """\
    gestures: [pointing]
    targets:
      base: {type: ros}
    actions:
      open_palm:
        START: [{target: base, name: forward, topic: cmd_vel, msg_type: geometry_msgs/Twist,
                 linear: {x: 0.2}, repeat_hz: 20}]
        END: [{target: base, name: halt, topic: cmd_vel, msg_type: geometry_msgs/Twist}]
      pointing:
        START: [{target: base, name: creep, topic: cmd_vel, msg_type: geometry_msgs/Twist, linear: {x: 0.1}}]
        END: [{target: base, name: creep_end, topic: cmd_vel, msg_type: geometry_msgs/Twist}]
    """


class Base:
    """The robot's side: cmd_vel, the events, the action records; publishes keypoints and events."""

    def __init__(self, context) -> None:
        self.node = rclpy.create_node("robot_base", context=context)
        self.twists: list[tuple[float, float]] = []  # (receipt monotonic s, linear.x)
        self.events: list[GestureEvent] = []
        self.records: list[ActionRecord] = []
        self.node.create_subscription(Twist, "cmd_vel", lambda m: self.twists.append((time.monotonic(), m.linear.x)),
                                      EVENT_QOS)
        self.node.create_subscription(GestureEvent, "gesture/events", self.events.append, EVENT_QOS)
        self.node.create_subscription(ActionRecord, "actions/log", self.records.append, EVENT_QOS)
        self.keypoints = self.node.create_publisher(Keypoints, "keypoints", SENSOR_QOS)
        self.event_pub = self.node.create_publisher(GestureEvent, "gesture/events", EVENT_QOS)
        self.scores = self.node.create_publisher(GestureScores, "gesture/scores", EVENT_QOS)
        self.set_armed = self.node.create_client(SetBool, "dispatch/set_armed")
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)
        self._thread = threading.Thread(target=self.executor.spin, daemon=True)
        self._thread.start()
        self.sent_ns: list[int] = []
        self.sequence = 0

    def arm(self, armed: bool) -> None:
        assert call_resending(self.set_armed, SetBool.Request(data=armed)).success

    def send_hand(self) -> int:
        """Publish one frame of a still open hand stamped now; return its stamp."""
        stamp = time.time_ns()
        self.keypoints.publish(keypoints_to_msg(hf.frame(stamp, 0.5)))
        self.sent_ns.append(stamp)
        return stamp

    def hold_hand_until(self, done, timeout: float = 30.0) -> bool:
        """Keep publishing a held hand at 25 Hz until ``done()``."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and not done():
            self.send_hand()
            time.sleep(0.04)
        return done()

    def send_event(self, gesture: str, event_type: int, age_s: float = 0.0) -> GestureEvent:
        self.sequence += 1
        msg = GestureEvent(event_id=f"ev-{self.sequence}", source_id="cam", sequence=self.sequence,
                           gesture=gesture, confidence=0.9, event_type=event_type, model_id="test")
        msg.header.stamp = ns_to_stamp(time.time_ns() - int(age_s * 1e9))
        msg.header.frame_id = "cam"
        msg.start_stamp = msg.end_stamp = msg.header.stamp
        self.event_pub.publish(msg)
        return msg

    def moving(self) -> list[float]:
        return [t for t, x in self.twists if x != 0.0]

    def stopped_after(self, t: float) -> bool:
        return any(x == 0.0 and at >= t for at, x in self.twists)

    def close(self) -> None:
        self.executor.shutdown()
        self._thread.join(5)
        self.node.destroy_node()


@pytest.fixture
def rig(rclpy_context, domain, tmp_path):
    model = write_model(tmp_path / "tiny.onnx", window=8, model_id="tiny", version="1")
    map_path = tmp_path / "robot.yaml"
    map_path.write_text(dedent(ROBOT_MAP))
    base = Base(rclpy_context)
    procs: dict[str, NodeProcess] = {}

    def start(classifier: bool = True, **dispatch) -> None:
        params = {"action_map": str(map_path), "model": str(model), "armed": False, "max_event_age_s": 0.3,
                  "hold_timeout_s": 0.5, "global_rate_limit": 10, **dispatch}
        procs["dispatch"] = NodeProcess("action_dispatch_node", domain, params, log_dir=tmp_path, env=CHILD_ENV)
        if classifier:
            procs["classifier"] = NodeProcess("classifier_node", domain, {
                "model_path": str(model), "providers": ["cpu"], "min_duration_s": 0.2, "cooldown_s": 0.5,
                "keypoint_timeout_s": WATCHDOG_S, "watch_model_file": False}, log_dir=tmp_path, env=CHILD_ENV)
        ready = lambda: (base.node.count_publishers("cmd_vel") > 0  # noqa: E731
                         and base.event_pub.get_subscription_count() > 0
                         and (not classifier or base.keypoints.get_subscription_count() > 0))
        assert wait_until(ready, timeout=60), "\n".join(p.log() for p in procs.values())
        base.arm(True)  # the robot starts disarmed: arming is explicit

    class Rig:
        pass

    r = Rig()
    r.__dict__.update(base=base, start=start, procs=procs)
    try:
        yield r
    finally:
        for proc in procs.values():
            proc.stop()
        base.close()
    for proc in procs.values():
        assert "Traceback" not in proc.log_path.read_text(), proc.log_path.read_text()


def _final_end(base: Base) -> GestureEvent | None:
    """Return the END decided after the last keypoints were sent (the watchdog's), if it came."""
    ends = [e for e in base.events if e.event_type == END and stamp_to_ns(e.header.stamp) > base.sent_ns[-1]]
    return ends[-1] if ends else None


def test_the_robot_stops_within_the_watchdog_time_after_the_keypoints_stop(rig):
    base = rig.base
    rig.start()
    assert base.hold_hand_until(lambda: len(base.moving()) >= 5), "the held hand never moved the base"
    last_stamp = base.sent_ns[-1]
    stopped_feeding = time.monotonic()  # the camera is unplugged: not one more frame
    assert wait_until(lambda: base.stopped_after(stopped_feeding), timeout=DEADLINE_S), \
        rig.procs["classifier"].log()[-3000:]
    stop_at = next(at for at, x in base.twists if x == 0.0 and at >= stopped_feeding)
    wait_until(lambda: False, 1.0)
    assert not [t for t in base.moving() if t > stop_at], "the base moved again after the stop"
    assert wait_until(lambda: _final_end(base) is not None)
    end = _final_end(base)
    assert end.gesture == "open_palm"
    # stamped when the watchdog fired, at least the timeout after the last keypoints; its
    # end_stamp is the last frame the classifier decided on
    assert stamp_to_ns(end.header.stamp) - last_stamp >= WATCHDOG_S * 1e9
    assert stamp_to_ns(end.end_stamp) in base.sent_ns
    # the END's stop ran, not dropped as stale (max_event_age_s 0.3); the dispatcher may have
    # stopped first on its own, when the classifier's scores stopped (hold_timeout_s 0.5)
    assert wait_until(lambda: [r.result for r in base.records if r.event_id == end.event_id] == [ActionRecord.DONE])
    assert {r.result for r in base.records if r.action_name == "halt"} == {ActionRecord.DONE}
    assert "keypoint watchdog: no keypoints from 'cam'" in rig.procs["classifier"].log()


def test_disarmed_mid_gesture_stops_at_once_and_the_watchdog_end_still_runs(rig):
    base = rig.base
    rig.start()
    assert base.hold_hand_until(lambda: len(base.moving()) >= 3)
    disarmed = time.monotonic()
    base.arm(False)
    assert base.hold_hand_until(lambda: base.stopped_after(disarmed), timeout=DEADLINE_S)  # hand still held
    first_stop = next(at for at, x in base.twists if x == 0.0 and at >= disarmed)
    base.hold_hand_until(lambda: False, timeout=0.5)
    stopped_feeding = time.monotonic()
    assert wait_until(lambda: _final_end(base) is not None, timeout=DEADLINE_S)
    end = _final_end(base)
    assert wait_until(lambda: [r.result for r in base.records if r.event_id == end.event_id] == [ActionRecord.DONE])
    assert base.stopped_after(stopped_feeding)  # the watchdog END's zero Twist, while disarmed
    assert not [t for t in base.moving() if t > first_stop], "the base moved after it was disarmed"
    released = [r for r in base.records if r.action_name == "halt" and r.detail.startswith("released (disarmed): ")]
    assert [r.result for r in released] == [ActionRecord.DONE]


def test_a_stale_or_rate_limited_end_still_stops_the_robot(rig):
    base = rig.base
    rig.start(classifier=False, global_rate_limit=1, global_rate_window_s=3600.0)
    base.send_event("pointing", START)
    assert wait_until(lambda: base.moving() != [])
    base.send_event("pointing", END, age_s=10.0)  # stale, and over the rate limit: a stop all the same
    assert wait_until(lambda: base.stopped_after(0.0))
    assert wait_until(lambda: [r.result for r in base.records if r.action_name == "creep_end"] == [ActionRecord.DONE])
    base.send_event("pointing", START)  # over the rate limit: this one does not move
    assert wait_until(lambda: any(r.action_name == "creep" and r.result == ActionRecord.SKIPPED for r in base.records))
    assert len(base.moving()) == 1


def test_a_silent_classifier_releases_the_held_motion(rig):
    base = rig.base
    rig.start(classifier=False)
    start = base.send_event("open_palm", START)
    for _ in range(10):  # the classifier's scores: its sign of life for source 'cam'
        base.scores.publish(GestureScores(header=start.header, source_id="cam", **HELD_PALM))
        time.sleep(0.05)
    assert len(base.moving()) >= 3  # the START and its repeats
    silent = time.monotonic()  # the classifier dies: no END, no scores
    assert wait_until(lambda: base.stopped_after(silent), timeout=DEADLINE_S)
    assert wait_until(lambda: any(r.action_name == "halt" for r in base.records))
    halt, = [r for r in base.records if r.action_name == "halt"]
    assert halt.result == ActionRecord.DONE and halt.detail.startswith("released (no sign of life from 'cam'")
    stop_at = next(at for at, x in base.twists if x == 0.0 and at >= silent)
    wait_until(lambda: False, 0.5)
    assert not [t for t in base.moving() if t > stop_at]


def test_ctrl_c_on_the_dispatcher_stops_the_robot_first(rig):
    base = rig.base
    rig.start(classifier=False)
    start = base.send_event("open_palm", START)
    for _ in range(6):
        base.scores.publish(GestureScores(header=start.header, source_id="cam", **HELD_PALM))
        time.sleep(0.05)
    assert base.moving()
    stopping = time.monotonic()
    assert rig.procs["dispatch"].stop() == 0  # SIGINT, as Ctrl-C
    assert wait_until(lambda: base.stopped_after(stopping), timeout=DEADLINE_S)
    assert not [t for t in base.moving() if t > next(at for at, x in base.twists if x == 0.0 and at >= stopping)]
    assert "held 'open_palm' of 'cam' released (shutting down)" in rig.procs["dispatch"].log_path.read_text()
