"""Route gesture events through the safety gate to the target workers; swap maps live.

Held gestures are tracked (actions/holds.py): START actions marked ``repeat_hz`` run again
while the gesture is held, and a hold that must end early (disarmed, a stop, its scores
gone or no longer ranking it, ``max_hold_s``, its END refused, the map reloaded, shutdown)
runs its END actions, which are stops and run whatever the gate says. A stop from anyone
ends every hold and latches (actions/stop_latch.py): nothing that repeats starts again
until the stop gesture ended and ``stop_latch_s`` passed, or the dispatcher is re-armed.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gesture_ros.actions.action_map import KINDS
from gesture_ros.actions.holds import Hold, HoldBook, hold_key
from gesture_ros.actions.model import Action, ActionMap, ExecutorFactory
from gesture_ros.actions.result import ActionResult, Outcome
from gesture_ros.actions.safety import SafetyGate, SafetySettings
from gesture_ros.actions.stop_latch import StopLatch
from gesture_ros.actions.worker import Job, Report, TargetStats, TargetWorker
from gesture_ros.common.gesture_event import EventType, GestureEventData


@dataclass
class DispatchStats:
    """Event counters and per-target figures, for diagnostics."""

    events: int = 0
    acted: int = 0  # events with at least one action queued
    skipped: int = 0  # events whose every mapped action was skipped
    unmapped: int = 0  # events no action is bound to
    skip_reasons: Counter = field(default_factory=Counter)
    targets: list[TargetStats] = field(default_factory=list)
    holds: int = 0  # held gestures now active
    repeats: int = 0  # repeated START actions done
    releases: Counter = field(default_factory=Counter)  # holds ended early, by reason
    latched: str = ""  # why repeating actions may not start now (a stop latched), or ""


class Dispatcher:
    """Turn each event into ActionResults: SKIPPED at once, DONE/FAILED from the workers."""

    def __init__(self, report: Report, clock_ns: Callable[[], int],
                 factories: Mapping[str, ExecutorFactory] | None = None,
                 settings: SafetySettings | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 warn: Callable[[str], None] | None = None) -> None:
        self._report = report
        self._clock_ns = clock_ns
        self._factories = dict(factories or {})
        self._monotonic = monotonic
        self._warn = warn or (lambda text: None)
        self.gate = SafetyGate(settings)
        self._map = ActionMap.empty()
        self._workers: dict[str, TargetWorker] = {}
        self._lock = threading.RLock()
        self._stats = DispatchStats()
        self._holds = HoldBook()
        self._latch = StopLatch()
        self._wake = threading.Event()
        self._closed = False
        self._repeater: threading.Thread | None = None

    @property
    def action_map(self) -> ActionMap:
        return self._map

    def load(self, action_map: ActionMap) -> None:
        """Start workers for a new map, release the old map's holds, retire its workers once drained."""
        workers: dict[str, TargetWorker] = {}
        try:
            for name, target in action_map.targets.items():
                factory = self._factories.get(target.type) or KINDS[target.type].make_executor
                if factory is None:
                    raise ValueError(f"no executor for action type '{target.type}' in this process")
                specs = [a.spec for a in action_map.actions if a.target == name]
                workers[name] = TargetWorker(target, factory, specs, KINDS[target.type].describe,
                                             self._on_result, self._clock_ns, self._stale_now)
        except Exception:
            for worker in workers.values():
                worker.stop(timeout_s=1.0)
            raise
        with self._lock:
            self._release_all("action map reloaded")
            old, self._workers, self._map = self._workers, workers, action_map
        threading.Thread(target=self._retire, args=(list(old.values()),), daemon=True).start()

    def handle(self, event: GestureEventData) -> None:
        """Gate an event and queue its actions; report every skipped action at once."""
        with self._lock:
            self._stats.events += 1
            now = self._monotonic()
            key = hold_key(event)
            actions = self._map.actions_for(event.gesture, event.event_type)
            if event.event_type == EventType.END:
                self._holds.finish(key, event.gesture)
                self._latch.end(key, event.gesture, now)
            elif event.event_type == EventType.START:
                self._holds.take(key)  # its END went missing: this START's actions take over
                self._latch.end(key, None, now)  # and so did the END of the person's stop gesture
            if event.event_type != EventType.END and any(a.stop for a in actions):
                person = f" person {event.person_id}" if event.person_id else ""
                self._release_all(f"stop: '{event.gesture}' from '{event.source_id}'{person}")
                self._latch.engage(key, event.gesture, now, held=event.event_type == EventType.START)
            if not actions:
                if event.event_type == EventType.START and self._map.actions_for(event.gesture, EventType.END):
                    self._begin_hold(event, [])
                self._stats.unmapped += 1
                return
            latched = self._latch.veto(now, self.gate.settings.stop_latch_s)
            decisions = self.gate.admit(event, actions, self._clock_ns(), now, latched)
            skipped = self._submit(event, decisions)
            if event.event_type == EventType.START:
                self._begin_hold(event, [a for a, reason in decisions if reason is None and a.repeat_hz])
        for result in skipped:
            self._report(result)

    def confirm(self, source_id: str, person_id: int, stamp_ns: int, scores: Mapping[str, float]) -> None:
        """Take a person's scores (gesture -> smoothed probability): they keep a hold alive while they rank it."""
        with self._lock:
            self._holds.confirm((source_id, int(person_id)), stamp_ns, scores,
                                self.gate.settings.hold_exit_threshold, self._monotonic())

    def refused_end(self, event: GestureEventData, kind: str) -> bool:
        """End the hold a refused END names (its END actions run); return whether there was one.

        Whatever is wrong with an END (stamp, confidence, id), it still says the gesture ended.
        """
        if event.event_type != EventType.END:
            return False
        with self._lock:
            key = hold_key(event)
            self._latch.end(key, event.gesture, self._monotonic())
            hold = self._holds.finish(key, event.gesture)
            if hold is not None:
                self._release(hold, f"END refused: {kind}")
        return hold is not None

    def set_armed(self, armed: bool) -> bool:
        """Arm or disarm; return whether it changed. Disarming releases every hold; arming clears a latched stop."""
        with self._lock:
            changed = armed != self.gate.settings.armed
            self.gate.settings.armed = armed
            if armed:
                self._latch.clear()
            elif changed:
                self._release_all("disarmed")
        return changed

    def release_all(self, reason: str) -> None:
        """End every hold now: run its END actions (shutting down)."""
        with self._lock:
            self._release_all(reason)

    def stats(self) -> DispatchStats:
        with self._lock:
            s = self._stats
            snapshot = dataclasses.replace(s, skip_reasons=Counter(s.skip_reasons), releases=Counter(s.releases),
                                           holds=len(self._holds), targets=[],
                                           latched=self._latch.veto(self._monotonic(),
                                                                    self.gate.settings.stop_latch_s) or "")
            workers = list(self._workers.values())
        snapshot.targets = [w.snapshot() for w in workers]
        return snapshot

    def close(self, timeout_s: float = 5.0) -> None:
        """Release the holds, then stop every worker after its queue is done (or the timeout passes)."""
        with self._lock:
            self._release_all("shutting down")
            self._closed = True
            workers, self._workers, self._map = list(self._workers.values()), {}, ActionMap.empty()
        self._wake.set()
        self._retire(workers, timeout_s)

    # ---- inside the lock -----------------------------------------------------------------
    def _submit(self, event: GestureEventData, decisions: list[tuple[Action, str | None]],
                note: str = "") -> list[ActionResult]:
        """Queue the admitted actions; return the SKIPPED results of the others."""
        skipped: list[ActionResult] = []
        queued = 0
        for action, reason in decisions:
            worker = self._workers[action.target]
            if reason is None and not worker.submit(Job(action, event, note=note)):
                reason = (f"queue full: target '{action.target}' already holds {worker.target.queue_size} "
                          "actions; this one was not run")
            if reason is None:
                queued += 1
                continue
            self._stats.skip_reasons[reason.split(":")[0]] += 1
            describe = KINDS[worker.target.type].describe(worker.target, action.spec)
            skipped.append(ActionResult(event, action.name, worker.target.type, describe,
                                        Outcome.SKIPPED, f"{note}{reason}", 0, self._clock_ns()))
        self._stats.acted += queued > 0
        self._stats.skipped += queued == 0
        return skipped

    def _begin_hold(self, start: GestureEventData, repeats: list[Action]) -> None:
        max_hold_s = self._map.max_hold_s(start.gesture)
        self._holds.begin(start, repeats, self._monotonic(), max_hold_s)
        if (repeats or max_hold_s) and self._repeater is None:
            self._repeater = threading.Thread(target=self._repeat_loop, name="action-repeats", daemon=True)
            self._repeater.start()
        self._wake.set()

    def _release_all(self, reason: str) -> None:
        for hold in self._holds.take_all():
            self._release(hold, reason)

    def _release(self, hold: Hold, reason: str) -> None:
        """Run a hold's END actions now, for an END the classifier did not send (yet)."""
        now = self._clock_ns()
        start = hold.start
        end = dataclasses.replace(start, event_id=str(uuid.uuid4()), event_type=EventType.END, stamp_ns=now,
                                  confidence=0.0, sequence=0, end_ns=max(now, start.stamp_ns))
        actions = self._map.actions_for(start.gesture, EventType.END)
        self._stats.releases[reason.split(":")[0]] += 1
        person = f" person {start.person_id}" if start.person_id else ""
        self._warn(f"held '{start.gesture}' of '{start.source_id}'{person} released ({reason}): "
                   f"running its {len(actions)} END action(s)")
        if not actions:
            return
        skipped = self._submit(end, self.gate.admit(end, actions, now, self._monotonic()), f"released ({reason}): ")
        for result in skipped:
            self._report(result)

    # ---- repeats (own thread) ------------------------------------------------------------
    def _repeat_loop(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
                timeout = self.gate.settings.hold_timeout_s
                now = self._monotonic()
                runs, ended = self._holds.due(now, timeout)
                for hold, why in ended:
                    self._release(hold, why)
                for hold, action in runs:
                    self._repeat(hold, action)
                wake = self._holds.next_wake_s(timeout)
                self._wake.clear()
            self._wake.wait(1.0 if wake is None else min(max(wake - self._monotonic(), 0.001), 1.0))

    def _repeat(self, hold: Hold, action: Action) -> None:
        previous = hold.jobs.get(action.name)
        if previous is not None and not previous.finished:
            return  # the target has not done the last one yet: do not pile up
        worker = self._workers.get(action.target)
        if worker is None:
            return
        job = Job(action, dataclasses.replace(hold.start, stamp_ns=hold.stamp_ns), repeat=True)
        if worker.submit(job):
            hold.jobs[action.name] = job

    # ---- worker callbacks ----------------------------------------------------------------
    def _on_result(self, result: ActionResult) -> None:
        if result.repeat and result.outcome == Outcome.DONE:
            with self._lock:
                self._stats.repeats += 1
            return
        self._report(result)

    def _stale_now(self, action: Action, event: GestureEventData, repeat: bool) -> str | None:
        """Return why a queued job must not run any more (disarmed meanwhile, too old, hold ended)."""
        if action.is_stop:
            return None
        if repeat:
            if not self.gate.settings.armed:
                return "disarmed"
            return self._latch.veto(self._monotonic(), self.gate.settings.stop_latch_s)
        return self.gate.event_veto(event, self._clock_ns())

    @staticmethod
    def _retire(workers: list[TargetWorker], timeout_s: float = 30.0) -> None:
        for worker in workers:
            worker.stop(timeout_s)
