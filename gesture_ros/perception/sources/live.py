"""Live sources: V4L2 devices, GStreamer pipelines (Jetson CSI) and stream URLs.

A device that stops delivering (unplugged, driver reset) is released and reopened with
exponential backoff; every attempt is reported, and frames resume once it is back.
Stamps are the clock's time right after the frame was grabbed.
"""

from __future__ import annotations

import threading
import time

import cv2

from gesture_ros.perception.sources.base import Frame, FrameSource, SourceError


def opencv_has_gstreamer() -> bool:
    """Return True when this OpenCV was built with the GStreamer backend."""
    info = cv2.getBuildInformation()
    return any(line.strip().startswith("GStreamer:") and "YES" in line for line in info.splitlines())


class LiveSource(FrameSource):
    """An OpenCV capture that never ends by itself; reconnects when frames stop."""

    def __init__(self, target: object, api: int, description: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        self.api = api
        self.description = description
        self.reconnects = 0
        self._cap: cv2.VideoCapture | None = None
        self._lock = threading.Lock()  # close() from another thread waits for a read in progress
        if not self._open():
            raise SourceError(f"cannot open {description}: OpenCV gave no frames (busy, or not a camera?)")

    def _open(self) -> bool:
        cap = cv2.VideoCapture(self.target, self.api)
        if not cap.isOpened():
            cap.release()
            return False
        o = self.options
        if self.api == cv2.CAP_V4L2:
            if o.width:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, o.width)
            if o.height:
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, o.height)
            if o.fps:
                cap.set(cv2.CAP_PROP_FPS, o.fps)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not a queue of old ones
        self._cap = cap
        return True

    def read(self) -> Frame | None:
        """Return the next frame; while the device is lost, keep reopening it (None on close)."""
        while not self.closed:
            with self._lock:
                if self._cap is not None and not self.closed:
                    ok, image = self._cap.read()
                    if ok and image is not None:
                        return self._frame(image, self.clock_ns())
                    self._release()
            if not self._reconnect():
                return None
        return None

    def _reconnect(self) -> bool:
        """Reopen with exponential backoff until it works (True) or the source closes (False)."""
        wait = self.options.reconnect_initial_s
        attempt = 0
        lost_at = time.monotonic()
        while not self.closed:
            attempt += 1
            self.report(f"{self.description} delivers no frames; reopening in {wait:.1f} s (attempt {attempt})")
            if self.sleep(wait):
                return False
            with self._lock:
                reopened = not self.closed and self._open()
            if reopened:
                self.reconnects += 1
                self.report(f"{self.description} is back after {time.monotonic() - lost_at:.1f} s")
                return True
            wait = min(wait * 2, self.options.reconnect_max_s)
        return False

    def _release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def close(self) -> None:
        super().close()
        with self._lock:
            self._release()
