"""Bad input from outside a node: counted per kind, said once per kind and period."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from gesture_ros.common.log_throttle import LogThrottle


class BadInputLog:
    """Count each kind of bad input and log one sentence per kind at most every ``period_s``.

    A kind is a short fixed name ("layout", "stamp", "encoding"): the throttle key and the
    diagnostics figure, so a flood of distinct bad messages still logs one line per kind.
    """

    def __init__(self, log: Callable[[str], None], period_s: float = 5.0) -> None:
        self._throttle = LogThrottle(log, period_s)
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, kind: str, sentence: str) -> None:
        """Count one bad input of ``kind``; log ``sentence`` unless this kind was logged lately."""
        with self._lock:
            self._counts[kind] += 1
        self._throttle(sentence, key=kind)

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def figures(self, prefix: str = "refused") -> dict[str, int]:
        """Return ``{"<prefix> <kind>": count}`` for diagnostics, kinds sorted."""
        with self._lock:
            return {f"{prefix} {kind}": n for kind, n in sorted(self._counts.items())}
