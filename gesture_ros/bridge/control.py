"""Inbound venue control messages: disarm (or arm) the dispatcher, switch the classifier model.

A control message is accepted only from the configured topic, below a size limit, as a JSON
object of this form (docs/venue_payload.schema.json, "control")::

    {"schema": "gesture_ros/venue-control", "version": 2, "command": "disarm",
     "seq": 1765069200123, "stamp": "2026-12-07T01:00:00.123Z"}
    {"schema": "gesture_ros/venue-control", "version": 2, "command": "switch_model",
     "model": "models/gesture_default.onnx", "seq": 1765069200456, "stamp": "2026-12-07T01:00:00.456Z"}

``seq`` must grow from message to message and ``stamp`` must be recent: control_gate refuses
replays and stale messages. ``switch_model`` is refused unless the model is in the device's own
allow-list: a venue must not be able to make a device load an arbitrary file.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from gesture_ros.common.safe_text import bounded

SCHEMA = "gesture_ros/venue-control"
SCHEMA_VERSION = 2
_KEYS = {"schema", "version", "command", "model", "id", "seq", "stamp"}
_MAX_SEQ = 2**63 - 1
_STAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)")


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
    RETAINED = "retained"
    STALE = "stale"
    REPLAYED = "replayed"
    ARM_NOT_ALLOWED = "arm_not_allowed"


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
    seq: int = 0
    stamp_ns: int = 0


@dataclass(frozen=True)
class ControlPolicy:
    """Where control messages may come from and what they may ask."""

    topic: str
    max_bytes: int = 1024
    allowed_models: Sequence[str] = ()
    max_age_s: float = 10.0  # a stamp further than this from the device's clock is refused
    allow_arm: bool = False  # the venue may always disarm; arm only when this is set


def parse_stamp(text: str) -> int:
    """Return the UTC nanoseconds of an ISO 8601 time with a zone (``...Z`` or ``+01:00``); raise ValueError."""
    m = _STAMP.fullmatch(text)
    if m is None:
        raise ValueError("not an ISO 8601 time with a zone")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    zone = m.group(8)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return seconds * 1_000_000_000 + int((m.group(7) or "0").ljust(9, "0"))


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
        raise bad(f"'schema' must be '{SCHEMA}' and 'version' {SCHEMA_VERSION} (version 1, without seq "
                  "and stamp, is no longer accepted)")
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
    seq = body.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= _MAX_SEQ:
        raise bad("'seq' must be a positive integer that grows with every message")
    stamp = body.get("stamp")
    try:
        stamp_ns = parse_stamp(stamp) if isinstance(stamp, str) and len(stamp) <= 40 else None
    except ValueError:
        stamp_ns = None
    if stamp_ns is None:
        raise bad("'stamp' must be an ISO 8601 UTC time such as 2026-12-07T01:00:00.123Z")
    return ControlCommand(command=command, model=model, request_id=request_id, seq=seq, stamp_ns=stamp_ns)


def control_message(command: str, seq: int, stamp: str, **extra: object) -> bytes:
    """Return a version-2 control message (for venue tools and tests)."""
    return json.dumps({"schema": SCHEMA, "version": SCHEMA_VERSION, "command": command, "seq": seq,
                       "stamp": stamp, **extra}).encode()


def plaintext_control_refusal(control: bool, tls: bool, host: str, port: int, opt_in: str) -> str | None:
    """Return why venue control must not be accepted from ``host`` without TLS, or None.

    Without TLS anyone on the path can forge or replay a control message; only an opt-in that
    names this very broker (a setting copied to another venue carries no consent) allows it.
    """
    if not control or tls or opt_in == host:
        return None
    return (f"control_topic is set but broker mqtt://{host}:{port} has no TLS (no tls_ca_file): anyone on the "
            f"network could forge venue control; set tls_ca_file, or opt in by naming the broker: "
            f"allow_plaintext_control_from:={host}")
