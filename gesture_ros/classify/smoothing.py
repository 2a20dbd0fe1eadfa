"""Smooth per-class probabilities over successive windows (EMA or moving average)."""

from __future__ import annotations

from collections import deque
from enum import Enum

import numpy as np


class Smoothing(str, Enum):
    """How successive probability vectors are combined."""

    NONE = "none"
    EMA = "ema"  # exponential moving average with factor alpha
    MEAN = "mean"  # plain mean of the last ``span`` vectors


class Smoother:
    """Per-class probability smoothing; reset it whenever the window is reset."""

    def __init__(self, method: Smoothing = Smoothing.EMA, alpha: float = 0.5, span: int = 3) -> None:
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"smoothing alpha must be in (0, 1], got {alpha}")
        if span < 1:
            raise ValueError(f"smoothing span must be >= 1, got {span}")
        self.method = Smoothing(method)
        self.alpha = alpha
        self.span = span
        self._ema: np.ndarray | None = None
        self._recent: deque[np.ndarray] = deque(maxlen=span)

    def reset(self) -> None:
        """Forget the history."""
        self._ema = None
        self._recent.clear()

    def update(self, probabilities: np.ndarray) -> np.ndarray:
        """Add one raw probability vector and return the smoothed one."""
        p = np.asarray(probabilities, dtype=np.float32)
        if self.method is Smoothing.NONE:
            return p.copy()
        if self.method is Smoothing.EMA:
            if self._ema is None or self._ema.shape != p.shape:
                self._ema = p.copy()
            else:
                self._ema = self.alpha * p + (1.0 - self.alpha) * self._ema
            return self._ema.copy()
        if self._recent and self._recent[0].shape != p.shape:
            self._recent.clear()
        self._recent.append(p)
        return np.mean(np.stack(self._recent), axis=0).astype(np.float32)
