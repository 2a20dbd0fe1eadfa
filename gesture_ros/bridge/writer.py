"""Commit events to the outbox off the caller's thread, many per transaction (group commit).

The ROS callback only hands the event over; this thread commits whatever has arrived in one
transaction (one fsync), so at high rates the cost of durability is shared by many events
and at low rates an event waits for a single commit. An event counts as accepted once its
transaction has committed; the ``on_commit`` listener hears about it then.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

from gesture_ros.bridge.outbox import Entry, Outbox, OutboxWriteError
from gesture_ros.common.log_throttle import LogThrottle

_log = logging.getLogger("gesture_ros.bridge")

# Receives the committed entries and the ones the full outbox rejected.
CommitListener = Callable[[list[Entry], list[Entry]], None]


class OutboxWriter:
    """A thread that drains submitted entries into the outbox in batches."""

    def __init__(self, outbox: Outbox, max_pending: int = 10_000, max_batch: int = 1000,
                 on_commit: CommitListener | None = None) -> None:
        self.outbox = outbox
        self.max_pending = max_pending
        self.max_batch = max_batch
        self.backlog_rejected = 0
        self._listeners: list[CommitListener] = [on_commit] if on_commit else []
        self._queue: deque[Entry] = deque()
        self._busy = False
        self._stopping = False
        self._cv = threading.Condition()
        self._throttle = LogThrottle(period_s=10.0)
        self._dropped_reported = 0
        self._thread = threading.Thread(target=self._run, name="outbox-writer", daemon=True)

    def add_listener(self, listener: CommitListener) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        self._thread.start()

    @property
    def pending(self) -> int:
        return len(self._queue)

    def submit(self, entry: Entry) -> bool:
        """Queue an entry for the next commit; return False if the backlog is full."""
        with self._cv:
            if len(self._queue) >= self.max_pending or self._stopping:
                self.backlog_rejected += 1
                count = self._throttle.ready("backlog")
                if count:
                    _log.error("outbox writer backlog is full (%d events waiting for the disk): event %s "
                               "rejected (%d such since last report)", len(self._queue), entry.event_id, count)
                return False
            self._queue.append(entry)
            self._cv.notify()
            return True

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything submitted so far is committed; return False on timeout."""
        with self._cv:
            return self._cv.wait_for(lambda: not self._queue and not self._busy, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Commit what is queued, then end the thread."""
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._queue or self._stopping)
                if not self._queue:
                    return
                n = min(len(self._queue), self.max_batch)
                batch = [self._queue.popleft() for _ in range(n)]
                self._busy = True
            try:
                self._commit(batch)
            finally:
                with self._cv:
                    self._busy = False
                    self._cv.notify_all()

    def _commit(self, batch: list[Entry]) -> None:
        failed = True
        try:
            taken = self.outbox.put_many(batch)
            failed = False
        except OutboxWriteError as exc:  # counted by the outbox (rejected_disk_full / rejected_write_error)
            taken = 0
            c = self.outbox.counters
            count = self._throttle.ready("disk full" if exc.disk_full else "write error")
            if count:
                _log.error("%s; they were NOT accepted (%d event(s) refused for a full disk, %d for other write "
                           "errors so far)%s", exc, c.rejected_disk_full, c.rejected_write_error,
                           f" ({count} failed commits since the last report)" if count > 1 else "")
        except Exception as exc:  # noqa: BLE001 - a disk error must not kill the writer thread
            self.outbox.counters.rejected_write_error += len(batch)
            _log.error("outbox %s: commit of %d events failed: %s; they were not accepted",
                       self.outbox.path, len(batch), exc)
            taken = 0
        committed, rejected = batch[:taken], batch[taken:]
        dropped = self.outbox.counters.dropped_oldest - self._dropped_reported
        if dropped and self._throttle.ready("dropped"):
            self._dropped_reported = self.outbox.counters.dropped_oldest
            _log.warning("outbox %s is full (max_events %d, policy drop_oldest): dropped the %d oldest "
                         "undelivered event(s) to make room", self.outbox.path,
                         self.outbox.limits.max_events, dropped)
        if rejected and not failed:
            count = self._throttle.ready("full")
            if count:
                limits = self.outbox.limits
                _log.error("outbox %s is full (%d events, max_events %d, max_age_s %g, policy %s): "
                           "%d new event(s) rejected, first %s",
                           self.outbox.path, self.outbox.depth, limits.max_events, limits.max_age_s,
                           limits.policy.value, len(rejected), rejected[0].event_id)
        for listener in self._listeners:
            listener(committed, rejected)
