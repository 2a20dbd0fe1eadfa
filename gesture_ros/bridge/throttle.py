"""Say a repeated problem once, then at most once per period, with how often it happened."""

from __future__ import annotations

import time
from typing import Callable, Dict, Optional, Tuple


class LogThrottle:
    """Decide whether a message with a given key should be logged now."""

    def __init__(self, period_s: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.period_s = period_s
        self._clock = clock
        self._seen: Dict[str, Tuple[float, int]] = {}

    def ready(self, key: str) -> Optional[int]:
        """Return None to stay quiet, else how many times ``key`` happened since last logged."""
        now = self._clock()
        last, count = self._seen.get(key, (float("-inf"), 0))
        count += 1
        if now - last < self.period_s:
            self._seen[key] = (last, count)
            return None
        self._seen[key] = (now, 0)
        return count
