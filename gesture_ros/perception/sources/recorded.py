"""Recorded sources: video files, animated GIFs and folders of images.

Stamps start at the clock's time when the first frame is read and advance by each frame's
duration in the file (not by the wall clock), so a replay gives the same spacing whatever
the pace; looping keeps counting, so stamps never go back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from gesture_ros.perception.sources.base import Frame, FrameSource, Pace, SourceError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm")
DEFAULT_FILE_FPS = 25.0


class RecordedSource(FrameSource):
    """Replay frames from _one_pass(), stamped by media time, paced and optionally looped."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._frames: Iterator[tuple[np.ndarray, float]] | None = None
        self._start_ns: int | None = None
        self._start_mono = 0.0
        self._media_s = 0.0  # media time of the next frame since the first one
        self._yielded_this_pass = 0
        self._ended = False

    def _one_pass(self) -> Iterator[tuple[np.ndarray, float]]:
        """Yield (BGR image, duration in seconds) for every frame, once."""
        raise NotImplementedError

    @property
    def start_stamp_ns(self) -> int | None:
        """Return the first frame's stamp (None before it was read); every stamp is it plus media time."""
        return self._start_ns

    @property
    def next_stamp_ns(self) -> int | None:
        """Return the stamp the next frame will have (after the last one: the end of it), None before the first."""
        return None if self._start_ns is None else self._start_ns + round(self._media_s * 1e9)

    def _duration(self, native_s: float) -> float:
        return 1.0 / self.options.fps if self.options.fps > 0 else native_s

    def read(self) -> Frame | None:
        """Return the next frame (waiting for its time when pace is realtime), None at the end."""
        item = self._next()
        if item is None or self.closed:
            return None
        image, duration = item
        if self._start_ns is None:
            self._start_ns = self.clock_ns()
            self._start_mono = time.monotonic()
        if self.options.pace == Pace.REALTIME:
            delay = self._start_mono + self._media_s - time.monotonic()
            if delay > 0 and self.sleep(delay):
                return None
        frame = self._frame(image, self._start_ns + round(self._media_s * 1e9))
        self._media_s += self._duration(duration)
        return frame

    def _next(self) -> tuple[np.ndarray, float] | None:
        while not self.closed and not self._ended:
            if self._frames is None:
                self._frames = self._one_pass()
                self._yielded_this_pass = 0
            item = next(self._frames, None)
            if item is not None:
                self._yielded_this_pass += 1
                return item
            self._frames = None
            if not self.options.loop or self._yielded_this_pass == 0:
                self._ended = True
                return None
        return None


class VideoFileSource(RecordedSource):
    """A video file read by OpenCV (FFmpeg): mp4, avi, mkv, mov, webm, gif without Pillow."""

    def __init__(self, path: Path, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.path = path
        self.description = f"video file {path}"
        cap = cv2.VideoCapture(str(path))
        try:
            if not cap.isOpened():
                raise SourceError(f"OpenCV cannot open the video file {path} (unknown or damaged format)")
            fps = cap.get(cv2.CAP_PROP_FPS)
        finally:
            cap.release()
        if not fps or not np.isfinite(fps) or fps <= 0 or fps > 1000:
            self.report(f"{path} states no usable frame rate ({fps}); assuming {DEFAULT_FILE_FPS} fps")
            fps = DEFAULT_FILE_FPS
        self.native_fps = float(fps)

    def _one_pass(self) -> Iterator[tuple[np.ndarray, float]]:
        cap = cv2.VideoCapture(str(self.path))
        try:
            while not self.closed:
                ok, image = cap.read()
                if not ok:
                    return
                yield image, 1.0 / self.native_fps
        finally:
            cap.release()


class GifSource(RecordedSource):
    """An animated GIF read with Pillow, keeping each frame's own duration."""

    def __init__(self, path: Path, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from PIL import Image  # imported here: only GIFs need Pillow

        self._pil = Image
        self.path = path
        self.description = f"GIF {path}"
        try:
            with Image.open(path) as im:
                self.n_frames = getattr(im, "n_frames", 1)
        except OSError as exc:
            raise SourceError(f"Pillow cannot open the GIF {path}: {exc}") from None

    def _one_pass(self) -> Iterator[tuple[np.ndarray, float]]:
        with self._pil.open(self.path) as im:
            for i in range(self.n_frames):
                if self.closed:
                    return
                im.seek(i)
                # GIF players treat durations under 20 ms as 100 ms; so do we.
                ms = im.info.get("duration") or 0
                duration = ms / 1000.0 if ms >= 20 else 0.1
                rgb = np.asarray(im.convert("RGB"))
                yield cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), duration


class FolderSource(RecordedSource):
    """A folder of images in name order, at ``fps`` (or ``folder_fps``) frames per second."""

    def __init__(self, path: Path, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.path = path
        self.files: list[Path] = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise SourceError(f"the folder {path} holds no images ({', '.join(IMAGE_SUFFIXES)})")
        self.description = f"image folder {path} ({len(self.files)} images)"

    def _one_pass(self) -> Iterator[tuple[np.ndarray, float]]:
        for file in self.files:
            if self.closed:
                return
            image = cv2.imread(str(file), cv2.IMREAD_COLOR)
            if image is None:
                self.report(f"skipping {file}: not a readable image")
                continue
            yield image, 1.0 / self.options.folder_fps
