"""Turn one recorded take (KeypointFrames of one performance) into a labelled sequence.

Held gestures: every frame after a reaction delay is the gesture. Trigger gestures (swipes,
x_cross): the frames where the hands move fastest (above ``TRIGGER_SPEED`` of the take's peak
wrist speed), so windows over the idle start and end of a take stay 'none'.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from gesture_ros.core.features import SequenceArrays
from gesture_ros.core.landmarks import KeypointFrame
from gesture_ros.core.model_meta import GestureKind

REACTION_S = 0.3
TRIGGER_SPEED = 0.3


def _wrist_speed(arrays: SequenceArrays) -> np.ndarray:
    """Return (T,) the fastest wrist's image speed per second (hands, else pose wrists)."""
    t = arrays.stamps_ns.astype(np.float64) * 1e-9
    tracks = [arrays.left_hand[:, 0, :2], arrays.right_hand[:, 0, :2], arrays.pose[:, 15, :2], arrays.pose[:, 16, :2]]
    speed = np.zeros(len(t))
    for xy in tracks:
        v = np.linalg.norm(np.diff(xy, axis=0), axis=1) / np.maximum(np.diff(t), 1e-3)
        speed[1:] = np.fmax(speed[1:], np.nan_to_num(v, nan=0.0))
    return speed


def frame_labels(frames: Sequence[KeypointFrame], label: str, kind: GestureKind) -> np.ndarray:
    """Return per-frame labels of a take performed as ``label``."""
    arrays = SequenceArrays.from_frames(frames)
    out = np.full(len(frames), "none", dtype=object)
    if kind == GestureKind.NONE or not len(frames):
        return out.astype(str)
    t = (arrays.stamps_ns - arrays.stamps_ns[0]) * 1e-9
    if kind == GestureKind.HELD:
        out[t >= REACTION_S] = label
        return out.astype(str)
    speed = _wrist_speed(arrays)
    fast = np.flatnonzero(speed >= TRIGGER_SPEED * speed.max()) if speed.max() > 0 else np.zeros(0, int)
    if len(fast):
        out[fast[0]:fast[-1] + 1] = label
    return out.astype(str)
