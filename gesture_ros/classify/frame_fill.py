"""The keypoint stream on the model's clock: frames at the rate the model was trained at.

A sequence model's window is a number of frames (``gesture_ros.window``, 20) taken at a fixed
rate (``gesture_ros.fps``, 25): 0.8 s. A camera at 10 fps fills those 20 rows with 2 s, one at
60 fps with 0.33 s, and extraction that drops frames stretches them further; a swipe then fills
a few rows or spills out of the window, which the model was never shown. ``Resampler`` puts
the stream on the model's own clock: ticks every 1/fps from the first frame after a reset,
each one the landmarks at that instant, moved in a straight line between the two real frames
around it (``at``: a part seen in only one of them is taken from the nearer one, as it was).
A frame between two ticks adds no row of its own; a tick's row is made when the first frame at
or after it arrives, so a decision is late by at most one camera period.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gesture_ros.common.landmarks import KeypointFrame

_PARTS = ("pose", "left_hand", "right_hand")
_SCORES = ("pose_score", "left_hand_score", "right_hand_score")


def _mix(a: np.ndarray | None, b: np.ndarray | None, w: float) -> np.ndarray | None:
    if a is None or b is None:
        return a if w < 0.5 else b
    return ((1.0 - w) * a + w * b).astype(np.float32)


def at(prev: KeypointFrame, frame: KeypointFrame, t_ns: int) -> KeypointFrame:
    """Return the landmarks at ``t_ns`` between ``prev`` and ``frame`` (``frame`` itself at its stamp)."""
    span = frame.stamp_ns - prev.stamp_ns
    if t_ns >= frame.stamp_ns or span <= 0:
        return frame if t_ns == frame.stamp_ns else replace(frame, stamp_ns=t_ns, face=None)
    w = (t_ns - prev.stamp_ns) / span
    parts = {p: _mix(getattr(prev, p), getattr(frame, p), w) for p in _PARTS}
    scores = {s: (1.0 - w) * getattr(prev, s) + w * getattr(frame, s) for s in _SCORES}
    return replace(frame, stamp_ns=t_ns, face=None, **parts, **scores)


class Resampler:
    """One person's stream on a clock of ``period_ns``: push real frames, get the ticks they complete."""

    def __init__(self, period_ns: float) -> None:
        self.period_ns = period_ns
        self.reset()

    def reset(self) -> None:
        """Start afresh (a gap, a step back): the next frame is the clock's first tick."""
        self._last: KeypointFrame | None = None
        self._anchor_ns = 0
        self._ticks = 0  # ticks made since the anchor

    def push(self, frame: KeypointFrame) -> list[KeypointFrame]:
        """Add a real frame (stamps increasing); return the ticks up to it not made yet, oldest first."""
        last, self._last = self._last, frame
        if last is None:
            self._anchor_ns, self._ticks = frame.stamp_ns, 1
            return [frame]
        out = []
        while (t := self._anchor_ns + round(self._ticks * self.period_ns)) <= frame.stamp_ns:
            out.append(at(last, frame, t))
            self._ticks += 1
        return out
