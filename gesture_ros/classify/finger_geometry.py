"""A hand's shape as its fingers' bends and reach: unchanged when the hand turns, moves or scales.

Wrist-relative joint positions (the hand block's shape) change when the same hand sign is held
at another tilt; these features do not: per finger (thumb, index, middle, ring, pinky) the
cosine of the bend at each of its three joints (-1 straight, toward 1 folded back), how far
its tip is from the wrist and whether the finger points along the palm (wrist to middle
knuckle), and the thumb-tip to index-tip gap (the OK sign). Lengths are in palm sizes, so a
mirrored (left) hand gives the same values as the right one.
"""

from __future__ import annotations

import numpy as np

from gesture_ros.common.landmarks import HandLandmark as H

FINGERS = ("thumb", "index", "middle", "ring", "pinky")
_CHAINS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
FINGER_GEOMETRY_NAMES = tuple(
    [f"{f}.bend{j}" for f in FINGERS for j in (1, 2, 3)]
    + [f"{f}.reach" for f in FINGERS] + [f"{f}.along_palm" for f in FINGERS] + ["thumb_index_gap"])


def _norm(v: np.ndarray) -> np.ndarray:
    return np.sqrt(np.sum(v * v, axis=-1))


def _unit(v: np.ndarray) -> np.ndarray:
    n = _norm(v)[..., None]
    return v / np.where(n > 1e-9, n, 1.0)


def finger_geometry(xy: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Return (T, 26) features of (T, 21, 2) hand points with palm sizes ``scale`` (T,)."""
    wrist = xy[:, H.WRIST]
    palm = _unit(xy[:, H.MIDDLE_FINGER_MCP] - wrist)
    bends, reach, along = [], [], []
    for chain in _CHAINS:
        pts = (H.WRIST,) + chain
        for a, b, c in zip(pts, pts[1:], pts[2:], strict=False):
            bends.append(np.sum(_unit(xy[:, a] - xy[:, b]) * _unit(xy[:, c] - xy[:, b]), axis=-1))
        reach.append(_norm(xy[:, chain[3]] - wrist) / scale)
        along.append(np.sum(_unit(xy[:, chain[3]] - xy[:, chain[0]]) * palm, axis=-1))
    gap = _norm(xy[:, H.THUMB_TIP] - xy[:, H.INDEX_FINGER_TIP]) / scale
    return np.stack(bends + reach + along + [gap], axis=1)


__all__ = ["FINGERS", "FINGER_GEOMETRY_NAMES", "finger_geometry"]
