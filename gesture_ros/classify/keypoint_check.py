"""Refuse keypoint frames that break the documented layout of Keypoints.msg.

A refused frame changes nothing (no window slot, no event); the refusal is ``(kind,
sentence)``, the kind being the throttle key and the diagnostics figure.
"""

from __future__ import annotations

import numpy as np

from gesture_ros.common.landmarks import Field, KeypointFrame, Part
from gesture_ros.common.safe_text import bounded

MAX_FRAME_ID_CHARS = 256
MAX_COORDINATE = 100.0  # x, y are normalised to the image: far beyond it is not a detection
Refusal = tuple[str, str]


def frame_problem(frame: KeypointFrame) -> Refusal | None:
    """Return why a frame must be refused (stamp, frame id, coordinates, scores), or None."""
    where = f"keypoints from '{bounded(frame.frame_id, 60)}'"
    if len(frame.frame_id) > MAX_FRAME_ID_CHARS or not frame.frame_id.isprintable():
        return "frame_id", f"{where} refused: frame_id is not a plain name of at most {MAX_FRAME_ID_CHARS} characters"
    if frame.stamp_ns <= 0:
        return "stamp", f"{where} refused: the header has no stamp"
    for part in Part:
        arr = frame.part(part)
        if arr is None:
            continue
        xyz = arr[:, Field.X:Field.Z + 1]
        if not np.all(np.isfinite(xyz)) or np.any(np.abs(xyz) > MAX_COORDINATE):
            return "coordinates", f"{where} refused: {part.value} has NaN, infinite or absurd x/y/z coordinates"
        if np.any(np.isinf(arr[:, Field.VISIBILITY:])):
            return "coordinates", f"{where} refused: {part.value} has infinite visibility or presence"
    scores = (frame.pose_score, frame.left_hand_score, frame.right_hand_score)
    if not all(np.isfinite(s) for s in scores):
        return "coordinates", f"{where} refused: a detection score is NaN or infinite"
    return None
