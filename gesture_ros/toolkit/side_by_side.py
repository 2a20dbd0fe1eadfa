"""Several real people in one frame: stills from ../shared/data side by side (a stage, a crowd).

Used by the multi-person tests and ``bench people``. Three different people of the stills
(A, B, C as toolkit/people groups them), each holding one gesture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

# (folder, file name prefix, gesture)
PEOPLE = (
    ("hand_up_thumbs_up", "0015e013", "thumbs_up"),  # person A, upper body, large
    ("hand_palm_open_palm", "01453c01", "open_palm"),  # person B, upper body
    ("body_video_pause", "13e72513", "x_cross"),  # person C, full body, far (hands ~15-20 px)
    ("hand_emergency_fist", "042c889b", "fist"),  # person B again, another still
)


@dataclass(frozen=True)
class Panel:
    """Where one person's still sits in the composite (pixels)."""

    gesture: str
    x0: int
    x1: int


def still(data: Path, index: int) -> np.ndarray:
    folder, prefix, _ = PEOPLE[index]
    path = next((Path(data) / "stills" / folder).glob(f"{prefix}*.jpg"))
    return cv2.imread(str(path))


def side_by_side(data: Path, indices: tuple[int, ...], height: int = 360, scales: tuple[float, ...] | None = None,
                 width_fraction: float = 1.0, present: tuple[bool, ...] | None = None) -> tuple[np.ndarray, list[Panel]]:
    """Return the stills ``indices`` side by side, bottom-aligned, each scaled to ``scales[i]`` of ``height``.

    ``width_fraction`` keeps the central part of each still; a person not ``present`` leaves a dark panel.
    """
    scales = scales or (1.0,) * len(indices)
    present = present or (True,) * len(indices)
    tiles, panels, x = [], [], 0
    for i, s, here in zip(indices, scales, present, strict=True):
        img = still(data, i)
        w = img.shape[1]
        keep = int(w * width_fraction)
        img = img[:, (w - keep) // 2:(w - keep) // 2 + keep]
        h = int(height * s)
        img = cv2.resize(img, (int(img.shape[1] * h / img.shape[0]), h), interpolation=cv2.INTER_AREA)
        tile = np.full((height, img.shape[1], 3), 30, np.uint8)
        if here:
            tile[height - h:] = img
        tiles.append(tile)
        panels.append(Panel(PEOPLE[i][2], x, x + img.shape[1]))
        x += img.shape[1]
    return np.ascontiguousarray(np.hstack(tiles)), panels


def letterbox(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Return the image scaled to fit (width, height), aspect kept, centred on a dark background."""
    k = min(width / image.shape[1], height / image.shape[0])
    size = (round(image.shape[1] * k), round(image.shape[0] * k))
    out = np.full((height, width, 3), 30, np.uint8)
    x0, y0 = (width - size[0]) // 2, (height - size[1]) // 2
    out[y0:y0 + size[1], x0:x0 + size[0]] = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return out


def swaying(image: np.ndarray, n: int, amplitude_px: float = 4.0) -> list[np.ndarray]:
    """Return ``n`` frames of the image moving gently (a clip, not one frame repeated)."""
    h, w = image.shape[:2]
    out = []
    for i in range(n):
        dx, dy = amplitude_px * np.sin(i / 4.0), 0.5 * amplitude_px * np.sin(i / 6.0)
        m = np.float32([[1, 0, dx], [0, 1, dy]])
        out.append(cv2.warpAffine(image, m, (w, h), borderMode=cv2.BORDER_REPLICATE))
    return out
