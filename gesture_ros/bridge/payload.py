"""The venue payload: one gesture event as versioned JSON (docs/venue_payload.schema.json).

Encoding is deterministic (sorted keys, no spaces) so the same event always gives the same
bytes; decoding validates every field and raises PayloadError naming the first bad one.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.common.safe_text import bounded

SCHEMA = "gesture_ros/venue-event"
SCHEMA_VERSION = 1
_NS = 1_000_000_000


def type_word(event_type: EventType) -> str:
    """Return the payload's word for an event type: 'trigger', 'start' or 'end'."""
    return event_type.name.lower()


_TYPES = {type_word(t): t for t in EventType}


class PayloadError(ValueError):
    """A payload that does not follow the schema; the message names the field."""


def iso8601(ns: int) -> str:
    """Return UTC nanoseconds as ISO 8601 with nanosecond digits, e.g. 2025-01-02T03:04:05.000000006Z."""
    seconds, frac = divmod(int(ns), _NS)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds))}.{frac:09d}Z"


def _stamp(ns: int) -> dict[str, Any]:
    return {"ns": int(ns), "iso": iso8601(ns)}


def encode(record: GestureEventData) -> bytes:
    """Return the JSON payload of an event; raise PayloadError for a non-finite confidence."""
    if not math.isfinite(record.confidence):
        raise PayloadError(f"event {bounded(record.event_id, 40)} has a non-finite confidence {record.confidence}")
    body = {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "event_id": record.event_id,
        "source_id": record.source_id,
        "person_id": int(record.person_id),
        "sequence": int(record.sequence),
        "gesture": record.gesture,
        "type": type_word(record.event_type),
        "confidence": round(float(record.confidence), 6),
        "stamp": _stamp(record.stamp_ns),
        "start": _stamp(record.start_ns),
        "end": _stamp(record.end_ns),
        "frame_id": record.frame_id,
        "handedness": record.handedness,
        "model": {"id": record.model_id, "version": record.model_version},
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def _field(body: dict[str, Any], name: str, kind: Any) -> Any:
    if name not in body:
        raise PayloadError(f"payload field '{name}' is missing")
    value = body[name]
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        wanted = "number" if isinstance(kind, tuple) else kind.__name__
        raise PayloadError(f"payload field '{name}' must be {wanted}, got {type(value).__name__}")
    return value


def _stamp_ns(body: dict[str, Any], name: str) -> int:
    ns = _field(_field(body, name, dict), "ns", int)
    if ns < 0:
        raise PayloadError(f"payload field '{name}.ns' must be >= 0, got {ns}")
    return ns


def decode(data: bytes) -> GestureEventData:
    """Parse and validate a payload; raise PayloadError naming the first bad field."""
    try:
        body = json.loads(data)
    except RecursionError:
        raise PayloadError("payload nests deeper than the JSON parser allows") from None
    except ValueError as exc:  # not UTF-8, not JSON, or an integer over the interpreter's digit limit
        raise PayloadError(f"payload is not JSON: {bounded(str(exc), 100)}") from None
    if not isinstance(body, dict):
        raise PayloadError("payload must be a JSON object")
    if _field(body, "schema", str) != SCHEMA:
        raise PayloadError(f"payload schema is '{body['schema']}', expected '{SCHEMA}'")
    if _field(body, "version", int) != SCHEMA_VERSION:
        raise PayloadError(f"payload version {body['version']} is not {SCHEMA_VERSION}")
    event_type = _TYPES.get(_field(body, "type", str))
    if event_type is None:
        raise PayloadError(f"payload field 'type' is '{body['type']}', not one of {list(_TYPES)}")
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
    person_id = _field(body, "person_id", int) if "person_id" in body else 0  # absent before person ids
    if person_id < 0:
        raise PayloadError(f"payload field 'person_id' must be >= 0, got {person_id}")
    return GestureEventData(
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
        person_id=person_id,
    )
