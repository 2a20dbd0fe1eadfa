"""venue_monitor: the venue end of the bridge, and the artists' live view of the crowd.

    venue_monitor --host 127.0.0.1 --port 1883 --venue main_hall --client-id venue-desk \\
        --jsonl received.jsonl

Subscribes to every device's gesture and status topics, drops duplicate event ids, checks
each source's sequence numbers and shows live counts per gesture and per device. With
``--client-id`` the broker keeps a persistent session, so nothing is missed while the
monitor restarts. ``--jsonl`` writes each unique event as one JSON line as it arrives.
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
    MqttVersion,
    TlsFiles,
    build_client,
    connect_args,
    refusal_sentence,
)
from gesture_ros.bridge.credentials import CredentialsError, cleartext_refusal, load_credentials
from gesture_ros.bridge.payload import PayloadError, decode
from gesture_ros.bridge.tally import CrowdTally
from gesture_ros.bridge.topics import DEFAULT_EVENTS, DEFAULT_STATUS, subscription

_log = logging.getLogger("gesture_ros.venue_monitor")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="venue_monitor", description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=1883)
    p.add_argument("--mqtt-version", choices=[v.value for v in MqttVersion], default=MqttVersion.V5.value)
    p.add_argument("--venue", default="+", help="venue to watch (default: all)")
    p.add_argument("--events-template", default=DEFAULT_EVENTS)
    p.add_argument("--status-template", default=DEFAULT_STATUS)
    p.add_argument("--client-id", default="", help="fixed id: persistent session (nothing missed across restarts)")
    p.add_argument("--tls-ca", default="", help="CA file; enables TLS (no fallback to plain)")
    p.add_argument("--tls-cert", default="")
    p.add_argument("--tls-key", default="")
    p.add_argument("--credentials-file", default="", help="line 1 username, line 2 password (mode 600); "
                   "else $GESTURE_ROS_MQTT_USERNAME/PASSWORD")
    p.add_argument("--allow-plaintext-credentials-to", default="", metavar="HOST",
                   help="send credentials without TLS, but only to this broker host (must equal --host)")
    p.add_argument("--jsonl", type=Path, help="append each unique event to this file")
    p.add_argument("--refresh", type=float, default=1.0, help="table refresh period, s")
    p.add_argument("--no-table", action="store_true", help="print only the final summary")
    p.add_argument("--until-idle", type=float, default=0.0, help="exit after this many s without a new event")
    p.add_argument("--max-seconds", type=float, default=0.0, help="exit after this many s")
    p.add_argument("--expect", type=int, default=0, help="exit once this many unique events arrived")
    return p.parse_args(argv)


class VenueMonitor:
    """Subscribe, deduplicate, count, and optionally record to JSONL."""

    def __init__(self, args: argparse.Namespace, out: IO[str] | None = None) -> None:
        self.args = args
        self.tally = CrowdTally()
        self.lock = threading.Lock()
        self.last_new = time.monotonic()
        self.refused = ""
        self._out = out
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
        if mqtt.topic_matches_sub(self.status_filter, msg.topic):
            self._status(msg)
            return
        try:
            record = decode(msg.payload)
        except PayloadError as exc:
            with self.lock:
                self.tally.invalid += 1
            _log.warning("message on '%s' ignored: %s", msg.topic, exc)
            return
        with self.lock:
            new = self.tally.add(record)
            if new:
                self.last_new = time.monotonic()
        if new and self._out is not None:
            line = {"received_ns": time.time_ns(), "topic": msg.topic, "event": json.loads(msg.payload)}
            self._out.write(json.dumps(line, sort_keys=True) + "\n")
            self._out.flush()

    def _status(self, msg: mqtt.MQTTMessage) -> None:
        try:
            body = json.loads(msg.payload)
            text = body["state"] + (f", outbox {body['outbox_depth']}" if "outbox_depth" in body else "")
            device = str(body["device"])
        except (ValueError, KeyError, TypeError):
            return
        with self.lock:
            self.tally.set_status(device, text)

    def done(self, started: float) -> bool:
        a, now = self.args, time.monotonic()
        return bool((a.max_seconds and now - started >= a.max_seconds)
                    or (a.until_idle and now - self.last_new >= a.until_idle)
                    or (a.expect and self.tally.unique >= a.expect))

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


def _broker(args: argparse.Namespace) -> BrokerConfig:
    tls = TlsFiles(args.tls_ca, args.tls_cert, args.tls_key) if args.tls_ca else None
    credentials = load_credentials(args.credentials_file)
    refusal = cleartext_refusal(credentials, tls is not None, args.host, args.port,
                                args.allow_plaintext_credentials_to, "--allow-plaintext-credentials-to")
    if refusal:
        raise ValueError(refusal)
    return BrokerConfig(host=args.host, port=args.port, version=MqttVersion(args.mqtt_version), tls=tls,
                        credentials=credentials)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # end like Ctrl-C: close the file, print the summary


def run(argv: list[str] | None = None) -> int:
    """Run the monitor; return 0, 1 when the broker cannot be used, 2 for bad options."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="venue_monitor: %(message)s", stream=sys.stderr)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        broker = _broker(args)
    except (CredentialsError, ValueError) as exc:
        _log.error("%s", exc)
        return 2
    out = open(args.jsonl, "a", encoding="utf-8") if args.jsonl else None
    monitor = VenueMonitor(args, out)
    client = None
    try:
        client = monitor.connect(broker)
        started = next_table = time.monotonic()
        while not monitor.done(started):
            time.sleep(0.05)
            if not args.no_table and time.monotonic() >= next_table:
                next_table += args.refresh
                with monitor.lock:
                    table = monitor.tally.table()
                print(("\x1b[2J\x1b[H" if sys.stdout.isatty() else "") + table + "\n", flush=True)
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
    with monitor.lock:
        print(monitor.tally.table() + "\nsummary " + json.dumps(monitor.tally.summary(), sort_keys=True), flush=True)
    return 1 if monitor.refused else 0


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``venue_monitor`` script and ``venue-monitor`` command."""
    sys.exit(run(argv))


if __name__ == "__main__":
    main()
