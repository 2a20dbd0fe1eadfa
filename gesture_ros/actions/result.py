"""What was done with one gesture event (the event itself is common.gesture_event.GestureEventData)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from gesture_ros.common.gesture_event import GestureEventData

__all__ = ["ActionResult", "Outcome"]


class Outcome(IntEnum):
    """Result of one action, numbered as in ActionRecord.msg."""

    DONE = 0
    SKIPPED = 1
    FAILED = 2


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
    repeat: bool = False  # a re-run of a held START action (see actions/holds.py)

    @property
    def latency_s(self) -> float:
        """Return the time from the event's camera frame to completion, in seconds."""
        if not self.completed_ns or not self.event.stamp_ns:
            return float("nan")
        return (self.completed_ns - self.event.stamp_ns) * 1e-9
