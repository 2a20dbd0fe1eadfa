"""Several real people in one frame: stills from ../shared/data placed side by side (a stage, a crowd)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from support.data import shared_data

# (folder, file name prefix, gesture): three different people (A, B, C of test_real_people.py).
PEOPLE = (
    ("hand_up_thumbs_up", "0015e013", "thumbs_up"),  # person A, upper body, large
    ("hand_palm_open_palm", "01453c01", "open_palm"),  # person B, upper body, shown smaller
    ("body_video_pause", "13e72513", "x_cross"),  # person C, full body, small in frame (hands ~15 px)
)


@dataclass(frozen=True)
class Panel:
    """Where one person's still sits in the composite (pixels)."""

    gesture: str
    x0: int
    x1: int


def still(index: int) -> np.ndarray:
    folder, prefix, _ = PEOPLE[index]
    path = next((shared_data("stills") / folder).glob(f"{prefix}*.jpg"))
    return cv2.imread(str(path))


def side_by_side(indices: tuple[int, ...], height: int = 360, scales: tuple[float, ...] | None = None,
                 width_fraction: float = 1.0, present: tuple[bool, ...] | None = None) -> tuple[np.ndarray, list[Panel]]:
    """Return the stills ``indices`` side by side, bottom-aligned, each scaled to ``scales[i]`` of ``height``.

    ``width_fraction`` keeps the central part of each still; a person not ``present`` leaves a dark panel.
    """
    scales = scales or (1.0,) * len(indices)
    present = present or (True,) * len(indices)
    tiles, panels, x = [], [], 0
    for i, s, here in zip(indices, scales, present, strict=True):
        img = still(i)
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


def fit(image: np.ndarray, panels: list[Panel], width: int, height: int) -> tuple[np.ndarray, list[Panel]]:
    """Return the composite resized to (width, height), panels scaled with it."""
    k = width / image.shape[1]
    out = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    return out, [Panel(p.gesture, int(p.x0 * k), int(p.x1 * k)) for p in panels]


STAGE = dict(indices=(0, 1, 2), scales=(1.0, 0.8, 1.0))  # 1344x360: A large, B smaller, C small and far
FPS = 15.0
T0_NS = 10**18


def stage_clip(all_in: int = 24, a_away: int = 16, a_back: int = 12) -> tuple[list[np.ndarray], list[int], list[Panel]]:
    """Return a clip of the stage: everyone, then person A gone (dark panel), then A back; frame stamps; panels."""
    full, panels = side_by_side(**STAGE)
    away, _ = side_by_side(**STAGE, present=(False, True, True))
    images = [full] * all_in + [away] * a_away + [full] * a_back
    return images, [T0_NS + round(i * 1e9 / FPS) for i in range(len(images))], panels
