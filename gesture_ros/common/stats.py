"""Rates, counters and latency percentiles for diagnostics and benchmarks."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np


class RateMeter:
    """Events per second over a sliding time span (monotonic clock)."""

    def __init__(self, span_s: float = 5.0) -> None:
        self.span_s = span_s
        self._times: deque[float] = deque()

    def tick(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._times.append(now)
        self._trim(now)

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        self._trim(now)
        times = tuple(self._times)
        if len(times) < 2:
            return 0.0
        return (len(times) - 1) / max(times[-1] - times[0], 1e-9)

    def count(self, now: float | None = None) -> int:
        """Return how many ticks fall in the span."""
        now = time.monotonic() if now is None else now
        self._trim(now)
        return len(self._times)

    def _trim(self, now: float) -> None:
        try:
            while self._times and now - self._times[0] > self.span_s:
                self._times.popleft()
        except IndexError:  # trimmed concurrently by another thread
            pass


class LatencyStats:
    """The last N samples of a duration, in seconds, with percentiles in milliseconds."""

    def __init__(self, size: int = 1000) -> None:
        self._samples: deque[float] = deque(maxlen=size)

    def add(self, seconds: float) -> None:
        self._samples.append(seconds)

    def __len__(self) -> int:
        return len(self._samples)

    def percentile_ms(self, q: float) -> float:
        """Return the q-th percentile in ms (NaN with no samples)."""
        samples = tuple(self._samples)  # a worker thread may append meanwhile
        if not samples:
            return float("nan")
        return float(np.percentile(np.asarray(samples, dtype=float), q) * 1e3)

    def summary(self) -> dict[str, float]:
        return {"p50_ms": self.percentile_ms(50), "p95_ms": self.percentile_ms(95),
                "p99_ms": self.percentile_ms(99), "n": float(len(self))}


class StageTimer:
    """Named pipeline stages (e.g. decode, infer, publish), each with its own LatencyStats."""

    def __init__(self, size: int = 500) -> None:
        self._size = size
        self.stages: dict[str, LatencyStats] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages.setdefault(name, LatencyStats(self._size)).add(time.perf_counter() - start)

    def summary(self) -> dict[str, float]:
        """Return {'<stage> p50 ms': ..., '<stage> p95 ms': ...} for every stage."""
        out: dict[str, float] = {}
        for name, stats in tuple(self.stages.items()):  # stages may be added by another thread
            out[f"{name} p50 ms"] = stats.percentile_ms(50)
            out[f"{name} p95 ms"] = stats.percentile_ms(95)
        return out
