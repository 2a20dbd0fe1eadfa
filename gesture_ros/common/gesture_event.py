"""One gesture event as it goes on the wire (GestureEvent.msg), without ROS.

The classifier decides these, the action dispatcher acts on them, the bridge sends them to
the venue and the rviz markers show them: all of them use this one type. Conversion from
and to the ROS message is in gesture_ros/ros/event_conversion.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

__all__ = ["EventType", "GestureEventData"]


class EventType(IntEnum):
    """Event types, numbered as in GestureEvent.msg."""

    TRIGGER = 0
    START = 1
    END = 2


@dataclass(frozen=True)
class GestureEventData:
    """One GestureEvent, stamps as integer nanoseconds; ``stamp_ns``/``frame_id`` are its header."""

    event_id: str
    gesture: str
    event_type: EventType
    stamp_ns: int
    confidence: float = 1.0
    sequence: int = 0
    source_id: str = ""
    frame_id: str = ""
    start_ns: int = 0
    end_ns: int = 0
    handedness: str = ""
    model_id: str = ""
    model_version: str = ""
    person_id: int = 0  # tracked person (Keypoints.person_id); 0: single-person extractor

    @property
    def duration_s(self) -> float:
        """Return how long the gesture lasted (0 for TRIGGER and START)."""
        if self.event_type != EventType.END or self.end_ns <= self.start_ns:
            return 0.0
        return (self.end_ns - self.start_ns) * 1e-9
