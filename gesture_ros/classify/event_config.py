"""Post-processing settings of the event state machine: thresholds, timing, allow/deny."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# Gestures whose opposite, right after them and before the hands rest, is their return stroke.
SWIPE_OPPOSITES: Mapping[str, str] = {"swipe_left": "swipe_right", "swipe_right": "swipe_left"}


@dataclass
class EventConfig:
    """When a smoothed probability becomes an event.

    A gesture enters when it is the most probable class, is allowed, and reaches its
    enter threshold; a held gesture stays until it falls below its exit threshold
    (hysteresis), and a one-shot gesture re-arms only after falling below it.
    """

    threshold: float = 0.8  # default enter threshold
    thresholds: dict[str, float] = field(default_factory=dict)  # per-gesture enter thresholds
    exit_threshold: float = 0.5  # a gesture's exit threshold is min(this, its enter threshold)
    min_duration_s: float = 0.2  # a held gesture must stay entered this long before START
    cooldown_s: float = 1.0  # after a TRIGGER or END, the same gesture waits this long
    cooldowns: dict[str, float] = field(default_factory=dict)  # per-gesture cooldowns
    refractory_s: float = 0.0  # after any TRIGGER, every one-shot gesture waits this long
    # An opposite stroke this soon after a stroke, before the hands rest, is its return: no event (0: off).
    return_stroke_s: float = 0.0
    opposites: Mapping[str, str] = field(default_factory=lambda: dict(SWIPE_OPPOSITES))
    # One-shots that fire only once the hands have been still this long while entered (held, not passing).
    hold_gestures: frozenset[str] = frozenset()
    hold_s: float = 0.25  # real X with jitter fire; the referee's rolling forearms stay below it, fold models too (docs/classifier.md)
    # One-shots that are a motion (the swipes): they fire only when a wrist just moved at least
    # stroke_min_travel palm lengths sideways (the Motion's travel window), never from a hand held still.
    stroke_gestures: frozenset[str] = frozenset()
    stroke_min_travel: float = 1.0
    # Held gestures that START only while their hand is roughly still: its wrist slower than
    # still_max_speed palm lengths per second (over the Motion's speed span); a moving hand is no sign.
    still_gestures: frozenset[str] = frozenset()
    still_max_speed: float = 1.5
    allow: frozenset[str] = frozenset()  # empty: every gesture is allowed
    deny: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.allow = frozenset(self.allow)
        self.deny = frozenset(self.deny)
        self.hold_gestures = frozenset(self.hold_gestures)
        self.stroke_gestures = frozenset(self.stroke_gestures)
        self.still_gestures = frozenset(self.still_gestures)
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the first setting out of range."""
        for name, value in [("threshold", self.threshold), ("exit_threshold", self.exit_threshold)] + [
            (f"thresholds['{k}']", v) for k, v in self.thresholds.items()
        ]:
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        for name, value in [("min_duration_s", self.min_duration_s), ("cooldown_s", self.cooldown_s),
                            ("refractory_s", self.refractory_s),
                            ("return_stroke_s", self.return_stroke_s), ("hold_s", self.hold_s),
                            ("stroke_min_travel", self.stroke_min_travel),
                            ("still_max_speed", self.still_max_speed)] + [
            (f"cooldowns['{k}']", v) for k, v in self.cooldowns.items()
        ]:
            if value < 0.0:
                raise ValueError(f"{name} must be >= 0, got {value}")

    def enter(self, label: str) -> float:
        return self.thresholds.get(label, self.threshold)

    def exit(self, label: str) -> float:
        return min(self.exit_threshold, self.enter(label))

    def cooldown_ns(self, label: str) -> int:
        return int(self.cooldowns.get(label, self.cooldown_s) * 1e9)

    def allowed(self, label: str) -> bool:
        return label not in self.deny and (not self.allow or label in self.allow)

    def unknown_labels(self, labels: Sequence[str]) -> list[str]:
        """Return the labels this config names that the model does not have (for a warning)."""
        named = (set(self.thresholds) | set(self.cooldowns) | self.allow | self.deny | self.hold_gestures
                 | self.stroke_gestures | self.still_gestures)
        return sorted(named - set(labels))
