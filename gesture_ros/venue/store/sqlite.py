"""The embedded store: one SQLite file in WAL mode, synchronous=FULL (an acknowledged event is on disk)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from gesture_ros.venue.store.base import Store


class SqliteStore(Store):
    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(Path(path).expanduser()) if path != ":memory:" else path,
                               check_same_thread=False, timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        super().__init__(conn, f"sqlite {path}")
