"""The landmark smoothing of MediaPipe's pose graph: one-euro on coordinates, low-pass on visibility (facts §6b).

The hand graphs smooth nothing (facts §3). Filters work on whole arrays at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FRAME_NS = 33_333_000  # the Solutions API stamps frame k at k·33 333 µs (facts §8)


@dataclass(frozen=True)
class OneEuroOptions:
    """One-euro filter options of one landmark stream."""

    min_cutoff: float
    beta: float
    derivate_cutoff: float = 1.0
    value_scaling: bool = True  # divide the speed by the object's size in pixels
    min_object_scale: float = 1e-6


POSE_SCREEN = OneEuroOptions(min_cutoff=0.05, beta=80.0)
POSE_AUX = OneEuroOptions(min_cutoff=0.01, beta=10.0)
POSE_WORLD = OneEuroOptions(min_cutoff=0.1, beta=40.0, value_scaling=False)
VISIBILITY_ALPHA = 0.1


def _alpha(cutoff: np.ndarray | float, frequency: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau * frequency)


class OneEuroFilter:
    """One-euro filter over an array of values; the first sample passes unchanged."""

    def __init__(self, options: OneEuroOptions, frequency: float = 30.0) -> None:
        self.options = options
        self.frequency = frequency
        self._last_ns: int | None = None
        self._raw: np.ndarray | None = None
        self._value: np.ndarray | None = None
        self._speed: np.ndarray | None = None

    def reset(self) -> None:
        self._last_ns = self._raw = self._value = self._speed = None

    def apply(self, values: np.ndarray, stamp_ns: int, value_scale: float = 1.0) -> np.ndarray:
        """Return the filtered values of one sample taken at ``stamp_ns``."""
        values = np.asarray(values, np.float64)
        if self._last_ns is not None and stamp_ns <= self._last_ns:
            return values  # MediaPipe passes out-of-order samples through
        if self._last_ns is not None:
            self.frequency = 1e9 / (stamp_ns - self._last_ns)
        self._last_ns = stamp_ns
        o = self.options
        if self._raw is None or self._raw.shape != values.shape:
            self._raw, self._value, self._speed = values, values, np.zeros_like(values)
            return values
        speed = (values - self._raw) * value_scale * self.frequency
        self._speed = self._speed + _alpha(o.derivate_cutoff, self.frequency) * (speed - self._speed)
        cutoff = o.min_cutoff + o.beta * np.abs(self._speed)
        self._value = self._value + _alpha(cutoff, self.frequency) * (values - self._value)
        self._raw = values
        return self._value


class LowPass:
    """Exponential smoothing: out = alpha·new + (1 − alpha)·previous out."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self._value: np.ndarray | None = None

    def reset(self) -> None:
        self._value = None

    def apply(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, np.float64)
        if self._value is None or self._value.shape != values.shape:
            self._value = values
        else:
            self._value = self.alpha * values + (1.0 - self.alpha) * self._value
        return self._value


class LandmarkSmoother:
    """Smooth normalised (N, 5) landmarks in pixels, speed relative to the object's size; visibility low-passed."""

    def __init__(self, options: OneEuroOptions) -> None:
        self.coordinates = OneEuroFilter(options)
        self.visibility = LowPass(VISIBILITY_ALPHA)

    def reset(self) -> None:
        self.coordinates.reset()
        self.visibility.reset()

    def apply(self, landmarks: np.ndarray, stamp_ns: int, width: int, height: int, object_scale: float) -> np.ndarray:
        """Return smoothed landmarks; unchanged coordinates where the object is too small to scale by."""
        out = landmarks.copy()
        o = self.coordinates.options
        if object_scale >= o.min_object_scale:
            size = np.array([width, height, width], np.float64)
            scale = 1.0 / object_scale if o.value_scaling else 1.0
            out[:, :3] = self.coordinates.apply(landmarks[:, :3] * size, stamp_ns, scale) / size
        if np.isfinite(landmarks[:, 3]).all():
            out[:, 3] = self.visibility.apply(landmarks[:, 3])
        return out
