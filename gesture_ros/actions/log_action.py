"""Write a line to the node's log: a dry run of a map, or a record next to real actions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gesture_ros.actions.model import ActionKind, Target
from gesture_ros.actions.template import render_text, template_problems
from gesture_ros.actions.yaml_reader import Entries, YamlReader
from gesture_ros.common.gesture_event import GestureEventData

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
DEFAULT_MESSAGE = "{gesture} {event_type} (confidence {confidence:.2f}, sequence {sequence})"


@dataclass(frozen=True)
class LogTarget:
    logger: str


@dataclass(frozen=True)
class LogAction:
    message: str
    level: str


def parse_target(reader: YamlReader, entries: Entries, name: str, base: Path) -> LogTarget:
    return LogTarget(reader.get(entries, "logger", str, f"log target '{name}'", "gesture_ros.actions"))


def parse_action(reader: YamlReader, entries: Entries, target: Target, what: str) -> LogAction:
    message = reader.get(entries, "message", str, what, DEFAULT_MESSAGE)
    for problem in template_problems(message):
        reader.error(reader.node_of(entries, "message"), f"message of {what}: {problem}")
    level = reader.get(entries, "level", str, what, "info")
    if level not in LEVELS:
        reader.error(reader.node_of(entries, "level"), f"level of {what} must be one of {', '.join(LEVELS)}")
    return LogAction(message, level)


def describe(target: Target, action: LogAction | None) -> str:
    return f"log://{target.spec.logger}"


class LogExecutor:
    """Log a line through ``sink(level, text)``: Python logging unless the node passes its logger."""

    def __init__(self, target: Target, specs: Sequence[LogAction] = (),
                 sink: Callable[[str, str], None] | None = None) -> None:
        logger = logging.getLogger(target.spec.logger)
        self._sink = sink or (lambda level, text: logger.log(LEVELS[level], text))

    def execute(self, action: LogAction, event: GestureEventData) -> str:
        text = str(render_text(action.message, event))
        self._sink(action.level, text)
        return text

    def close(self) -> None:
        pass


KIND = ActionKind(
    name="log",
    target_fields=frozenset({"logger"}),
    action_fields=frozenset({"message", "level"}),
    parse_target=parse_target,
    parse_action=parse_action,
    describe=describe,
    make_executor=LogExecutor,
)
