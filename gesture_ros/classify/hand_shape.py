"""Whether a frame's hand can be a stop palm: all four fingers extended, the index too.

The author's ``open_palm`` is a stop palm. A hand loosening an OK sign or about to pinch holds
three fingers up with the index hooked: from the front it looks much like a palm (a model read
``negatives/ok_sign_drag.gif`` as one whenever the extraction dropped frames), and what tells
them apart is the index's reach. So gestures named in ``DeciderConfig.open_hand_gestures`` START
only on a frame where a detected hand's index tip is at least ``MIN_INDEX_REACH`` of the middle
fingertip's distance from the wrist, and wait, still armed, until one does. The ratio is kept
when the palm tilts (both fingers shorten alike) and at any distance from the camera.
"""

from __future__ import annotations

import numpy as np

from gesture_ros.common.landmarks import HandLandmark, KeypointFrame

# Index over middle fingertip reach: hand-sign Open rows of 13 performers 1st percentile 0.85, the
# open-palm stills 0.93 or more; the loosened OK sign of ok_sign_drag.gif 0.76-0.82, a closed one 0.7.
MIN_INDEX_REACH = 0.85


def index_extended(frame: KeypointFrame | None) -> bool:
    """Return True when a detected hand of the frame has its index reaching MIN_INDEX_REACH of its middle finger."""
    if frame is None:
        return False
    aspect = frame.image_width / frame.image_height if frame.image_width > 0 and frame.image_height > 0 else 1.0
    for hand in (frame.right_hand, frame.left_hand):
        if hand is None:
            continue
        xy = hand[:, :2].astype(np.float64) * np.array([aspect, 1.0])
        wrist = xy[HandLandmark.WRIST]
        index = np.linalg.norm(xy[HandLandmark.INDEX_FINGER_TIP] - wrist)
        middle = np.linalg.norm(xy[HandLandmark.MIDDLE_FINGER_TIP] - wrist)
        if np.isfinite(index) and np.isfinite(middle) and middle > 0 and index >= MIN_INDEX_REACH * middle:
            return True
    return False


__all__ = ["MIN_INDEX_REACH", "index_extended"]
