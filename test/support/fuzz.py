"""Malformed inputs for the fuzz tests, from a seeded generator: same seed, same inputs.

Each generator yields ``(kind, message)``; the kind is what the node under test should
call it in its log (its throttle key), so a test can check one sentence per kind.
"""

from __future__ import annotations

import json
import math
import random
import string
from collections.abc import Iterator

from gesture_ros.msg import GestureEvent, Keypoints, Landmark
from sensor_msgs.msg import Image

from gesture_ros.ros.conversions import ns_to_stamp

SEED = 15
NASTY = "\x00\x1b[2J\u202e\ud7ff\n\t\\'\""


def junk_text(rng: random.Random, longest: int) -> str:
    """Return a string of random length, printable or not, up to ``longest`` characters."""
    n = rng.choice([0, 1, 5, 40, longest])
    alphabet = string.printable + NASTY
    return "".join(rng.choice(alphabet) for _ in range(min(n, 200))) * max(1, n // 200)


# ---- images (keypoint_node) ---------------------------------------------------------------
def bad_images(rng: random.Random, n: int, frame_id: str, max_pixels: int) -> Iterator[tuple[str, Image]]:
    """Yield ``n`` images that break one rule each: encoding, sizes, step, empty, huge..."""
    kinds = ["encoding", "empty", "huge", "endianness", "width", "step", "data size"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        w, h = rng.randint(2, 64) * 2, rng.randint(1, 48)
        msg = Image(width=w, height=h, encoding="bgr8", step=w * 3, is_bigendian=0)
        data_len = msg.step * h
        if kind == "encoding":
            msg.encoding = rng.choice(["32FC1", "bgr16", "jpeg", "", "BGR8 ", junk_text(rng, 10_000)])
        elif kind == "empty":
            msg.width, msg.height, msg.step = rng.choice([(0, 0, 0), (0, h, 0), (w, 0, w * 3)])
            data_len = rng.choice([0, 12])
        elif kind == "huge":
            msg.width, msg.height = rng.choice([(2**31, 2), (max_pixels, 2), (65_535, 65_535), (2**32 - 1, 2**32 - 1)])
            msg.step, data_len = msg.width * 3 % 2**32, rng.randint(0, 64)
        elif kind == "endianness":
            msg.is_bigendian = rng.randint(2, 255)
        elif kind == "width":
            msg.encoding, msg.width = rng.choice(["yuv422", "uyvy", "yuyv"]), w + 1
            msg.step = msg.width * 2
            data_len = msg.step * h
        elif kind == "step":
            msg.step = rng.randint(0, w * 3 - 1)
        else:
            data_len = rng.choice([0, 1, data_len - 1, data_len + 1, data_len * 2])
        msg.data = bytes(rng.getrandbits(8) for _ in range(min(data_len, 64))) * (data_len // 64) + \
            bytes(data_len % 64)
        msg.header.stamp = ns_to_stamp(10**18 + i)
        msg.header.frame_id = frame_id
        yield kind, msg


# ---- keypoints (classifier_node) ----------------------------------------------------------
def _landmarks(rng: random.Random, n: int, value: float | None = None) -> list[Landmark]:
    out = []
    for _ in range(n):
        x = value if value is not None else rng.random()
        out.append(Landmark(x=x, y=rng.random(), z=0.0, visibility=float("nan"), presence=float("nan")))
    return out


def bad_keypoints(rng: random.Random, n: int, frame_id: str, last_ns: int, step_ns: int) -> Iterator[tuple[str, Keypoints]]:
    """Yield ``n`` malformed Keypoints: wrong lengths, NaN/inf, out-of-order stamps, unknown frames.

    Messages on ``frame_id`` are refused whole (none may change its events); the unknown frames
    carry no person, so the sources they open (up to max_sources) never give an event.
    """
    kinds = ["layout", "coordinates", "order", "frame_id", "sources", "stamp"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        msg = Keypoints(image_width=640, image_height=360, model="fuzz")
        msg.header.frame_id = frame_id
        stamp = last_ns
        if kind == "layout":
            part = rng.choice(["pose", "left_hand", "right_hand", "face"])
            setattr(msg, part, _landmarks(rng, rng.choice([1, 5, 20, 22, 32, 34, 100, 477, 479])))
        elif kind == "coordinates":
            msg.right_hand = _landmarks(rng, 21, rng.choice([math.nan, math.inf, -math.inf, 1e30]))
        elif kind == "order":
            stamp = last_ns - rng.randint(1, 10) * step_ns  # within max_gap_s: a frame out of order
            msg.right_hand = _landmarks(rng, 21)
        elif kind == "frame_id":
            msg.header.frame_id = rng.choice(["cam\x00", "x" * 5000, "\u202ecam", "a\nb"]) + junk_text(rng, 300)
        elif kind == "sources":
            msg.header.frame_id = f"fuzz_{rng.randint(0, 10**9)}"
        else:
            stamp = rng.choice([0, -1])
            if stamp < 0:
                msg.header.stamp.sec, msg.header.stamp.nanosec = 1, 1_000_000_000 + rng.randint(0, 10**9)
                yield kind, msg
                continue
        msg.header.stamp = ns_to_stamp(stamp)
        yield kind, msg


# ---- gesture events (action_dispatch_node) ------------------------------------------------
def bad_events(rng: random.Random, n: int, now_ns: int) -> Iterator[tuple[str, GestureEvent]]:
    """Yield ``n`` GestureEvents no one may act on."""
    kinds = ["unknown gesture", "oversized field", "confidence", "event type", "stamp", "event id"]
    year_ns = 365 * 86400 * 10**9
    for i in range(n):
        kind = kinds[i % len(kinds)]
        msg = GestureEvent(event_id=f"bad-{i}", source_id="fuzz", sequence=rng.getrandbits(64),
                           gesture="swipe_right", confidence=0.9, event_type=GestureEvent.TRIGGER)
        stamp = now_ns
        if kind == "unknown gesture":
            msg.gesture = rng.choice(["swipe_up", "none", "", "SWIPE_RIGHT", junk_text(rng, 200)[:200] + "?"])
        elif kind == "oversized field":
            field = rng.choice(["event_id", "gesture", "source_id", "model_id"])
            setattr(msg, field, rng.choice(["x", "é", "\u202e"]) * rng.choice([300, 10_000, 100_000]))
        elif kind == "confidence":
            msg.confidence = rng.choice([math.nan, math.inf, -math.inf, -0.5, 1.5])
        elif kind == "event type":
            msg.event_type = rng.randint(3, 255)
        elif kind == "event id":
            msg.event_id = rng.choice(["", "\x00", "\x00abc"])  # a ROS string ends at NUL: empty on arrival
        else:
            stamp = rng.choice([0, 10**9, now_ns - 30 * year_ns, now_ns + 7200 * 10**9, now_ns + 300 * year_ns])
        msg.header.stamp = ns_to_stamp(stamp)
        msg.start_stamp = msg.end_stamp = msg.header.stamp
        yield kind, msg


# ---- venue control messages (bridge_node over MQTT) ---------------------------------------
def bad_controls(rng: random.Random, n: int, max_bytes: int) -> Iterator[tuple[str, bytes]]:
    """Yield ``n`` control payloads the bridge must refuse."""
    ok = {"schema": "gesture_ros/venue-control", "version": 2, "seq": 1, "stamp": "2026-12-07T01:00:00Z"}
    kinds = ["bad_json", "too_large", "bad_schema", "model_not_allowed"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        if kind == "bad_json":
            body = rng.choice([b"", b"{", b"\xff\xfe\x00", b"not json", b"{\"schema\": }",
                               b"[" * (max_bytes - 1), bytes(rng.getrandbits(8) for _ in range(40))])
        elif kind == "too_large":
            body = json.dumps({**ok, "command": "arm", "id": "x" * (max_bytes + rng.randint(0, 5000))}).encode()
        elif kind == "bad_schema":
            body = json.dumps(rng.choice([
                [1, 2], 3, None, "arm", {**ok, "command": "explode"}, {**ok, "command": "arm", "extra": 1},
                {"schema": "other", "version": 1, "command": "arm"}, {**ok, "version": 2, "command": "arm"},
                {**ok, "command": "arm", "model": "m.onnx"}, {**ok, "command": "switch_model"},
                {**ok, "command": "arm", "id": "y" * 300}, {**ok, "command": ["arm"]},
                {**ok, "command": "switch_model", "model": 5}, {**ok, "version": 1, "command": "disarm"},
                {**ok, "command": "disarm", "seq": -1}, {**ok, "command": "disarm", "seq": True},
                {**ok, "command": "disarm", "stamp": "yesterday"}, {**ok, "command": "disarm", "stamp": 5}])).encode()
        else:
            body = json.dumps({**ok, "command": "switch_model",
                               "model": rng.choice(["/etc/passwd", "../models/x.onnx", "models/evil.onnx",
                                                    junk_text(rng, 300)[:300]])}).encode()
        yield kind, body
