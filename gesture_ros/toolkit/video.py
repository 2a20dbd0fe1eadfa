"""Read video files (anything OpenCV opens, plus animated GIFs) as BGR frames with stamps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np


class VideoError(OSError):
    """A video file that cannot be opened or decoded."""


def read_frames(path: Path) -> Iterator[tuple[np.ndarray, int]]:
    """Yield (bgr uint8 image, stamp_ns from the file's own timing) for every frame."""
    path = Path(path)
    if not path.exists():
        raise VideoError(f"video file {path} does not exist")
    if path.suffix.lower() == ".gif":
        yield from _gif_frames(path)
        return
    import cv2

    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise VideoError(f"OpenCV cannot open video file {path}")
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    try:
        i = 0
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            yield bgr, int(round(i * 1e9 / fps))
            i += 1
    finally:
        cap.release()


def _gif_frames(path: Path) -> Iterator[tuple[np.ndarray, int]]:
    from PIL import Image, ImageSequence

    try:
        img = Image.open(path)
    except OSError as exc:
        raise VideoError(f"cannot open GIF {path}: {exc}") from None
    stamp_ms = 0.0
    for frame in ImageSequence.Iterator(img):
        rgb = np.asarray(frame.convert("RGB"))
        yield np.ascontiguousarray(rgb[:, :, ::-1]), int(stamp_ms * 1e6)
        stamp_ms += float(frame.info.get("duration", 66) or 66)


def extract(path: Path, model: str = "hands_pose", progress: bool = False) -> list:
    """Return KeypointFrames of a video file through the project's extractor (toolkit/backend)."""
    from gesture_ros.perception.extractor import ExtractorOptions
    from gesture_ros.toolkit.backend import open_extractor

    frames = read_frames(path)
    if progress:
        from tqdm import tqdm

        frames = tqdm(frames, desc=f"keypoints {Path(path).name}", unit="frame")
    with open_extractor(ExtractorOptions(model=model)) as ex:
        return [ex.process(bgr, stamp, frame_id=Path(path).stem) for bgr, stamp in frames]
