"""The venue payload: one gesture event as versioned JSON (docs/venue_payload.schema.json).

Encoding is deterministic (sorted keys, no spaces) so the same event always gives the same
bytes; decoding validates every field and raises PayloadError naming the first bad one.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict

SCHEMA = "gesture_ros/venue-event"
SCHEMA_VERSION = 1
_NS = 1_000_000_000


class EventType(str, Enum):
    """GestureEvent.event_type as a word; the order matches the message constants."""

    TRIGGER = "trigger"
    START = "start"
    END = "end"

    @classmethod
    def from_index(cls, index: int) -> "EventType":
        return list(cls)[index]


class PayloadError(ValueError):
    """A payload that does not follow the schema; the message names the field."""


@dataclass(frozen=True)
class EventRecord:
    """One gesture event as the bridge stores and sends it (stamps in integer ns)."""

    event_id: str
    source_id: str
    sequence: int
    gesture: str
    event_type: EventType
    confidence: float
    stamp_ns: int
    start_ns: int
    end_ns: int
    frame_id: str = ""
    handedness: str = ""
    model_id: str = ""
    model_version: str = ""


def iso8601(ns: int) -> str:
    """Return UTC nanoseconds as ISO 8601 with nanosecond digits, e.g. 2025-01-02T03:04:05.000000006Z."""
    seconds, frac = divmod(int(ns), _NS)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds))}.{frac:09d}Z"


def _stamp(ns: int) -> Dict[str, Any]:
    return {"ns": int(ns), "iso": iso8601(ns)}


def encode(record: EventRecord) -> bytes:
    """Return the JSON payload of an event; raise PayloadError for a non-finite confidence."""
    if not math.isfinite(record.confidence):
        raise PayloadError(f"event {record.event_id} has a non-finite confidence {record.confidence}")
    body = {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "event_id": record.event_id,
        "source_id": record.source_id,
        "sequence": int(record.sequence),
        "gesture": record.gesture,
        "type": record.event_type.value,
        "confidence": round(float(record.confidence), 6),
        "stamp": _stamp(record.stamp_ns),
        "start": _stamp(record.start_ns),
        "end": _stamp(record.end_ns),
        "frame_id": record.frame_id,
        "handedness": record.handedness,
        "model": {"id": record.model_id, "version": record.model_version},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def _field(body: Dict[str, Any], name: str, kind: Any) -> Any:
    if name not in body:
        raise PayloadError(f"payload field '{name}' is missing")
    value = body[name]
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        wanted = "number" if isinstance(kind, tuple) else kind.__name__
        raise PayloadError(f"payload field '{name}' must be {wanted}, got {type(value).__name__}")
    return value


def _stamp_ns(body: Dict[str, Any], name: str) -> int:
    ns = _field(_field(body, name, dict), "ns", int)
    if ns < 0:
        raise PayloadError(f"payload field '{name}.ns' must be >= 0, got {ns}")
    return ns


def decode(data: bytes) -> EventRecord:
    """Parse and validate a payload; raise PayloadError naming the first bad field."""
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"payload is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise PayloadError("payload must be a JSON object")
    if _field(body, "schema", str) != SCHEMA:
        raise PayloadError(f"payload schema is '{body['schema']}', expected '{SCHEMA}'")
    if _field(body, "version", int) != SCHEMA_VERSION:
        raise PayloadError(f"payload version {body['version']} is not {SCHEMA_VERSION}")
    try:
        event_type = EventType(_field(body, "type", str))
    except ValueError:
        raise PayloadError(f"payload field 'type' is '{body['type']}', not one of "
                           f"{[t.value for t in EventType]}") from None
    confidence = _field(body, "confidence", (int, float))
    if math.isnan(confidence) or not (0.0 <= confidence <= 1.0):
        raise PayloadError(f"payload field 'confidence' must be in [0, 1], got {confidence}")
    sequence = _field(body, "sequence", int)
    if sequence < 0:
        raise PayloadError(f"payload field 'sequence' must be >= 0, got {sequence}")
    event_id = _field(body, "event_id", str)
    if not event_id:
        raise PayloadError("payload field 'event_id' is empty")
    model = _field(body, "model", dict)
    return EventRecord(
        event_id=event_id,
        source_id=_field(body, "source_id", str),
        sequence=sequence,
        gesture=_field(body, "gesture", str),
        event_type=event_type,
        confidence=float(confidence),
        stamp_ns=_stamp_ns(body, "stamp"),
        start_ns=_stamp_ns(body, "start"),
        end_ns=_stamp_ns(body, "end"),
        frame_id=_field(body, "frame_id", str),
        handedness=_field(body, "handedness", str),
        model_id=_field(model, "id", str),
        model_version=_field(model, "version", str),
    )
