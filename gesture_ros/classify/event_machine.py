"""Turn smoothed per-class probabilities into TRIGGER, START and END events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gesture_ros.classify.event_config import EventConfig
from gesture_ros.common.gesture_event import EventType
from gesture_ros.common.model_meta import GestureKind

STROKE_EARLY_S = 0.5  # a swipe read this long before its wrist came its way may still get its stroke


@dataclass(frozen=True)
class FrameRef:
    """The camera frame a decision was made on: its capture stamp and frame id."""

    stamp_ns: int
    frame_id: str = ""


@dataclass(frozen=True)
class Event:
    """One decided event; ``frame`` is the deciding frame (the event's header)."""

    event_type: EventType
    gesture: str
    confidence: float
    frame: FrameRef
    start_ns: int
    end_ns: int
    handedness: str = ""

    @property
    def duration_s(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9


class Motion(Protocol):
    """What the event logic asks about the hands' motion (classify.hands_at_rest.RestTracker answers)."""

    def rested_since(self, t_ns: int) -> bool:
        """Return True when the hands were still for a while, all of it after ``t_ns``."""

    def still_for_ns(self, t_ns: int) -> int:
        """Return how long the hands have been still at ``t_ns`` (0 while they move)."""

    def travel(self, t_ns: int) -> float:
        """Return how far (palm lengths) a wrist moved horizontally just before ``t_ns``."""

    def stroke(self, t_ns: int, sign: int) -> float:
        """Return how far (palm lengths) a wrist came toward image ``sign`` x just before ``t_ns``."""

    def hand_speed(self, t_ns: int, side: str) -> float:
        """Return how fast (palm lengths per second) the ``side`` hand's wrist moved just before ``t_ns``."""


@dataclass
class _Held:
    label: str
    start_ns: int
    handedness: str


class EventStateMachine:
    """Per-source event logic: hysteresis, minimum duration, cooldowns, allow/deny.

    Invariants: every START is followed by exactly one END before any other START; at most
    one held gesture is active; ``end_all`` (gap, reset, model swap, shutdown) ends it.

    Return strokes: a TRIGGER whose opposite (``config.opposites``, the two swipes) was the
    last stroke, less than ``return_stroke_s`` ago, gives no event unless the hands rested
    after that stroke (``motion.rested_since``; without ``motion`` only the time counts). Such a
    return stroke becomes the last stroke itself, so a back-and-forth wave without a rest fires
    once.

    A return stroke's gesture is then kept quiet for its cooldown from the moment the model stops
    reading it (below its exit threshold): the arm that came back, held there, is no new swipe.

    Held one-shots (``config.hold_gestures``, x_cross): the TRIGGER waits, still armed, until
    the hands have been still for ``hold_s`` while the gesture is entered (a crossing that keeps
    moving, like forearms rolling around each other, never fires). Without ``motion`` no wait.

    Strokes (``config.stroke_gestures``, the swipes): a TRIGGER is refused (and consumed) unless a
    wrist moved at least ``stroke_min_travel`` palm lengths sideways just before it
    (``motion.travel``): a swipe is the hand's motion, so a model reading one into a hand held
    still is wrong. With ``stroke_signs`` (the image direction of each name) the wrist must have
    come that way (``motion.stroke``): a swipe read into the rest before the opposite stroke does
    not fire on that stroke. Then a read may also come early, as the hand sets off: it stays armed
    for ``STROKE_EARLY_S`` while the model keeps reading it. Without ``motion`` no check.

    Still signs (``config.still_gestures``, the hand signs): a START waits, still pending, while the
    hand moves faster than ``still_max_speed`` (``motion.hand_speed``): a sign is held, and an open
    hand sweeping up and down is no stop palm. Without ``motion`` no check.

    Unseen gestures (``unseen``, per frame: the body parts they need are not in view) neither
    START nor TRIGGER on that frame; they stay pending or armed for the next frame that shows them.
    """

    def __init__(self, labels: Sequence[str], kinds: Mapping[str, GestureKind], config: EventConfig) -> None:
        self.labels = list(labels)
        self.kinds: dict[str, GestureKind] = dict(kinds)
        self.config = config
        self._active: _Held | None = None
        self._pending: _Held | None = None  # a held gesture waiting out min_duration_s
        self._armed = {label: True for label in self.labels}
        self._last_fire_ns: dict[str, int] = {}  # TRIGGER or END stamp, per gesture
        self._last_trigger_ns: int | None = None
        self._last_stroke: tuple[str, int] | None = None  # label and stamp of the last stroke (fired or return)
        self.returns_suppressed = 0
        self._returning: str | None = None  # a return stroke the model still reads (its cooldown starts when it ends)
        self.stale_strokes = 0  # stroke one-shots refused: no wrist had moved far enough
        self._early: dict[str, int] = {}  # a stroke read before its travel: stamp of that first read
        self._last_frame: FrameRef | None = None
        self._last_probs: np.ndarray | None = None

    @property
    def active(self) -> str | None:
        """Return the held gesture now active, or None."""
        return self._active.label if self._active else None

    def step(self, frame: FrameRef, probs: np.ndarray, window_start_ns: int | None = None,
             handedness: str = "", motion: Motion | None = None,
             unseen: frozenset[str] = frozenset(), stroke_signs: Mapping[str, int] | None = None) -> list[Event]:
        """Decide on one window's smoothed probabilities; return the events it causes.

        ``motion`` tells how the hands moved (return strokes, held one-shots); ``unseen`` names
        gestures this frame cannot show (they wait); ``stroke_signs`` the image x direction of the
        stroke gestures' names.
        """
        cfg = self.config
        t = frame.stamp_ns
        p = {label: float(v) for label, v in zip(self.labels, probs, strict=True)}
        events: list[Event] = []
        self._last_frame, self._last_probs = frame, np.asarray(probs, dtype=np.float32)

        top = max(self.labels, key=p.__getitem__)
        for label in self.labels:
            if p[label] < cfg.exit(label):
                self._armed[label] = True
            if label != top or p[label] < cfg.enter(label):
                self._early.pop(label, None)  # no longer read: an early read that never got its stroke
        if self._returning is not None and p[self._returning] < cfg.exit(self._returning):
            self._last_fire_ns[self._returning] = t  # the return stroke is over: its cooldown starts
            self._returning = None
        kind = self.kinds[top]
        entered = kind is not GestureKind.NONE and cfg.allowed(top) and p[top] >= cfg.enter(top)
        candidate = top if entered else None

        if self._active and (p[self._active.label] < cfg.exit(self._active.label)
                             or not cfg.allowed(self._active.label)):
            events.append(self._end(frame, p[self._active.label]))

        if candidate and kind is GestureKind.HELD and candidate != self.active:
            if self._pending is None or self._pending.label != candidate:
                self._pending = _Held(candidate, t, handedness)
            if (t - self._pending.start_ns >= cfg.min_duration_s * 1e9 and self._cooled(candidate, t)
                    and candidate not in unseen and self._still(candidate, t, handedness, motion)):
                if self._active:
                    events.append(self._end(frame, p[self._active.label]))
                self._active, self._pending = self._pending, None
                events.append(Event(EventType.START, candidate, p[candidate], frame,
                                    self._active.start_ns, t, self._active.handedness))
        elif candidate != (self._pending.label if self._pending else None):
            self._pending = None

        if candidate and kind is GestureKind.TRIGGER and self._armed[candidate]:
            if (candidate in cfg.hold_gestures and motion is not None
                    and motion.still_for_ns(t) < cfg.hold_s * 1e9):
                return events  # not held still yet: stays armed
            if candidate in unseen:
                return events  # its parts are not in view on this frame: stays armed
            if candidate in cfg.stroke_gestures and motion is not None and self._stale(candidate, t, motion,
                                                                                     stroke_signs):
                return events
            self._armed[candidate] = False  # consumed even when a cooldown swallows it
            if self._is_return(candidate, t, motion):
                self._last_stroke = (candidate, t)
                self._returning = candidate
                self.returns_suppressed += 1
                return events
            refractory_ok = (self._last_trigger_ns is None
                             or t - self._last_trigger_ns >= cfg.refractory_s * 1e9)
            if self._cooled(candidate, t) and refractory_ok:
                self._last_fire_ns[candidate] = self._last_trigger_ns = t
                if candidate in cfg.opposites:
                    self._last_stroke = (candidate, t)
                start = t if window_start_ns is None else min(window_start_ns, t)
                events.append(Event(EventType.TRIGGER, candidate, p[candidate], frame, start, t, handedness))
        return events

    def end_all(self) -> list[Event]:
        """End the active held gesture at the last decided frame and forget pending state."""
        events: list[Event] = []
        if self._active and self._last_frame is not None:
            idx = self.labels.index(self._active.label)
            conf = float(self._last_probs[idx]) if self._last_probs is not None else 0.0
            events.append(self._end(self._last_frame, conf))
        self._active = self._pending = None
        self._armed = {label: True for label in self.labels}
        self._last_stroke = self._returning = None  # a hole in the keypoints or a restart: nothing to return from
        self._early.clear()
        return events

    def forget_history(self) -> None:
        """Drop cooldown timers (time went backwards, e.g. a replay restarted)."""
        self._last_fire_ns.clear()
        self._last_trigger_ns = None
        self._last_stroke = None

    def _stale(self, label: str, t: int, motion: Motion, signs: Mapping[str, int] | None) -> bool:
        """Return True (and consume it once it is stale) when no wrist came ``label``'s way far enough."""
        sign = (signs or {}).get(label)
        moved = motion.travel(t) if sign is None else motion.stroke(t, sign)
        if moved >= self.config.stroke_min_travel:
            if self._early.pop(label, None) is not None:
                self.stale_strokes -= 1  # an early read after all: its stroke came
            return False
        first = self._early.setdefault(label, t)
        if first == t:
            self.stale_strokes += 1
        if sign is None or t - first > STROKE_EARLY_S * 1e9:
            self._armed[label] = False  # read into a hand that did not come its way: consumed
        return True

    def _is_return(self, label: str, t: int, motion: Motion | None) -> bool:
        """Return True when ``label`` is the return stroke of the last stroke."""
        cfg = self.config
        if self._last_stroke is None or cfg.return_stroke_s <= 0:
            return False
        last, t_last = self._last_stroke
        if cfg.opposites.get(label) != last or t - t_last >= cfg.return_stroke_s * 1e9:
            return False
        return motion is None or not motion.rested_since(t_last)

    def _still(self, label: str, t: int, side: str, motion: Motion | None) -> bool:
        """Return True unless ``label`` is a still sign and its hand is moving at ``t``."""
        cfg = self.config
        if label not in cfg.still_gestures or motion is None:
            return True
        return motion.hand_speed(t, side) < cfg.still_max_speed

    def _cooled(self, label: str, t: int) -> bool:
        last = self._last_fire_ns.get(label)
        return last is None or t - last >= self.config.cooldown_ns(label)

    def _end(self, frame: FrameRef, confidence: float) -> Event:
        held, self._active = self._active, None
        assert held is not None
        self._last_fire_ns[held.label] = frame.stamp_ns
        return Event(EventType.END, held.label, confidence, frame, held.start_ns, frame.stamp_ns, held.handedness)
