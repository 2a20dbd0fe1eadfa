"""Whether a frame's hand can be a stop palm: its fingers extended, the index too.

The author's ``open_palm`` is a stop palm, fingers up and extended. Two look-alikes fire it when a
model misreads them. A hand loosening an OK sign or about to pinch holds three fingers up with the
index hooked: from the front it looks much like a palm (models read ``negatives/ok_sign_drag.gif``
as one, 1.5.1 whenever the extraction dropped frames), and what tells them apart is the index's
reach. A curled hand (a thumbs up with a skeleton drawn over the image was read as open_palm on a
clip of another person) has its fingertips near its knuckles. So gestures named in
``DeciderConfig.open_hand_gestures`` START only on a frame where the hand the model reads (the one
held higher, as the feature spec picks it) has its middle fingertip at least ``MIN_MIDDLE_REACH``
palm lengths (wrist to middle knuckle) from the wrist and its index tip at least
``MIN_INDEX_REACH`` of that, and wait, still pending, until one does. Both are ratios within the
hand: kept when the palm tilts and at any distance from the camera.
"""

from __future__ import annotations

import numpy as np

from gesture_ros.classify.decision import dominant_side
from gesture_ros.common.landmarks import HandLandmark as H
from gesture_ros.common.landmarks import KeypointFrame

# Middle fingertip reach in palm lengths: hand-sign Open rows of 13 performers 0.5th percentile 1.35,
# 1st 1.59; open-palm stills 1.77 or more; fist rows 95th percentile 1.23, thumbs-up stills 1.12 at most.
MIN_MIDDLE_REACH = 1.4
# Index over middle fingertip reach: Open rows 1st percentile 0.85, open-palm stills 0.93 or more;
# the loosened OK sign of ok_sign_drag.gif 0.76-0.82, a closed one 0.7.
MIN_INDEX_REACH = 0.85


def _open(xy: np.ndarray) -> bool:
    wrist = xy[H.WRIST]
    palm = np.linalg.norm(xy[H.MIDDLE_FINGER_MCP] - wrist)
    middle = np.linalg.norm(xy[H.MIDDLE_FINGER_TIP] - wrist)
    index = np.linalg.norm(xy[H.INDEX_FINGER_TIP] - wrist)
    if not (np.isfinite(palm) and np.isfinite(middle) and np.isfinite(index)) or palm <= 0:
        return False
    return bool(middle >= MIN_MIDDLE_REACH * palm and index >= MIN_INDEX_REACH * middle)


def palm_open(frame: KeypointFrame | None) -> bool:
    """Return True when the frame's hand the model reads (the one held higher, ``dominant_side``) shows
    its middle finger and index extended; False without a hand."""
    side = dominant_side(frame) if frame is not None else ""
    if not side:
        return False
    hand = frame.right_hand if side == "right" else frame.left_hand
    return _open(hand[:, :2].astype(np.float64) * np.array([frame.aspect, 1.0]))


__all__ = ["MIN_INDEX_REACH", "MIN_MIDDLE_REACH", "palm_open"]
