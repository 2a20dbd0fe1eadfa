"""Hand regions: where a person's hands should be, from the pose alone.

The recovery checks compare tracked hands with them; hand detection on crops of the image
around them (small or far hands, as Holistic does) would start from the same regions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gesture_ros.perception.extraction.observations import Person, Side

# Pose hand points (index, pinky knuckles) reach about this fraction of a palm length from the wrist.
POSE_HAND_TO_PALM = 1.0
# A palm is about this fraction of the shoulder width (adults, facing the camera).
PALM_TO_SHOULDER = 0.35
# A palm longer than this many shoulder widths: the body is a hallucination around a close-up hand.
MAX_PALM_TO_SHOULDER = 1.0


@dataclass(frozen=True)
class HandRegion:
    """One side's expected hand: wrist position and hand (palm) length in camera pixels."""

    side: Side
    wrist_px: np.ndarray  # (2,)
    hand_length_px: float  # expected wrist to middle knuckle

    def distance(self, point_px: np.ndarray) -> float:
        """Return the distance of ``point_px`` to the expected wrist, in hand lengths."""
        return float(np.linalg.norm(point_px - self.wrist_px)) / self.hand_length_px

    def box(self, scale: float = 3.0) -> tuple[float, float, float, float]:
        """Return a square (x0, y0, x1, y1) in pixels around the expected hand, ``scale`` hand lengths wide."""
        half = scale * self.hand_length_px / 2
        (x, y) = self.wrist_px
        return x - half, y - half, x + half, y + half


def hand_regions(person: Person, width: int, height: int) -> dict[Side, HandRegion]:
    """Return the regions of the sides whose wrist the pose sees, sized from the pose."""
    regions: dict[Side, HandRegion] = {}
    shoulders = person.shoulder_width_px(width, height)
    for side in Side:
        wrist = side.pose("WRIST")
        if not person.visible(wrist):
            continue
        wrist_px = person.point_px(wrist, width, height)
        reach = [float(np.linalg.norm(person.point_px(side.pose(p), width, height) - wrist_px))
                 for p in ("INDEX", "PINKY") if person.visible(side.pose(p))]
        length = max([r / POSE_HAND_TO_PALM for r in reach] + [shoulders * PALM_TO_SHOULDER])
        if length > 0:
            regions[side] = HandRegion(side, wrist_px, length)
    return regions


def pose_is_plausible(person: Person, palm_px: float, width: int, height: int) -> bool:
    """Return False when the body is implausibly small for this hand (Pose invents one around close-ups)."""
    shoulders = person.shoulder_width_px(width, height)
    return shoulders > 0 and palm_px <= MAX_PALM_TO_SHOULDER * shoulders
