"""The validated action map: targets, actions bound to gestures, retry policies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    Any,
    Protocol,
)

from gesture_ros.common.gesture_event import EventType, GestureEventData


class ActionFailed(Exception):
    """An action could not be done; the message says why, in one sentence.

    ``retryable=False`` marks a failure that another try cannot fix (a missing file,
    an HTTP 4xx), so the retry policy is not spent on it.
    """

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Executor(Protocol):
    """Runs the actions of one target; owns its connection (socket, client)."""

    def execute(self, spec: Any, event: GestureEventData) -> str:
        """Do one action; return a short detail of what was sent, raise ActionFailed."""

    def close(self) -> None:
        """Release connections; called once when the target is retired."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed action is tried again."""

    attempts: int = 1  # total tries, 1 = no retry
    backoff_s: float = 0.1  # wait before the second try
    backoff_factor: float = 2.0
    max_backoff_s: float = 2.0

    def delay_s(self, attempt: int) -> float:
        """Return the wait after failed try number ``attempt`` (1-based)."""
        return min(self.backoff_s * self.backoff_factor ** (attempt - 1), self.max_backoff_s)


@dataclass(frozen=True)
class Target:
    """A destination (one OSC console, one mpv, one HTTP service...) with its own worker."""

    name: str
    type: str
    spec: Any  # the type's own target dataclass
    retry: RetryPolicy = RetryPolicy()
    timeout_s: float = 1.0
    queue_size: int = 64
    line: int = 0


@dataclass(frozen=True)
class Action:
    """One thing to do when a gesture event arrives."""

    name: str
    gesture: str
    event_type: EventType
    target: str
    spec: Any  # the type's own action dataclass
    cooldown_s: float = 0.0
    min_confidence: float = 0.0
    line: int = 0
    stop: bool = False  # marked as a stop in the map (END actions are stops anyway)
    repeat_hz: float = 0.0  # START only: run again at this rate while the gesture is held
    max_hold_s: float = 0.0  # START only: a hold of the gesture ends (its END actions run) after this; 0: none

    @property
    def is_stop(self) -> bool:
        """Return True for an action that stops something: it runs even when disarmed, stale or limited."""
        return self.stop or self.event_type == EventType.END


@dataclass
class ActionMap:
    """A loaded, validated map: actions by (gesture, event type), and their targets."""

    source: str
    targets: dict[str, Target]
    bindings: dict[tuple[str, EventType], list[Action]]
    gestures: frozenset[str]
    warnings: list[str] = field(default_factory=list)
    motion: bool = False  # declared a motion map (``motion: true``), or it publishes geometry_msgs/Twist

    def actions_for(self, gesture: str, event_type: EventType) -> list[Action]:
        """Return the actions bound to a gesture and event type (empty when none)."""
        return self.bindings.get((gesture, event_type), [])

    @property
    def actions(self) -> list[Action]:
        return [a for actions in self.bindings.values() for a in actions]

    def max_hold_s(self, gesture: str) -> float:
        """Return the shortest ``max_hold_s`` of the gesture's START actions (0: no limit)."""
        limits = [a.max_hold_s for a in self.actions_for(gesture, EventType.START) if a.max_hold_s > 0]
        return min(limits) if limits else 0.0

    @classmethod
    def empty(cls, source: str = "") -> ActionMap:
        return cls(source=source, targets={}, bindings={}, gestures=frozenset())


# (target, the specs of the actions bound to it) -> executor
ExecutorFactory = Callable[[Target, Sequence[Any]], Executor]


# parse_target(reader, entries, target name, map directory) -> target spec
# parse_action(reader, entries, target, what) -> action spec
@dataclass(frozen=True)
class ActionKind:
    """One action type: its YAML fields, parsers, executor and how it names a destination."""

    name: str
    target_fields: frozenset[str]
    action_fields: frozenset[str]
    parse_target: Callable[..., Any]
    parse_action: Callable[..., Any]
    describe: Callable[[Target, Any], str]
    make_executor: ExecutorFactory | None = None  # None: the node supplies one


def map_dir(source: str) -> Path:
    """Return the directory relative paths in a map are resolved against."""
    return Path(source).resolve().parent if source else Path.cwd()
