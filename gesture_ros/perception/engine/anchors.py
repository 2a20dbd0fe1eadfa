"""SSD anchors of MediaPipe's palm and pose detectors (facts §1, §5; ssd_anchors_calculator.cc)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AnchorOptions:
    """The SsdAnchorsCalculator options a detector graph sets (fixed anchor size, one aspect ratio)."""

    input_size: int
    strides: tuple[int, ...]
    min_scale: float = 0.1484375
    max_scale: float = 0.75
    offset: float = 0.5
    aspect_ratios: tuple[float, ...] = (1.0,)
    interpolated_scale_aspect_ratio: float = 1.0


PALM_ANCHORS = AnchorOptions(input_size=192, strides=(8, 16, 16, 16))
POSE_ANCHORS = AnchorOptions(input_size=224, strides=(8, 16, 32, 32, 32))


def ssd_anchors(options: AnchorOptions) -> np.ndarray:
    """Return the (N, 4) anchors as centre x, centre y, width, height (normalised; w = h = 1).

    Consecutive layers with the same stride share one grid; each layer adds one anchor per aspect
    ratio plus one interpolated anchor per cell. Order: grid, row, column, anchor.
    """
    per_layer = len(options.aspect_ratios) + (1 if options.interpolated_scale_aspect_ratio > 0 else 0)
    blocks = []
    strides = options.strides
    layer = 0
    while layer < len(strides):
        last = layer
        while last < len(strides) and strides[last] == strides[layer]:
            last += 1
        size = math.ceil(options.input_size / strides[layer])
        centres = (np.arange(size, dtype=np.float32) + options.offset) / size
        ys, xs = np.meshgrid(centres, centres, indexing="ij")
        grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        grid = np.repeat(grid, per_layer * (last - layer), axis=0)
        blocks.append(np.concatenate([grid, np.ones_like(grid)], axis=1))
        layer = last
    return np.concatenate(blocks).astype(np.float32)
