"""Convert action results to ActionRecord messages."""

from __future__ import annotations

import math

from gesture_ros.actions.result import ActionResult
from gesture_ros.msg import ActionRecord
from gesture_ros.ros.conversions import ns_to_stamp


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
