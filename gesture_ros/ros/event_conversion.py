"""GestureEvent messages to and from the core's GestureEventData; scores to GestureScores."""

from __future__ import annotations

from std_msgs.msg import Header

from gesture_ros.classify.decision import Scores
from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.msg import GestureEvent, GestureScores
from gesture_ros.ros.conversions import ns_to_stamp, stamp_to_ns


def event_to_msg(event: GestureEventData) -> GestureEvent:
    """Return the GestureEvent; its header is the deciding frame's (stamp and frame id)."""
    return GestureEvent(
        header=Header(stamp=ns_to_stamp(event.stamp_ns), frame_id=event.frame_id),
        event_id=event.event_id,
        source_id=event.source_id,
        person_id=int(event.person_id),
        sequence=event.sequence,
        gesture=event.gesture,
        confidence=float(event.confidence),
        event_type=int(event.event_type),
        start_stamp=ns_to_stamp(event.start_ns),
        end_stamp=ns_to_stamp(event.end_ns),
        handedness=event.handedness,
        model_id=event.model_id,
        model_version=event.model_version,
    )


def event_from_msg(msg: GestureEvent) -> GestureEventData:
    """Return the core view of a GestureEvent; an unknown event_type raises ValueError."""
    return GestureEventData(
        event_id=msg.event_id, gesture=msg.gesture, event_type=EventType(msg.event_type),
        stamp_ns=stamp_to_ns(msg.header.stamp), confidence=float(msg.confidence), sequence=int(msg.sequence),
        source_id=msg.source_id, frame_id=msg.header.frame_id, start_ns=stamp_to_ns(msg.start_stamp),
        end_ns=stamp_to_ns(msg.end_stamp), handedness=msg.handedness, model_id=msg.model_id,
        model_version=msg.model_version, person_id=int(msg.person_id),
    )


def scores_to_msg(scores: Scores, labels: list, model_id: str) -> GestureScores:
    """Return the GestureScores of one window, stamped with the frame that closed it."""
    return GestureScores(
        header=Header(stamp=ns_to_stamp(scores.frame.stamp_ns), frame_id=scores.frame.frame_id),
        source_id=scores.source_id,
        person_id=int(scores.person_id),
        labels=list(labels),
        probabilities=[float(p) for p in scores.smoothed],
        raw_probabilities=[float(p) for p in scores.raw],
        window_fill=int(scores.fill),
        window_length=int(scores.length),
        model_id=model_id,
    )
