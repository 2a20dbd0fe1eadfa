"""Whether a frame's pose shows both forearms: what a crossed-arms gesture needs to be seen.

A pose that does not see the elbows and wrists (missing, or below ``MIN_VISIBILITY``) cannot
see them crossed. The model still scores such frames (it learnt that crossed wrists are often
half hidden), and a person standing with the hands low in front of the body, wrists hidden,
scores like the low X; so gestures named in ``DeciderConfig.forearm_gestures`` fire only on a
frame that shows both forearms, and wait, still armed, until one does.
"""

from __future__ import annotations

import numpy as np

from gesture_ros.core.landmarks import Field, KeypointFrame, PoseLandmark

MIN_VISIBILITY = 0.5  # as FeatureSpec.min_visibility
FOREARM_LANDMARKS = (PoseLandmark.LEFT_ELBOW, PoseLandmark.RIGHT_ELBOW, PoseLandmark.LEFT_WRIST,
                     PoseLandmark.RIGHT_WRIST)


def forearms_seen(frame: KeypointFrame | None) -> bool:
    """Return True when the pose has both elbows and both wrists, each at ``MIN_VISIBILITY`` or more."""
    if frame is None or frame.pose is None:
        return False
    pts = frame.pose[list(FOREARM_LANDMARKS)]
    vis = np.nan_to_num(pts[:, Field.VISIBILITY], nan=1.0)  # a recorder without visibility: take it as seen
    return bool(np.all(np.isfinite(pts[:, [Field.X, Field.Y]])) and np.all(vis >= MIN_VISIBILITY))
