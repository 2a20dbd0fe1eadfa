"""Keypoint augmentations: rotation, scale, speed, jitter, dropped frames and detections.

``hand_tilt_deg`` (0: off) also turns each hand out of the image plane by up to that angle
about a random axis through its wrist, held for the whole sequence: a planar hand seen tilted
is foreshortened across that axis. The held hand signs of one recording come back later
tilted (a pointing finger toward the camera reaches less far); joints learnt at one tilt do
not carry over without it.

Never a horizontal flip: it would turn swipe_left into swipe_right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.classify.features import SequenceArrays


@dataclass
class AugmentConfig:
    rotate_deg: float = 12.0
    scale: tuple[float, float] = (0.85, 1.15)
    speed: tuple[float, float] = (0.8, 1.25)
    jitter: float = 0.003  # of the image size
    drop_frame: float = 0.05
    drop_part: float = 0.05
    hand_tilt_deg: float = 0.0  # out-of-plane hand turn about the wrist (0: off, no random draws)


def _transform(arr: np.ndarray, rot: np.ndarray, scale: float, centre: np.ndarray, aspect: float) -> np.ndarray:
    out = arr.copy()
    xy = out[..., :2] - centre
    xy[..., 0] *= aspect
    xy = (xy @ rot.T) * scale
    xy[..., 0] /= aspect
    out[..., :2] = xy + centre
    return out


def _tilt_hand(arr: np.ndarray, rng: np.random.Generator, max_deg: float, aspect: float) -> np.ndarray:
    """Foreshorten a hand's (T, 21, F) landmarks about its wrist across a random axis (in place)."""
    phi = rng.uniform(0.0, np.pi)
    shrink = np.cos(np.deg2rad(rng.uniform(0.0, max_deg))) - 1.0
    axis = np.array([np.cos(phi), np.sin(phi)])
    d = (arr[..., :2] - arr[:, :1, :2]) * np.array([aspect, 1.0])
    d += shrink * (d @ axis)[..., None] * axis
    arr[..., :2] = arr[:, :1, :2] + d / np.array([aspect, 1.0])
    return arr


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
    for k, arr in enumerate((seq.pose, seq.left_hand, seq.right_hand)):
        out = _transform(arr[idx], rot, scale, centre, aspect)
        if k and cfg.hand_tilt_deg > 0:
            out = _tilt_hand(out, rng, cfg.hand_tilt_deg, aspect)
        out[..., :2] += rng.normal(0, cfg.jitter, out[..., :2].shape)
        drop = rng.random(len(idx)) < cfg.drop_part
        out[drop] = np.nan
        parts.append(out.astype(np.float32))
    return SequenceArrays(stamps.astype(np.int64), parts[0], parts[1], parts[2], seq.image_size), labels[idx]
