"""Image -> network input: the rotated, letterboxed crop MediaPipe's ImageToTensor makes on the CPU (facts §0.1-0.5)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from gesture_ros.perception.engine.regions import Rect

Padding = tuple[float, float, float, float]  # left, top, right, bottom, as fractions of the tensor


@dataclass(frozen=True)
class CropOptions:
    """One network's input: size, value range and border (zero: letterbox padding maps to the range's minimum)."""

    width: int
    height: int
    value_range: tuple[float, float] = (0.0, 1.0)
    zero_border: bool = False  # False: BORDER_REPLICATE (the default when a graph sets none)
    keep_aspect: bool = True


PALM_INPUT = CropOptions(192, 192, (0.0, 1.0), zero_border=True)
HAND_INPUT = CropOptions(224, 224, (0.0, 1.0))
POSE_DETECTION_INPUT = CropOptions(224, 224, (-1.0, 1.0), zero_border=True)
POSE_INPUT = CropOptions(256, 256, (0.0, 1.0))


def pad_roi(roi_width: float, roi_height: float, options: CropOptions) -> tuple[float, float, Padding]:
    """Grow a pixel ROI symmetrically to the tensor's aspect ratio; return its new size and the padding."""
    if not options.keep_aspect:
        return roi_width, roi_height, (0.0, 0.0, 0.0, 0.0)
    tensor_aspect = options.height / options.width
    roi_aspect = roi_height / roi_width
    if tensor_aspect > roi_aspect:
        vertical = (1.0 - roi_aspect / tensor_aspect) / 2.0
        return roi_width, roi_width * tensor_aspect, (0.0, vertical, 0.0, vertical)
    horizontal = (1.0 - tensor_aspect / roi_aspect) / 2.0
    return roi_height / tensor_aspect, roi_height, (horizontal, 0.0, horizontal, 0.0)


def crop_matrix(rect: Rect, image_width: int, image_height: int, options: CropOptions) -> tuple[np.ndarray, Padding]:
    """Return the 3x3 perspective matrix image -> tensor of a rect, and the letterbox padding."""
    w, h, padding = pad_roi(rect.width * image_width, rect.height * image_height, options)
    box = ((rect.x_center * image_width, rect.y_center * image_height), (w, h), math.degrees(rect.rotation))
    source = cv2.boxPoints(box).astype(np.float32)
    target = np.array([[0, options.height], [0, 0], [options.width, 0], [options.width, options.height]], np.float32)
    return cv2.getPerspectiveTransform(source, target), padding


def crop(rgb: np.ndarray, rect: Rect, options: CropOptions) -> tuple[np.ndarray, Padding]:
    """Return the float32 (H, W, 3) network input cut from an RGB uint8 image, and its padding."""
    matrix, padding = crop_matrix(rect, rgb.shape[1], rgb.shape[0], options)
    border = cv2.BORDER_CONSTANT if options.zero_border else cv2.BORDER_REPLICATE
    pixels = cv2.warpPerspective(rgb, matrix, (options.width, options.height), flags=cv2.INTER_LINEAR,
                                 borderMode=border, borderValue=(0, 0, 0))
    low, high = options.value_range
    tensor = np.multiply(pixels, np.float32((high - low) / 255.0), dtype=np.float32)  # one pass, one float image
    if low:
        tensor += np.float32(low)
    return tensor, padding


def crop_batch(rgb: np.ndarray, rects: list[Rect], options: CropOptions) -> tuple[np.ndarray, list[Padding]]:
    """Return the crops of several rects as one (N, H, W, 3) batch, and their paddings."""
    crops = [crop(rgb, rect, options) for rect in rects]
    if not crops:
        return np.zeros((0, options.height, options.width, 3), np.float32), []
    if len(crops) == 1:
        return crops[0][0][None], [crops[0][1]]  # a view: no copy for the usual single hand
    return np.stack([c for c, _ in crops]), [p for _, p in crops]
