"""The store API both backends share: idempotent event inserts, device status, and the page's queries.

SQL is written once with ``?`` placeholders; a backend turns them into its own style. The event
id is the primary key and an insert that meets it does nothing, so a redelivered event (after a
broker or server restart) is stored once, whatever the process remembered.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from gesture_ros.bridge.payload import type_word
from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.venue.store.migrations import MIGRATIONS

COLUMNS = ("event_id", "source_id", "person_id", "sequence", "gesture", "type", "confidence", "stamp_ns",
           "start_ns", "end_ns", "frame_id", "handedness", "model_id", "model_version", "topic",
           "received_ns", "stored_ns")
_INSERT = (f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
           "ON CONFLICT (event_id) DO NOTHING")
_DEVICE = ("INSERT INTO devices (device, state, last_heartbeat_ns, outbox_depth) VALUES (?, ?, ?, ?) "
           "ON CONFLICT (device) DO UPDATE SET state = excluded.state, "
           "last_heartbeat_ns = excluded.last_heartbeat_ns, outbox_depth = excluded.outbox_depth")


@dataclass(frozen=True)
class StoredEvent:
    """An event as received: the checked record, its topic and when it arrived (ns, wall clock)."""

    record: GestureEventData
    topic: str
    received_ns: int

    def row(self, stored_ns: int) -> tuple:
        r = self.record
        return (r.event_id, r.source_id, int(r.person_id), int(r.sequence), r.gesture, type_word(r.event_type),
                float(r.confidence), int(r.stamp_ns), int(r.start_ns), int(r.end_ns), r.frame_id, r.handedness,
                r.model_id, r.model_version, self.topic, self.received_ns, stored_ns)


class Store:
    """A database connection with the venue's schema; one per thread (``lock`` guards it)."""

    placeholder = "?"

    def __init__(self, conn: Any, where: str) -> None:
        self.conn = conn
        self.where = where
        self.lock = threading.Lock()
        self._migrate()

    # -- backend hooks -----------------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def execute(self, sql: str, params: tuple = ()) -> Any:
        cur = self.conn.cursor()
        cur.execute(self._sql(sql), params)
        return cur

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.lock:
            rows = self.execute(sql, params).fetchall()
            self.conn.commit()  # end the read transaction: the next read sees new rows
        return rows

    # -- schema ------------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self.lock:
            self.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            rows = self.execute("SELECT max(version) FROM schema_version").fetchall()
            have = rows[0][0] or 0
            for version, _, statements in MIGRATIONS:
                if version > have:
                    for sql in statements:
                        self.execute(sql)
                    self.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            self.conn.commit()

    def schema_version(self) -> int:
        return self.query("SELECT max(version) FROM schema_version")[0][0]

    # -- writes ------------------------------------------------------------------------------
    def insert(self, events: list[StoredEvent]) -> list[bool]:
        """Store events in one transaction; return for each whether it was new (False: already stored)."""
        stored_ns = time.time_ns()
        with self.lock:
            try:
                new = [self.execute(_INSERT, e.row(stored_ns)).rowcount == 1 for e in events]
                self.conn.commit()
            except BaseException:
                self.conn.rollback()
                raise
        return new

    def contains(self, event_id: str) -> bool:
        return bool(self.query("SELECT 1 FROM events WHERE event_id = ?", (event_id,)))

    def set_device(self, device: str, state: str, heartbeat_ns: int, outbox_depth: int | None) -> None:
        with self.lock:
            self.execute(_DEVICE, (device, state, heartbeat_ns, outbox_depth))
            self.conn.commit()

    def keep_newest(self, keep: int) -> None:
        """Delete all but the newest ``keep`` events (a bounded store, e.g. venue_monitor's)."""
        with self.lock:
            self.execute("DELETE FROM events WHERE event_id NOT IN (SELECT event_id FROM events "
                         "ORDER BY stored_ns DESC, received_ns DESC LIMIT ?)", (keep,))
            self.conn.commit()

    def close(self) -> None:
        with self.lock:
            self.conn.close()
