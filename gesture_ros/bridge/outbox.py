"""The on-disk outbox: accepted events wait here (SQLite, WAL) until the broker acknowledges.

An event is accepted when the transaction that inserted it has committed. Rows keep their
AUTOINCREMENT id, so outbox order survives restarts. The outbox is bounded by a number of
events and an age; when it is full, the policy either rejects new events or drops the
oldest, and every rejected or dropped event is counted. Rows the broker can never take
(larger than its maximum packet size) move to the ``refused`` table, kept for inspection.

Ages run on the outbox's own clock: the monotonic time the outbox has been open, kept in the
file across restarts, so a wall-clock step (NTP on a device without a real-time clock) neither
ages the backlog nor makes it young; time the bridge was not running does not count. Every
transaction that fails is rolled back without hiding its error, and the ``synchronous`` level
is put back and read back afterwards. A file SQLite cannot read as an outbox is moved aside
(kept for recovery) and a fresh outbox is started, with an ERROR naming both files.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

_log = logging.getLogger("gesture_ros.bridge")
_SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, topic TEXT NOT NULL,
  payload BLOB NOT NULL, accepted_ns INTEGER NOT NULL, accepted_run_ns INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS refused (
  id INTEGER PRIMARY KEY, event_id TEXT NOT NULL, topic TEXT NOT NULL, payload BLOB NOT NULL,
  accepted_ns INTEGER NOT NULL, refused_ns INTEGER NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS run_clock (id INTEGER PRIMARY KEY CHECK (id = 1), run_ns INTEGER NOT NULL);
INSERT OR IGNORE INTO run_clock VALUES (1, 0);
"""
_SYNC_LEVEL = {"FULL": 2, "NORMAL": 1}


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


class OutboxWriteError(RuntimeError):
    """A transaction failed and was rolled back; ``disk_full`` says whether the disk was the cause."""

    def __init__(self, message: str, disk_full: bool) -> None:
        super().__init__(message)
        self.disk_full = disk_full


def _is_disk_full(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    return code == 13 if code is not None else "disk is full" in str(exc)  # SQLITE_FULL


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
    rejected_disk_full: int = 0
    rejected_write_error: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Outbox:
    """A bounded, durable FIFO of events; safe to use from several threads."""

    path: Path
    limits: OutboxLimits = field(default_factory=OutboxLimits)
    durability: Durability = Durability.FULL
    clock_ns: Callable[[], int] = time.time_ns  # wall time: recorded with each row, never used for ages
    monotonic_ns: Callable[[], int] = time.monotonic_ns

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser()
        self.counters = OutboxCounters()
        self.moved_aside: Path | None = None  # where an unreadable outbox file went
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutboxError(f"outbox {self.path} cannot be opened: {exc}") from None
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and not self._unreadable(exc):
                raise OutboxError(f"outbox {self.path} cannot be opened: {exc}") from None
            self._move_aside(str(exc))
            try:
                self._open()
            except sqlite3.Error as again:
                raise OutboxError(f"outbox {self.path} cannot be opened: {again}") from None

    @staticmethod
    def _unreadable(exc: sqlite3.Error) -> bool:
        text = str(exc).lower()
        return "malformed" in text or "not a database" in text or "corrupt" in text

    def _open(self) -> None:
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA busy_timeout=5000")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > _SCHEMA_VERSION:
                raise OutboxError(f"outbox {self.path} has schema version {version}, this bridge "
                                  f"reads {_SCHEMA_VERSION}")
            check = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({check})")
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise OutboxError(f"outbox {self.path}: SQLite refused WAL mode (got '{mode}')")
            self._set_synchronous(self.durability.name)
            if version == 1:  # rows of a version-1 outbox age from now on
                self._db.execute("ALTER TABLE outbox ADD COLUMN accepted_run_ns INTEGER NOT NULL DEFAULT 0")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
            self._depth = self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
            self._run_base = self._db.execute("SELECT run_ns FROM run_clock WHERE id = 1").fetchone()[0]
            self._run_mark = self.monotonic_ns()
        except OSError as exc:
            self._db.close()
            raise OutboxError(f"outbox {self.path} cannot be opened: {exc}") from None
        except BaseException:
            self._db.close()
            raise

    def _move_aside(self, why: str) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                try:
                    part.replace(f"{aside}{suffix}")
                except OSError as exc:
                    raise OutboxError(f"outbox {self.path} is unreadable ({why}) and cannot be moved aside: "
                                      f"{exc}") from None
        self.moved_aside = aside
        _log.error("outbox %s is unreadable (%s): moved aside to %s (kept for recovery; its undelivered events "
                   "are NOT sent) and a fresh outbox started", self.path, why, aside)

    def run_ns(self) -> int:
        """Return the outbox clock: monotonic nanoseconds the outbox has been open, over all runs."""
        return self._run_base + max(0, self.monotonic_ns() - self._run_mark)

    def _set_synchronous(self, level: str) -> None:
        self._db.execute(f"PRAGMA synchronous={level}")
        got = self._db.execute("PRAGMA synchronous").fetchone()[0]
        if got != _SYNC_LEVEL[level]:
            raise OutboxError(f"outbox {self.path}: SQLite kept synchronous={got} where {level} was set")

    def synchronous(self) -> Durability:
        """Return the durability SQLite applies to the next commit, read back from SQLite."""
        with self._lock:
            got = self._db.execute("PRAGMA synchronous").fetchone()[0]
        return Durability.FULL if got >= _SYNC_LEVEL["FULL"] else Durability.NORMAL

    @contextmanager
    def _transaction(self, what: str, count: int, synchronous: str = "") -> Iterator[None]:
        """Run one write transaction; on failure roll back, count, and raise OutboxWriteError."""
        try:
            if synchronous:
                self._set_synchronous(synchronous)
            self._db.execute("BEGIN IMMEDIATE")
            yield
            self._db.execute("UPDATE run_clock SET run_ns = ? WHERE id = 1", (self.run_ns(),))
            self._db.execute("COMMIT")
        except BaseException as exc:
            if self._db.in_transaction:
                try:
                    self._db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite may have rolled back already; the error that matters is exc
            if not isinstance(exc, sqlite3.Error):
                raise
            full = _is_disk_full(exc)
            raise OutboxWriteError(f"outbox {self.path}: {what} of {count} event(s) failed: "
                                   f"{'the disk is full' if full else exc}", full) from exc
        finally:
            if synchronous:
                self._set_synchronous(self.durability.name)  # raises OutboxError if it does not hold

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
            now, run_now = self.clock_ns(), self.run_ns()
            take = dropped = 0
            try:
                with self._transaction("commit", len(entries)):
                    if self.limits.policy is FullPolicy.DROP_OLDEST:
                        expired = self._expire_locked(run_now)
                        take = len(entries)
                    else:
                        expired = 0
                        take = self._room_locked(run_now, len(entries))
                    self._db.executemany(
                        "INSERT INTO outbox(event_id, topic, payload, accepted_ns, accepted_run_ns) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [(e.event_id, e.topic, e.payload, now, run_now) for e in entries[:take]])
                    dropped = max(0, self._depth - expired + take - self.limits.max_events)
                    if dropped:
                        self._db.execute("DELETE FROM outbox WHERE id IN "
                                         "(SELECT id FROM outbox ORDER BY id LIMIT ?)", (dropped,))
            except OutboxWriteError as exc:
                if exc.disk_full:
                    self.counters.rejected_disk_full += len(entries)
                else:
                    self.counters.rejected_write_error += len(entries)
                raise
            self._depth += take - dropped - expired
            self.counters.dropped_expired += expired
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
            # _transaction puts the configured level back (and checks it) even when this fails.
            with self._transaction("delete", len(ids), synchronous="NORMAL"):
                before = self._db.total_changes
                self._db.executemany("DELETE FROM outbox WHERE id = ?", ids)
                removed = self._db.total_changes - before
            self._depth -= removed
            self.counters.delivered += removed
            return removed

    def refuse(self, row: Row, reason: str) -> None:
        """Move a row the broker can never accept to the ``refused`` table."""
        with self._lock:
            with self._transaction("refusal", 1):
                self._db.execute("INSERT OR REPLACE INTO refused VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (row.row_id, row.event_id, row.topic, row.payload, row.accepted_ns,
                                  self.clock_ns(), reason))
                removed = self._db.execute("DELETE FROM outbox WHERE id = ?", (row.row_id,)).rowcount
            self._depth -= removed
            self.counters.refused += removed

    def expire(self) -> int:
        """Under DROP_OLDEST, drop events older than max_age_s; return how many."""
        if self.limits.policy is not FullPolicy.DROP_OLDEST or self.limits.max_age_s <= 0:
            return 0
        with self._lock:
            with self._transaction("expiry", 0):
                removed = self._expire_locked(self.run_ns())
            self._depth -= removed
            self.counters.dropped_expired += removed
            return removed

    def _expire_locked(self, run_now: int) -> int:
        """Delete rows older than max_age_s on the outbox clock; the caller counts them once committed."""
        if self.limits.max_age_s <= 0:
            return 0
        cutoff = run_now - int(self.limits.max_age_s * 1e9)
        return self._db.execute("DELETE FROM outbox WHERE accepted_run_ns < ?", (cutoff,)).rowcount

    def oldest_age_s(self) -> float:
        """Return the age of the oldest waiting event in seconds (0 when empty)."""
        with self._lock:
            return self._oldest_age_locked(self.run_ns())

    def _oldest_age_locked(self, run_now: int) -> float:
        row = self._db.execute("SELECT accepted_run_ns FROM outbox ORDER BY id LIMIT 1").fetchone()
        return 0.0 if row is None else max(0.0, (run_now - row[0]) * 1e-9)

    def refused_rows(self) -> list[Row]:
        with self._lock:
            cur = self._db.execute("SELECT id, event_id, topic, payload, accepted_ns FROM refused ORDER BY id")
            return [Row(r[0], r[1], r[2], bytes(r[3]), r[4]) for r in cur]

    def close(self) -> None:
        """Keep the outbox clock (best effort: a full disk only loses the last stretch) and close."""
        with self._lock:
            try:
                self._db.execute("UPDATE run_clock SET run_ns = ? WHERE id = 1", (self.run_ns(),))
            except sqlite3.Error:
                pass
            self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

