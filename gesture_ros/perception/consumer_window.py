"""The frames a recorded source sent that its consumer has not answered yet (pace as_fast_as_consumed)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable


class ConsumerWindow:
    """Stamps of the frames sent and not yet answered, oldest first; the sender waits while it is full.

    An answer carries the stamp of the frame it is for and answers that frame and every older one.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._in_flight: deque[int] = deque()

    def __len__(self) -> int:
        with self._cond:
            return len(self._in_flight)

    def sent(self, stamp_ns: int) -> None:
        with self._cond:
            self._in_flight.append(stamp_ns)

    def answered(self, stamp_ns: int) -> None:
        with self._cond:
            while self._in_flight and self._in_flight[0] <= stamp_ns:
                self._in_flight.popleft()
            self._cond.notify_all()

    def wait_for_room(self, max_in_flight: int, timeout_s: float, running: Callable[[], bool]) -> list[int]:
        """Block while ``max_in_flight`` frames are unanswered and ``running()``; after ``timeout_s`` give up
        on them: return the stamps given up (empty when there was room) and forget them."""
        with self._cond:
            if self._cond.wait_for(lambda: len(self._in_flight) < max_in_flight or not running(), timeout=timeout_s):
                return []
            given_up = list(self._in_flight)
            self._in_flight.clear()
            return given_up

    def drain(self, timeout_s: float, done: Callable[[], bool]) -> bool:
        """Wait until every frame is answered or ``done()``, at most ``timeout_s``; tell whether it got there."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._in_flight or done(), timeout=timeout_s)

    def wake(self) -> None:
        """Let waiters look at their ``running``/``done`` again (the node stops)."""
        with self._cond:
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._in_flight.clear()
