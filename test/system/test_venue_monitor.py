"""venue_monitor as a client of the venue code: restarts do not count twice; poison does not stop it."""

import json
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter

from support.venue import Devices
from support.venue_fuzz import bad_payloads, good_event

from gesture_ros.bridge.payload import encode
from gesture_ros.venue.monitor import recover_jsonl
from gesture_ros.venue.store import StoredEvent, open_store
from tools.mosquitto import Mosquitto


def _monitor(broker, *args):
    cmd = [sys.executable, "-m", "gesture_ros.venue.monitor", "--port", str(broker.port), "--no-table", *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_subscribed(broker, client_id, times=1, timeout=30.0):
    deadline = time.monotonic() + timeout
    while broker.log().count(f"Received SUBSCRIBE from {client_id}") < times:
        assert time.monotonic() < deadline, broker.log()[-2000:]
        time.sleep(0.05)


def _lines(path, n, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        lines = [json.loads(x)["event"]["event_id"] for x in path.read_text().splitlines()] if path.exists() else []
        if len(lines) >= n or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_events_redelivered_after_a_kill_are_not_counted_again(tmp_path):
    out, db = tmp_path / "received.jsonl", tmp_path / "seen.sqlite3"
    args = ("--client-id", "desk", "--jsonl", str(out), "--db", str(db))
    events = [good_event("cam1", i + 1) for i in range(5)]
    with Mosquitto(tmp_path / "broker", persistence=True) as broker:
        devices = Devices(broker)
        monitor = _monitor(broker, *args)
        try:
            _wait_subscribed(broker, "desk")
            for e in events[:3]:
                devices.event(e)
            assert len(_lines(out, 3)) == 3
            monitor.send_signal(signal.SIGKILL)
            monitor.wait()
            for e in events:  # the first three again: a device that resent them after a lost PUBACK
                devices.event(e)
            monitor = _monitor(broker, *args, "--expect", "2", "--max-seconds", "60")
            text, _ = monitor.communicate(timeout=90)
        finally:
            devices.close()
            if monitor.poll() is None:
                monitor.kill()
    summary = json.loads(text.rsplit("summary ", 1)[1])
    assert summary["unique"] == 2 and summary["duplicates"] == 3
    ids = _lines(out, 5)
    assert sorted(ids) == sorted(e.event_id for e in events) and len(set(ids)) == 5


def test_a_line_written_before_a_kill_is_marked_seen_and_a_half_line_cut(tmp_path):
    out = tmp_path / "received.jsonl"
    a, b = good_event("cam1", 1), good_event("cam1", 2)
    lines = [json.dumps({"received_ns": 1, "topic": "t", "event": json.loads(encode(e))}) for e in (a, b)]
    out.write_text(lines[0] + "\n" + lines[1] + "\n" + lines[1][:30])
    store = open_store(str(tmp_path / "seen.sqlite3"))
    store.insert([StoredEvent(a, "t", 1)])
    assert recover_jsonl(out, store) == 1
    assert store.contains(b.event_id) and out.read_text() == lines[0] + "\n" + lines[1] + "\n"


def test_1000_poison_payloads_do_not_stop_the_monitor(tmp_path):
    rng = random.Random(26)
    bad = list(bad_payloads(rng, 1000, "cam1"))
    with Mosquitto(tmp_path / "broker") as broker:
        monitor = _monitor(broker, "--client-id", "desk", "--db", str(tmp_path / "seen.sqlite3"), "--expect", "201",
                           "--max-seconds", "120")
        devices = Devices(broker)
        try:
            _wait_subscribed(broker, "desk")
            n = 0
            for i, (_, source, payload) in enumerate(bad):
                if i % 5 == 0:
                    n += 1
                    devices.event(good_event("cam1", n))
                devices.send(source, payload)
            devices.event(good_event("cam1", n + 1, gesture="x\u00e9"))  # after all the poison: still listening
            text, _ = monitor.communicate(timeout=150)
        finally:
            devices.close()
            if monitor.poll() is None:
                monitor.kill()
    summary = json.loads(text.rsplit("summary ", 1)[1])
    assert summary["unique"] == 201 and summary["invalid"] == 1000
    assert summary["refused"] == dict(Counter(kind for kind, _, _ in bad))
    assert sorted(re.findall(r"refused \((\w+)\)", text)) == sorted(summary["refused"])
    assert "\x1b" not in text and "\u202e" not in text
