"""Rotated regions: detection -> rect, rect transformation, hand landmarks -> next frame's rect (facts §0.6-0.8, §2, §4, §5)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from gesture_ros.perception.engine.detections import iou


@dataclass(frozen=True)
class Rect:
    """A rotated region (MediaPipe's NormalizedRect): centre and size normalised to the image, rotation in radians."""

    x_center: float
    y_center: float
    width: float
    height: float
    rotation: float = 0.0

    def box(self) -> np.ndarray:
        """Return the axis-aligned (xmin, ymin, xmax, ymax), rotation ignored (as MediaPipe's association does)."""
        return np.array([self.x_center - self.width / 2, self.y_center - self.height / 2,
                         self.x_center + self.width / 2, self.y_center + self.height / 2], np.float32)


FULL_IMAGE = Rect(0.5, 0.5, 1.0, 1.0)


@dataclass(frozen=True)
class RectTransform:
    """RectTransformationCalculator options."""

    scale_x: float = 1.0
    scale_y: float = 1.0
    shift_x: float = 0.0
    shift_y: float = 0.0
    square_long: bool = True


PALM_TO_HAND = RectTransform(scale_x=2.6, scale_y=2.6, shift_y=-0.5)  # facts §2
HAND_LANDMARKS_TO_HAND = RectTransform(scale_x=2.0, scale_y=2.0, shift_y=-0.1)  # facts §4
POSE_ROI = RectTransform(scale_x=1.25, scale_y=1.25)  # facts §5, §6
# The 12 hand landmarks the next frame's hand region is made from: wrist, thumb CMC/MCP/IP, each finger's MCP and PIP.
HAND_ROI_LANDMARKS = (0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18)


def normalize_radians(angle: float) -> float:
    """Wrap an angle into [-pi, pi)."""
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def rotation(start_px: np.ndarray, end_px: np.ndarray, target: float) -> float:
    """Return the rect rotation that turns start -> end to the target angle (radians; positive is clockwise on screen)."""
    return normalize_radians(target - math.atan2(-(end_px[1] - start_px[1]), end_px[0] - start_px[0]))


def rect_from_box(box: np.ndarray, start: np.ndarray, end: np.ndarray, width: int, height: int,
                  target: float = math.pi / 2) -> Rect:
    """DetectionsToRects (default mode): the box's centre and size, rotated by keypoints start -> end (normalised)."""
    size = np.array([width, height], np.float32)
    return Rect(float(box[0] + box[2]) / 2, float(box[1] + box[3]) / 2, float(box[2] - box[0]), float(box[3] - box[1]),
                rotation(start * size, end * size, target))


def rect_from_alignment(center: np.ndarray, scale_point: np.ndarray, width: int, height: int,
                        target: float = math.pi / 2) -> Rect:
    """AlignmentPointsRects: centred on ``center``, a square of side 2·|scale_point − center| in pixels."""
    size = np.array([width, height], np.float32)
    c, s = center * size, scale_point * size
    side = 2.0 * float(np.linalg.norm(s - c))
    return Rect(float(center[0]), float(center[1]), side / width, side / height, rotation(c, s, target))


def transform_rect(rect: Rect, width: int, height: int, t: RectTransform) -> Rect:
    """Shift (along the rotated axes, by the unscaled size), square to the long side, then scale."""
    w, h, r = rect.width, rect.height, rect.rotation
    if r == 0.0:
        x = rect.x_center + w * t.shift_x
        y = rect.y_center + h * t.shift_y
    else:
        x = rect.x_center + (width * w * t.shift_x * math.cos(r) - height * h * t.shift_y * math.sin(r)) / width
        y = rect.y_center + (width * w * t.shift_x * math.sin(r) + height * h * t.shift_y * math.cos(r)) / height
    if t.square_long:
        side = max(w * width, h * height)
        w, h = side / width, side / height
    return replace(rect, x_center=x, y_center=y, width=w * t.scale_x, height=h * t.scale_y)


def hand_rect_from_landmarks(landmarks: np.ndarray, width: int, height: int) -> Rect:
    """Return the (untransformed) rect around a hand's 21 normalised landmarks, rotated wrist -> middle knuckles."""
    size = np.array([width, height], np.float32)
    points = landmarks[list(HAND_ROI_LANDMARKS), :2].astype(np.float64)
    wrist = landmarks[0, :2] * size
    knuckles = (0.25 * landmarks[5, :2] + 0.5 * landmarks[9, :2] + 0.25 * landmarks[13, :2]) * size
    angle = rotation(wrist, knuckles, math.pi / 2)
    centre = (points.min(0) + points.max(0)) / 2
    offset = (points - centre) * size
    c, s = math.cos(-angle), math.sin(-angle)
    turned = offset @ np.array([[c, s], [-s, c]])
    lo, hi = turned.min(0), turned.max(0)
    mid = (lo + hi) / 2
    c, s = math.cos(angle), math.sin(angle)
    x = mid[0] * c - mid[1] * s + width * centre[0]
    y = mid[0] * s + mid[1] * c + height * centre[1]
    return Rect(float(x / width), float(y / height), float((hi[0] - lo[0]) / width), float((hi[1] - lo[1]) / height),
                angle)


def overlap(a: Rect, b: Rect) -> float:
    """Return the IoU of two rects' axis-aligned boxes (AssociationNormRectCalculator ignores rotation)."""
    return float(iou(a.box(), b.box()[None])[0])


def associate(rects: list[Rect], threshold: float = 0.5) -> list[Rect]:
    """Drop earlier rects that a later one overlaps by IoU > threshold (later inputs win, facts §4)."""
    kept: list[Rect] = []
    for rect in rects:
        kept = [k for k in kept if overlap(k, rect) <= threshold]
        kept.append(rect)
    return kept
