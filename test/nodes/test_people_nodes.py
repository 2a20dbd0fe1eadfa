"""Several people through the real keypoint_node (max_people 3) over DDS, and person ids in the ROS messages."""

from __future__ import annotations

import os
import sys

import pytest
from support.people_stage import side_by_side
from support.ros_env import NodeProcess

rclpy = pytest.importorskip("rclpy")

from gesture_ros.msg import Keypoints  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.qos import QoSProfile, ReliabilityPolicy  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402
from visualization_msgs.msg import Marker, MarkerArray  # noqa: E402

from gesture_ros.common.gesture_event import EventType, GestureEventData  # noqa: E402
from gesture_ros.ros.conversions import bgr_to_image, keypoints_to_msg, msg_to_keypoints  # noqa: E402
from gesture_ros.ros.event_conversion import event_from_msg, event_to_msg  # noqa: E402
from gesture_ros.ros.node_main import spin_until  # noqa: E402
from gesture_ros.ros.qos import SENSOR_QOS  # noqa: E402

PROBE_QOS = QoSProfile(depth=300, reliability=ReliabilityPolicy.BEST_EFFORT)
ENV = {"PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}


def test_keypoint_node_publishes_one_message_per_person_with_the_image_header(domain, rclpy_context, tmp_path):
    node = rclpy.create_node("people_probe", context=rclpy_context)
    executor = SingleThreadedExecutor(context=rclpy_context)
    executor.add_node(node)
    got: list[Keypoints] = []
    markers: list[MarkerArray] = []
    node.create_subscription(Keypoints, "keypoints", got.append, PROBE_QOS)
    node.create_subscription(MarkerArray, "keypoints/markers", markers.append, PROBE_QOS)
    publisher = node.create_publisher(Image, "image_raw", SENSOR_QOS)
    image, _ = side_by_side((0, 1, 2), scales=(1.0, 0.8, 1.0))
    try:
        with NodeProcess("keypoint_node", domain, {"max_people": 3}, log_dir=tmp_path, env=ENV) as kp:
            assert spin_until(executor, lambda: publisher.get_subscription_count() >= 1, 60), kp.log()
            for i in range(40):  # one image at a time, until three people are tracked in a few frames
                msg = bgr_to_image(image)
                msg.header.stamp.sec, msg.header.stamp.nanosec = 100, i * 40_000_000
                msg.header.frame_id = "stage_cam"
                publisher.publish(msg)
                spin_until(executor, lambda i=i: any(k.header.stamp.nanosec == i * 40_000_000 for k in got), 15)
                done = [s for s in {k.header.stamp.nanosec for k in got}
                        if len({k.person_id for k in got if k.header.stamp.nanosec == s}) == 3]
                if len(done) >= 3 and markers:
                    break
            log = kp.log()
    finally:
        executor.shutdown()
        node.destroy_node()
    assert done, f"no frame with three people in {len(got)} keypoints messages:\n{log[-2000:]}"
    last = max(done)
    people = [k for k in got if k.header.stamp.nanosec == last]
    assert sorted(k.person_id for k in people) == [1, 2, 3], log
    assert all(k.header.frame_id == "stage_cam" and k.header.stamp.sec == 100 and len(k.pose) == 33 for k in people)
    assert "onnx-people" in people[0].model
    spaces = {m.ns for m in markers[-1].markers}
    labels = [m for m in markers[-1].markers if m.type == Marker.TEXT_VIEW_FACING]
    assert {"person1/pose/bones", "person2/pose/bones", "person3/pose/bones"} <= spaces
    assert sorted(m.text for m in labels) == ["person 1", "person 2", "person 3"]
    colours = {(m.color.r, m.color.g, m.color.b) for m in markers[-1].markers if m.ns.endswith("pose/bones")}
    assert len(colours) == 3


def test_person_ids_survive_the_keypoints_and_event_messages():
    from gesture_ros.common.landmarks import KeypointFrame

    frame = KeypointFrame(stamp_ns=5, frame_id="cam", image_width=4, image_height=3, person_id=9)
    assert msg_to_keypoints(keypoints_to_msg(frame)).person_id == 9
    event = GestureEventData(event_id="e", gesture="fist", event_type=EventType.START, stamp_ns=7, person_id=4)
    msg = event_to_msg(event)
    assert msg.person_id == 4 and event_from_msg(msg) == event


def test_classifier_node_keeps_people_apart_and_publishes_rep155_bodies(rclpy_context, tmp_path):
    import dataclasses
    import time

    from gesture_ros.msg import GestureEvent
    from rclpy.parameter import Parameter
    from support import hand_frames as hf
    from support.tiny_onnx import write_model

    from gesture_ros.nodes.classifier_node import ClassifierNode
    from gesture_ros.ros.qos import EVENT_QOS

    hri = pytest.importorskip("hri_msgs.msg", reason="hri_msgs is not built (../shared/ros2-extra/src/hri_msgs)")
    model = write_model(tmp_path / "tiny.onnx", window=8, model_id="tiny", version="1")
    params = {"model_path": str(model), "providers": ["cpu"], "min_duration_s": 0.2, "cooldown_s": 0.5,
              "watch_model_file": False, "keypoint_timeout_s": 0.5, "hri_output": True}
    node = ClassifierNode(context=rclpy_context, parameter_overrides=[Parameter(k, value=v) for k, v in params.items()])
    peer = rclpy.create_node("people_peer", context=rclpy_context)
    executor = SingleThreadedExecutor(context=rclpy_context)
    executor.add_node(node)
    executor.add_node(peer)
    events: list[GestureEvent] = []
    tracked, gestures = [], []
    peer.create_subscription(GestureEvent, "gesture/events", events.append, EVENT_QOS)
    peer.create_subscription(hri.IdsList, "humans/bodies/tracked", tracked.append, 10)
    peer.create_subscription(hri.Gesture, "humans/bodies/b1/gesture", gestures.append, 10)
    pub = peer.create_publisher(Keypoints, "keypoints", SENSOR_QOS)

    def spin(done, timeout=10.0):
        end = time.monotonic() + timeout
        while not done() and time.monotonic() < end:
            executor.spin_once(timeout_sec=0.05)
        return done()

    def send(frame):
        before = node.frames_received
        pub.publish(keypoints_to_msg(frame))
        assert spin(lambda: node.frames_received > before)

    try:
        assert spin(lambda: pub.get_subscription_count() > 0 and peer.count_publishers("gesture/events") > 0)
        spin(lambda: False, 0.5)  # the lazily created body publishers and the tracked list get matched
        for f in hf.still(30, x=0.3):  # person 1 holds an open palm beside person 2, hands down
            send(dataclasses.replace(f, person_id=1))
            send(dataclasses.replace(hf.frame(f.stamp_ns), person_id=2))
        for f in hf.empty(20, start=30):  # person 1 has left
            send(dataclasses.replace(f, person_id=2))
        assert spin(lambda: len(events) >= 2 and gestures and tracked), (events, gestures, tracked)
    finally:
        executor.shutdown()
        node.destroy_node()
        peer.destroy_node()
    assert [(e.person_id, e.event_type, e.gesture) for e in events[:2]] == [
        (1, GestureEvent.START, "open_palm"), (1, GestureEvent.END, "open_palm")]
    assert gestures[0].gesture == hri.Gesture.RIGHT_HAND_RAISED
    assert ["b1", "b2"] in [list(t.ids) for t in tracked] and ["b2"] == list(tracked[-1].ids)
