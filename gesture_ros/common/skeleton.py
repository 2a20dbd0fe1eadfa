"""Skeleton geometry for display: bones per part, points on a plane in the camera frame, and
an annotated copy of the image. Used by keypoint_node for rviz markers and rqt_image_view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from gesture_ros.common.landmarks import (
    HAND_BONES,
    POSE_BONES,
    Field,
    KeypointFrame,
    Part,
)

BONES: dict[Part, tuple[tuple[int, int], ...]] = {
    Part.POSE: POSE_BONES, Part.LEFT_HAND: HAND_BONES, Part.RIGHT_HAND: HAND_BONES, Part.FACE: (),
}
# RGB 0..1 per part: pose white, performer's left hand orange, right hand cyan, face grey.
COLORS: dict[Part, tuple[float, float, float]] = {
    Part.POSE: (0.95, 0.95, 0.95), Part.LEFT_HAND: (1.0, 0.55, 0.0),
    Part.RIGHT_HAND: (0.0, 0.8, 1.0), Part.FACE: (0.6, 0.6, 0.6),
}

# RGB 0..1 of a tracked person's pose (person_id 1, 2, ...; cycled); hands keep their side's colour.
PERSON_COLORS = ((0.95, 0.3, 0.3), (0.3, 0.9, 0.3), (0.4, 0.5, 1.0), (0.95, 0.85, 0.2), (0.85, 0.4, 0.95),
                 (0.3, 0.9, 0.9))


def part_color(part: Part, person_id: int = 0) -> tuple[float, float, float]:
    """Return the RGB colour of a part: per person for a tracked person's pose, else per part."""
    if person_id and part == Part.POSE:
        return PERSON_COLORS[(person_id - 1) % len(PERSON_COLORS)]
    return COLORS[part]


@dataclass
class ImagePlane:
    """A plane ``depth_m`` in front of the camera that the image spans at ``hfov_deg``.

    Points use the optical frame convention (x right, y down, z forward), so markers line
    up with the image in rviz when the fixed frame is the camera's optical frame.
    """

    depth_m: float = 1.0
    hfov_deg: float = 60.0

    def project(self, landmarks: np.ndarray, width: int, height: int) -> np.ndarray:
        """Return (N, 3) metres for (N, 5) landmarks; z adds the model's relative depth."""
        span = self.span_m
        aspect = height / width if width and height else 1.0
        out = np.empty((len(landmarks), 3), dtype=np.float64)
        out[:, 0] = (landmarks[:, Field.X] - 0.5) * span
        out[:, 1] = (landmarks[:, Field.Y] - 0.5) * span * aspect
        out[:, 2] = self.depth_m + np.nan_to_num(landmarks[:, Field.Z]) * span
        return out

    @property
    def span_m(self) -> float:
        """Return the width of the image on the plane, in metres."""
        return 2.0 * self.depth_m * math.tan(math.radians(self.hfov_deg) / 2.0)

    def label_point(self, frame: KeypointFrame | None, side: str) -> tuple[float, float, float]:
        """Return where a label for a gesture of ``side`` goes: on top of that hand, else above the centre.

        ``side`` is an event's handedness: 'left' or 'right' picks that hand; 'both' or '' takes
        every hand present. Without such a hand in ``frame`` the label sits a quarter of the
        image above its centre.
        """
        parts = {"left": (Part.LEFT_HAND,), "right": (Part.RIGHT_HAND,)}.get(side, (Part.LEFT_HAND, Part.RIGHT_HAND))
        hands = [frame.part(p) for p in parts] if frame is not None else []
        present = [h for h in hands if h is not None]
        if present:
            points = self.project(np.concatenate(present), frame.image_width, frame.image_height)
            points = points[np.isfinite(points).all(axis=1)]
            if len(points):
                return float(points[:, 0].mean()), float(points[:, 1].min()), self.depth_m
        return 0.0, -0.25 * self.span_m, self.depth_m


def bone_segments(points: np.ndarray, part: Part) -> np.ndarray:
    """Return (M, 2, D) start/end points of the part's bones whose ends are both finite."""
    bones = np.asarray(BONES[part], dtype=int).reshape(-1, 2)
    segments = points[bones]
    finite = np.isfinite(segments).all(axis=(1, 2))
    return segments[finite]


def draw_skeleton(bgr: np.ndarray, frame: KeypointFrame, thickness: int = 2) -> np.ndarray:
    """Return a copy of the image with every detected part's bones and joints drawn on it."""
    return draw_people(bgr, [frame], thickness)


def draw_people(bgr: np.ndarray, frames: list[KeypointFrame], thickness: int = 2) -> np.ndarray:
    """Return a copy of the image with each frame's (person's) skeleton, tracked people labelled by id."""
    out = bgr.copy()
    for frame in frames:
        _draw(out, frame, thickness)
    return out


def _draw(out: np.ndarray, frame: KeypointFrame, thickness: int) -> None:
    h, w = out.shape[:2]
    for part in Part:
        landmarks = frame.part(part)
        if landmarks is None:
            continue
        pixels = landmarks[:, [Field.X, Field.Y]] * (w, h)
        r, g, b = (int(c * 255) for c in part_color(part, frame.person_id))
        color = (b, g, r)
        for (x0, y0), (x1, y1) in bone_segments(pixels, part).round().astype(int):
            cv2.line(out, (x0, y0), (x1, y1), color, thickness, cv2.LINE_AA)
        radius = 1 if part == Part.FACE else thickness + 1
        for x, y in pixels[np.isfinite(pixels).all(axis=1)].round().astype(int):
            cv2.circle(out, (x, y), radius, color, -1, cv2.LINE_AA)
        if part == Part.POSE and frame.person_id and np.isfinite(pixels[0]).all():
            x, y = pixels[0].round().astype(int)
            cv2.putText(out, f"person {frame.person_id}", (x - 30, max(y - 25, 12)), cv2.FONT_HERSHEY_SIMPLEX,
                        0.5, color, 1, cv2.LINE_AA)
