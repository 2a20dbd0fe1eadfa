"""One worker thread per target: a bounded queue, retries with backoff, a result per job.

A slow or dead target only delays its own queue; the node's executor and the other
targets never wait for it. A full queue refuses the job (the caller reports it).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .event import ActionResult, GestureEventData, Outcome
from .model import Action, ActionFailed, ExecutorFactory, Target

Report = Callable[[ActionResult], None]
StaleCheck = Callable[[GestureEventData], str | None]  # reason the event is too old, or None


@dataclass
class TargetStats:
    """Figures of one target for diagnostics."""

    name: str
    type: str
    queued: int = 0
    done: int = 0
    failed: int = 0
    retries: int = 0
    overflows: int = 0
    consecutive_failures: int = 0
    last_error: str = ""

    @property
    def state(self) -> str:
        return "failing" if self.consecutive_failures else "ok"


@dataclass(frozen=True)
class _Job:
    action: Action
    event: GestureEventData


class TargetWorker:
    """Run one target's actions in order on a thread of its own."""

    def __init__(self, target: Target, factory: ExecutorFactory, specs: Sequence[Any], describe: Callable,
                 report: Report, clock_ns: Callable[[], int], stale: StaleCheck) -> None:
        self.target = target
        self._executor = factory(target, specs)
        self._describe = describe
        self._report = report
        self._clock_ns = clock_ns
        self._stale = stale
        self._queue: queue.Queue[_Job] = queue.Queue(maxsize=target.queue_size)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.stats = TargetStats(target.name, target.type)
        self._thread = threading.Thread(target=self._run, name=f"action-{target.name}", daemon=True)
        self._thread.start()

    def submit(self, action: Action, event: GestureEventData) -> bool:
        """Queue a job; return False (and count an overflow) when the queue is full."""
        try:
            self._queue.put_nowait(_Job(action, event))
            return True
        except queue.Full:
            with self._lock:
                self.stats.overflows += 1
            return False

    def snapshot(self) -> TargetStats:
        with self._lock:
            self.stats.queued = self._queue.qsize()
            return TargetStats(**vars(self.stats))

    def stop(self, timeout_s: float = 5.0) -> None:
        """Finish the queued jobs (skipping what became stale), then close the executor."""
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        try:
            while not (self._stop.is_set() and self._queue.empty()):
                try:
                    job = self._queue.get(timeout=0.1)
                except queue.Empty:
                    continue
                self._report(self._execute(job))
        finally:
            self._executor.close()

    def _execute(self, job: _Job) -> ActionResult:
        policy = self.target.retry
        attempt, outcome, detail = 0, Outcome.FAILED, ""
        while attempt < policy.attempts:
            stale = self._stale(job.event)
            if stale:
                outcome, detail = Outcome.SKIPPED, f"{stale} (waited for target '{self.target.name}')"
                break
            attempt += 1
            try:
                detail, outcome = self._executor.execute(job.action.spec, job.event), Outcome.DONE
                break
            except ActionFailed as exc:
                detail = str(exc)
                if not exc.retryable:
                    break
            except Exception as exc:  # noqa: BLE001 - a bug in an executor must not end the worker
                detail = f"unexpected {type(exc).__name__}: {exc}"
            if attempt < policy.attempts:
                with self._lock:
                    self.stats.retries += 1
                self._stop.wait(policy.delay_s(attempt))  # when stopping, retry at once
        self._count(outcome, detail)
        return ActionResult(job.event, job.action.name, self.target.type, self._describe(self.target, job.action.spec),
                            outcome, detail, attempt, self._clock_ns())

    def _count(self, outcome: Outcome, detail: str) -> None:
        with self._lock:
            if outcome == Outcome.DONE:
                self.stats.done += 1
                self.stats.consecutive_failures = 0
            elif outcome == Outcome.FAILED:
                self.stats.failed += 1
                self.stats.consecutive_failures += 1
                self.stats.last_error = detail
