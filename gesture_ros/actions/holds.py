"""Held gestures the dispatcher is acting on: one per source, from START to END or release.

A hold remembers its START (to build the END actions' event when it must be released
early: disarmed, map reloaded, shut down) and the START actions marked ``repeat_hz``, which
run again at their rate while the gesture is held, so a base that times out ``cmd_vel``
keeps moving only while the pipeline keeps saying so. A repeating hold lives only while its
source shows signs of life (``confirm``: the classifier's gesture/scores); silent for longer
than the hold timeout, it is released, which runs its END actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gesture_ros.actions.model import Action
from gesture_ros.actions.worker import Job
from gesture_ros.common.gesture_event import GestureEventData


@dataclass
class Hold:
    """One held gesture of one source."""

    start: GestureEventData
    repeats: list[Action]
    seen_s: float  # monotonic time of the source's last sign of life
    stamp_ns: int  # that sign of life's stamp: the header the repeats carry
    due_s: dict[str, float] = field(default_factory=dict)  # repeat action name -> next run
    jobs: dict[str, Job] = field(default_factory=dict)  # repeat action name -> last job queued

    @property
    def gesture(self) -> str:
        return self.start.gesture


class HoldBook:
    """The active holds by source id (the classifier holds at most one gesture per source)."""

    def __init__(self) -> None:
        self._holds: dict[str, Hold] = {}

    def __len__(self) -> int:
        return len(self._holds)

    def begin(self, start: GestureEventData, repeats: list[Action], now_s: float) -> None:
        """Record a START (``take`` the source's previous hold first)."""
        hold = Hold(start, repeats, now_s, start.stamp_ns)
        hold.due_s = {a.name: now_s + 1.0 / a.repeat_hz for a in repeats}
        self._holds[start.source_id] = hold

    def take(self, source_id: str) -> Hold | None:
        """Forget and return a source's hold, if it has one."""
        return self._holds.pop(source_id, None)

    def finish(self, source_id: str, gesture: str) -> Hold | None:
        """Forget the hold an END closes; return it (None when it was not active)."""
        hold = self._holds.get(source_id)
        if hold is None or hold.gesture != gesture:
            return None
        return self._holds.pop(source_id)

    def take_all(self) -> list[Hold]:
        """Forget and return every hold."""
        holds, self._holds = list(self._holds.values()), {}
        return holds

    def confirm(self, source_id: str, stamp_ns: int, now_s: float) -> None:
        """Note a sign of life of a source (its classifier still decides on its frames)."""
        hold = self._holds.get(source_id)
        if hold is not None and stamp_ns >= hold.stamp_ns:
            hold.seen_s, hold.stamp_ns = now_s, stamp_ns

    def due(self, now_s: float, timeout_s: float) -> tuple[list[tuple[Hold, Action]], list[Hold]]:
        """Return the repeats due now, and the repeating holds whose source fell silent (forgotten)."""
        runs: list[tuple[Hold, Action]] = []
        silent: list[Hold] = []
        for source_id, hold in list(self._holds.items()):
            if not hold.repeats:
                continue
            if now_s - hold.seen_s > timeout_s:
                silent.append(self._holds.pop(source_id))
                continue
            for action in hold.repeats:
                if now_s >= hold.due_s[action.name]:
                    # keep the rhythm, but never try to catch up on missed periods
                    hold.due_s[action.name] = max(hold.due_s[action.name] + 1.0 / action.repeat_hz, now_s)
                    runs.append((hold, action))
        return runs, silent

    def next_wake_s(self, timeout_s: float) -> float | None:
        """Return when ``due`` has something to do next (a repeat or a timeout), or None."""
        times = [t for h in self._holds.values() if h.repeats for t in (*h.due_s.values(), h.seen_s + timeout_s)]
        return min(times) if times else None
