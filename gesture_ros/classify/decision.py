"""What the decider hands out per frame (events, scores, log notes) and frame checks."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gesture_ros.classify.event_machine import FrameRef
from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.common.landmarks import Field, HandLandmark, KeypointFrame, Part


@dataclass(frozen=True)
class Scores:
    """Per-class probabilities of one window."""

    source_id: str
    frame: FrameRef
    raw: np.ndarray
    smoothed: np.ndarray
    fill: int
    length: int
    ran_model: bool  # False: too few frames had their parts; the reject class was assumed
    person_id: int = 0


@dataclass(frozen=True)
class Note:
    """A one-sentence log line; ``kind`` ('nan', 'gap', 'model') is the key to throttle it by."""

    kind: str
    text: str


@dataclass
class Decision:
    """What one frame caused: events to publish, the window's scores, notes to log."""

    events: list[GestureEventData] = field(default_factory=list)
    scores: Scores | None = None
    notes: list[Note] = field(default_factory=list)


def dominant_side(frame: KeypointFrame) -> str:
    """Return 'left'/'right' for the present hand held higher (as the feature spec picks), or ''."""
    left, right = frame.left_hand, frame.right_hand
    if left is not None and right is not None:
        wrist = HandLandmark.WRIST, Field.Y
        return "left" if left[wrist] < right[wrist] else "right"
    return "left" if left is not None else "right" if right is not None else ""


def bad_parts(frame: KeypointFrame) -> list[str]:
    """Return the parts whose x/y contain NaN or infinity."""
    out = []
    for part in Part:
        arr = frame.part(part)
        if arr is not None and not np.all(np.isfinite(arr[:, Field.X:Field.Z])):
            out.append(part.value)
    return out
