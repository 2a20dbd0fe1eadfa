"""Convert GestureEvent messages to the action core's types and results to ActionRecords."""

from __future__ import annotations

import math

from gesture_ros.actions.event import ActionResult, EventType, GestureEventData
from gesture_ros.msg import ActionRecord, GestureEvent
from gesture_ros.ros.conversions import ns_to_stamp, stamp_to_ns


def event_from_msg(msg: GestureEvent) -> GestureEventData:
    """Return the core view of a GestureEvent; an unknown event_type raises ValueError."""
    return GestureEventData(
        event_id=msg.event_id, gesture=msg.gesture, event_type=EventType(msg.event_type),
        stamp_ns=stamp_to_ns(msg.header.stamp), confidence=float(msg.confidence), sequence=int(msg.sequence),
        source_id=msg.source_id, frame_id=msg.header.frame_id, start_stamp_ns=stamp_to_ns(msg.start_stamp),
        end_stamp_ns=stamp_to_ns(msg.end_stamp), handedness=msg.handedness, model_id=msg.model_id,
        model_version=msg.model_version,
    )


def record_from_result(result: ActionResult) -> ActionRecord:
    """Return the ActionRecord of a result, stamped with its event's camera frame."""
    event = result.event
    record = ActionRecord(
        event_id=event.event_id, gesture=event.gesture, event_type=int(event.event_type),
        action_name=result.action_name, action_type=result.action_type, target=result.target,
        result=int(result.outcome), detail=result.detail, attempts=int(result.attempts),
    )
    record.header.stamp = ns_to_stamp(event.stamp_ns)
    record.header.frame_id = event.frame_id
    latency = result.latency_s
    record.latency_s = float("nan") if math.isnan(latency) else latency
    return record
