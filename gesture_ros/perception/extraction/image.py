"""Prepare a camera image once for every MediaPipe solution: RGB, scaled down when large."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class PreparedImage:
    """The RGB image the solutions see, and the size of the camera image it came from.

    MediaPipe's landmarks are normalised to the image, so scaling (aspect kept) leaves them
    valid for the camera image; ``width``/``height`` stay the camera's.
    """

    rgb: np.ndarray  # (h, w, 3) uint8, read-only
    width: int  # camera image size in pixels
    height: int

    @property
    def scale(self) -> float:
        """Return the size of ``rgb`` relative to the camera image (1.0: not scaled)."""
        return self.rgb.shape[1] / self.width

    @property
    def aspect(self) -> float:
        """Return width / height of the camera image."""
        return self.width / self.height


def prepare_image(bgr: np.ndarray, max_side: int = 0) -> PreparedImage:
    """Convert a BGR uint8 (H, W, 3) image to RGB once; scale it so its longer side <= ``max_side``."""
    if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
        raise ValueError(f"expected a BGR uint8 (H, W, 3) image, got {bgr.dtype} {bgr.shape}")
    height, width = bgr.shape[:2]
    longer = max(width, height)
    if max_side and longer > max_side:
        size = (max(1, round(width * max_side / longer)), max(1, round(height * max_side / longer)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    rgb.flags.writeable = False
    return PreparedImage(rgb=rgb, width=width, height=height)
