"""visualization_msgs/MarkerArray of gesture events for rviz: one text label per event.

Each label ("swipe_left TRIGGER 0.93") carries its event's header (camera frame_id and the
stamp of the deciding frame), floats above the performing hand when that frame's keypoints
are given, and disappears after its lifetime.
"""

from __future__ import annotations

from collections.abc import Sequence

from geometry_msgs.msg import Point
from rclpy.duration import Duration
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.common.skeleton import ImagePlane
from gesture_ros.ros.conversions import ns_to_stamp

NAMESPACE = "gesture_events"
TEXT_HEIGHT = 0.05  # of the image width on the marker plane
# RGB 0..1: one-shot yellow, held start green, held end grey.
COLORS: dict[EventType, tuple[float, float, float]] = {
    EventType.TRIGGER: (1.0, 0.85, 0.1), EventType.START: (0.2, 0.9, 0.3), EventType.END: (0.7, 0.7, 0.7),
}


def event_label(event: GestureEventData) -> str:
    """Return the label text: gesture, event type and confidence (and the tracked person, if any)."""
    who = f"person {event.person_id}: " if event.person_id else ""
    return f"{who}{event.gesture} {event.event_type.name} {event.confidence:.2f}"


def event_markers(events: Sequence[GestureEventData], plane: ImagePlane, lifetime_s: float,
                  frame: KeypointFrame | None = None) -> MarkerArray:
    """Return a TEXT_VIEW_FACING marker per event, stacked upwards when several share a place.

    ``frame`` is the keypoints the events were decided on; an event stamped with another frame
    (an END after a gap or a model swap) gets the fixed place above the image centre.
    """
    height = TEXT_HEIGHT * plane.span_m
    markers = []
    for i, ev in enumerate(events):
        at_hand = (frame if frame is not None and frame.stamp_ns == ev.stamp_ns and frame.person_id == ev.person_id
                   else None)
        x, y, z = plane.label_point(at_hand, ev.handedness)
        m = Marker(header=Header(stamp=ns_to_stamp(ev.stamp_ns), frame_id=ev.frame_id),
                   ns=f"{NAMESPACE}/{ev.source_id}", id=ev.sequence % 2**31, type=Marker.TEXT_VIEW_FACING,
                   action=Marker.ADD, text=event_label(ev), lifetime=Duration(seconds=lifetime_s).to_msg())
        m.pose.position = Point(x=x, y=y - height * (i + 1), z=z)  # optical frame: -y is up
        m.pose.orientation.w = 1.0
        m.scale.z = height
        r, g, b = COLORS[ev.event_type]
        m.color = ColorRGBA(r=r, g=g, b=b, a=1.0)
        markers.append(m)
    return MarkerArray(markers=markers)
