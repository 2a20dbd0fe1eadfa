"""Inbound venue control messages: arm/disarm the dispatcher, switch the classifier model.

A control message is accepted only from the configured topic, below a size limit, as a JSON
object of this form (docs/venue_payload.schema.json, "control")::

    {"schema": "gesture_ros/venue-control", "version": 1, "command": "arm"}
    {"schema": "gesture_ros/venue-control", "version": 1, "command": "switch_model",
     "model": "models/gesture_default.onnx"}

``switch_model`` is refused unless the model is in the device's own allow-list: a venue
must not be able to make a device load an arbitrary file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from gesture_ros.common.safe_text import bounded

SCHEMA = "gesture_ros/venue-control"
SCHEMA_VERSION = 1
_KEYS = {"schema", "version", "command", "model", "id"}


class Command(str, Enum):
    ARM = "arm"
    DISARM = "disarm"
    SWITCH_MODEL = "switch_model"


class Refusal(str, Enum):
    """Why a control message was refused (counted per reason)."""

    WRONG_TOPIC = "wrong_topic"
    TOO_LARGE = "too_large"
    BAD_JSON = "bad_json"
    BAD_SCHEMA = "bad_schema"
    MODEL_NOT_ALLOWED = "model_not_allowed"


class ControlError(ValueError):
    """A refused control message; ``reason`` says which rule it broke."""

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ControlCommand:
    command: Command
    model: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class ControlPolicy:
    """Where control messages may come from and what they may ask."""

    topic: str
    max_bytes: int = 1024
    allowed_models: Sequence[str] = ()


def parse_control(topic: str, data: bytes, policy: ControlPolicy) -> ControlCommand:
    """Validate one inbound message; raise ControlError with the reason and a sentence."""
    topic = bounded(topic, 200)
    if topic != policy.topic:
        raise ControlError(Refusal.WRONG_TOPIC, f"control message on '{topic}' refused: only "
                           f"'{policy.topic}' is accepted")
    if len(data) > policy.max_bytes:
        raise ControlError(Refusal.TOO_LARGE, f"control message on '{topic}' refused: {len(data)} "
                           f"bytes is over the {policy.max_bytes}-byte limit")
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ControlError(Refusal.BAD_JSON, f"control message on '{topic}' refused: not JSON ({exc})") from None
    cmd = _validate(body)
    if cmd.command is Command.SWITCH_MODEL and cmd.model not in policy.allowed_models:
        raise ControlError(Refusal.MODEL_NOT_ALLOWED, f"control message on '{topic}' refused: model "
                           f"'{bounded(cmd.model, 100)}' is not in control_models {list(policy.allowed_models)}")
    return cmd


def _validate(body: object) -> ControlCommand:
    def bad(why: str) -> ControlError:
        return ControlError(Refusal.BAD_SCHEMA, f"control message refused: {why}")

    if not isinstance(body, dict):
        raise bad("it must be a JSON object")
    extra = set(body) - _KEYS
    if extra:
        raise bad(f"unknown field(s) {bounded(sorted(extra), 200)}")
    if body.get("schema") != SCHEMA or body.get("version") != SCHEMA_VERSION:
        raise bad(f"'schema' must be '{SCHEMA}' and 'version' {SCHEMA_VERSION}")
    try:
        command = Command(body.get("command"))
    except ValueError:
        raise bad(f"'command' must be one of {[c.value for c in Command]}, got {bounded(repr(body.get('command')), 60)}") from None
    model: object | None = body.get("model", "")
    if not isinstance(model, str) or (command is Command.SWITCH_MODEL) != bool(model):
        raise bad("'model' (a string) is required by switch_model and only by it")
    request_id = body.get("id", "")
    if not isinstance(request_id, str) or len(request_id) > 128:
        raise bad("'id' must be a string of at most 128 characters")
    return ControlCommand(command=command, model=model, request_id=request_id)
