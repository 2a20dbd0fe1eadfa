"""Whether a frame's pose can show crossed forearms: both seen, the wrists close enough.

A pose that does not see the elbows and wrists (missing, or below ``MIN_VISIBILITY``) cannot
see them crossed, and crossed forearms bring the wrists within the body's width of each other.
The model still scores other frames (it learnt that crossed wrists are often half hidden), and
a person standing with the hands low in front of the body, wrists hidden or apart, scores like
the low X; so gestures named in ``DeciderConfig.forearm_gestures`` fire only on a frame that
passes ``forearms_crossable``, and wait, still armed, until one does.
"""

from __future__ import annotations

import numpy as np

from gesture_ros.classify.features import body_scale
from gesture_ros.common.landmarks import Field, KeypointFrame, PoseLandmark

MIN_VISIBILITY = 0.5  # FeatureSpec's default; the decider passes its model's own
MAX_WRIST_GAP = 1.0  # body widths (features.body_scale); the real X stills: median 0.47, 99th percentile 0.76
P = PoseLandmark
FOREARM_LANDMARKS = (P.LEFT_ELBOW, P.RIGHT_ELBOW, P.LEFT_WRIST, P.RIGHT_WRIST)


def forearms_crossable(frame: KeypointFrame | None, min_visibility: float = MIN_VISIBILITY) -> bool:
    """Return True when the pose shows both elbows and wrists (visibility >= ``min_visibility``), the wrists
    at most ``MAX_WRIST_GAP`` body widths apart (``features.body_scale``; without both shoulders in view
    the gap is not judged)."""
    if frame is None or frame.pose is None:
        return False
    vis = np.nan_to_num(frame.pose[:, Field.VISIBILITY], nan=1.0)  # a recorder without visibility: seen
    seen = np.all(np.isfinite(frame.pose[:, [Field.X, Field.Y]]), axis=1) & (vis >= min_visibility)
    if not seen[list(FOREARM_LANDMARKS)].all():
        return False
    if not (seen[P.LEFT_SHOULDER] and seen[P.RIGHT_SHOULDER]):
        return True
    xy = frame.pose[None, :, :2].astype(np.float64) * np.array([frame.aspect, 1.0])
    _, width = body_scale(xy, seen[None])
    return float(np.linalg.norm(xy[0, P.LEFT_WRIST] - xy[0, P.RIGHT_WRIST])) <= MAX_WRIST_GAP * float(width[0])
