"""Optional ROS4HRI (REP-155) output: tracked bodies and their gestures as hri_msgs.

``humans/bodies/tracked`` (hri_msgs/IdsList) lists the bodies of the latest complete frame,
and ``humans/bodies/<id>/gesture`` (hri_msgs/Gesture) carries each START or TRIGGER of that
body's gestures. Names are relative, so at the root namespace they are REP-155's
``/humans/bodies/...``. A body id is ``b<person_id>`` (REP-155 ids are strings; a ROS name
token may not start with a digit); with several cameras feeding one classifier, give each its
own namespace or their ids collide. hri_msgs is imported only here and only when asked for, so
the rest of the package runs without it.
"""

from __future__ import annotations

import importlib
from typing import Any

from rclpy.node import Node
from std_msgs.msg import Header

from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.ros.conversions import ns_to_stamp

FORGET_S = 5.0  # a body's gesture publisher is removed this long after the body was last tracked


def body_id(person_id: int) -> str:
    return f"b{person_id}"


def hri_gesture(event: GestureEventData, gesture_msg: Any) -> int | None:
    """Return the hri_msgs/Gesture constant of an event (None for an END): the nearest one, else OTHER."""
    if event.event_type is EventType.END:
        return None
    if event.gesture == "x_cross":
        return gesture_msg.ARMS_CROSSED
    if event.gesture == "open_palm":  # an open palm held up: a raised hand
        return {"left": gesture_msg.LEFT_HAND_RAISED, "right": gesture_msg.RIGHT_HAND_RAISED,
                "both": gesture_msg.BOTH_HANDS_RAISED}.get(event.handedness, gesture_msg.OTHER)
    return gesture_msg.OTHER


def load_hri_msgs() -> Any | None:
    """Return the hri_msgs.msg module, or None when it is not installed."""
    try:
        return importlib.import_module("hri_msgs.msg")
    except ImportError:
        return None


class HriOutput:
    """Publish REP-155 tracked bodies and gestures for the people the classifier sees."""

    def __init__(self, node: Node, msgs: Any) -> None:
        self.node, self.msgs = node, msgs
        self.tracked_pub = node.create_publisher(msgs.IdsList, "humans/bodies/tracked", 10)
        self._gesture_pubs: dict[str, Any] = {}
        self._last_seen_ns: dict[str, int] = {}
        self._frame: tuple[int, str] | None = None  # (stamp, frame_id) being collected
        self._ids: list[str] = []

    def frame(self, frame: KeypointFrame) -> None:
        """Collect one person's keypoints; a new stamp publishes the previous frame's tracked list."""
        key = (frame.stamp_ns, frame.frame_id)
        if self._frame is not None and key != self._frame:
            self._publish_tracked()
        self._frame = key
        if frame.person_id:  # the extractor sends a message per tracked person
            self._ids.append(body_id(frame.person_id))
            self._last_seen_ns[body_id(frame.person_id)] = frame.stamp_ns

    def _publish_tracked(self) -> None:
        stamp_ns, frame_id = self._frame
        self.tracked_pub.publish(self.msgs.IdsList(header=Header(stamp=ns_to_stamp(stamp_ns), frame_id=frame_id),
                                                   ids=sorted(set(self._ids))))
        self._ids = []
        for body, seen in list(self._last_seen_ns.items()):
            if stamp_ns - seen > FORGET_S * 1e9:
                del self._last_seen_ns[body]
                pub = self._gesture_pubs.pop(body, None)
                if pub is not None:
                    self.node.destroy_publisher(pub)

    def events(self, events: list[GestureEventData]) -> None:
        for ev in events:
            constant = hri_gesture(ev, self.msgs.Gesture)
            if constant is None or not ev.person_id:
                continue
            body = body_id(ev.person_id)
            pub = self._gesture_pubs.get(body)
            if pub is None:
                pub = self._gesture_pubs[body] = self.node.create_publisher(
                    self.msgs.Gesture, f"humans/bodies/{body}/gesture", 10)
            pub.publish(self.msgs.Gesture(header=Header(stamp=ns_to_stamp(ev.stamp_ns), frame_id=ev.frame_id),
                                          gesture=constant))
