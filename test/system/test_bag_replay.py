"""Record the camera topics, replay them on the recording's clock: the live run's events.

Live: camera_node plays the swipe GIF (every frame, as fast as keypoint_node answers, on its replay
clock) into keypoint_node and classifier_node (use_sim_time), while recorder_node records
image_raw and camera_info into MCAP. Replay: fresh keypoint_node and classifier_node processes
(use_sim_time) get the recorded messages from this test, which publishes ``/clock`` from each
frame's stamp before the frame, as ``ros2 bag play --clock`` does (rosbag2 itself is not
installable from the PyPI wheels; docs/bringup.md gives its recipe), and sends the next frame
once the keypoints of the last one came back. Real processes on the test's own DDS domain.
"""

from __future__ import annotations

from pathlib import Path

import pytest

rclpy = pytest.importorskip("rclpy")

from gesture_ros.msg import GestureEvent, Keypoints  # noqa: E402
from rclpy.serialization import deserialize_message  # noqa: E402
from rosgraph_msgs.msg import Clock  # noqa: E402
from sensor_msgs.msg import CameraInfo, Image  # noqa: E402
from support.bridge_rig import venv_path  # noqa: E402
from support.data import shared_data  # noqa: E402
from support.ros_env import REPO, NodeProcess, ProbeNode  # noqa: E402

from gesture_ros.ros.conversions import ns_to_stamp, stamp_to_ns  # noqa: E402
from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS  # noqa: E402

CLIP = "videos/swipe2_left_right.gif"
ENV = venv_path()
CONFIG = REPO / "config"
SIM = {"use_sim_time": True}


def _files(node: str) -> list[str]:
    return ["--params-file", str(CONFIG / f"{node}.yaml"), "--params-file", str(CONFIG / "profiles" / "media.yaml")]


class Listener(ProbeNode):
    """The test's node: events and keypoints in; /clock, image_raw and camera_info out for the replay."""

    def __init__(self, context) -> None:
        super().__init__(context, "bag_replay_test")
        self.events: list[GestureEvent] = []
        self.keypoint_stamps: set[int] = set()
        self.node.create_subscription(GestureEvent, "gesture/events", self.events.append, EVENT_QOS)
        self.node.create_subscription(Keypoints, "keypoints", lambda m: self.keypoint_stamps.add(
            stamp_to_ns(m.header.stamp)), SENSOR_QOS)
        self.clock = self.node.create_publisher(Clock, "/clock", 10)
        self.image = self.node.create_publisher(Image, "image_raw", SENSOR_QOS)
        self.info = self.node.create_publisher(CameraInfo, "camera_info", SENSOR_QOS)

    def events_seen(self) -> list[tuple[int, str, int]]:
        return [(e.event_type, e.gesture, stamp_to_ns(e.header.stamp)) for e in self.events]


def _pipeline(domain, tmp_path) -> list[NodeProcess]:
    return [NodeProcess("classifier_node", domain, SIM, _files("classifier"), log_dir=tmp_path, env=ENV),
            NodeProcess("keypoint_node", domain, SIM, _files("keypoint"), log_dir=tmp_path, env=ENV)]


def _stop(nodes: list[NodeProcess]) -> None:
    for node in reversed(nodes):
        node.stop()


def _recorded(path: Path) -> list[tuple[str, bytes]]:
    from mcap.reader import make_reader

    with open(path, "rb") as handle:
        return [(channel.topic, message.data) for _, channel, message in
                make_reader(handle).iter_messages(topics=["/image_raw", "/camera_info"])]


def _live(domain, listener: Listener, tmp_path: Path) -> tuple[list, Path]:
    nodes = _pipeline(domain, tmp_path)
    nodes.append(NodeProcess("recorder_node", domain, {"output_dir": str(tmp_path / "rec"), "record_images": True,
                                                       "compression": "none"}, log_dir=tmp_path, env=ENV))
    try:
        assert listener.spin_until(lambda: listener.node.count_publishers("gesture/events") == 1
                                   and listener.node.count_subscribers("image_raw") == 2, 120), "pipeline not up"
        camera = NodeProcess("camera_node", domain, {"source": str(shared_data(CLIP)), "pace": "as_fast_as_consumed",
                                                     "publish_clock": True, "wait_for_subscribers": 2},
                             log_dir=tmp_path, env=ENV)
        nodes.append(camera)
        assert listener.spin_until(lambda: camera.proc.poll() is not None, 300), "the clip did not end"
        assert camera.proc.returncode == 0, camera.log()[-2000:]
        listener.spin_until(lambda: False, 2.0)  # the last keypoints and events arrive
        events = listener.events_seen()
    finally:
        _stop(nodes)  # the recorder closes its file
    (path,) = (tmp_path / "rec").glob("*.mcap")
    return events, path


def _replay(domain, listener: Listener, messages: list[tuple[str, bytes]], tmp_path: Path) -> list:
    nodes = _pipeline(domain, tmp_path)
    try:
        assert listener.spin_until(lambda: listener.node.count_publishers("gesture/events") == 1
                                   and listener.node.count_subscribers("image_raw") == 1
                                   and listener.node.count_subscribers("/clock") >= 2, 120), "pipeline not up"
        listener.keypoint_stamps.clear()
        for topic, data in messages:
            msg = deserialize_message(data, Image if topic == "/image_raw" else CameraInfo)
            stamp = stamp_to_ns(msg.header.stamp)
            listener.clock.publish(Clock(clock=ns_to_stamp(stamp)))
            if topic == "/camera_info":
                listener.info.publish(msg)
                continue
            # Best effort, as a bag player sends images: a frame sent before DDS has matched the reader, or an
            # answer lost on the way back, is sent again (the latter gives the classifier that frame twice: rare).
            for _ in range(10):
                listener.clock.publish(Clock(clock=ns_to_stamp(stamp)))
                listener.image.publish(msg)
                if listener.spin_until(lambda s=stamp: s in listener.keypoint_stamps, 6):
                    break
            assert stamp in listener.keypoint_stamps, f"no keypoints for {stamp}"
        listener.spin_until(lambda: False, 2.0)
        return listener.events_seen()
    finally:
        _stop(nodes)


def test_camera_topics_recorded_and_replayed_with_a_clock_give_the_live_events(domain, rclpy_context, tmp_path):
    listener = Listener(rclpy_context)
    try:
        live, path = _live(domain, listener, tmp_path)
        messages = _recorded(path)
        images = [m for m in messages if m[0] == "/image_raw"]
        assert len(images) == 56 and len(messages) == 112, f"{len(images)} images of {len(messages)} messages"
        assert [g for kind, g, _ in live if kind == GestureEvent.TRIGGER] == ["swipe_right", "swipe_left"], live
        listener.events.clear()
        replayed = _replay(domain, listener, messages, tmp_path)
    finally:
        listener.close()
    # Same gestures in the same order, each on the same frame of the recording. Keypoints travel with
    # sensor-data QoS (best effort), so a message lost under load in either run may move an event
    # to the next frame: one frame is allowed, nothing else.
    frame = {stamp_to_ns(deserialize_message(data, Image).header.stamp): i for i, (_, data) in enumerate(images)}
    assert [e[:2] for e in replayed] == [e[:2] for e in live], (live, replayed)
    for (_, gesture, live_ns), (_, _, replayed_ns) in zip(live, replayed, strict=True):
        assert live_ns in frame and replayed_ns in frame, "an event not stamped with a recorded frame"
        assert abs(frame[live_ns] - frame[replayed_ns]) <= 1, (gesture, frame[live_ns], frame[replayed_ns])
