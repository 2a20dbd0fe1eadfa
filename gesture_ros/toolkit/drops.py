"""Deterministic frame-drop patterns: which frames a consumer slower than the camera processes."""

from __future__ import annotations


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
