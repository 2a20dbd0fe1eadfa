"""Refused messages: counted per kind, and each kind said once (escaped) so a flood is one line."""

from __future__ import annotations

import logging
import threading
from collections import Counter

from gesture_ros.common.safe_text import bounded


class RefusalLog:
    """Count refusals per kind; log the first of each kind as a WARNING, the rest only counted."""

    def __init__(self, logger: logging.Logger) -> None:
        self._log = logger
        self._lock = threading.Lock()
        self.counts: Counter = Counter()

    def refuse(self, kind: str, sentence: str) -> None:
        with self._lock:
            self.counts[kind] += 1
            first = self.counts[kind] == 1
        if first:
            self._log.warning("refused (%s): %s; further '%s' refusals are only counted",
                              kind, bounded(sentence, 240), kind)

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)
