"""What stops an action from running: disarmed, stale event, global rate limit, cooldown.

Every reason starts with its category and a colon ("stale: ...", "cooldown: ...").
Stopping always wins: a stop action (every END action, and any marked ``stop: true``) runs
even when disarmed, stale, below its confidence, cooling down or over the rate limit, and
does not spend the rate limit.

Event stamps are compared with the node's clock (camera time is data); cooldowns and
the rate limit run on the monotonic clock, because they protect a physical target in
real time whatever the stamps say.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from gesture_ros.actions.model import Action
from gesture_ros.common.gesture_event import GestureEventData


@dataclass
class SafetySettings:
    armed: bool = True
    max_event_age_s: float = 1.0  # 0 disables the stale-event filter
    rate_limit_count: int = 10  # events acted on per window; 0 disables the limit
    rate_limit_window_s: float = 1.0
    hold_timeout_s: float = 0.5  # a repeating hold ends when its source is silent this long
    max_stamp_skew_s: float = 3600.0  # events stamped further from the clock are refused; 0: off
    hold_exit_threshold: float = 0.5  # scores must rank a held gesture this high to keep its hold alive
    stop_latch_s: float = 1.0  # after a stop ended, nothing that repeats starts for this long


class RateLimiter:
    """Admit at most ``count`` events in any sliding window of ``window_s`` seconds."""

    def __init__(self) -> None:
        self._times: deque[float] = deque()

    def allow(self, now: float, count: int, window_s: float) -> bool:
        while self._times and now - self._times[0] >= window_s:
            self._times.popleft()
        if count <= 0:
            return True
        if len(self._times) >= count:
            return False
        self._times.append(now)
        return True


class SafetyGate:
    """Decide, per event and per action, whether to act; keep cooldowns across map reloads."""

    def __init__(self, settings: SafetySettings | None = None) -> None:
        self.settings = settings or SafetySettings()
        self._rate = RateLimiter()
        self._last_run: dict[str, float] = {}  # action name -> monotonic time it was let through

    def event_veto(self, event: GestureEventData, clock_ns: int) -> str | None:
        """Return why no action of this event may run (disarmed, stale), or None."""
        if not self.settings.armed:
            return "disarmed"
        max_age = self.settings.max_event_age_s
        if max_age > 0:
            age = (clock_ns - event.stamp_ns) * 1e-9
            if age > max_age:
                return f"stale: event is {age:.3f} s old (max_event_age_s {max_age:g})"
            if age < -max_age:
                return f"clock skew: event stamped {-age:.3f} s in the future (max_event_age_s {max_age:g})"
        return None

    def admit(self, event: GestureEventData, actions: Sequence[Action], clock_ns: int,
              monotonic_s: float, repeat_veto: str | None = None) -> list[tuple[Action, str | None]]:
        """Return each action with None (run it) or the reason it is skipped.

        ``repeat_veto``: why actions with ``repeat_hz`` may not start now (a stop latched).
        """
        veto = self.event_veto(event, clock_ns)
        decisions = [(a, None if a.is_stop else veto or (repeat_veto if a.repeat_hz else None)
                      or self._action_veto(a, event, monotonic_s)) for a in actions]
        limited = [a for a, reason in decisions if reason is None and not a.is_stop]
        if limited and not self._rate.allow(monotonic_s, self.settings.rate_limit_count,
                                            self.settings.rate_limit_window_s):
            limit = f"{self.settings.rate_limit_count} events per {self.settings.rate_limit_window_s:g} s"
            decisions = [(a, None if a.is_stop else reason or f"global rate limit: {limit}") for a, reason in decisions]
        for action, reason in decisions:
            if reason is None:
                self._last_run[action.name] = monotonic_s
        return decisions

    def _action_veto(self, action: Action, event: GestureEventData, monotonic_s: float) -> str | None:
        if event.confidence < action.min_confidence:
            return f"low confidence: {event.confidence:.2f} below min_confidence {action.min_confidence:g}"
        last = self._last_run.get(action.name)
        if last is not None and monotonic_s - last < action.cooldown_s:
            return f"cooldown: {action.cooldown_s - (monotonic_s - last):.2f} s of {action.cooldown_s:g} s left"
        return None
