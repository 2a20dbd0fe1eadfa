"""Frames, options and the common behaviour of every frame source (no ROS)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum

import cv2
import numpy as np

Report = Callable[[str], None]
Clock = Callable[[], int]


class Pace(str, Enum):
    """How fast recorded sources (files, folders) deliver frames."""

    REALTIME = "realtime"  # at the file's own frame rate
    AS_FAST_AS_CONSUMED = "as_fast_as_consumed"  # as soon as the reader asks for the next one


class SourceError(RuntimeError):
    """A source cannot be opened or read; the message is one sentence saying what and where."""


class NoCameraError(SourceError):
    """The camera device asked for does not exist on this machine."""


@dataclass
class SourceOptions:
    """Typed options shared by all sources; 0 means "the source's own value"."""

    width: int = 0  # output width in pixels (frames are resized when the source differs)
    height: int = 0
    fps: float = 0.0  # devices: requested rate; files/folders: replay rate (0 = file rate)
    loop: bool = False  # restart files and folders at their end
    pace: Pace = Pace.REALTIME
    folder_fps: float = 25.0  # frame rate of an image folder when fps is 0
    reconnect_initial_s: float = 0.5  # first wait before reopening a lost device
    reconnect_max_s: float = 8.0  # backoff cap

    def __post_init__(self) -> None:
        self.pace = Pace(self.pace)
        if self.width < 0 or self.height < 0 or self.fps < 0 or self.folder_fps <= 0:
            raise ValueError(f"width, height and fps must be >= 0 and folder_fps > 0, got {self}")


@dataclass
class Frame:
    """One captured BGR image with its capture stamp (integer ns on the source's clock)."""

    image: np.ndarray
    stamp_ns: int
    index: int


def fit_size(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize to width x height; with one of them 0 keep the aspect ratio; 0, 0 = as is."""
    h, w = image.shape[:2]
    if width == 0 and height == 0:
        return image
    width = width or round(w * height / h)
    height = height or round(h * width / w)
    if (w, h) == (width, height):
        return image
    interp = cv2.INTER_AREA if width < w else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interp)


class FrameSource:
    """Base of all sources: read() returns the next Frame, or None at the end; close() stops."""

    description = "source"

    def __init__(self, options: SourceOptions, clock_ns: Clock = time.time_ns,
                 report: Report | None = None) -> None:
        self.options = options
        self.clock_ns = clock_ns
        self.report = report or logging.getLogger("gesture_ros.sources").warning
        self._stop = threading.Event()
        self._sleeping = threading.Event()
        self._index = 0

    def read(self) -> Frame | None:
        raise NotImplementedError

    def close(self) -> None:
        """Stop: a read() blocked in pacing or reconnecting returns None."""
        self._stop.set()

    def sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True when the source was closed meanwhile."""
        self._sleeping.set()
        try:
            return self._stop.wait(seconds)
        finally:
            self._sleeping.clear()

    @property
    def closed(self) -> bool:
        return self._stop.is_set()

    @property
    def waiting(self) -> bool:
        """True while a read() waits: for its frame's time (realtime pace) or to reopen a device."""
        return self._sleeping.is_set()

    def _frame(self, image: np.ndarray, stamp_ns: int) -> Frame:
        image = fit_size(image, self.options.width, self.options.height)
        frame = Frame(image=image, stamp_ns=stamp_ns, index=self._index)
        self._index += 1
        return frame

    def __iter__(self) -> Iterator[Frame]:
        while True:
            frame = self.read()
            if frame is None:
                return
            yield frame

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
