"""The on-disk outbox: accepted events wait here (SQLite, WAL) until the broker acknowledges.

An event is accepted when the transaction that inserted it has committed. Rows keep their
AUTOINCREMENT id, so outbox order survives restarts. The outbox is bounded by a number of
events and an age; when it is full, the policy either rejects new events or drops the
oldest, and every rejected or dropped event is counted. Rows the broker can never take
(larger than its maximum packet size) move to the ``refused`` table, kept for inspection.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, topic TEXT NOT NULL,
  payload BLOB NOT NULL, accepted_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refused (
  id INTEGER PRIMARY KEY, event_id TEXT NOT NULL, topic TEXT NOT NULL, payload BLOB NOT NULL,
  accepted_ns INTEGER NOT NULL, refused_ns INTEGER NOT NULL, reason TEXT NOT NULL);
"""


class FullPolicy(str, Enum):
    """What a full outbox does with a new event."""

    REJECT_NEW = "reject_new"  # keep what was accepted, refuse the new event
    DROP_OLDEST = "drop_oldest"  # accept the new event, drop the oldest (and expired) ones


class Durability(str, Enum):
    """SQLite ``synchronous`` level of every commit."""

    FULL = "full"  # fsync per commit: survives a power loss
    NORMAL = "normal"  # survives a process crash; the last commits may be lost on power loss


class OutboxError(RuntimeError):
    """The outbox file cannot be opened or is not an outbox; the message names the file."""


@dataclass(frozen=True)
class OutboxLimits:
    max_events: int = 100_000
    max_age_s: float = 0.0  # 0: no age limit
    policy: FullPolicy = FullPolicy.REJECT_NEW


@dataclass(frozen=True)
class Entry:
    """An event to store: its id, the topic it goes to and its payload."""

    event_id: str
    topic: str
    payload: bytes


@dataclass(frozen=True)
class Row:
    row_id: int
    event_id: str
    topic: str
    payload: bytes
    accepted_ns: int


@dataclass
class OutboxCounters:
    """What happened to events since the outbox was opened."""

    accepted: int = 0
    rejected_full: int = 0
    dropped_oldest: int = 0
    dropped_expired: int = 0
    refused: int = 0
    delivered: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Outbox:
    """A bounded, durable FIFO of events; safe to use from several threads."""

    path: Path
    limits: OutboxLimits = field(default_factory=OutboxLimits)
    durability: Durability = Durability.FULL
    clock_ns: Callable[[], int] = time.time_ns

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser()
        self.counters = OutboxCounters()
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout=5000")
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise OutboxError(f"outbox {self.path}: SQLite refused WAL mode (got '{mode}')")
            self._db.execute(f"PRAGMA synchronous={self.durability.name}")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, _SCHEMA_VERSION):
                raise OutboxError(f"outbox {self.path} has schema version {version}, this bridge "
                                  f"reads {_SCHEMA_VERSION}")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
            self._depth = self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        except (sqlite3.Error, OSError) as exc:
            raise OutboxError(f"outbox {self.path} cannot be opened: {exc}") from None

    @property
    def depth(self) -> int:
        return self._depth

    def set_limits(self, limits: OutboxLimits) -> None:
        with self._lock:
            self.limits = limits

    def put(self, entry: Entry) -> bool:
        """Store one event; return False if the full outbox rejected it."""
        return self.put_many([entry]) == 1

    def put_many(self, entries: Sequence[Entry]) -> int:
        """Store events in one transaction; return how many were accepted (a prefix)."""
        if not entries:
            return 0
        with self._lock:
            now = self.clock_ns()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if self.limits.policy is FullPolicy.DROP_OLDEST:
                    self._expire_locked(now)
                    take = len(entries)
                else:
                    take = self._room_locked(now, len(entries))
                self._db.executemany(
                    "INSERT INTO outbox(event_id, topic, payload, accepted_ns) VALUES (?, ?, ?, ?)",
                    [(e.event_id, e.topic, e.payload, now) for e in entries[:take]])
                dropped = max(0, self._depth + take - self.limits.max_events)
                if dropped:
                    self._db.execute("DELETE FROM outbox WHERE id IN "
                                     "(SELECT id FROM outbox ORDER BY id LIMIT ?)", (dropped,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._depth += take - dropped
            self.counters.accepted += take
            self.counters.rejected_full += len(entries) - take
            self.counters.dropped_oldest += dropped
            return take

    def _room_locked(self, now: int, wanted: int) -> int:
        if self.limits.max_age_s > 0 and self._oldest_age_locked(now) > self.limits.max_age_s:
            return 0
        return max(0, min(wanted, self.limits.max_events - self._depth))

    def pending(self, after_id: int = 0, limit: int = 500) -> list[Row]:
        """Return up to ``limit`` rows with id > ``after_id``, oldest first."""
        with self._lock:
            cur = self._db.execute("SELECT id, event_id, topic, payload, accepted_ns FROM outbox "
                                   "WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit))
            return [Row(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in cur]

    def delete(self, row_ids: Iterable[int]) -> int:
        """Delete delivered rows (broker acknowledged) in one transaction; return how many."""
        ids = [(i,) for i in row_ids]
        if not ids:
            return 0
        with self._lock:
            # A delete lost to a power cut only means the event is sent again (at-least-once),
            # so deletes skip the fsync; the next insert's fsync makes them durable anyway.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("BEGIN IMMEDIATE")
            before = self._db.total_changes
            self._db.executemany("DELETE FROM outbox WHERE id = ?", ids)
            removed = self._db.total_changes - before
            self._db.execute("COMMIT")
            self._db.execute(f"PRAGMA synchronous={self.durability.name}")
            self._depth -= removed
            self.counters.delivered += removed
            return removed

    def refuse(self, row: Row, reason: str) -> None:
        """Move a row the broker can never accept to the ``refused`` table."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("INSERT OR REPLACE INTO refused VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (row.row_id, row.event_id, row.topic, row.payload, row.accepted_ns,
                              self.clock_ns(), reason))
            removed = self._db.execute("DELETE FROM outbox WHERE id = ?", (row.row_id,)).rowcount
            self._db.execute("COMMIT")
            self._depth -= removed
            self.counters.refused += removed

    def expire(self) -> int:
        """Under DROP_OLDEST, drop events older than max_age_s; return how many."""
        if self.limits.policy is not FullPolicy.DROP_OLDEST or self.limits.max_age_s <= 0:
            return 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            removed = self._expire_locked(self.clock_ns())
            self._db.execute("COMMIT")
            return removed

    def _expire_locked(self, now: int) -> int:
        if self.limits.max_age_s <= 0:
            return 0
        cutoff = now - int(self.limits.max_age_s * 1e9)
        removed = self._db.execute("DELETE FROM outbox WHERE accepted_ns < ?", (cutoff,)).rowcount
        self._depth -= removed
        self.counters.dropped_expired += removed
        return removed

    def oldest_age_s(self) -> float:
        """Return the age of the oldest waiting event in seconds (0 when empty)."""
        with self._lock:
            return self._oldest_age_locked(self.clock_ns())

    def _oldest_age_locked(self, now: int) -> float:
        row = self._db.execute("SELECT accepted_ns FROM outbox ORDER BY id LIMIT 1").fetchone()
        return 0.0 if row is None else max(0.0, (now - row[0]) * 1e-9)

    def refused_rows(self) -> list[Row]:
        with self._lock:
            cur = self._db.execute("SELECT id, event_id, topic, payload, accepted_ns FROM refused ORDER BY id")
            return [Row(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in cur]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

