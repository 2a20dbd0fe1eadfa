"""Whether a frame's hand can be a stop palm (its fingers extended, the index too) or a fist (its index folded).

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

A fist folds the index: its tip comes back toward the palm, no farther from the wrist than its
middle joint (PIP). Models read some pointing hands as fists (the fold models about one Pointer
row in 15, most of them pointing toward the camera or down), so gestures named in
``DeciderConfig.closed_hand_gestures`` START only on a frame whose hand has its index tip at most
``MAX_INDEX_EXTENSION`` palm lengths farther from the wrist than the index PIP.
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
# Index tip minus index PIP distance from the wrist, in palm lengths: hand-sign Close rows of 16
# performers 95th percentile 0.1, 99th 0.36; fist stills -0.29 at most; Pointer rows median 0.48.
MAX_INDEX_EXTENSION = 0.35


def _reach(xy: np.ndarray, joint: int) -> float:
    """Return how far ``joint`` is from the wrist in palm lengths (wrist to middle knuckle); NaN without a palm."""
    wrist = xy[H.WRIST]
    palm = np.linalg.norm(xy[H.MIDDLE_FINGER_MCP] - wrist)
    return float(np.linalg.norm(xy[joint] - wrist) / palm) if np.isfinite(palm) and palm > 0 else float("nan")


def open_shape(xy: np.ndarray) -> bool:
    """Return True when (21, 2) hand points (x and y in one unit) show the middle finger and index extended."""
    middle = _reach(xy, H.MIDDLE_FINGER_TIP)
    return bool(middle >= MIN_MIDDLE_REACH and _reach(xy, H.INDEX_FINGER_TIP) >= MIN_INDEX_REACH * middle)


def closed_shape(xy: np.ndarray) -> bool:
    """Return True when (21, 2) hand points (x and y in one unit) show the index folded, not extended."""
    return bool(_reach(xy, H.INDEX_FINGER_TIP) - _reach(xy, H.INDEX_FINGER_PIP) <= MAX_INDEX_EXTENSION)


def failed_shapes(xy: np.ndarray | None, open_gestures: frozenset[str],
                  closed_gestures: frozenset[str]) -> frozenset[str]:
    """Return the gestures whose hand-shape check the hand ``xy`` (None: no hand) fails: those of
    ``open_gestures`` unless it is open, those of ``closed_gestures`` unless it is closed."""
    out: frozenset[str] = frozenset()
    if open_gestures and (xy is None or not open_shape(xy)):
        out |= open_gestures
    if closed_gestures and (xy is None or not closed_shape(xy)):
        out |= closed_gestures
    return out


def hand_xy(frame: KeypointFrame | None) -> np.ndarray | None:
    """Return the x, y of the frame's hand the model reads (the one held higher, ``dominant_side``) in
    one unit (x scaled by the aspect ratio), or None without a hand."""
    side = dominant_side(frame) if frame is not None else ""
    if not side:
        return None
    hand = frame.right_hand if side == "right" else frame.left_hand
    return hand[:, :2].astype(np.float64) * np.array([frame.aspect, 1.0])


def palm_open(frame: KeypointFrame | None) -> bool:
    """Return True when the frame's hand the model reads shows its middle finger and index extended;
    False without a hand."""
    xy = hand_xy(frame)
    return xy is not None and open_shape(xy)


def fist_closed(frame: KeypointFrame | None) -> bool:
    """Return True when the frame's hand the model reads has its index folded; False without a hand."""
    xy = hand_xy(frame)
    return xy is not None and closed_shape(xy)


__all__ = ["MAX_INDEX_EXTENSION", "MIN_INDEX_REACH", "MIN_MIDDLE_REACH", "closed_shape", "failed_shapes",
           "fist_closed", "hand_xy", "open_shape", "palm_open"]
