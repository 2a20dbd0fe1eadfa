"""Frames in between: a stream slower than the model was trained at, filled in up to its rate.

A sequence model's window is a number of frames, not seconds. When extraction is slower than
the camera (frames dropped) a window of 20 frames at 6 fps spans three times the seconds it
spans at 18 fps, and a swipe fills a few of its rows instead of most of them: the model was
never shown that. ``between(prev, frame, max_step_ns)`` returns the frames that a camera at
least that fast would have added between two frames: landmarks moved in a straight line from
one to the other (a part seen in only one of them is taken from the nearer one, as it was).
They are features for the window only: no event is ever stamped with one.
"""

from __future__ import annotations

import math

import numpy as np

from gesture_ros.common.landmarks import KeypointFrame

_PARTS = ("pose", "left_hand", "right_hand")


def _mix(a: np.ndarray | None, b: np.ndarray | None, w: float) -> np.ndarray | None:
    if a is None or b is None:
        return a if w < 0.5 else b
    return ((1.0 - w) * a + w * b).astype(np.float32)


def between(prev: KeypointFrame, frame: KeypointFrame, max_step_ns: int) -> list[KeypointFrame]:
    """Return the frames strictly between ``prev`` and ``frame`` at steps of at most ``max_step_ns``
    (none when they are that close already, or ``max_step_ns`` is 0)."""
    span = frame.stamp_ns - prev.stamp_ns
    if max_step_ns <= 0 or span <= max_step_ns:
        return []
    n = math.ceil(span / max_step_ns - 1e-6)  # 250 ms at 1e9 // 12 ns is 3 steps, not 4
    out = []
    for i in range(1, n):
        w = i / n
        parts = {p: _mix(getattr(prev, p), getattr(frame, p), w) for p in _PARTS}
        scores = {s: (1.0 - w) * getattr(prev, s) + w * getattr(frame, s)
                  for s in ("pose_score", "left_hand_score", "right_hand_score")}
        out.append(KeypointFrame(stamp_ns=prev.stamp_ns + round(w * span), frame_id=frame.frame_id,
                                 image_width=frame.image_width, image_height=frame.image_height,
                                 model=frame.model, person_id=frame.person_id, **parts, **scores))
    return out
