"""Route gesture events through the safety gate to the target workers; swap maps live."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .action_map import KINDS
from .event import ActionResult, GestureEventData, Outcome
from .model import ActionMap, ExecutorFactory
from .safety import SafetyGate, SafetySettings
from .worker import Report, TargetStats, TargetWorker


@dataclass
class DispatchStats:
    """Event counters and per-target figures, for diagnostics."""

    events: int = 0
    acted: int = 0  # events with at least one action queued
    skipped: int = 0  # events whose every mapped action was skipped
    unmapped: int = 0  # events no action is bound to
    skip_reasons: Counter = field(default_factory=Counter)
    targets: list[TargetStats] = field(default_factory=list)


class Dispatcher:
    """Turn each event into ActionResults: SKIPPED at once, DONE/FAILED from the workers."""

    def __init__(self, report: Report, clock_ns: Callable[[], int],
                 factories: Mapping[str, ExecutorFactory] | None = None,
                 settings: SafetySettings | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._report = report
        self._clock_ns = clock_ns
        self._factories = dict(factories or {})
        self._monotonic = monotonic
        self.gate = SafetyGate(settings)
        self._map = ActionMap.empty()
        self._workers: dict[str, TargetWorker] = {}
        self._lock = threading.Lock()
        self._stats = DispatchStats()

    @property
    def action_map(self) -> ActionMap:
        return self._map

    def load(self, action_map: ActionMap) -> None:
        """Start workers for a new map, then retire the old ones after their queues drain."""
        workers: dict[str, TargetWorker] = {}
        try:
            for name, target in action_map.targets.items():
                factory = self._factories.get(target.type) or KINDS[target.type].make_executor
                if factory is None:
                    raise ValueError(f"no executor for action type '{target.type}' in this process")
                specs = [a.spec for a in action_map.actions if a.target == name]
                workers[name] = TargetWorker(target, factory, specs, KINDS[target.type].describe,
                                             self._report, self._clock_ns, self._stale_now)
        except Exception:
            for worker in workers.values():
                worker.stop(timeout_s=1.0)
            raise
        with self._lock:
            old, self._workers, self._map = self._workers, workers, action_map
        threading.Thread(target=self._retire, args=(list(old.values()),), daemon=True).start()

    def handle(self, event: GestureEventData) -> None:
        """Gate an event and queue its actions; report every skipped action at once."""
        with self._lock:
            self._stats.events += 1
            actions = self._map.actions_for(event.gesture, event.event_type)
            if not actions:
                self._stats.unmapped += 1
                return
            decisions = self.gate.admit(event, actions, self._clock_ns(), self._monotonic())
            skipped: list[ActionResult] = []
            queued = 0
            for action, reason in decisions:
                worker = self._workers[action.target]
                if reason is None and not worker.submit(action, event):
                    reason = (f"queue full: target '{action.target}' already holds {worker.target.queue_size} "
                              "actions; this one was not run")
                if reason is None:
                    queued += 1
                    continue
                self._stats.skip_reasons[reason.split(":")[0]] += 1
                describe = KINDS[worker.target.type].describe(worker.target, action.spec)
                skipped.append(ActionResult(event, action.name, worker.target.type, describe,
                                            Outcome.SKIPPED, reason, 0, self._clock_ns()))
            self._stats.acted += queued > 0
            self._stats.skipped += queued == 0
        for result in skipped:
            self._report(result)

    def stats(self) -> DispatchStats:
        with self._lock:
            snapshot = DispatchStats(self._stats.events, self._stats.acted, self._stats.skipped,
                                     self._stats.unmapped, Counter(self._stats.skip_reasons))
            workers = list(self._workers.values())
        snapshot.targets = [w.snapshot() for w in workers]
        return snapshot

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop every worker after its queue is done (or the timeout passes)."""
        with self._lock:
            workers, self._workers, self._map = list(self._workers.values()), {}, ActionMap.empty()
        self._retire(workers, timeout_s)

    def _stale_now(self, event: GestureEventData) -> str | None:
        """Return why a queued job must not run any more (disarmed meanwhile, or too old)."""
        return self.gate.event_veto(event, self._clock_ns())

    @staticmethod
    def _retire(workers: list[TargetWorker], timeout_s: float = 30.0) -> None:
        for worker in workers:
            worker.stop(timeout_s)
