"""Whether keypoint stamps are camera frame stamps when the probe's best-effort copies miss frames."""

from __future__ import annotations

import numpy as np


def on_the_frame_grid(stamps: set[int], seen: set[int]) -> bool:
    """Whether each stamp is a frame the probe saw or lies whole frame periods after one (or before the first).

    A replayed file is stamped every frame period from its first frame; the probe's best-effort copies
    of a frame (camera_info, image) can be lost while the frame's keypoints arrive."""
    grid = np.array(sorted(seen))
    steps = np.diff(grid)
    period = float(np.median(steps[steps < 1.5 * steps.min()]))
    for stamp in stamps - seen:
        # the nearest seen frame before it; before the first seen one (the probe's readers can miss the
        # first frames while they are discovered), the first seen frame, whole periods after it
        anchor = grid[np.searchsorted(grid, stamp) - 1] if stamp > grid[0] else grid[0]
        periods = abs(stamp - anchor) / period
        if round(periods) < 1 or abs(periods - round(periods)) > 0.1:
            return False
    return True
