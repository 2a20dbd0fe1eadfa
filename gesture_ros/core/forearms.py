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

from gesture_ros.core.landmarks import Field, KeypointFrame, PoseLandmark

MIN_VISIBILITY = 0.5  # as FeatureSpec.min_visibility
MAX_WRIST_GAP = 1.0  # body widths; the real X stills: median 0.47, 99th percentile 0.76
NECK_TO_WIDTH = 1.2  # a body turned sideways: its width from the neck, as the features scale it
P = PoseLandmark
FOREARM_LANDMARKS = (P.LEFT_ELBOW, P.RIGHT_ELBOW, P.LEFT_WRIST, P.RIGHT_WRIST)


def _seen(pose: np.ndarray, landmarks) -> bool:
    pts = pose[list(landmarks)]
    vis = np.nan_to_num(pts[:, Field.VISIBILITY], nan=1.0)  # a recorder without visibility: take it as seen
    return bool(np.all(np.isfinite(pts[:, [Field.X, Field.Y]])) and np.all(vis >= MIN_VISIBILITY))


def forearms_crossable(frame: KeypointFrame | None) -> bool:
    """Return True when the pose shows both elbows and wrists, the wrists at most ``MAX_WRIST_GAP`` body
    widths apart (the width: the shoulders', or ``NECK_TO_WIDTH`` times the neck, the larger; without
    both shoulders in view the gap is not judged)."""
    if frame is None or frame.pose is None or not _seen(frame.pose, FOREARM_LANDMARKS):
        return False
    if not _seen(frame.pose, (P.LEFT_SHOULDER, P.RIGHT_SHOULDER)):
        return True
    aspect = frame.image_width / frame.image_height if frame.image_width > 0 and frame.image_height > 0 else 1.0
    xy = frame.pose[:, :2].astype(np.float64) * np.array([aspect, 1.0])
    mid = (xy[P.LEFT_SHOULDER] + xy[P.RIGHT_SHOULDER]) / 2.0
    width = float(np.linalg.norm(xy[P.LEFT_SHOULDER] - xy[P.RIGHT_SHOULDER]))
    if _seen(frame.pose, (P.NOSE,)):
        width = max(width, NECK_TO_WIDTH * float(np.linalg.norm(xy[P.NOSE] - mid)))
    return float(np.linalg.norm(xy[P.LEFT_WRIST] - xy[P.RIGHT_WRIST])) <= MAX_WRIST_GAP * width
