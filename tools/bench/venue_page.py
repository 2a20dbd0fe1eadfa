"""Venue page latency: an event published -> the page's live stream carries the new count, beside the
store latency of the same events.

    python -m tools.bench venue_page [--events 50] [--dbs sqlite postgresql]

A real mosquitto and venue_server (the page on); one device publishes the events one at a time (MQTT 5,
QoS 1), each once the stream showed the one before, after a random pause so the events fall at every
phase of the page's tick. A reader holds ``/api/stream`` over plain HTTP, the server-sent events the
page's EventSource gets, and notes when each snapshot arrives. page = first snapshot counting the
event - the event's stamp; store = stored_ns - stamp (the database's own figure, as venue_load).
The page adds its snapshot cache and its push tick (0.5 s each by default) to the store's figure.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt

from gesture_ros.bridge.payload import encode
from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.venue.store import open_store
from tools.bench.venue_load import _database, _pct, _wait
from tools.child_process import stop_process
from tools.mosquitto import Mosquitto
from tools.ports import LOOPBACK, free_port
from tools.postgres import Postgres

CLIENT_ID = "bench-page-server"


class StreamReader:
    """Hold the page's server-sent event stream; note (arrival ns, stored events) of every snapshot."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        self.conn.request("GET", "/api/stream", headers={"Accept": "text/event-stream"})
        self.response = self.conn.getresponse()
        if self.response.status != 200:
            raise RuntimeError(f"venue_page: /api/stream answered {self.response.status}")
        self.seen: list[tuple[int, int]] = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, name="sse-reader", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            while True:
                line = self.response.readline()
                if not line:
                    return
                if line.startswith(b"data: "):
                    at = time.time_ns()
                    count = json.loads(line[6:])["totals"]["events"]
                    with self.changed:
                        self.seen.append((at, count))
                        self.changed.notify_all()
        except (OSError, ValueError, http.client.HTTPException):
            return  # closed by close()

    def first_with(self, count: int, timeout: float) -> int:
        """Return when the first snapshot counting at least ``count`` events arrived (wall ns)."""
        with self.changed:
            if not self.changed.wait_for(lambda: any(c >= count for _, c in self.seen), timeout):
                raise RuntimeError(f"venue_page: the stream did not show {count} events within {timeout:.0f} s")
            return next(at for at, c in self.seen if c >= count)

    def close(self) -> None:
        try:  # the reader sees the end of the stream and returns; then the connection closes
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(5)
        self.conn.close()


def _start_server(db: str, broker: Mosquitto, http_port: int, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gesture_ros.venue", "serve", "--db", db, "--port",
                                 str(broker.port), "--client-id", CLIENT_ID, "--http-port", str(http_port)],
                                stdout=out, stderr=subprocess.STDOUT)

    def up() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"venue_page: venue_server exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection((LOOPBACK, http_port), timeout=1).close()
        except OSError:
            return False
        return f"{CLIENT_ID} 1 " in broker.log()

    _wait(up, 60, "venue_server did not subscribe and listen")
    return proc


def run_one(dbkind: str, events: int, max_pause_s: float, workdir: Path, pg: Postgres | None) -> dict:
    """Return page and store latency (ms, in the order sent) of ``events`` events through one venue_server."""
    name = f"page_{dbkind}"
    broker = Mosquitto(workdir / name, log_type="subscribe").start()
    db = _database(dbkind, workdir, pg, name)
    http_port = free_port()
    server = _start_server(db, broker, http_port, workdir / f"{name}.log")
    device = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-page-device", protocol=mqtt.MQTTv5)
    rng = random.Random(7)
    page_ms: list[float] = []
    try:
        device.connect(LOOPBACK, broker.port)
        device.loop_start()
        reader = StreamReader(http_port)
        try:
            reader.first_with(0, 30)  # the stream is live
            for i in range(1, events + 1):
                time.sleep(rng.random() * max_pause_s)
                stamp = time.time_ns()
                record = GestureEventData(event_id=str(uuid.uuid4()), source_id="bench-page", sequence=i,
                                          gesture="x_cross", event_type=EventType.TRIGGER, confidence=0.9,
                                          stamp_ns=stamp, person_id=1, model_id="bench", model_version="1")
                device.publish("venues/bench/devices/bench-page/gestures", encode(record), qos=1)
                page_ms.append((reader.first_with(i, 30) - stamp) / 1e6)
        finally:
            reader.close()
        store = open_store(db)
        try:
            rows = store.query("SELECT stamp_ns, stored_ns FROM events ORDER BY stamp_ns")
        finally:
            store.close()
    finally:
        device.loop_stop()
        device.disconnect()
        stop_process(server, timeout=20)
        broker.stop()
    return {"page": page_ms, "store": [(stored - stamp) / 1e6 for stamp, stored in rows]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.bench venue_page", description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=50)
    p.add_argument("--dbs", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"])
    p.add_argument("--max-pause-s", type=float, default=0.5, help="random pause before each event, up to this")
    a = p.parse_args(argv)
    print(f"venue_page: {a.events} events one at a time through mosquitto into venue_server; the page's "
          "stream (/api/stream) read over HTTP", flush=True)
    print(f"{'db':<10} {'events':>6} {'store p50/p95 ms':>18} {'page p50/p95 ms':>18} {'page - store p50 ms':>20}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="gesture_venue_page_") as tmp, \
            (Postgres() if "postgresql" in a.dbs else contextlib.nullcontext()) as pg:
        for dbkind in a.dbs:
            r = {k: sorted(v) for k, v in run_one(dbkind, a.events, a.max_pause_s, Path(tmp), pg).items()}
            store50, store95 = _pct(r["store"], 0.5), _pct(r["store"], 0.95)
            page50, page95 = _pct(r["page"], 0.5), _pct(r["page"], 0.95)
            print(f"{dbkind:<10} {len(r['page']):>6} {store50:>8.1f} / {store95:<8.1f} {page50:>8.1f} / "
                  f"{page95:<8.1f} {page50 - store50:>20.1f}", flush=True)
    print("(the page pushes a snapshot every 0.5 s, computed at most every 0.5 s; timings on a shared, loaded "
          "machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
