"""Reconnect delays: exponential growth between bounds, with jitter so devices do not stampede."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delay n (from 0) is uniform in [max(min_s, d/2), d] with d = min(max_s, min_s * 2**(n+1))."""

    min_s: float = 0.5
    max_s: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def __post_init__(self) -> None:
        if not (0 < self.min_s <= self.max_s):
            raise ValueError(f"backoff bounds must satisfy 0 < min ({self.min_s}) <= max ({self.max_s})")

    def next_delay(self) -> float:
        """Return the delay before the next attempt and count the attempt."""
        ceiling = min(self.max_s, self.min_s * 2.0 ** min(self.attempts + 1, 60))
        self.attempts += 1
        return self.rng.uniform(max(self.min_s, ceiling / 2.0), ceiling)

    def reset(self) -> None:
        """Start again from min_s (after a successful connection)."""
        self.attempts = 0
