"""Ctrl-C as a terminal and ros2 launch deliver it: two SIGINTs, the second while the node closes.

Every node executable ends with exit code 0 and no traceback, and the classifier still
publishes the END of a gesture that was held when the signal came.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

rclpy = pytest.importorskip("rclpy")

from gesture_ros.msg import GestureEvent, Keypoints  # noqa: E402
from support import hand_frames as hf  # noqa: E402
from support.ros_env import NodeProcess, ProbeNode  # noqa: E402
from support.tiny_onnx import write_model  # noqa: E402

from gesture_ros.ros.conversions import keypoints_to_msg, stamp_to_ns  # noqa: E402
from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS  # noqa: E402

SECOND_SIGINT_AFTER_S = 0.2  # launch forwards its SIGINT a moment after the terminal's


class Peer(ProbeNode):
    """A test node on the node's domain: publishes keypoints, records events, sees the graph."""

    def __init__(self, context) -> None:
        super().__init__(context, "shutdown_test_peer")
        self.events: list[GestureEvent] = []
        self.keypoints = self.node.create_publisher(Keypoints, "keypoints", SENSOR_QOS)
        self.node.create_subscription(GestureEvent, "gesture/events", self.events.append, EVENT_QOS)

    def has_node(self, name: str) -> bool:
        return name in self.node.get_node_names()


def ctrl_c(proc: NodeProcess, peer: Peer) -> int:
    """SIGINT, a second one while the node closes, then wait; return the exit code."""
    proc.proc.send_signal(signal.SIGINT)
    peer.spin_until(lambda: False, SECOND_SIGINT_AFTER_S)
    if proc.proc.poll() is None:
        proc.proc.send_signal(signal.SIGINT)
    end = time.monotonic() + 20
    while proc.proc.poll() is None and time.monotonic() < end:
        peer.executor.spin_once(timeout_sec=0.05)  # the END arrives meanwhile
    return proc.stop()


def test_ctrl_c_ends_the_classifier_after_the_end_of_a_held_gesture(domain, rclpy_context, tmp_path):
    model = write_model(tmp_path / "tiny.onnx", window=8)
    peer = Peer(rclpy_context)
    proc = NodeProcess("classifier_node", domain, {"model_path": str(model), "providers": ["cpu"],
                                                    "min_duration_s": 0.0}, log_dir=tmp_path)
    try:
        assert peer.spin_until(lambda: peer.keypoints.get_subscription_count() > 0
                               and peer.node.count_publishers("gesture/events") > 0, 30), proc.log()
        last = 0
        for frame in hf.still(40):  # an open palm, held
            peer.keypoints.publish(keypoints_to_msg(frame))
            last = frame.stamp_ns
            peer.spin_until(lambda: False, 0.02)
            if peer.events:
                break
        assert [(e.event_type, e.gesture) for e in peer.events] == [(GestureEvent.START, "open_palm")], proc.log()
        code = ctrl_c(proc, peer)
        log = proc.log_path.read_text(errors="replace")
        assert [(e.event_type, e.gesture) for e in peer.events][1:] == [(GestureEvent.END, "open_palm")], log
        assert stamp_to_ns(peer.events[1].header.stamp) == last  # the last frame the node saw
        assert code == 0 and "Traceback" not in log and "KeyboardInterrupt" not in log, log
    finally:
        proc.stop()
        peer.close()


@pytest.mark.parametrize("exe,params", [
    ("action_dispatch_node", {}),
    ("bridge_node", {"broker_port": 1, "outbox_path": "{tmp}/outbox.sqlite3"}),  # no broker: reconnecting
    ("recorder_node", {"output_dir": "{tmp}"}),
])
def test_ctrl_c_twice_ends_a_node_cleanly(exe, params, domain, rclpy_context, tmp_path):
    peer = Peer(rclpy_context)
    proc = NodeProcess(exe, domain, {k: v.format(tmp=tmp_path) if isinstance(v, str) else v
                                     for k, v in params.items()}, log_dir=tmp_path)
    try:
        assert peer.spin_until(lambda: peer.has_node(exe), 30), proc.log()
        code = ctrl_c(proc, peer)
        log = proc.log_path.read_text(errors="replace")
        assert code == 0, log
        assert "Traceback" not in log and "KeyboardInterrupt" not in log, log
    finally:
        proc.stop()
        peer.close()


def test_ctrl_c_during_start_up_ends_a_node_quietly(domain, tmp_path):
    """SIGINT while the node still imports its libraries (rclpy's extension is loaded, no node yet)."""
    proc = NodeProcess("keypoint_node", domain, {"model": "hands"}, log_dir=tmp_path)
    pid = proc.proc.pid
    loaded = False
    end = time.monotonic() + 30
    while not loaded and time.monotonic() < end and proc.proc.poll() is None:
        try:
            loaded = "_rclpy_pybind11" in open(f"/proc/{pid}/maps").read()
        except OSError:
            pass
        time.sleep(0.005)
    assert loaded, proc.log()
    # Hold the process still and check it is where the test says: no socket yet, so rclpy.init() has not
    # made its DDS participant and no node exists. The SIGINT waits for SIGCONT.
    os.kill(pid, signal.SIGSTOP)
    try:
        fds = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        assert not [fd for fd in fds if fd.startswith("socket:")], "the node was past its imports already"
        os.kill(pid, signal.SIGINT)
    finally:
        os.kill(pid, signal.SIGCONT)
    code = proc.stop()
    log = proc.log_path.read_text(errors="replace")
    assert code == 0, log
    assert "Traceback" not in log and "KeyboardInterrupt" not in log, log
