"""The newest image, handed from a subscription callback to one worker thread (keypoint_node).

An image that arrives while another waits replaces it: dropped and counted, never queued, and
the worker is told how many it missed. Options changed meanwhile are applied by the worker
between two images (``switch``), never while one is being processed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from gesture_ros.perception.keeping_up import FrameFlow

Pending = tuple[Any, float]  # a message and when it arrived (monotonic s)
Taken = tuple[Pending | None, int]  # the waiting image (or None) and how many were dropped before it
Work = Callable[[Any, float, int], Taken]  # (msg, received, skipped) -> the next image, taken before publishing


class NewestImage:
    """A one-image mailbox between the executor's callback (``put``) and a worker thread."""

    def __init__(self, flow: FrameFlow) -> None:
        self.flow = flow
        self.received = self.dropped = 0
        self._cond = threading.Condition()
        self._pending: Pending | None = None
        self._skipped = 0  # images replaced in _pending since the worker last took one
        self._options: Any = None  # options to switch to before the next image
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def put(self, msg: Any) -> None:
        now = time.monotonic()
        with self._cond:
            if self._pending is not None:
                self.dropped += 1
                self._skipped += 1
                self.flow.dropped(now)
            self._pending = (msg, now)
            self.received += 1
            self.flow.received(now)
            self._cond.notify()

    def take(self) -> Taken:
        """Take the waiting image (or None) and how many were dropped before it."""
        with self._cond:
            return self._take()

    def _take(self) -> Taken:
        pending, self._pending = self._pending, None
        skipped, self._skipped = self._skipped, 0
        return pending, skipped

    def set_options(self, options: Any) -> None:
        with self._cond:
            self._options = options

    def pending_options(self, default: Any = None) -> Any:
        """Return the options waiting to be switched to, else ``default``."""
        with self._cond:
            return self._options if self._options is not None else default

    def take_options(self) -> Any:
        with self._cond:
            options, self._options = self._options, None
            return options

    def start(self, work: Work, switch: Callable[[Any], None], failed: Callable[[Any, Exception], None],
              name: str = "keypoint_worker") -> None:
        """Run ``work`` on each newest image in a thread; ``failed`` hears of any exception it raises."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(work, switch, failed), name=name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker (after its current image) and forget the waiting image."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
        self._thread = None
        with self._cond:
            self._pending = None

    def _run(self, work: Work, switch: Callable[[Any], None], failed: Callable[[Any, Exception], None]) -> None:
        taken: Taken = (None, 0)
        while not self._stop.is_set():
            with self._cond:
                if taken[0] is None:
                    self._cond.wait_for(lambda: self._pending is not None or self._stop.is_set(), timeout=0.5)
                    taken = self._take()
                options, self._options = self._options, None
            if options is not None:
                switch(options)
            (pending, skipped), taken = taken, (None, 0)
            if pending is not None and not self._stop.is_set():
                msg, received = pending
                try:
                    taken = work(msg, received, skipped)
                except Exception as exc:  # noqa: BLE001 (one bad frame must not end the worker)
                    failed(msg, exc)
