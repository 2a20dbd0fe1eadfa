"""venue_monitor: the terminal view of the venue, a thin client of the venue server's intake and store.

    venue_monitor --host 127.0.0.1 --port 1883 --venue main_hall --client-id venue-desk \\
        --db ~/venue-desk.sqlite3 --jsonl received.jsonl

Subscribes to every device's gesture and status topics, refuses what the venue server refuses
(counted, said once per kind), stores each event in a SQLite file whose event-id key is the
deduplication (so a restart does not count redelivered events again), checks each source's
sequence numbers and shows live counts. ``--jsonl`` appends each new event as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import ssl
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import IO

import paho.mqtt.client as mqtt

from gesture_ros.bridge.connection import (
    BrokerConfig,
    ConnectionConfigError,
    build_client,
    connect_args,
    refusal_sentence,
)
from gesture_ros.bridge.credentials import CredentialsError
from gesture_ros.bridge.payload import decode
from gesture_ros.bridge.tally import CrowdTally
from gesture_ros.bridge.topics import subscription
from gesture_ros.common.safe_text import bounded
from gesture_ros.venue.broker_args import add_broker_args, broker_from_args
from gesture_ros.venue.intake import Intake, Refusal
from gesture_ros.venue.refusals import RefusalLog
from gesture_ros.venue.store import StoredEvent, open_store

_log = logging.getLogger("gesture_ros.venue_monitor")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="venue_monitor", description=__doc__.split("\n\n")[0])
    add_broker_args(p)
    p.add_argument("--db", default="", help="SQLite file of the events seen (kept across restarts); "
                   "default with --client-id: <jsonl>.seen.sqlite3, or "
                   "~/.local/state/gesture_ros/venue_monitor-<client id>.sqlite3; else in memory")
    p.add_argument("--remember", type=int, default=1_000_000, help="events kept in --db for deduplication")
    p.add_argument("--jsonl", type=Path, help="append each unique event to this file")
    p.add_argument("--refresh", type=float, default=1.0, help="table refresh period, s")
    p.add_argument("--no-table", action="store_true", help="print only the final summary")
    p.add_argument("--until-idle", type=float, default=0.0, help="exit after this many s without a new event")
    p.add_argument("--max-seconds", type=float, default=0.0, help="exit after this many s")
    p.add_argument("--expect", type=int, default=0, help="exit once this many unique events arrived")
    return p.parse_args(argv)


def _db_path(args: argparse.Namespace) -> str:
    if args.db:
        return args.db
    if args.client_id and args.jsonl:
        return str(args.jsonl) + ".seen.sqlite3"
    if args.client_id:
        return str(Path.home() / ".local/state/gesture_ros" / f"venue_monitor-{args.client_id}.sqlite3")
    return ":memory:"


class VenueMonitor:
    """Subscribe, check, store once, count, and optionally record to JSONL."""

    def __init__(self, args: argparse.Namespace, out: IO[str] | None = None) -> None:
        self.args = args
        self.tally = CrowdTally()
        self.lock = threading.Lock()
        self.last_new = time.monotonic()
        self.refused = ""
        self._out = out
        self.intake = Intake(args.events_template, args.status_template)
        self.refusals = RefusalLog(_log)
        self.store = open_store(_db_path(args))
        self._since_prune = 0
        self.events_filter = subscription(args.events_template, args.venue)
        self.status_filter = subscription(args.status_template, args.venue)

    def on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.refused = refusal_sentence(self.broker, reason_code.value, str(reason_code))
            _log.error("%s", self.refused)
            return
        self.refused = ""
        _log.info("connected to %s; watching %s", self.broker.address, self.events_filter)
        client.subscribe([(self.events_filter, 1), (self.status_filter, 1)])

    def on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        try:
            self._message(msg)
        except Refusal as exc:
            self.refusals.refuse(exc.kind, str(exc))
            with self.lock:
                self.tally.invalid += 1
        except Exception as exc:  # noqa: BLE001 - nothing may kill paho's network thread
            self.refusals.refuse("error", f"{type(exc).__name__}: {exc}")

    def _message(self, msg: mqtt.MQTTMessage) -> None:
        if self.intake.is_status(msg.topic):
            report = self.intake.status_report(msg.topic, msg.payload)
            text = report.state + (f", outbox {report.outbox_depth}" if report.outbox_depth is not None else "")
            with self.lock:
                self.tally.set_status(report.device, text)
            return
        record = self.intake.event(msg.topic, msg.payload)
        event = StoredEvent(record, msg.topic, time.time_ns())
        if self.store.contains(record.event_id):
            with self.lock:
                self.tally.duplicates += 1
            return
        if self._out is not None:  # the line first: a kill before the insert is repaired by recover_jsonl
            line = {"received_ns": event.received_ns, "topic": msg.topic, "event": json.loads(msg.payload)}
            self._out.write(json.dumps(line, sort_keys=True) + "\n")
            self._out.flush()
        self.store.insert([event])
        with self.lock:
            self.tally.add(record)
            self.last_new = time.monotonic()
        self._prune()

    def _prune(self) -> None:
        self._since_prune += 1
        if self._since_prune >= 10_000:
            self._since_prune = 0
            self.store.keep_newest(self.args.remember)

    def done(self, started: float) -> bool:
        a, now = self.args, time.monotonic()
        return bool((a.max_seconds and now - started >= a.max_seconds)
                    or (a.until_idle and now - self.last_new >= a.until_idle)
                    or (a.expect and self.tally.unique >= a.expect))

    def summary(self) -> dict:
        return {**self.tally.summary(), "refused": self.refusals.snapshot()}

    def table(self) -> str:
        with self.lock:
            text = self.tally.table()
        return "\n".join(bounded(line, 300) for line in text.split("\n"))  # names reach the terminal escaped

    def connect(self, broker: BrokerConfig) -> mqtt.Client:
        self.broker = broker
        persistent = bool(self.args.client_id)
        client = build_client(broker, self.args.client_id or f"venue-monitor-{uuid.uuid4().hex[:8]}",
                              persistent, auto_reconnect=True)
        client.reconnect_delay_set(1, 5)
        client.on_connect = self.on_connect
        client.on_message = self.on_message
        client.connect(broker.host, broker.port, broker.keepalive_s, **connect_args(broker, persistent))
        client.loop_start()
        return client


def recover_jsonl(path: Path, store, tail_bytes: int = 1 << 20) -> int:
    """Cut a line a kill left half-written, and mark the last lines' events seen; return how many were new.

    The monitor writes an event's line before it stores the id, so after a SIGKILL the ids of
    the file's last lines may be missing from the store: without this they would be written again.
    """
    if not path.exists():
        return 0
    with open(path, "rb+") as f:
        start = max(0, f.seek(0, 2) - tail_bytes)
        f.seek(start)
        data = f.read()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            f.truncate(start + end)
    lines = data[:end].splitlines()
    marked = 0
    for raw in lines[1:] if start else lines:  # from the middle of the file, the first line is partial
        try:
            line = json.loads(raw)
            record = decode(json.dumps(line["event"]).encode())
        except (ValueError, KeyError, TypeError):
            continue
        if not store.contains(record.event_id):
            store.insert([StoredEvent(record, line.get("topic", ""), int(line.get("received_ns", 0)))])
            marked += 1
    return marked


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # end like Ctrl-C: close the file, print the summary


def run(argv: list[str] | None = None) -> int:
    """Run the monitor; return 0, 1 when the broker cannot be used, 2 for bad options."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="venue_monitor: %(message)s", stream=sys.stderr)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        broker = broker_from_args(args)
    except (CredentialsError, ValueError) as exc:
        _log.error("%s", exc)
        return 2
    monitor = VenueMonitor(args)
    if args.jsonl:
        marked = recover_jsonl(args.jsonl, monitor.store)
        if marked:
            _log.warning("%d event(s) of %s were written but not marked seen (killed?): marked now", marked, args.jsonl)
    out = open(args.jsonl, "a", encoding="utf-8") if args.jsonl else None
    monitor._out = out
    client = None
    try:
        client = monitor.connect(broker)
        started = next_table = time.monotonic()
        while not monitor.done(started):
            time.sleep(0.05)
            if not args.no_table and time.monotonic() >= next_table:
                next_table += args.refresh
                print(("\x1b[2J\x1b[H" if sys.stdout.isatty() else "") + monitor.table() + "\n", flush=True)
    except (ssl.SSLError, ConnectionConfigError, OSError) as exc:
        _log.error("cannot use broker %s: %s", broker.address, exc)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        if client is not None:
            client.disconnect()
            client.loop_stop()
        if out is not None:
            out.close()
    print(monitor.table() + "\nsummary " + json.dumps(monitor.summary(), sort_keys=True), flush=True)
    monitor.store.close()
    return 1 if monitor.refused else 0


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``venue_monitor`` script and ``venue-monitor`` command."""
    sys.exit(run(argv))


if __name__ == "__main__":
    main()
