"""Malformed venue payloads from a seeded generator (ROS-free, unlike support/fuzz.py).

Each item is ``(kind, topic_source, payload)``: the refusal kind the venue must count, the
source level of the topic it is published on, and the bytes.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator

from gesture_ros.bridge.payload import encode
from gesture_ros.common.gesture_event import EventType, GestureEventData

SEED = 29
KINDS = ["too_deep", "not_json", "oversized", "not_utf8", "schema", "forged", "bad_text", "out_of_range"]


def good_event(source: str, sequence: int, gesture: str = "x_cross", person: int = 1, **kw) -> GestureEventData:
    return GestureEventData(event_id=str(uuid.uuid4()), source_id=source, sequence=sequence, gesture=gesture,
                            event_type=kw.pop("event_type", EventType.TRIGGER), confidence=kw.pop("confidence", 0.9),
                            stamp_ns=kw.pop("stamp_ns", 1), start_ns=1, end_ns=1, person_id=person,
                            model_id=kw.pop("model_id", "m"), model_version=kw.pop("model_version", "1"), **kw)


def bad_payloads(rng: random.Random, n: int, source: str) -> Iterator[tuple[str, str, bytes]]:
    """Yield ``n`` payloads the venue must refuse, cycling through KINDS."""
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        body = json.loads(encode(good_event(source, 10_000 + i)))
        topic_source = source
        if kind == "too_deep":
            depth = rng.choice([2_000, 2_500])  # past the parser's recursion limit, under the size limit
            payload = ("[" * depth + "]" * depth).encode() if rng.random() < 0.5 else \
                ('{"a":' * depth + "1" + "}" * depth).encode()
        elif kind == "not_json":
            payload = rng.choice([b"", b"{", b"not json", b'{"schema": }', b"1" * 5000,
                                  b'{"sequence": ' + b"9" * 5000 + b"}"])
        elif kind == "oversized":
            payload = json.dumps({**body, "frame_id": "x" * rng.choice([20_000, 300_000])}).encode()
        elif kind == "not_utf8":
            payload = rng.choice([b"\xff\xfe\x00", b'{"a": "\xc3\x28"}', bytes(rng.getrandbits(8) | 0x80 for _ in range(40))])
        elif kind == "schema":
            field, value = rng.choice([("confidence", "high"), ("sequence", -1), ("type", "explode"),
                                       ("stamp", 5), ("model", []), ("event_id", ""), ("version", 2),
                                       ("person_id", True), ("confidence", 1.5)])
            payload = json.dumps({**body, field: value}).encode() if rng.random() < 0.9 else b"[1, 2]"
        elif kind == "forged":
            topic_source = rng.choice(["cam2", "other"])  # published under another device's topic
            payload = json.dumps(body).encode()
        elif kind == "bad_text":
            payload = json.dumps({**body, "gesture": rng.choice(["x\x1b[2J", "a\nb", "\u202eevil", "y" * 300])}).encode()
        else:
            payload = json.dumps({**body, "sequence": 2**64 + rng.randint(0, 10)}).encode()
        yield kind, topic_source, payload
