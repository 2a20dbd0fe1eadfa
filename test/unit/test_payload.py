"""The venue payload: round trip, ISO 8601 stamps, validation, and the documented schema."""

import json
import re
import uuid
from pathlib import Path

import pytest

from gesture_ros.bridge.payload import (
    SCHEMA,
    SCHEMA_VERSION,
    PayloadError,
    decode,
    encode,
    iso8601,
    type_word,
)
from gesture_ros.common.gesture_event import EventType, GestureEventData

DOC = Path(__file__).resolve().parents[2] / "docs" / "venue_payload.schema.json"


def _record(**kw) -> GestureEventData:
    base = dict(event_id=str(uuid.uuid4()), source_id="jetson-07/cam0", sequence=42, gesture="swipe_left",
                event_type=EventType.TRIGGER, confidence=0.93, stamp_ns=1_700_000_000_123_456_789,
                start_ns=1_700_000_000_000_000_000, end_ns=1_700_000_000_123_456_789, frame_id="cam0_optical",
                handedness="right", model_id="gesture_ros-default", model_version="3")
    base.update(kw)
    return GestureEventData(**base)


def test_round_trip_keeps_every_field():
    record = _record()
    assert decode(encode(record)) == record


def test_stamps_carry_iso8601_and_nanoseconds():
    body = json.loads(encode(_record()))
    assert body["stamp"] == {"ns": 1_700_000_000_123_456_789, "iso": "2023-11-14T22:13:20.123456789Z"}
    assert body["schema"] == SCHEMA and body["version"] == SCHEMA_VERSION
    assert body["type"] == "trigger" and body["model"] == {"id": "gesture_ros-default", "version": "3"}


def test_iso8601_of_epoch_and_small_fraction():
    assert iso8601(0) == "1970-01-01T00:00:00.000000000Z"
    assert iso8601(6) == "1970-01-01T00:00:00.000000006Z"


def test_encoding_is_deterministic():
    record = _record()
    assert encode(record) == encode(record)
    assert encode(decode(encode(record))) == encode(record)  # a re-sent event is byte for byte the same


def test_event_type_follows_message_constants():
    text = (DOC.parents[1] / "msg" / "GestureEvent.msg").read_text()
    constants = dict(re.findall(r"^uint8 (TRIGGER|START|END)\s*=\s*(\d+)", text, flags=re.M))
    assert {t.name: str(t.value) for t in EventType} == constants
    assert [EventType(i) for i in range(3)] == [EventType.TRIGGER, EventType.START, EventType.END]
    assert [type_word(EventType(i)) for i in range(3)] == ["trigger", "start", "end"]


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b.pop("event_id"), "'event_id' is missing"),
    (lambda b: b.update(version=2), "version 2 is not 1"),
    (lambda b: b.update(schema="other"), "schema is 'other'"),
    (lambda b: b.update(type="wave"), "'type' is 'wave'"),
    (lambda b: b.update(confidence=1.5), "'confidence' must be in [0, 1]"),
    (lambda b: b.update(sequence="7"), "'sequence' must be int"),
    (lambda b: b.update(sequence=True), "'sequence' must be int"),
    (lambda b: b["stamp"].update(ns=-1), "'stamp.ns' must be >= 0"),
    (lambda b: b.pop("model"), "'model' is missing"),
])
def test_decode_names_the_bad_field(mutate, message):
    body = json.loads(encode(_record()))
    mutate(body)
    with pytest.raises(PayloadError) as err:
        decode(json.dumps(body).encode())
    assert message in str(err.value)


def test_decode_refuses_non_json_and_non_objects():
    with pytest.raises(PayloadError, match="not JSON"):
        decode(b"\xff\xfe")
    with pytest.raises(PayloadError, match="JSON object"):
        decode(b"[1, 2]")


def test_encode_refuses_nan_confidence():
    with pytest.raises(PayloadError, match="non-finite confidence"):
        encode(_record(confidence=float("nan")))


def test_documented_schema_matches_the_encoder():
    schema = json.loads(DOC.read_text())
    event = schema["$defs"]["event"]
    body = json.loads(encode(_record()))
    assert set(event["required"]) == set(body) == set(event["properties"])
    assert event["properties"]["schema"]["const"] == SCHEMA
    assert event["properties"]["version"]["const"] == SCHEMA_VERSION
    assert set(event["properties"]["type"]["enum"]) == {type_word(t) for t in EventType}
    stamp = schema["$defs"]["stamp"]
    assert set(stamp["required"]) == set(body["stamp"])
