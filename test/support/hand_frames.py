"""Plain synthetic hands for classifier tests: an open hand at a chosen image position."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from gesture_ros.common.landmarks import (
    HAND_LENGTH,
    Field,
    HandLandmark,
    KeypointFrame,
    empty_landmarks,
)

STEP_NS = 40_000_000  # 25 fps
T0_NS = 1_700_000_000_000_000_000


def open_hand(x: float, y: float, size: float = 0.15) -> np.ndarray:
    """Return (21, 5) landmarks of an upright open hand whose wrist is at (x, y)."""
    arr = empty_landmarks(HAND_LENGTH)
    for lm in HandLandmark:
        if lm == HandLandmark.WRIST:
            dx, dy = 0.0, 0.0
        else:
            finger, joint = divmod(lm - 1, 4)  # thumb..pinky, 4 joints each
            dx = (finger - 2) * 0.12 * size
            dy = -(0.35 + 0.16 * joint) * size
        arr[lm, Field.X] = x + dx
        arr[lm, Field.Y] = y + dy
    return arr


def frame(stamp_ns: int, x: float | None = None, y: float = 0.5, side: str = "right",
          frame_id: str = "cam") -> KeypointFrame:
    """Return a 640x360 frame with one open hand at x (no hand when x is None)."""
    hand = None if x is None else open_hand(x, y)
    return KeypointFrame(stamp_ns=stamp_ns, frame_id=frame_id, image_width=640, image_height=360,
                         model="synthetic", left_hand=hand if side == "left" else None,
                         right_hand=hand if side == "right" else None)


def still(n: int, start: int = 0, x: float = 0.5, **kw) -> Iterator[KeypointFrame]:
    """Yield n frames of a hand held still at x."""
    for i in range(n):
        yield frame(T0_NS + (start + i) * STEP_NS, x, **kw)


def sweep(n: int, start: int = 0, x0: float = 0.2, x1: float = 0.8, **kw) -> Iterator[KeypointFrame]:
    """Yield n frames of a hand moving from x0 to x1 at constant speed."""
    for i in range(n):
        yield frame(T0_NS + (start + i) * STEP_NS, x0 + (x1 - x0) * i / max(n - 1, 1), **kw)


def empty(n: int, start: int = 0, **kw) -> Iterator[KeypointFrame]:
    """Yield n frames without a hand."""
    for i in range(n):
        yield frame(T0_NS + (start + i) * STEP_NS, None, **kw)
