"""The baseline for the venue load bench: a bare paho subscriber inserting each message as it comes.

    python -m tools.bench.venue_bare --port P --db venue.sqlite3|postgresql://...

No checks, no batching: parse, INSERT ... ON CONFLICT DO NOTHING, commit, acknowledge (paho
acknowledges when the callback returns). Same schema (the venue store created it), same database.
"""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import threading
import time

import paho.mqtt.client as mqtt

_INSERT = ("INSERT INTO events (event_id, source_id, person_id, sequence, gesture, type, confidence, stamp_ns, "
           "start_ns, end_ns, frame_id, handedness, model_id, model_version, topic, received_ns, stored_ns) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--topic", default="venues/+/devices/+/gestures")
    a = p.parse_args(argv)
    if a.db.startswith("postgresql://"):
        import psycopg

        conn, sql = psycopg.connect(a.db), _INSERT.replace("?", "%s")
    else:
        conn, sql = sqlite3.connect(a.db, check_same_thread=False), _INSERT
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")

    def on_message(client, userdata, msg) -> None:
        received = time.time_ns()
        b = json.loads(msg.payload)
        conn.execute(sql, (b["event_id"], b["source_id"], b["person_id"], b["sequence"], b["gesture"], b["type"],
                           b["confidence"], b["stamp"]["ns"], b["start"]["ns"], b["end"]["ns"], b["frame_id"],
                           b["handedness"], b["model"]["id"], b["model"]["version"], msg.topic, received,
                           time.time_ns()))
        conn.commit()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="load-bare", protocol=mqtt.MQTTv5)
    client.on_connect = lambda c, u, f, rc, props: c.subscribe(a.topic, qos=1)
    client.on_message = on_message
    client.connect("127.0.0.1", a.port)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    client.loop_start()
    done.wait()
    client.disconnect()
    client.loop_stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
