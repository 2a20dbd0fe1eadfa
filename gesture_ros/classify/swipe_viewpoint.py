"""Which left and right the swipe gestures name: the image's, or the performer's own.

The model always reports directions in the published image: ``swipe_right`` = the hand moves
toward +x. A performer facing an unmirrored camera who swipes to their own left moves toward
image +x, so in the ``performer`` frame the two swipe columns are exchanged whenever the
performer's left is toward +x: decided from the pose (left shoulder right of the right one
in the image, anatomical labels), and assumed when no body is in view (a performer facing
an unmirrored camera). A mirrored (selfie) image already shows the performer's own left and
right, and so does a body with its back to the camera: the pose then leaves the columns alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import numpy as np

from gesture_ros.common.landmarks import Field, KeypointFrame, PoseLandmark

MIN_SHOULDER_DX = 0.02  # of the image width: a body seen edge-on gives no side
MIN_VISIBILITY = 0.5
IMAGE_STROKE_SIGNS = {"swipe_right": 1, "swipe_left": -1}  # the model's names: toward image +x / -x
_EXCHANGED_SIGNS = {k: -v for k, v in IMAGE_STROKE_SIGNS.items()}


class SwipeFrame(str, Enum):
    """The frame swipe_left/swipe_right are named in."""

    IMAGE = "image"
    PERFORMER = "performer"


def performer_left_sign(frame: KeypointFrame) -> int:
    """Return +1 when the performer's left is toward image +x, -1 toward -x, 0 when the pose cannot tell."""
    pose = frame.pose
    if pose is None:
        return 0
    ls, rs = pose[PoseLandmark.LEFT_SHOULDER], pose[PoseLandmark.RIGHT_SHOULDER]
    vis = np.nan_to_num(np.array([ls[Field.VISIBILITY], rs[Field.VISIBILITY]]), nan=1.0)
    dx = float(ls[Field.X] - rs[Field.X])
    if not np.isfinite(dx) or np.any(vis < MIN_VISIBILITY) or abs(dx) < MIN_SHOULDER_DX:
        return 0
    return 1 if dx > 0 else -1


def swap_swipes(probs: np.ndarray, labels: list[str]) -> np.ndarray:
    """Return ``probs`` with the swipe_left and swipe_right columns exchanged (a copy)."""
    out = np.array(probs, copy=True)
    if "swipe_left" in labels and "swipe_right" in labels:
        i, j = labels.index("swipe_left"), labels.index("swipe_right")
        out[..., [i, j]] = out[..., [j, i]]
    return out


def exchange_needed(frame_kind: SwipeFrame, signs: list[int]) -> bool:
    """Return True when the model's image-frame swipes must be renamed for ``frame_kind``.

    ``signs`` are ``performer_left_sign`` of the window's frames; their majority decides,
    and without any (no body in view) a performer facing an unmirrored camera is assumed.
    """
    if frame_kind is not SwipeFrame.PERFORMER:
        return False
    total = sum(signs)
    return total >= 0


def stroke_signs(exchanged: bool) -> Mapping[str, int]:
    """Return the image x direction each swipe name moves in, its columns ``exchanged`` or not (read only)."""
    return _EXCHANGED_SIGNS if exchanged else IMAGE_STROKE_SIGNS
