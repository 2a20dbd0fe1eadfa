"""Keypoint augmentations: rotation, scale, speed, jitter, dropped frames and detections.

Never a horizontal flip: it would turn swipe_left into swipe_right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.core.features import SequenceArrays


@dataclass
class AugmentConfig:
    rotate_deg: float = 12.0
    scale: tuple[float, float] = (0.85, 1.15)
    speed: tuple[float, float] = (0.8, 1.25)
    jitter: float = 0.003  # of the image size
    drop_frame: float = 0.05
    drop_part: float = 0.05


def _transform(arr: np.ndarray, rot: np.ndarray, scale: float, centre: np.ndarray, aspect: float) -> np.ndarray:
    out = arr.copy()
    xy = out[..., :2] - centre
    xy[..., 0] *= aspect
    xy = (xy @ rot.T) * scale
    xy[..., 0] /= aspect
    out[..., :2] = xy + centre
    return out


def augment(seq: SequenceArrays, labels: np.ndarray, rng: np.random.Generator,
            cfg: AugmentConfig | None = None) -> tuple[SequenceArrays, np.ndarray]:
    """Return an augmented copy of a sequence and its per-frame labels."""
    cfg = cfg or AugmentConfig()
    t_n = len(seq)
    speed = rng.uniform(*cfg.speed)
    idx = np.round(np.arange(0, t_n - 0.5, speed)).astype(int).clip(0, t_n - 1)
    keep = rng.random(len(idx)) >= cfg.drop_frame
    keep[:1] = True
    idx = idx[keep]
    base = np.diff(seq.stamps_ns).astype(np.float64)
    dt = float(np.median(base)) if base.size else 4e7
    stamps = seq.stamps_ns[0] + (np.flatnonzero(keep) * dt).astype(np.int64)  # dropped frames leave gaps
    w, h = seq.image_size
    aspect = w / h if w > 0 and h > 0 else 1.0
    a = np.deg2rad(rng.uniform(-cfg.rotate_deg, cfg.rotate_deg))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    scale = rng.uniform(*cfg.scale)
    centre = np.array([0.5, 0.5]) + rng.normal(0, 0.05, 2)
    parts = []
    for arr in (seq.pose, seq.left_hand, seq.right_hand):
        out = _transform(arr[idx], rot, scale, centre, aspect)
        out[..., :2] += rng.normal(0, cfg.jitter, out[..., :2].shape)
        drop = rng.random(len(idx)) < cfg.drop_part
        out[drop] = np.nan
        parts.append(out.astype(np.float32))
    return SequenceArrays(stamps.astype(np.int64), parts[0], parts[1], parts[2], seq.image_size), labels[idx]
