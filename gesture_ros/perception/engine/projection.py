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

    Per landmark, all at once: a kernel x kernel window around (int(x·W), int(y·H)), clipped to the
    map; the heatmap's sigmoid weighs the cells; only where the window's highest confidence reaches
    the minimum. A centre off the map is left as it is, by MediaPipe's test (its row check
    compares the column with the height, and a row past the bottom is not caught).
    """
    out = landmarks.copy()
    hm_h, hm_w, channels = heatmap.shape
    n = min(len(landmarks), channels)
    if n == 0:
        return out
    xs, ys = landmarks[:n, 0].astype(np.float32), landmarks[:n, 1].astype(np.float32)
    finite = np.isfinite(xs) & np.isfinite(ys)
    col = np.where(finite, xs * np.float32(hm_w), -1.0).astype(np.int64)  # truncation toward zero, as C++
    row = np.where(finite, ys * np.float32(hm_h), -1.0).astype(np.int64)
    centred = finite & (col >= 0) & (col < hm_w) & (row >= 0) & (col < hm_h)
    steps = np.arange(kernel) - (kernel - 1) // 2
    rows, cols = row[:, None] + steps, col[:, None] + steps  # (n, kernel)
    inside = ((rows >= 0) & (rows < hm_h))[:, :, None] & ((cols >= 0) & (cols < hm_w))[:, None, :]
    cells = heatmap[np.clip(rows, 0, hm_h - 1)[:, :, None], np.clip(cols, 0, hm_w - 1)[:, None, :],
                    np.arange(n)[:, None, None]]
    confidence = np.where(inside, sigmoid(cells), np.float32(0.0))
    total = confidence.sum(axis=(1, 2), dtype=np.float64)
    refine = centred & (confidence.max(axis=(1, 2)) >= min_confidence) & (total > 0)
    if refine.any():
        weighted_col = (confidence * cols[:, None, :]).sum(axis=(1, 2), dtype=np.float64)
        weighted_row = (confidence * rows[:, :, None]).sum(axis=(1, 2), dtype=np.float64)
        out[:n, 0] = np.where(refine, weighted_col / hm_w / np.where(refine, total, 1.0), out[:n, 0])
        out[:n, 1] = np.where(refine, weighted_row / hm_h / np.where(refine, total, 1.0), out[:n, 1])
    return out
