"""A body model for the 33 MediaPipe pose landmarks, with two-bone arms.

Body-local frame (metres): origin at the shoulder midpoint, +x toward the performer's left
(image +x when they face an unmirrored camera), +y up, +z toward the camera.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.common.landmarks import POSE_LENGTH
from gesture_ros.common.landmarks import PoseLandmark as P
from gesture_ros.toolkit.synth.geometry import unit


@dataclass
class Person:
    """Body proportions of one performer (metres)."""

    height: float
    shoulder_width: float
    upper_arm: float
    forearm: float
    hand_size: float  # factor for the hand model
    torso: float
    hip_width: float

    @classmethod
    def random(cls, rng: np.random.Generator) -> "Person":
        h = rng.uniform(1.45, 1.95)
        k = lambda: rng.normal(1.0, 0.05)  # noqa: E731
        return cls(height=h, shoulder_width=0.19 * h * k(), upper_arm=0.17 * h * k(), forearm=0.145 * h * k(),
                   hand_size=h / 1.75 * k(), torso=0.29 * h * k(), hip_width=0.11 * h * k())


def elbow_ik(shoulder: np.ndarray, wrist: np.ndarray, upper: float, fore: float, pole: np.ndarray) -> tuple:
    """Return (elbow, reachable wrist) for a two-bone arm bending toward ``pole``."""
    d = wrist - shoulder
    dist = float(np.linalg.norm(d))
    reach = 0.995 * (upper + fore)
    if dist > reach:
        wrist = shoulder + d * (reach / dist)
        dist = reach
    dist = max(dist, abs(upper - fore) + 1e-3)
    axis = unit(wrist - shoulder)
    a = (upper ** 2 - fore ** 2 + dist ** 2) / (2 * dist)
    r = np.sqrt(max(upper ** 2 - a ** 2, 0.0))
    bend = unit(pole - np.dot(pole, axis) * axis)
    return shoulder + axis * a + bend * r, wrist


def body_points(person: Person, left_wrist: np.ndarray, right_wrist: np.ndarray,
                left_hand_pts: np.ndarray, right_hand_pts: np.ndarray,
                left_pole: np.ndarray, right_pole: np.ndarray) -> np.ndarray:
    """Return (33, 3) body-local landmarks; hand points (21, 3, body-local) give the finger landmarks."""
    out = np.zeros((POSE_LENGTH, 3))
    sw, h = person.shoulder_width, person.height
    out[P.LEFT_SHOULDER] = (sw / 2, 0, 0)
    out[P.RIGHT_SHOULDER] = (-sw / 2, 0, 0)
    nose = np.array([0.0, 0.105 * h, 0.09])
    out[P.NOSE] = nose
    for side, s in ((("LEFT", 1.0)), ("RIGHT", -1.0)):
        out[P[f"{side}_EYE_INNER"]] = nose + (s * 0.015, 0.035, -0.02)
        out[P[f"{side}_EYE"]] = nose + (s * 0.032, 0.037, -0.025)
        out[P[f"{side}_EYE_OUTER"]] = nose + (s * 0.048, 0.036, -0.035)
        out[P[f"{side}_EAR"]] = nose + (s * 0.075, 0.02, -0.1)
        out[P[f"MOUTH_{side}"]] = nose + (s * 0.025, -0.035, -0.012)
        hip = np.array([s * person.hip_width, -person.torso, 0.0])
        out[P[f"{side}_HIP"]] = hip
        out[P[f"{side}_KNEE"]] = hip + (0, -0.245 * h, 0.02)
        out[P[f"{side}_ANKLE"]] = hip + (0, -0.49 * h, 0.0)
        out[P[f"{side}_HEEL"]] = hip + (0, -0.52 * h, -0.04)
        out[P[f"{side}_FOOT_INDEX"]] = hip + (s * 0.02, -0.53 * h, 0.12)
    arms = (("LEFT", left_wrist, left_hand_pts, left_pole), ("RIGHT", right_wrist, right_hand_pts, right_pole))
    for side, wrist, hand, pole in arms:
        shoulder = out[P[f"{side}_SHOULDER"]]
        elbow, _ = elbow_ik(shoulder, wrist, person.upper_arm, person.forearm, pole)
        out[P[f"{side}_ELBOW"]] = elbow
        out[P[f"{side}_WRIST"]] = wrist
        out[P[f"{side}_PINKY"]] = (hand[17] + hand[18]) / 2
        out[P[f"{side}_INDEX"]] = (hand[5] + hand[6]) / 2
        out[P[f"{side}_THUMB"]] = hand[3]
    return out


def reach_clamp(person: Person, side: str, target: np.ndarray) -> np.ndarray:
    """Return ``target`` pulled within the arm's reach from its shoulder."""
    s = 1.0 if side == "left" else -1.0
    shoulder = np.array([s * person.shoulder_width / 2, 0.0, 0.0])
    d = target - shoulder
    reach = 0.97 * (person.upper_arm + person.forearm)
    n = float(np.linalg.norm(d))
    return target if n <= reach else shoulder + d * (reach / n)
