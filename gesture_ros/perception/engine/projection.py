"""Network output -> landmarks in the image: tensor decoding, letterbox removal, projection (facts §0.9-0.12, §3, §6)."""

from __future__ import annotations

import math

import numpy as np

from gesture_ros.perception.engine.crop import Padding
from gesture_ros.perception.engine.regions import Rect

HAND_NORMALIZE_Z = 0.4  # facts §3: the hand graph's normalize_z
POSE_NORMALIZE_Z = 1.0  # facts §6: left at 1 in the legacy pose graph


def sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.asarray(x, np.float64)))).astype(np.float32)


def tensor_to_landmarks(raw: np.ndarray, count: int, input_width: int, input_height: int,
                        normalize_z: float = 1.0, sigmoid_scores: bool = False) -> np.ndarray:
    """Return (count, 5) landmarks normalised to the crop: x, y, z, visibility, presence (NaN where absent)."""
    values = raw.reshape(count, -1).astype(np.float32)
    out = np.full((count, 5), np.nan, np.float32)
    out[:, 0] = values[:, 0] / input_width
    out[:, 1] = values[:, 1] / input_height
    out[:, 2] = values[:, 2] / input_width / normalize_z
    extra = values[:, 3:5]
    out[:, 3:3 + extra.shape[1]] = sigmoid(extra) if sigmoid_scores else extra
    return out


def remove_letterbox(landmarks: np.ndarray, padding: Padding) -> np.ndarray:
    """Map crop-normalised landmarks from the letterboxed tensor to the unpadded ROI."""
    left, top, right, bottom = padding
    out = landmarks.copy()
    sx, sy = 1.0 - left - right, 1.0 - top - bottom
    out[:, 0] = (landmarks[:, 0] - left) / sx
    out[:, 1] = (landmarks[:, 1] - top) / sy
    out[:, 2] = landmarks[:, 2] / sx
    return out


def project(landmarks: np.ndarray, rect: Rect) -> np.ndarray:
    """Map ROI-normalised landmarks into the image (normalised): rotate about the ROI centre, scale, move; z by width."""
    out = landmarks.copy()
    x = landmarks[:, 0] - 0.5
    y = landmarks[:, 1] - 0.5
    c, s = math.cos(rect.rotation), math.sin(rect.rotation)
    out[:, 0] = (x * c - y * s) * rect.width + rect.x_center
    out[:, 1] = (x * s + y * c) * rect.height + rect.y_center
    out[:, 2] = landmarks[:, 2] * rect.width
    return out


def project_world(world: np.ndarray, rotation: float) -> np.ndarray:
    """Rotate world landmarks (N, 3), metres, by the ROI rotation about z; no move, no scale."""
    out = world.copy()
    c, s = math.cos(rotation), math.sin(rotation)
    out[:, 0] = world[:, 0] * c - world[:, 1] * s
    out[:, 1] = world[:, 0] * s + world[:, 1] * c
    return out


def refine_from_heatmap(landmarks: np.ndarray, heatmap: np.ndarray, kernel: int = 7,
                        min_confidence: float = 0.5) -> np.ndarray:
    """Move crop-normalised landmarks to the confidence-weighted centre of their (H, W, N) heatmap window.

    Per landmark: a kernel x kernel window around (int(x·W), int(y·H)), clipped to the map; the
    heatmap's sigmoid weighs the cells; only where the window's highest confidence reaches the minimum.
    """
    out = landmarks.copy()
    hm_h, hm_w, channels = heatmap.shape
    half = kernel // 2
    for i in range(min(len(landmarks), channels)):
        cx, cy = int(landmarks[i, 0] * hm_w), int(landmarks[i, 1] * hm_h)
        x0, x1 = max(0, cx - half), min(hm_w, cx + half + 1)
        y0, y1 = max(0, cy - half), min(hm_h, cy + half + 1)
        if x0 >= x1 or y0 >= y1:
            continue
        confidence = sigmoid(heatmap[y0:y1, x0:x1, i].astype(np.float64))
        total = confidence.sum()
        if confidence.max() < min_confidence or total <= 0:
            continue
        rows, cols = np.mgrid[y0:y1, x0:x1]
        out[i, 0] = (cols * confidence).sum() / total / hm_w
        out[i, 1] = (rows * confidence).sum() / total / hm_h
    return out
