"""Say each distinct problem once per period, with how often it repeated in between."""

from __future__ import annotations

import time
from collections.abc import Callable


class LogThrottle:
    """Forward a message to ``log`` unless the same key was logged less than ``period_s`` ago."""

    def __init__(self, log: Callable[[str], None], period_s: float = 5.0) -> None:
        self._log = log
        self.period_s = period_s
        self._seen: dict[str, tuple[float, int]] = {}  # key -> (last logged, suppressed since)

    def __call__(self, message: str, key: str | None = None, now: float | None = None) -> bool:
        """Log ``message`` (throttled per ``key``, default the message); return True if logged."""
        key = message if key is None else key
        now = time.monotonic() if now is None else now
        last, suppressed = self._seen.get(key, (float("-inf"), 0))
        if now - last < self.period_s:
            self._seen[key] = (last, suppressed + 1)
            return False
        self._seen[key] = (now, 0)
        if len(self._seen) > 256:  # keep memory bounded under a flood of distinct messages
            self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self.period_s}
        self._log(message + (f" (repeated {suppressed} more times)" if suppressed else ""))
        return True
