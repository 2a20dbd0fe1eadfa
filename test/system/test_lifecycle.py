"""keypoint_node and classifier_node as managed nodes, driven by the real ``ros2 lifecycle`` CLI.

Each node runs as its own process (``autostart:=false``: it waits unconfigured for a supervisor)
on the test's own DDS domain; ``ros2 lifecycle set`` takes it through configure, activate,
deactivate, cleanup and shutdown and ``ros2 lifecycle get`` reads the state after each. A test
node in this process checks what each state means on the graph: the input is subscribed only
while active, and the classifier ENDs a held gesture when it is deactivated. A missing model
leaves classifier_node unconfigured, with the file named in one log line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from contextlib import closing

import pytest

rclpy = pytest.importorskip("rclpy")

from gesture_ros.msg import GestureEvent, Keypoints  # noqa: E402
from support import hand_frames as hf  # noqa: E402
from support.bridge_rig import venv_path  # noqa: E402
from support.ros_env import NodeProcess, ProbeNode  # noqa: E402
from support.tiny_onnx import write_model  # noqa: E402

from gesture_ros.ros.conversions import keypoints_to_msg  # noqa: E402
from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS  # noqa: E402

START, END = GestureEvent.START, GestureEvent.END
ENV = venv_path()


def _ros2_lifecycle(domain, *args: str, timeout: float = 60.0) -> str:
    if shutil.which("ros2", path=ENV["PATH"]) is None:
        pytest.fail("the ros2 CLI is missing: make test installs ../shared/ros2-extra into the venv")
    out = subprocess.run(["ros2", "lifecycle", *args, "--no-daemon", "--spin-time", "5"], env=domain.env(ENV),
                         capture_output=True, text=True, timeout=timeout)
    return out.stdout + out.stderr


def get_state(domain, node: str, attempts: int = 6) -> str:
    """``ros2 lifecycle get``: the state's label; retried while discovery has not found the node yet."""
    out = ""
    for _ in range(attempts):
        out = _ros2_lifecycle(domain, "get", node)
        found = re.search(r"^(unconfigured|inactive|active|finalized) \[\d\]$", out, re.MULTILINE)
        if found:
            return found.group(1)
        time.sleep(1.0)
    raise AssertionError(f"ros2 lifecycle get {node}: {out[-1000:]}")


def set_state(domain, node: str, transition: str) -> str:
    """``ros2 lifecycle set`` once (a repeated transition would be another one); return its output."""
    return _ros2_lifecycle(domain, "set", node, transition)


class Peer(ProbeNode):
    """A test node on the same domain: counts the node's subscriptions, sends keypoints, takes events."""

    def __init__(self, context) -> None:
        super().__init__(context, "lifecycle_test_peer")
        self.kp_pub = self.node.create_publisher(Keypoints, "keypoints", SENSOR_QOS)
        self.events: list[GestureEvent] = []
        self.node.create_subscription(GestureEvent, "gesture/events", self.events.append, EVENT_QOS)

    def subscribers(self, topic: str) -> int:
        return self.node.count_subscribers(topic)


@pytest.fixture
def peer(rclpy_context):
    with closing(Peer(rclpy_context)) as p:
        yield p


def kinds(events):
    return [(e.event_type, e.gesture) for e in events]


def test_ros2_lifecycle_drives_classifier_node_through_every_transition(domain, peer, tmp_path):
    model = write_model(tmp_path / "tiny.onnx", window=8)
    node = NodeProcess("classifier_node", domain, {"model_path": str(model), "providers": ["cpu"],
                                                   "autostart": False, "min_duration_s": 0.2,
                                                   "keypoint_timeout_s": 0.0},  # only deactivate ENDs
                       log_dir=tmp_path, env=ENV)
    try:
        assert get_state(domain, "/classifier_node") == "unconfigured"
        assert peer.subscribers("keypoints") == 0
        assert "Transitioning successful" in set_state(domain, "/classifier_node", "configure")
        assert get_state(domain, "/classifier_node") == "inactive"
        assert "loaded " in node.log() and peer.subscribers("keypoints") == 0
        assert "Transitioning successful" in set_state(domain, "/classifier_node", "activate")
        assert get_state(domain, "/classifier_node") == "active"
        assert peer.spin_until(lambda: peer.subscribers("keypoints") == 1), "active: keypoints not subscribed"
        assert peer.spin_until(lambda: peer.node.count_publishers("gesture/events") == 1)
        for frame in hf.still(24):  # an open palm held: START
            peer.kp_pub.publish(keypoints_to_msg(frame))
            peer.spin_until(lambda: False, 0.05)
        assert peer.spin_until(lambda: kinds(peer.events) == [(START, "open_palm")]), kinds(peer.events)
        # deactivate: processing stops and the held gesture ENDs
        assert "Transitioning successful" in set_state(domain, "/classifier_node", "deactivate")
        assert peer.spin_until(lambda: len(peer.events) >= 2), kinds(peer.events)
        assert kinds(peer.events) == [(START, "open_palm"), (END, "open_palm")]
        assert get_state(domain, "/classifier_node") == "inactive"
        assert peer.spin_until(lambda: peer.subscribers("keypoints") == 0), "inactive: still subscribed"
        assert "Transitioning successful" in set_state(domain, "/classifier_node", "cleanup")
        assert get_state(domain, "/classifier_node") == "unconfigured"
        # and up again from scratch, then shut down from active
        for transition in ("configure", "activate"):
            assert "Transitioning successful" in set_state(domain, "/classifier_node", transition)
        assert get_state(domain, "/classifier_node") == "active"
        assert "Transitioning successful" in set_state(domain, "/classifier_node", "shutdown")
        assert get_state(domain, "/classifier_node") == "finalized"
        assert peer.spin_until(lambda: peer.subscribers("keypoints") == 0)
        assert node.proc.poll() is None, "the process ends only on a signal"
    finally:
        code = node.stop()
    log = node.log_path.read_text(errors="replace")
    assert code == 0, log[-3000:]
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]


def test_a_missing_model_leaves_classifier_node_unconfigured_with_the_reason(domain, tmp_path):
    absent = tmp_path / "absent.onnx"
    node = NodeProcess("classifier_node", domain, {"model_path": str(absent), "autostart": False},
                       log_dir=tmp_path, env=ENV)
    try:
        assert get_state(domain, "/classifier_node") == "unconfigured"
        out = set_state(domain, "/classifier_node", "configure")
        assert "Transitioning successful" not in out, out
        assert get_state(domain, "/classifier_node") == "unconfigured"
        reasons = [line for line in node.log().splitlines() if "configure failed" in line]
        assert len(reasons) == 1 and f"model file {absent} does not exist" in reasons[0], node.log()
        assert "Traceback" not in node.log()
    finally:
        node.stop()
    # autostart (the default): no supervisor will ever configure it, so the start fails in one sentence
    started = NodeProcess("classifier_node", domain, {"model_path": str(absent)}, log_dir=tmp_path, env=ENV)
    try:
        assert started.wait(timeout=60) == 1, started.log()
    finally:
        started.stop()
    log = started.log_path.read_text(errors="replace")
    assert re.search(rf"cannot start: model file {re.escape(str(absent))} does not exist", log), log


def test_ros2_lifecycle_drives_keypoint_node_through_every_transition(domain, peer, tmp_path):
    node = NodeProcess("keypoint_node", domain, {"model": "hands", "autostart": False}, log_dir=tmp_path, env=ENV)
    try:
        assert get_state(domain, "/keypoint_node") == "unconfigured"
        assert "Transitioning successful" in set_state(domain, "/keypoint_node", "configure")
        assert get_state(domain, "/keypoint_node") == "inactive"
        assert peer.subscribers("image_raw") == 0
        assert "Transitioning successful" in set_state(domain, "/keypoint_node", "activate")
        assert get_state(domain, "/keypoint_node") == "active"
        assert peer.spin_until(lambda: peer.subscribers("image_raw") == 1), "active: image_raw not subscribed"
        assert "Transitioning successful" in set_state(domain, "/keypoint_node", "deactivate")
        assert get_state(domain, "/keypoint_node") == "inactive"
        assert peer.spin_until(lambda: peer.subscribers("image_raw") == 0), "inactive: still subscribed"
        assert "Transitioning successful" in set_state(domain, "/keypoint_node", "cleanup")
        assert get_state(domain, "/keypoint_node") == "unconfigured"
        assert "Transitioning successful" in set_state(domain, "/keypoint_node", "shutdown")
        assert get_state(domain, "/keypoint_node") == "finalized"
    finally:
        code = node.stop()
    log = node.log_path.read_text(errors="replace")
    assert code == 0, log[-3000:]
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
