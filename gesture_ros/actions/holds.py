"""Held gestures the dispatcher is acting on: one per source and person, from START to END or release.

A hold remembers its START (to build the END actions' event when it must be released
early: disarmed, a stop, map reloaded, shut down) and the START actions marked ``repeat_hz``,
which run again at their rate while the gesture is held, so a base that times out ``cmd_vel``
keeps moving only while the pipeline keeps saying so. A repeating hold lives only while the
classifier's ``gesture/scores`` of its source and person still rank the held gesture at or
above the exit threshold (``confirm``); without such scores for the hold timeout it is
released, which runs its END actions. Any hold whose gesture has a ``max_hold_s`` ends then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gesture_ros.actions.model import Action
from gesture_ros.actions.worker import Job
from gesture_ros.common.gesture_event import GestureEventData

HoldKey = tuple[str, int]  # (source id, person id)


def hold_key(event: GestureEventData) -> HoldKey:
    return event.source_id, int(event.person_id)


@dataclass
class Hold:
    """One held gesture of one person of one source."""

    start: GestureEventData
    repeats: list[Action]
    seen_s: float  # monotonic time of the last scores that still ranked the gesture
    stamp_ns: int  # those scores' stamp: the header the repeats carry
    ends_s: float | None = None  # monotonic time max_hold_s ends it
    doubted: bool = False  # the latest scores ranked the gesture below the exit threshold
    due_s: dict[str, float] = field(default_factory=dict)  # repeat action name -> next run
    jobs: dict[str, Job] = field(default_factory=dict)  # repeat action name -> last job queued

    @property
    def gesture(self) -> str:
        return self.start.gesture

    @property
    def who(self) -> str:
        person = f" person {self.start.person_id}" if self.start.person_id else ""
        return f"'{self.start.source_id}'{person}"


class HoldBook:
    """The active holds by (source id, person id): the classifier holds one gesture per person."""

    def __init__(self) -> None:
        self._holds: dict[HoldKey, Hold] = {}

    def __len__(self) -> int:
        return len(self._holds)

    def begin(self, start: GestureEventData, repeats: list[Action], now_s: float, max_hold_s: float = 0.0) -> None:
        """Record a START (``take`` the person's previous hold first)."""
        hold = Hold(start, repeats, now_s, start.stamp_ns, now_s + max_hold_s if max_hold_s > 0 else None)
        hold.due_s = {a.name: now_s + 1.0 / a.repeat_hz for a in repeats}
        self._holds[hold_key(start)] = hold

    def get(self, key: HoldKey) -> Hold | None:
        return self._holds.get(key)

    def take(self, key: HoldKey) -> Hold | None:
        """Forget and return a person's hold, if there is one."""
        return self._holds.pop(key, None)

    def finish(self, key: HoldKey, gesture: str) -> Hold | None:
        """Forget the hold an END closes; return it (None when it was not active)."""
        hold = self._holds.get(key)
        if hold is None or hold.gesture != gesture:
            return None
        return self._holds.pop(key)

    def take_all(self) -> list[Hold]:
        """Forget and return every hold."""
        holds, self._holds = list(self._holds.values()), {}
        return holds

    def confirm(self, key: HoldKey, stamp_ns: int, scores: Mapping[str, float], exit_threshold: float,
                now_s: float) -> None:
        """Take a person's scores: a sign of life only while they rank the held gesture high enough."""
        hold = self._holds.get(key)
        if hold is None or stamp_ns < hold.stamp_ns:
            return
        hold.doubted = not scores.get(hold.gesture, 0.0) >= exit_threshold  # NaN counts as below
        if not hold.doubted:
            hold.seen_s, hold.stamp_ns = now_s, stamp_ns

    def due(self, now_s: float, timeout_s: float) -> tuple[list[tuple[Hold, Action]], list[tuple[Hold, str]]]:
        """Return the repeats due now, and the holds that end now with the reason (forgotten)."""
        runs: list[tuple[Hold, Action]] = []
        ended: list[tuple[Hold, str]] = []
        for key, hold in list(self._holds.items()):
            if hold.ends_s is not None and now_s >= hold.ends_s:
                ended.append((self._holds.pop(key), "held longer than max_hold_s"))
                continue
            if not hold.repeats:
                continue
            if now_s - hold.seen_s > timeout_s:
                why = (f"the gesture/scores of {hold.who} no longer rank '{hold.gesture}'" if hold.doubted
                       else f"no sign of life from {hold.who}")
                ended.append((self._holds.pop(key), f"{why} for {timeout_s:g} s (gesture/scores)"))
                continue
            for action in hold.repeats:
                if now_s >= hold.due_s[action.name]:
                    # keep the rhythm, but never try to catch up on missed periods
                    hold.due_s[action.name] = max(hold.due_s[action.name] + 1.0 / action.repeat_hz, now_s)
                    runs.append((hold, action))
        return runs, ended

    def next_wake_s(self, timeout_s: float) -> float | None:
        """Return when ``due`` has something to do next (a repeat, a timeout, a max_hold_s), or None."""
        times = [t for h in self._holds.values() if h.repeats for t in (*h.due_s.values(), h.seen_s + timeout_s)]
        times += [h.ends_s for h in self._holds.values() if h.ends_s is not None]
        return min(times) if times else None
