"""One look at the store for the page: computed once per tick and shared by every viewer."""

from __future__ import annotations

import threading
import time

from gesture_ros.venue import queries
from gesture_ros.venue.store import Store


class Snapshots:
    """Cache the page's snapshot for ``period_s`` so a hundred viewers cost one set of queries."""

    def __init__(self, store: Store, period_s: float = 0.5, crowd_s: float = 5.0, refusals=None) -> None:
        self.store, self.period_s, self.crowd_s = store, period_s, crowd_s
        self.refusals = refusals
        self._lock = threading.Lock()
        self._at = 0.0
        self._value: dict = {}

    def get(self) -> dict:
        with self._lock:
            if time.monotonic() - self._at >= self.period_s:
                self._value = self._compute()
                self._at = time.monotonic()
            return self._value

    def _compute(self) -> dict:
        s = self.store
        return {
            "now_ns": time.time_ns(),
            "crowd_window_s": self.crowd_s,
            "crowd": queries.crowd(s, self.crowd_s),
            "totals": queries.totals(s),
            "events_per_s": round(queries.rate(s, 10.0), 2),
            "devices": queries.devices(s),
            "sources": queries.sources(s),
            "latency_ms": queries.latency(s, 300),
            "recent": queries.recent(s, 15),
            "models": queries.models(s, 600.0, 0.6),
            "refused": self.refusals.snapshot() if self.refusals is not None else {},
        }
