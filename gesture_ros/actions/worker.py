"""One worker thread per target: a bounded queue, retries with backoff, a result per job.

A slow or dead target only delays its own queue; the node's executor and the other
targets never wait for it. A full queue refuses the job (the caller reports it), except a
stop: it takes the place of the newest queued action that is not a stop (reported as
superseded), because a command to stop must never wait behind a full queue.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gesture_ros.actions.model import Action, ActionFailed, ExecutorFactory, Target
from gesture_ros.actions.result import ActionResult, Outcome
from gesture_ros.common.gesture_event import GestureEventData

Report = Callable[[ActionResult], None]
# (action, event, repeat) -> why a queued job must not run any more, or None
StaleCheck = Callable[[Action, GestureEventData, bool], "str | None"]


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


@dataclass(eq=False)
class Job:
    """One action to run for one event; ``repeat``: a re-run of a held START action."""

    action: Action
    event: GestureEventData
    repeat: bool = False
    note: str = ""  # prefixed to the result's detail (e.g. why a hold was released)
    finished: bool = False


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
        self._jobs: deque[Job] = deque()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.stats = TargetStats(target.name, target.type)
        self._thread = threading.Thread(target=self._run, name=f"action-{target.name}", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> bool:
        """Queue a job; return False (and count an overflow) when the queue is full and it is no stop."""
        evicted = None
        with self._cond:
            if len(self._jobs) >= self.target.queue_size:
                evicted = self._evict_for(job)
                if evicted is None:
                    with self._lock:
                        self.stats.overflows += 1
                    return False
            self._jobs.append(job)
            self._cond.notify()
        if evicted is not None:
            evicted.finished = True
            self._report(self._result(evicted, Outcome.SKIPPED, f"superseded: the queue of target "
                                      f"'{self.target.name}' was full and stop action '{job.action.name}' "
                                      "took this action's place", 0))
        return True

    def _evict_for(self, job: Job) -> Job | None:
        """Remove and return the newest queued non-stop job to make room for a stop (else None)."""
        if not job.action.is_stop:
            return None
        for index in range(len(self._jobs) - 1, -1, -1):
            if not self._jobs[index].action.is_stop:
                victim = self._jobs[index]
                del self._jobs[index]
                with self._lock:
                    self.stats.overflows += 1
                return victim
        return None

    def snapshot(self) -> TargetStats:
        with self._cond:
            queued = len(self._jobs)
        with self._lock:
            self.stats.queued = queued
            return TargetStats(**vars(self.stats))

    def stop(self, timeout_s: float = 5.0) -> None:
        """Finish the queued jobs (skipping what became stale), then close the executor."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout_s)

    def _next(self) -> Job | None:
        with self._cond:
            self._cond.wait_for(lambda: self._jobs or self._stop.is_set(), timeout=0.5)
            return self._jobs.popleft() if self._jobs else None

    def _run(self) -> None:
        try:
            while True:
                job = self._next()
                if job is None:
                    if self._stop.is_set():
                        break
                    continue
                result = self._execute(job)
                job.finished = True
                self._report(result)
        finally:
            self._executor.close()

    def _execute(self, job: Job) -> ActionResult:
        policy = self.target.retry
        attempt, outcome, detail = 0, Outcome.FAILED, ""
        while attempt < policy.attempts:
            stale = self._stale(job.action, job.event, job.repeat)
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
        return self._result(job, outcome, detail, attempt)

    def _result(self, job: Job, outcome: Outcome, detail: str, attempts: int) -> ActionResult:
        return ActionResult(job.event, job.action.name, self.target.type,
                            self._describe(self.target, job.action.spec), outcome,
                            f"{job.note}{detail}", attempts, self._clock_ns(), repeat=job.repeat)

    def _count(self, outcome: Outcome, detail: str) -> None:
        with self._lock:
            if outcome == Outcome.DONE:
                self.stats.done += 1
                self.stats.consecutive_failures = 0
            elif outcome == Outcome.FAILED:
                self.stats.failed += 1
                self.stats.consecutive_failures += 1
                self.stats.last_error = detail
