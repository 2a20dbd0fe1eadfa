"""The ROS-free view of one gesture event and of what was done with it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ..core.events import EventType

__all__ = ["ActionResult", "EventType", "GestureEventData", "Outcome"]


class Outcome(IntEnum):
    """Result of one action, numbered as in ActionRecord.msg."""

    DONE = 0
    SKIPPED = 1
    FAILED = 2


@dataclass(frozen=True)
class GestureEventData:
    """One GestureEvent, with stamps as integer nanoseconds."""

    event_id: str
    gesture: str
    event_type: EventType
    stamp_ns: int
    confidence: float = 1.0
    sequence: int = 0
    source_id: str = ""
    frame_id: str = ""
    start_stamp_ns: int = 0
    end_stamp_ns: int = 0
    handedness: str = ""
    model_id: str = ""
    model_version: str = ""

    @property
    def duration_s(self) -> float:
        """Return how long the gesture lasted (0 for TRIGGER and START)."""
        if self.event_type != EventType.END or self.end_stamp_ns <= self.start_stamp_ns:
            return 0.0
        return (self.end_stamp_ns - self.start_stamp_ns) * 1e-9


@dataclass(frozen=True)
class ActionResult:
    """What happened to one action of one event (becomes an ActionRecord)."""

    event: GestureEventData
    action_name: str
    action_type: str
    target: str
    outcome: Outcome
    detail: str
    attempts: int = 0
    completed_ns: int = 0

    @property
    def latency_s(self) -> float:
        """Return the time from the event's camera frame to completion, in seconds."""
        if not self.completed_ns or not self.event.stamp_ns:
            return float("nan")
        return (self.completed_ns - self.event.stamp_ns) * 1e-9
