"""The venue server's MQTT side: check each message, store events in batches, acknowledge after commit.

paho's network thread only checks (intake) and queues; a writer thread inserts a batch in one
transaction and only then sends the PUBACKs (manual acknowledgement). A server killed before
its commit leaves the messages unacknowledged, so the broker delivers them again (persistent
session) and the event id primary key makes the second insert a no-op: exactly once in the
store. Several servers share the load with an MQTT 5 shared subscription (``$share/<group>/``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass

import paho.mqtt.client as mqtt

from gesture_ros.bridge.connection import BrokerConfig, build_client, connect_args, refusal_sentence
from gesture_ros.bridge.topics import DEFAULT_EVENTS, DEFAULT_STATUS, subscription
from gesture_ros.venue.intake import Intake, Refusal
from gesture_ros.venue.refusals import RefusalLog
from gesture_ros.venue.store import Store, StoredEvent

_log = logging.getLogger("gesture_ros.venue.ingest")


@dataclass(frozen=True)
class IngestConfig:
    venue: str = "+"
    events_template: str = DEFAULT_EVENTS
    status_template: str = DEFAULT_STATUS
    client_id: str = ""  # fixed: a persistent session (nothing missed while the server restarts)
    share_group: str = ""  # "venue": $share/venue/... (servers of one group split the events)
    batch: int = 500
    retry_s: float = 1.0


@dataclass
class IngestStats:
    stored: int = 0
    duplicates: int = 0
    store_errors: int = 0
    connected: bool = False
    refused_connection: str = ""


class Ingest:
    """Subscribe, check, store exactly once; ``on_stored`` is called with each batch's new events."""

    def __init__(self, store: Store, cfg: IngestConfig, refusals: RefusalLog, on_stored=None) -> None:
        self.store, self.cfg, self.refusals = store, cfg, refusals
        self.intake = Intake(cfg.events_template, cfg.status_template)
        self.stats = IngestStats()
        self.on_stored = on_stored
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._writer = threading.Thread(target=self._write_loop, name="venue-writer", daemon=True)
        self.client: mqtt.Client | None = None
        self._generation = 0
        prefix = f"$share/{cfg.share_group}/" if cfg.share_group else ""
        self.filters = [prefix + subscription(cfg.events_template, cfg.venue),
                        prefix + subscription(cfg.status_template, cfg.venue)]

    # -- paho network thread -----------------------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.stats.refused_connection = refusal_sentence(self.broker, reason_code.value, str(reason_code))
            _log.error("%s", self.stats.refused_connection)
            return
        self.stats.connected, self.stats.refused_connection = True, ""
        self._generation += 1  # acks of messages from an earlier connection would hit reused ids
        _log.info("connected to %s; subscribing to %s", self.broker.address, ", ".join(self.filters))
        client.subscribe([(f, 1) for f in self.filters])

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.stats.connected = False

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        received_ns = time.time_ns()
        try:
            if self.intake.is_status(msg.topic):
                report = self.intake.status_report(msg.topic, msg.payload)
                self._queue.put((report, received_ns, (self._generation, msg.mid), msg.qos))
                return
            record = self.intake.event(msg.topic, msg.payload)
            self._queue.put((StoredEvent(record, msg.topic, received_ns), None, (self._generation, msg.mid), msg.qos))
            return
        except Refusal as exc:
            self.refusals.refuse(exc.kind, str(exc))
        except Exception as exc:  # noqa: BLE001 - nothing may kill the network thread
            self.refusals.refuse("error", f"{type(exc).__name__}: {exc}")
        self._ack((self._generation, msg.mid), msg.qos)

    def _ack(self, tag: tuple[int, int], qos: int) -> None:
        generation, mid = tag
        if qos > 0 and self.client is not None and generation == self._generation:
            self.client.ack(mid, qos)

    # -- writer thread -----------------------------------------------------------------------
    def _write_loop(self) -> None:
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            items = [first]
            while len(items) < self.cfg.batch:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(items)

    def _write(self, items: list) -> None:
        events = [item[0] for item in items if isinstance(item[0], StoredEvent)]
        while not self._stop.is_set():
            try:
                new = self.store.insert(events) if events else []
                for report, received_ns, _, _ in items:
                    if not isinstance(report, StoredEvent):
                        self.store.set_device(report.device, report.state, received_ns, report.outbox_depth)
                break
            except Exception as exc:  # noqa: BLE001 - a database outage: keep the messages, retry
                self.stats.store_errors += 1
                if self.stats.store_errors == 1 or self.stats.store_errors % 100 == 0:
                    _log.error("cannot store %d event(s) in %s (%d failures so far): %s; retrying, "
                               "nothing is acknowledged until stored", len(events), self.store.where,
                               self.stats.store_errors, exc)
                time.sleep(self.cfg.retry_s)
        else:
            return
        fresh = [e for e, is_new in zip(events, new, strict=True) if is_new]
        self.stats.stored += len(fresh)
        self.stats.duplicates += len(events) - len(fresh)
        for _, _, mid, qos in items:
            self._ack(mid, qos)
        if self.on_stored is not None and fresh:
            self.on_stored(fresh)

    # -- life --------------------------------------------------------------------------------
    def start(self, broker: BrokerConfig) -> None:
        self.broker = broker
        persistent = bool(self.cfg.client_id)
        self.client = build_client(broker, self.cfg.client_id or f"venue-server-{uuid.uuid4().hex[:8]}",
                                   persistent, auto_reconnect=True)
        self.client.manual_ack_set(True)
        self.client.reconnect_delay_set(0.2, 2)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self._writer.start()
        self.client.connect(broker.host, broker.port, broker.keepalive_s, **connect_args(broker, persistent))
        self.client.loop_start()

    def stop(self) -> None:
        if self.client is not None:
            self.client.disconnect()
            self.client.loop_stop()
        self._stop.set()
        if self._writer.is_alive():
            self._writer.join(5)
