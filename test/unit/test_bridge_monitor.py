"""venue_monitor, the venue end: dedup, gap check, counts, JSONL, and its exits (real mosquitto)."""

import json
import subprocess
import sys
import time
import uuid

from support.mqtt_subscriber import Subscriber

from gesture_ros.bridge.payload import encode
from gesture_ros.common.gesture_event import EventType, GestureEventData
from tools.mosquitto import Mosquitto

TOPIC = "venues/hall/devices/cam1/gestures"


def _monitor(broker, *args):
    cmd = [sys.executable, "-m", "gesture_ros.venue.monitor", "--port", str(broker.port), *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_subscribed(broker, client_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while f"Received SUBSCRIBE from {client_id}" not in broker.log():
        assert time.monotonic() < deadline, broker.log()[-2000:]
        time.sleep(0.05)


def test_monitor_deduplicates_checks_sequences_and_records(tmp_path):
    out = tmp_path / "received.jsonl"
    with Mosquitto(tmp_path / "broker") as broker:
        monitor = _monitor(broker, "--venue", "hall", "--client-id", "desk", "--jsonl", str(out), "--expect", "3",
                           "--refresh", "0.2", "--max-seconds", "30")
        try:
            _wait_subscribed(broker, "desk")
            pub = Subscriber(broker, topic="none")
            events = [GestureEventData(event_id=str(uuid.uuid4()), source_id="cam1", sequence=seq, gesture=gesture,
                                       event_type=EventType.TRIGGER, confidence=0.9, stamp_ns=1, start_ns=1, end_ns=1)
                      for seq, gesture in ((1, "swipe_left"), (2, "x_cross"), (4, "swipe_left"))]
            payloads = [encode(events[0]), encode(events[1]), encode(events[1]), b'{"schema": "junk"}',
                        encode(events[2])]
            for payload in payloads:
                pub.client.publish(TOPIC, payload, qos=1).wait_for_publish(5)
            text, _ = monitor.communicate(timeout=30)
            pub.close()
        finally:
            if monitor.poll() is None:
                monitor.kill()
    assert monitor.returncode == 0, text
    summary = json.loads(text.rsplit("summary ", 1)[1])
    assert summary["unique"] == 3 and summary["duplicates"] == 1 and summary["invalid"] == 1
    assert summary["missing"] == 1 and summary["gestures"] == {"swipe_left": 2, "x_cross": 1}
    assert "payload schema is 'junk'" in text and "swipe_left" in text
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["event"]["event_id"] for line in lines] == [e.event_id for e in events]
    assert all(line["topic"] == TOPIC for line in lines)


def test_monitor_ends_when_idle(tmp_path):
    with Mosquitto(tmp_path / "broker") as broker:
        monitor = _monitor(broker, "--until-idle", "0.5", "--no-table")
        text, _ = monitor.communicate(timeout=30)
    assert monitor.returncode == 0 and '"unique": 0' in text


def test_monitor_reports_a_refused_connection(tmp_path):
    with Mosquitto(tmp_path / "broker", users={"venue": "pw"}) as broker:
        monitor = _monitor(broker, "--max-seconds", "2", "--no-table")
        text, _ = monitor.communicate(timeout=30)
    assert monitor.returncode == 1
    assert "refused the connection: Not authorized (CONNACK reason 135)" in text
