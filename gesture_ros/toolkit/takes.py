"""Turn one recorded take (KeypointFrames of one performance) into a labelled sequence.

Held gestures: every frame after a reaction delay is the gesture. Trigger gestures (swipes,
x_cross): the span of at most ``TRIGGER_MAX_S`` over which a wrist travels farthest, trimmed to
the middle 80% of that travel, so windows over the idle start and end of a take stay 'none'.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.common.landmarks import KeypointFrame, PoseLandmark
from gesture_ros.common.model_meta import GestureKind

REACTION_S = 0.3
TRIGGER_MAX_S = 1.0


def _track(xy: np.ndarray) -> np.ndarray | None:
    """Return the track with gaps filled by interpolation, or None when mostly missing."""
    ok = np.isfinite(xy).all(axis=1)
    if ok.sum() < max(2, len(xy) // 2):
        return None
    idx = np.arange(len(xy))
    return np.stack([np.interp(idx, idx[ok], xy[ok, k]) for k in range(2)], axis=1)


def _longest_travel(t: np.ndarray, xy: np.ndarray) -> tuple[float, int, int]:
    best = (0.0, 0, 0)
    for i in range(len(t)):
        j_end = np.searchsorted(t, t[i] + TRIGGER_MAX_S, side="right")
        d = np.linalg.norm(xy[i:j_end] - xy[i], axis=1)
        j = int(np.argmax(d))
        if d[j] > best[0]:
            best = (float(d[j]), i, i + j)
    return best


def frame_labels(frames: Sequence[KeypointFrame], label: str, kind: GestureKind) -> np.ndarray:
    """Return per-frame labels of a take performed as ``label``."""
    out = np.full(len(frames), "none", dtype=object)
    if kind == GestureKind.NONE or len(frames) < 2:
        return out.astype(str)
    arrays = SequenceArrays.from_frames(frames)
    t = (arrays.stamps_ns - arrays.stamps_ns[0]) * 1e-9
    if kind == GestureKind.HELD:
        out[t >= REACTION_S] = label
        return out.astype(str)
    tracks = [arrays.left_hand[:, 0, :2], arrays.right_hand[:, 0, :2],
              arrays.pose[:, PoseLandmark.LEFT_WRIST, :2], arrays.pose[:, PoseLandmark.RIGHT_WRIST, :2]]
    best = (0.0, None, 0, 0)
    for xy in tracks:
        filled = _track(xy)
        if filled is not None:
            dist, i, j = _longest_travel(t, filled)
            if dist > best[0]:
                best = (dist, filled, i, j)
    dist, xy, i, j = best
    if xy is None or j <= i:
        return out.astype(str)
    travelled = np.linalg.norm(xy[i:j + 1] - xy[i], axis=1) / max(dist, 1e-9)
    inside = np.flatnonzero((travelled >= 0.1) & (travelled <= 0.9)) + i
    if len(inside):
        out[inside[0]:inside[-1] + 1] = label
    return out.astype(str)
