"""Delivery under faults: real bridge_node processes SIGKILLed, a real broker restarted mid-stream.

Every event the bridge accepted must reach the venue_monitor exactly once after dedup, in
per-source sequence order, and the outbox must end empty. The publisher counts an event as
sent only once the bridge has committed it (its /diagnostics 'accepted'): events published
to a dead process are lost in ROS, before the bridge, and are not what this test is about.
"""

import json
import signal
import sqlite3
import subprocess
import sys

import pytest
from support.bridge_rig import BridgeRig
from support.ros_env import INSTALL_LIB

from tools.mosquitto import Mosquitto


def _lines(path):
    if not path.exists():
        return []
    complete = path.read_text().rpartition("\n")[0]  # the monitor may be writing the last line
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


@pytest.fixture
def rig(rclpy_context, domain, tmp_path):
    rig = BridgeRig(rclpy_context, domain, tmp_path)
    yield rig
    rig.close()


def test_every_accepted_event_arrives_once_in_order(rig, domain, tmp_path):
    broker = Mosquitto(tmp_path / "broker", persistence=True).start()
    received = tmp_path / "received.jsonl"
    monitor = subprocess.Popen(
        [sys.executable, str(INSTALL_LIB / "venue_monitor"), "--port", str(broker.port), "--venue", "test",
         "--client-id", "venue-desk", "--jsonl", str(received), "--no-table", "--max-seconds", "150"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=domain.env(), text=True)
    outbox = tmp_path / "outbox.sqlite3"
    params = {"broker_port": broker.port, "outbox_path": str(outbox), "venue": "test", "device_id": "dev1",
              "reconnect_min_s": 0.1, "reconnect_max_s": 0.5, "diagnostics_period_s": 0.1,
              "heartbeat_s": 1.0, "inflight": 4}
    kills = 0
    try:
        # 1. Normal stream, then SIGKILL right after the last commit (sends still in flight).
        rig.start_bridge(params)
        rig.publish(80)
        rig.bridge.proc.send_signal(signal.SIGKILL)
        kills += 1
        # 2. A new process on the same outbox; the broker goes down mid-stream.
        rig.start_bridge(params)
        rig.publish(40)
        broker.stop()
        rig.publish(60)
        assert rig.spin_until(lambda: rig.figures().get("state") == "disconnected")
        assert int(rig.figures()["outbox depth"]) >= 60
        rig.bridge.proc.send_signal(signal.SIGKILL)
        kills += 1
        # 3. Restart with the broker still down, then bring the broker back and kill while draining.
        rig.start_bridge(params)
        rig.publish(40)
        before = len(_lines(received))
        broker.start()
        assert rig.spin_until(lambda: len(_lines(received)) > before, 30), broker.log()[-2000:]
        rig.bridge.proc.send_signal(signal.SIGKILL)
        kills += 1
        # 4. Last process: finish the stream and drain everything.
        rig.start_bridge(params)
        rig.publish(60)
        assert rig.spin_until(lambda: len(_lines(received)) >= len(rig.sent), 60), \
            f"{len(_lines(received))} of {len(rig.sent)} arrived:\n{rig.bridge.log()[-3000:]}"
        assert rig.spin_until(lambda: rig.figures().get("outbox depth") == "0")
        assert rig.bridge.stop() == 0
    finally:
        monitor.send_signal(signal.SIGINT)
        try:
            out, _ = monitor.communicate(timeout=20)
        finally:  # the broker goes even when the monitor did not stop
            if monitor.poll() is None:
                monitor.kill()
            broker.stop()
    assert kills == 3
    events = [line["event"] for line in _lines(received)]
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids)) == len(rig.sent) == 280
    assert set(ids) == set(rig.sent)
    for source in ("cam1", "cam2"):
        sequences = [e["sequence"] for e in events if e["source_id"] == source]
        assert sequences == list(range(1, 141)), f"{source} out of order: {sequences}"
    summary = json.loads(out.rsplit("summary ", 1)[1])
    assert summary["unique"] == 280 and summary["missing"] == 0 and summary["out_of_order"] == 0
    assert summary["late"] == 0
    assert sqlite3.connect(outbox).execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
