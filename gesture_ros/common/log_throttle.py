"""Say each distinct problem once per period, with how often it repeated in between."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from gesture_ros.common.safe_text import bounded

MAX_LINE = 1000  # a backstop: callers bound the outside parts of their sentences themselves
_SEVERITIES = ("debug", "info", "warning", "warn", "error", "fatal")


class LogThrottle:
    """Forward a message to ``log`` unless the same key was logged less than ``period_s`` ago.

    ``log`` is any callable taking one string, typically a logger's bound method
    (``node.get_logger().warning``). Without one, only ``ready`` is of use: it tells whether to
    log now, for callers that format and log themselves. Safe to call from several threads.
    """

    def __init__(self, log: Callable[[str], None] | None = None, period_s: float = 5.0) -> None:
        self._log = log
        self.period_s = period_s
        self._seen: dict[str, tuple[float, int]] = {}  # key -> (last logged, happened since)
        self._lock = threading.Lock()

    def ready(self, key: str, now: float | None = None) -> int:
        """Return 0 to stay quiet, else how often ``key`` happened since it was last logged (this time included)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            last, count = self._seen.get(key, (float("-inf"), 0))
            count += 1
            if now - last < self.period_s:
                self._seen[key] = (last, count)
                return 0
            self._seen[key] = (now, 0)
            if len(self._seen) > 256:  # keep memory bounded under a flood of distinct messages
                self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self.period_s}
        return count

    def __call__(self, message: str, key: str | None = None, now: float | None = None) -> bool:
        """Log ``message`` (throttled per ``key``, default the message); return True if logged."""
        count = self.ready(message if key is None else key, now)
        if not count:
            return False
        suppressed = count - 1
        self._emit(bounded(message, MAX_LINE) + (f" (repeated {suppressed} more times)" if suppressed else ""))
        return True

    def _emit(self, text: str) -> None:
        """Call the logger from one line per severity.

        rclpy remembers the severity of each call site and raises ValueError ("Logger severity
        cannot be changed between calls") when one line logs at two: throttles of different
        severities must not share the line that calls the logger.
        """
        if self._log is None:
            return
        owner, name = getattr(self._log, "__self__", None), getattr(self._log, "__name__", "")
        if owner is None or name not in _SEVERITIES:
            self._log(text)
        elif name == "debug":
            owner.debug(text)
        elif name == "info":
            owner.info(text)
        elif name in ("warning", "warn"):
            owner.warning(text)
        elif name == "error":
            owner.error(text)
        else:
            owner.fatal(text)
