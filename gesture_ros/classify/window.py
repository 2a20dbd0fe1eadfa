"""A fixed-length sliding window of per-frame feature vectors, reset on gaps in time."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np


class PushResult(str, Enum):
    """What happened to a frame pushed into a window."""

    ADDED = "added"
    GAP = "gap"  # the window was cleared first: too long since the previous frame
    BACKWARDS = "backwards"  # the window was cleared first: time went backwards (replay restart)
    DUPLICATE = "duplicate"  # same stamp as the previous frame: ignored


@dataclass(frozen=True)
class WindowView:
    """A copy of the window's frames, oldest first, with the stamps and presence of each row."""

    features: np.ndarray  # (length, feature_dim) float32
    stamps_ns: np.ndarray  # (length,) int64
    present: np.ndarray  # (length,) bool: the frame had the parts the features need

    @property
    def start_ns(self) -> int:
        return int(self.stamps_ns[0])

    @property
    def end_ns(self) -> int:
        return int(self.stamps_ns[-1])

    @property
    def presence(self) -> float:
        """Return the fraction of the frames held that had their parts."""
        return float(self.present.mean()) if len(self.present) else 0.0


class SlidingWindow:
    """The newest ``length`` frames of one source, oldest first, in a preallocated ring.

    Frames come with capture stamps (ns). A frame further than ``max_gap_ns`` after the
    previous one, or before it, clears the window: a model must never see a sequence
    stitched together across a hole in time. Frames whose parts are missing still take
    their slot (marked not present), so time in the window stays regular.
    """

    def __init__(self, length: int, feature_dim: int, max_gap_ns: int) -> None:
        if length < 1 or feature_dim < 1:
            raise ValueError(f"window length and feature_dim must be >= 1, got {length}, {feature_dim}")
        self.length = length
        self.feature_dim = feature_dim
        self.max_gap_ns = max_gap_ns
        self._features = np.zeros((length, feature_dim), dtype=np.float32)
        self._stamps = np.zeros(length, dtype=np.int64)
        self._present = np.zeros(length, dtype=bool)
        self._next = 0  # ring index the next frame goes to
        self._fill = 0
        self.last_stamp_ns: int | None = None

    @property
    def fill(self) -> int:
        """Return how many frames the window holds (0..length)."""
        return self._fill

    @property
    def full(self) -> bool:
        return self._fill == self.length

    def clear(self) -> None:
        """Forget every frame."""
        self._fill = 0
        self._next = 0
        self.last_stamp_ns = None

    def push(self, stamp_ns: int, features: np.ndarray, present: bool = True) -> PushResult:
        """Add one frame's feature vector; clear first on a gap or a step back in time."""
        result = PushResult.ADDED
        if self.last_stamp_ns is not None:
            step = stamp_ns - self.last_stamp_ns
            if step == 0:
                return PushResult.DUPLICATE
            if step < 0:
                result = PushResult.BACKWARDS
            elif step > self.max_gap_ns:
                result = PushResult.GAP
            if result is not PushResult.ADDED:
                self.clear()
        if features.shape != (self.feature_dim,):
            raise ValueError(f"feature vector has shape {features.shape}, the window holds ({self.feature_dim},)")
        self._features[self._next] = features
        self._stamps[self._next] = stamp_ns
        self._present[self._next] = present
        self._next = (self._next + 1) % self.length
        self._fill = min(self._fill + 1, self.length)
        self.last_stamp_ns = stamp_ns
        return result

    def view(self) -> WindowView:
        """Return the frames held, oldest first (fewer than ``length`` until the window is full)."""
        if self._fill < self.length:
            order = np.arange(self._fill)
        else:
            order = (np.arange(self.length) + self._next) % self.length
        return WindowView(self._features[order], self._stamps[order], self._present[order])
