"""A 21-joint kinematic hand: bone lengths per person, finger flexion per gesture.

Hand-local frame (right hand, metres): origin at the wrist, +y along the palm toward the
middle finger, +x toward the thumb, +z out of the palm's front. A left hand is the mirror
image (local x negated). Joint order is MediaPipe's (common.landmarks.HandLandmark).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.common.landmarks import HAND_LENGTH
from gesture_ros.common.landmarks import HandLandmark as H

FINGERS = ("index", "middle", "ring", "pinky")
# Proportions follow MediaPipe's landmarks (measured on real hand-sign rows: MCP row width 0.8
# and middle finger 1.15 palm lengths, thumb CMC 0.44 palm lengths from the wrist), not anatomy.
_MCP = {  # metacarpophalangeal joints on the palm, for a 1.0 hand-size factor
    "index": (0.031, 0.086), "middle": (0.004, 0.090), "ring": (-0.019, 0.084), "pinky": (-0.040, 0.072),
}
_PHALANX = {  # proximal, middle, distal
    "index": (0.043, 0.026, 0.022), "middle": (0.049, 0.031, 0.023),
    "ring": (0.045, 0.028, 0.022), "pinky": (0.036, 0.021, 0.019),
}
_THUMB_CMC = (0.028, 0.029)
_THUMB = (0.038, 0.032, 0.027)  # CMC->MCP, MCP->IP, IP->TIP
_FIRST = {"index": H.INDEX_FINGER_MCP, "middle": H.MIDDLE_FINGER_MCP, "ring": H.RING_FINGER_MCP, "pinky": H.PINKY_MCP}


@dataclass
class HandBones:
    """One person's hand: overall size and small per-bone variation."""

    size: float = 1.0
    jitter: np.ndarray = None  # (21,) relative length factors

    @classmethod
    def random(cls, rng: np.random.Generator, size: float) -> "HandBones":
        return cls(size=size, jitter=1.0 + rng.normal(0, 0.06, HAND_LENGTH))


@dataclass
class HandPose:
    """Joint angles in degrees: per finger (mcp, pip, dip flexion, abduction); thumb 4 angles."""

    fingers: np.ndarray  # (4, 4)
    thumb: np.ndarray  # (abduction from +y toward +x, opposition toward +z, mcp flex, ip flex)

    def lerp(self, other: "HandPose", s: float) -> "HandPose":
        return HandPose(self.fingers + (other.fingers - self.fingers) * s, self.thumb + (other.thumb - self.thumb) * s)


def _direction(flex_deg: float, abd_deg: float) -> np.ndarray:
    f, a = np.deg2rad(flex_deg), np.deg2rad(abd_deg)
    return np.array([np.sin(a) * np.cos(f), np.cos(a) * np.cos(f), np.sin(f)])


def hand_points(pose: HandPose, bones: HandBones, left: bool) -> np.ndarray:
    """Return (21, 3) joint positions in the hand-local frame (metres)."""
    pts = np.zeros((HAND_LENGTH, 3))
    k = bones.size * (bones.jitter if bones.jitter is not None else np.ones(HAND_LENGTH))
    for i, name in enumerate(FINGERS):
        first = int(_FIRST[name])
        mcp_flex, pip_flex, dip_flex, abd = pose.fingers[i]
        pts[first] = np.array([_MCP[name][0], _MCP[name][1], 0.0]) * k[first]
        flex = 0.0
        for j, (length, bend) in enumerate(zip(_PHALANX[name], (mcp_flex, pip_flex, dip_flex), strict=False)):
            flex += bend
            pts[first + j + 1] = pts[first + j] + length * k[first + j + 1] * _direction(flex, abd)
    abd, opp, mcp_flex, ip_flex = pose.thumb
    pts[H.THUMB_CMC] = np.array([_THUMB_CMC[0], _THUMB_CMC[1], 0.0]) * k[H.THUMB_CMC]
    flex = opp
    for j, (length, bend) in enumerate(zip(_THUMB, (0.0, mcp_flex, ip_flex), strict=False)):
        flex += bend
        pts[H.THUMB_CMC + j + 1] = pts[H.THUMB_CMC + j] + length * k[H.THUMB_CMC + j + 1] * _direction(flex, abd)
    if left:
        pts[:, 0] *= -1.0
    return pts


def thumb_direction(pose: HandPose, left: bool) -> np.ndarray:
    """Return the unit direction from the thumb's MCP to its tip (hand-local)."""
    pts = hand_points(pose, HandBones(), left)
    d = pts[H.THUMB_TIP] - pts[H.THUMB_MCP]
    return d / np.linalg.norm(d)
