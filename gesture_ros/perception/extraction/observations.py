"""What the stages find: people (pose) and hands, in the camera image's normalised coordinates."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from gesture_ros.common.landmarks import Field, HandLandmark, Part, PoseLandmark

MIN_VISIBILITY = 0.5  # a pose landmark below this visibility is not trusted for checks


class Side(str, Enum):
    """The performer's anatomical side."""

    LEFT = "left"
    RIGHT = "right"

    @property
    def part(self) -> Part:
        return Part.LEFT_HAND if self is Side.LEFT else Part.RIGHT_HAND

    @property
    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT

    def pose(self, name: str) -> PoseLandmark:
        """Return this side's pose landmark ``name`` (e.g. "WRIST" -> LEFT_WRIST)."""
        return PoseLandmark[f"{self.name}_{name}"]


def pixels(landmarks: np.ndarray, width: int, height: int) -> np.ndarray:
    """Return the (N, 2) image positions in pixels of (N, 5) normalised landmarks."""
    return landmarks[:, [Field.X, Field.Y]] * np.array([width, height], dtype=np.float32)


@dataclass
class HandObservation:
    """One hand as a stage found it: 21 landmarks (N, 5), its anatomical side and a score."""

    side: Side
    landmarks: np.ndarray
    score: float
    redetected: bool = False  # found by a fresh detection rather than by tracking

    def wrist_px(self, width: int, height: int) -> np.ndarray:
        return pixels(self.landmarks[[HandLandmark.WRIST]], width, height)[0]

    def palm_length_px(self, width: int, height: int) -> float:
        """Return wrist to middle-finger knuckle in pixels: the hand's own size."""
        p = pixels(self.landmarks[[HandLandmark.WRIST, HandLandmark.MIDDLE_FINGER_MCP]], width, height)
        return float(np.linalg.norm(p[1] - p[0]))


@dataclass
class Person:
    """One body as the pose stage found it (33 pose landmarks, anatomical sides)."""

    pose: np.ndarray
    face: np.ndarray | None = None
    hands: dict[Side, HandObservation] | None = None  # hands the pose stage placed itself (Holistic)

    def visible(self, landmark: PoseLandmark) -> bool:
        v = self.pose[landmark, Field.VISIBILITY]
        return bool(np.isfinite(v) and v >= MIN_VISIBILITY)

    def point_px(self, landmark: PoseLandmark, width: int, height: int) -> np.ndarray:
        return pixels(self.pose[[landmark]], width, height)[0]

    def shoulder_width_px(self, width: int, height: int) -> float:
        """Return the shoulder width in pixels, or 0 when a shoulder is not visible."""
        ls, rs = PoseLandmark.LEFT_SHOULDER, PoseLandmark.RIGHT_SHOULDER
        if not (self.visible(ls) and self.visible(rs)):
            return 0.0
        return float(np.linalg.norm(self.point_px(ls, width, height) - self.point_px(rs, width, height)))
