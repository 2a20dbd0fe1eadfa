"""Square crops of the camera image, resampled to a model's size, and landmarks mapped back.

A person's body and each of their hands are found on a crop around where they should be, so
that a small or far person or hand fills the model's input (MediaPipe resizes every input to
about 192-256 px: a 20 px hand in a 640 px frame is then ~7 px). Crops may reach past the image
border (filled black), so a crop's geometry never depends on where the image ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from gesture_ros.common.landmarks import Field


@dataclass(frozen=True)
class Crop:
    """A square region of the camera image, in camera pixels: centre and side length."""

    cx: float
    cy: float
    side: float

    @property
    def x0(self) -> float:
        return self.cx - self.side / 2

    @property
    def y0(self) -> float:
        return self.cy - self.side / 2

    def box(self) -> tuple[float, float, float, float]:
        """Return (x0, y0, x1, y1) in pixels."""
        return self.x0, self.y0, self.x0 + self.side, self.y0 + self.side

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        """Return True when (x, y) lies inside the crop shrunk by ``margin`` of its side on each edge."""
        m = margin * self.side
        return self.x0 + m <= x <= self.x0 + self.side - m and self.y0 + m <= y <= self.y0 + self.side - m

    def iou(self, other: Crop) -> float:
        """Return intersection over union of two crops."""
        ax0, ay0, ax1, ay1 = self.box()
        bx0, by0, bx1, by1 = other.box()
        w = max(0.0, min(ax1, bx1) - max(ax0, bx0))
        h = max(0.0, min(ay1, by1) - max(ay0, by0))
        inter = w * h
        return inter / (self.side ** 2 + other.side ** 2 - inter) if inter > 0 else 0.0


def cut(rgb: np.ndarray, crop: Crop, size: int, image_scale: float = 1.0) -> np.ndarray:
    """Return the crop of ``rgb`` resampled to (size, size), black beyond the image border.

    ``image_scale``: size of ``rgb`` relative to the camera image the crop is given in.
    """
    k = size / (crop.side * image_scale)
    m = np.array([[k, 0.0, -crop.x0 * image_scale * k], [0.0, k, -crop.y0 * image_scale * k]], np.float32)
    shrink = k < 1.0
    out = cv2.warpAffine(rgb, m, (size, size), flags=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    out.flags.writeable = False
    return out


def to_image(landmarks: np.ndarray, crop: Crop, width: int, height: int) -> np.ndarray:
    """Map (N, 5) landmarks normalised to a crop onto the (width, height) camera image.

    x, y become normalised to the image; z (in the crop's x scale) is rescaled to the image's.
    """
    out = landmarks.copy()
    out[:, Field.X] = (landmarks[:, Field.X] * crop.side + crop.x0) / width
    out[:, Field.Y] = (landmarks[:, Field.Y] * crop.side + crop.y0) / height
    out[:, Field.Z] = landmarks[:, Field.Z] * crop.side / width
    return out
