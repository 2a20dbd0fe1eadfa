"""Frame-drop patterns (fixed, or seeded random): which frames a consumer slower than the camera processes."""

from __future__ import annotations

import numpy as np


def keep_pattern(n: int, skipped: float) -> list[bool]:
    """Return for each of ``n`` frames whether it is processed, skipping ``skipped`` (0..1) of them evenly.

    Frame 0 is always kept; 0.5 keeps every other frame, 0.3 skips 3 in every 10, spread out.
    """
    if not 0.0 <= skipped < 1.0:
        raise ValueError(f"the fraction of frames skipped must be in [0, 1), got {skipped}")
    return [int((i + 1) * skipped) == int(i * skipped) for i in range(n)]


def skipped_before(keep: list[bool]) -> list[int]:
    """Return, for each frame, how many frames were skipped since the previous kept one."""
    out, run = [], 0
    for kept in keep:
        out.append(run)
        run = 0 if kept else run + 1
    return out


def slow_consumer(n: int, mean: float, sd: float, seed: int) -> list[bool]:
    """Return for each of ``n`` frames whether a consumer slower than the camera processes it.

    The consumer needs ``mean`` ± ``sd`` frame periods per frame (normal, seeded, at least one)
    and then takes the newest frame that has arrived, as keypoint_node does; frame 0 is kept.
    """
    rng = np.random.default_rng(seed)
    keep = [False] * n
    i = 0
    while i < n:
        keep[i] = True
        i = max(i + 1, int(np.floor(i + max(1.0, rng.normal(mean, sd)))))
    return keep
