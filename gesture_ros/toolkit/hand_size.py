"""Baseline: how often the extractor finds the gesturing hand, against the hand's size in pixels.

On the hand stills (one raised hand held per still), the pose gives the hand's size even when
MediaPipe Hands misses it: the distance from the pose wrist to the pose index knuckle of the
raised (higher) arm, in pixels, times ``PALM_FROM_POSE`` (pose index landmark to wrist is about
0.8 of the wrist-to-middle-knuckle palm length the features use). A still counts as found when
Hands returned a hand whose wrist lies within one palm of that pose wrist, in the last of its
held frames. Stills without a pose are left out (no size to put them under).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gesture_ros.common.landmarks import PoseLandmark as P
from gesture_ros.toolkit.stills import Still

BINS_PX = (0, 10, 15, 20, 25, 30, 40, 60, 1000)
PALM_FROM_POSE = 1.25


def measure(stills: Sequence[Still]) -> list[dict]:
    """Return per still: its palm size in pixels (from the pose) and whether the hand was found."""
    out = []
    for s in stills:
        pose = s.pose[-1]
        w, h = s.image_size
        if not np.all(np.isfinite(pose[[P.LEFT_WRIST, P.RIGHT_WRIST, P.LEFT_INDEX, P.RIGHT_INDEX], :2])):
            continue
        px = pose[:, :2] * np.array([w, h])
        side = "left" if px[P.LEFT_WRIST, 1] < px[P.RIGHT_WRIST, 1] else "right"
        wrist, knuckle = px[P[f"{side.upper()}_WRIST"]], px[P[f"{side.upper()}_INDEX"]]
        palm = PALM_FROM_POSE * float(np.linalg.norm(knuckle - wrist))
        found = False
        for hand in (s.left_hand[-1], s.right_hand[-1]):
            if np.isfinite(hand[0, 0]):
                found |= float(np.linalg.norm(hand[0, :2] * np.array([w, h]) - wrist)) <= max(palm, 8.0)
        out.append({"key": s.key, "palm_px": palm, "found": bool(found)})
    return out


def table(rows: Sequence[dict]) -> list[dict]:
    """Return recall per palm-size bin."""
    out = []
    for lo, hi in zip(BINS_PX[:-1], BINS_PX[1:], strict=True):
        sel = [r for r in rows if lo <= r["palm_px"] < hi]
        if sel:
            out.append({"palm_px": f"{lo}-{hi}" if hi < 1000 else f">={lo}", "n": len(sel),
                        "recall": sum(r["found"] for r in sel) / len(sel)})
    return out
