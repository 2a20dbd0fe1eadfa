"""What the venue accepts from the network: one checked event, or a refusal of a named kind.

Every way a payload can be wrong ends here as a ``Refusal`` (never an exception that escapes
into paho's network thread): oversized, not UTF-8, not JSON (deep nesting, a 5000-digit
number), against the schema, out of the store's range, or forged: the device named by the
topic is the event's identity, and a payload whose ``source_id`` names another is refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from gesture_ros.bridge.payload import PayloadError, decode
from gesture_ros.bridge.topics import DEFAULT_EVENTS, DEFAULT_STATUS, level
from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.common.safe_text import bounded

MAX_PAYLOAD_BYTES = 16_384
MAX_TEXT = 256  # event id, gesture, model id/version, frame id: longer is refused
_INT64 = 2**63 - 1
_TEXT_FIELDS = ("event_id", "source_id", "gesture", "frame_id", "handedness", "model_id", "model_version")


class Refusal(Exception):
    """A message the venue does not store; ``kind`` is its counter and its once-per-kind log key."""

    def __init__(self, kind: str, sentence: str) -> None:
        super().__init__(sentence)
        self.kind = kind


def topic_pattern(template: str) -> re.Pattern:
    """Return a regex whose named groups are the template's placeholders (one topic level each)."""
    parts = re.split(r"({venue}|{device}|{source})", template)
    out = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p in ("{venue}", "{device}", "{source}") else re.escape(p)
                  for p in parts)
    return re.compile(f"^{out}$")


@dataclass(frozen=True)
class StatusReport:
    """A device's retained status: online/offline, outbox depth, when."""

    device: str
    state: str
    outbox_depth: int | None


class Intake:
    """Check event and status messages against the topic layout."""

    def __init__(self, events_template: str = DEFAULT_EVENTS, status_template: str = DEFAULT_STATUS) -> None:
        self.events = topic_pattern(events_template)
        self.status = topic_pattern(status_template)

    def is_status(self, topic: str) -> bool:
        return self.status.match(topic) is not None

    def event(self, topic: str, payload: bytes) -> GestureEventData:
        """Return the checked event of a message; raise Refusal."""
        match = self.events.match(topic)
        if match is None:
            raise Refusal("topic", f"topic '{bounded(topic, 80)}' is not an event topic")
        body = _json(payload)
        try:
            record = decode(body)
        except PayloadError as exc:
            raise Refusal("schema", bounded(str(exc), 160)) from None
        _check_ranges(record)
        named = match.groupdict().get("source") or match.groupdict().get("device")
        if named is not None and level(record.source_id) != named:
            raise Refusal("forged", f"event {bounded(record.event_id, 40)} on topic '{bounded(topic, 80)}' "
                          f"claims source '{bounded(record.source_id, 40)}'")
        return record

    def status_report(self, topic: str, payload: bytes) -> StatusReport:
        """Return a checked status message; the device is the topic's, raise Refusal."""
        match = self.status.match(topic)
        if match is None:
            raise Refusal("topic", f"topic '{bounded(topic, 80)}' is not a status topic")
        device = match.group("device")
        body = json.loads(_json(payload)) if payload else {"state": "offline"}  # cleared retained status
        state = body.get("state") if isinstance(body, dict) else None
        if state not in ("online", "offline"):
            raise Refusal("status", f"status of '{bounded(device, 40)}' has no state online/offline")
        if str(body.get("device", device)) != device and level(str(body.get("device"))) != device:
            raise Refusal("forged", f"status on topic '{bounded(topic, 80)}' claims device "
                          f"'{bounded(body.get('device'), 40)}'")
        depth = body.get("outbox_depth")
        if not (isinstance(depth, int) and not isinstance(depth, bool) and 0 <= depth <= _INT64):
            depth = None
        return StatusReport(device=device, state=state, outbox_depth=depth)


def _json(payload: bytes) -> bytes:
    """Return the payload after the checks json.loads cannot survive; raise Refusal."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise Refusal("oversized", f"payload of {len(payload)} bytes (limit {MAX_PAYLOAD_BYTES})")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal("not_utf8", f"payload is not UTF-8: {exc.reason} at byte {exc.start}") from None
    try:
        json.loads(text)
    except RecursionError:
        raise Refusal("too_deep", "payload nests deeper than the JSON parser allows") from None
    except ValueError as exc:  # JSONDecodeError, and an integer over the interpreter's digit limit
        raise Refusal("not_json", f"payload is not JSON: {bounded(str(exc), 100)}") from None
    return payload


def _check_ranges(record: GestureEventData) -> None:
    for name in ("sequence", "stamp_ns", "start_ns", "end_ns", "person_id"):
        if getattr(record, name) > _INT64:
            raise Refusal("out_of_range", f"event {bounded(record.event_id, 40)}: {name} does not fit 64 bits")
    for name in _TEXT_FIELDS:
        value = getattr(record, name)
        if len(value) > MAX_TEXT or not value.isprintable():
            raise Refusal("bad_text", f"event {bounded(record.event_id, 40)}: field {name} is longer than "
                          f"{MAX_TEXT} characters or holds control characters")
