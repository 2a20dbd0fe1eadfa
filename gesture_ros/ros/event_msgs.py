"""Decided events and scores (core types) to GestureEvent and GestureScores messages."""

from __future__ import annotations

from std_msgs.msg import Header

from gesture_ros.core.decision import PublishedEvent, Scores
from gesture_ros.msg import GestureEvent, GestureScores
from gesture_ros.ros.conversions import ns_to_stamp


def event_to_msg(published: PublishedEvent) -> GestureEvent:
    """Return the GestureEvent; its header is the deciding frame's (stamp and frame id)."""
    ev = published.event
    return GestureEvent(
        header=Header(stamp=ns_to_stamp(ev.frame.stamp_ns), frame_id=ev.frame.frame_id),
        event_id=published.event_id,
        source_id=published.source_id,
        sequence=published.sequence,
        gesture=ev.gesture,
        confidence=float(ev.confidence),
        event_type=int(ev.event_type),
        start_stamp=ns_to_stamp(ev.start_ns),
        end_stamp=ns_to_stamp(ev.end_ns),
        handedness=ev.handedness,
        model_id=published.model_id,
        model_version=published.model_version,
    )


def scores_to_msg(scores: Scores, labels: list, model_id: str) -> GestureScores:
    """Return the GestureScores of one window, stamped with the frame that closed it."""
    return GestureScores(
        header=Header(stamp=ns_to_stamp(scores.frame.stamp_ns), frame_id=scores.frame.frame_id),
        source_id=scores.source_id,
        labels=list(labels),
        probabilities=[float(p) for p in scores.smoothed],
        raw_probabilities=[float(p) for p in scores.raw],
        window_fill=int(scores.fill),
        window_length=int(scores.length),
        model_id=model_id,
    )
