"""Find people by their faces: MediaPipe face detection (full range) on square tiles of the frame.

The detector squeezes its whole input into 192x192, so on a wide frame (or a side-by-side
view of a stage) a person's face shrinks below what it finds: measured on 1152x360, one
whole-frame pass found 2 of 3 faces, square overlapping tiles found all 3. Faces found twice
where tiles overlap are merged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from gesture_ros.perception.extraction.crops import Crop
from gesture_ros.perception.extraction.image import PreparedImage


@dataclass(frozen=True)
class Face:
    """One face in camera pixels: box centre, box side and the detector's score."""

    cx: float
    cy: float
    side: float
    score: float

    def crop(self) -> Crop:
        return Crop(self.cx, self.cy, self.side)


def tiles(width: int, height: int) -> list[tuple[int, int, int]]:
    """Return square tiles (x0, y0, side) that cover a (width, height) image, overlapping evenly."""
    side = min(width, height)
    n = math.ceil(max(width, height) / side)
    if n > 1 and max(width, height) / side > n - 0.15:
        n += 1  # a face wider than the overlap, across a tile border, would be cut in both tiles
    starts = np.linspace(0, max(width, height) - side, n).round().astype(int)
    return [(int(s), 0, side) if width >= height else (0, int(s), side) for s in starts]


def merge(faces: list[Face], min_iou: float = 0.3) -> list[Face]:
    """Return the faces, best score first, without those overlapping a better one by ``min_iou``."""
    kept: list[Face] = []
    for face in sorted(faces, key=lambda f: -f.score):
        if all(face.crop().iou(k.crop()) < min_iou for k in kept):
            kept.append(face)
    return kept


class FaceFinder:
    """Run face detection on tiles of the prepared image; return faces in camera pixels."""

    def __init__(self, mp: Any, min_score: float) -> None:
        self._detector = mp.solutions.face_detection.FaceDetection(model_selection=1,
                                                                    min_detection_confidence=min_score)

    def find(self, image: PreparedImage) -> list[Face]:
        rgb = image.rgb
        h, w = rgb.shape[:2]
        back = 1.0 / image.scale  # prepared-image pixels to camera pixels
        faces = []
        for x0, y0, side in tiles(w, h):
            result = self._detector.process(np.ascontiguousarray(rgb[y0:y0 + side, x0:x0 + side]))
            for d in result.detections or []:
                box = d.location_data.relative_bounding_box
                s = max(box.width, box.height) * side
                faces.append(Face((x0 + (box.xmin + box.width / 2) * side) * back,
                                  (y0 + (box.ymin + box.height / 2) * side) * back, s * back, float(d.score[0])))
        return merge(faces)

    def close(self) -> None:
        self._detector.close()
