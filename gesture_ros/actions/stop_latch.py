"""A stop latches: after anyone's stop, nothing that repeats starts again for a while.

A stop (an event with an action marked ``stop: true``) engages the latch; it stays engaged
while any stop gesture is still held and for ``latch_s`` after the last one ended (a TRIGGER
stop ends at once). Only re-arming clears it early. Monotonic clock: it protects people in
real time whatever the stamps say.
"""

from __future__ import annotations

from gesture_ros.actions.holds import HoldKey


class StopLatch:
    """Which stop gestures are held, and when the last one ended."""

    def __init__(self) -> None:
        self._held: dict[HoldKey, str] = {}  # person -> the stop gesture they hold
        self._ended_s: float | None = None
        self._what = ""

    def engage(self, key: HoldKey, gesture: str, now_s: float, held: bool) -> None:
        """Note a stop; ``held``: it is a START, so the latch lasts until its END."""
        self._what = f"'{gesture}' from '{key[0]}'" + (f" person {key[1]}" if key[1] else "")
        if held:
            self._held[key] = gesture
        else:
            self._ended_s = now_s

    def end(self, key: HoldKey, gesture: str | None, now_s: float) -> None:
        """Note that a person's stop gesture ended (``gesture`` None: whatever it was)."""
        if key in self._held and gesture in (None, self._held[key]):
            del self._held[key]
            self._ended_s = now_s

    def clear(self) -> None:
        """Forget every stop (re-armed)."""
        self._held.clear()
        self._ended_s = None

    def veto(self, now_s: float, latch_s: float) -> str | None:
        """Return why nothing that repeats may start now, or None."""
        if self._held:
            return f"stop latched: {self._what} is still held (re-arm to clear)"
        if self._ended_s is not None and now_s - self._ended_s < latch_s:
            left = latch_s - (now_s - self._ended_s)
            return f"stop latched: {left:.2f} s of stop_latch_s {latch_s:g} left after {self._what}"
        return None

    @property
    def engaged(self) -> bool:
        return bool(self._held) or self._ended_s is not None
