"""Where the classifier's decisions go: gesture/events and gesture/scores, each event's rviz label
on gesture/markers (only while someone subscribes) and, when asked for, ROS4HRI (REP-155) output."""

from __future__ import annotations

from rclpy.duration import Duration
from rclpy.node import Node
from visualization_msgs.msg import MarkerArray

from gesture_ros.classify.decision import Scores
from gesture_ros.classify.onnx_model import GestureModel
from gesture_ros.classify.params import ClassifierSettings
from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.skeleton import ImagePlane
from gesture_ros.msg import GestureEvent, GestureScores
from gesture_ros.ros.event_conversion import event_to_msg, scores_to_msg
from gesture_ros.ros.event_markers import event_markers
from gesture_ros.ros.hri_output import HriOutput, load_hri_msgs
from gesture_ros.ros.qos import EVENT_QOS


class EventOutput:
    """Publish a node's gesture events, scores, markers and (``want_hri``) REP-155 bodies and gestures."""

    def __init__(self, node: Node, warn: LogThrottle, want_hri: bool) -> None:
        self._node, self._warn = node, warn
        self._events_pub = node.create_publisher(GestureEvent, "gesture/events", EVENT_QOS)
        self._scores_pub = node.create_publisher(GestureScores, "gesture/scores", EVENT_QOS)
        self._markers_pub = node.create_publisher(MarkerArray, "gesture/markers", EVENT_QOS)
        self._hri: HriOutput | None = None
        if want_hri:
            msgs = load_hri_msgs()
            if msgs is None:
                node.get_logger().warning("hri_output is true but hri_msgs is not installed "
                                          "(install ros-$ROS_DISTRO-hri-msgs): no REP-155 output")
            else:
                self._hri = HriOutput(node, msgs)

    def frame(self, frame: KeypointFrame) -> None:
        """Note the people of a frame (REP-155 tracked bodies)."""
        if self._hri is not None:
            self._hri.frame(frame)

    def scores(self, scores: Scores, model: GestureModel) -> None:
        """Publish one window's per-class probabilities."""
        self._scores_pub.publish(scores_to_msg(scores, model.labels, model.meta.model_id))

    def events(self, events: list[GestureEventData], settings: ClassifierSettings,
               frame: KeypointFrame | None = None) -> None:
        """Publish the events, then their rviz labels (placed at the hands of ``frame``) if anyone looks."""
        for ev in events:
            self._events_pub.publish(event_to_msg(ev))
            who = f" person {ev.person_id}" if ev.person_id else ""
            self._node.get_logger().info(f"{ev.event_type.name} {ev.gesture} ({ev.confidence:.2f}) "
                                         f"{ev.source_id}{who} #{ev.sequence}")
        if self._hri is not None and events:
            self._hri.events(events)
        try:
            if events and self._markers_pub.get_subscription_count():
                plane = ImagePlane(depth_m=settings.marker_depth_m, hfov_deg=settings.marker_hfov_deg)
                self._markers_pub.publish(event_markers(events, plane, settings.marker_lifetime_s, frame))
        except Exception as exc:  # noqa: BLE001 (a display must never keep the events' ENDs from being acked)
            self._warn(f"could not publish the labels of {len(events)} event(s) on gesture/markers: {exc}",
                       key="markers")

    def wait_acked(self, timeout_s: float = 1.0) -> None:
        """Wait until every reliable subscriber acknowledged the events published."""
        self._events_pub.wait_for_all_acked(Duration(seconds=timeout_s))
