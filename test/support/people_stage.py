"""The stage of test_people*.py: three real people side by side (gesture_ros/toolkit/side_by_side.py), as a clip."""

from __future__ import annotations

import numpy as np

from gesture_ros.toolkit import side_by_side as stage
from support.data import shared_data

STAGE = dict(indices=(0, 1, 2), scales=(1.0, 0.8, 1.0))  # 1344x360: A large, B smaller, C small and far
FPS = 15.0
T0_NS = 10**18


def side_by_side(indices, **kw) -> tuple[np.ndarray, list[stage.Panel]]:
    return stage.side_by_side(shared_data("stills").parent, indices, **kw)


def stage_clip(all_in: int = 24, a_away: int = 16, a_back: int = 12) -> tuple[list[np.ndarray], list[int], list]:
    """Return a clip of the stage: everyone, then person A gone (dark panel), then A back; frame stamps; panels."""
    full, panels = side_by_side(**STAGE)
    away, _ = side_by_side(**STAGE, present=(False, True, True))
    images = [full] * all_in + [away] * a_away + [full] * a_back
    return images, [T0_NS + round(i * 1e9 / FPS) for i in range(len(images))], panels
