"""Held-out splits by group (person, session, contiguous block or sequence), never by frame."""

from __future__ import annotations

import numpy as np


def group_split(groups: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (train_mask, test_mask): whole groups go to one side, about ``test_fraction`` to test."""
    unique = np.unique(groups)
    if len(unique) < 2:
        raise ValueError(f"need at least 2 groups to split, got {len(unique)}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(unique)
    n_test = min(max(1, int(round(test_fraction * len(unique)))), len(unique) - 1)
    test = np.isin(groups, order[:n_test])
    return ~test, test


def contiguous_blocks(n_rows: int, block: int) -> np.ndarray:
    """Return a block id per row: rows [0, block) are block 0, and so on."""
    return np.arange(n_rows) // max(block, 1)
