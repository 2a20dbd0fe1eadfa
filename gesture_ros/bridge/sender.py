"""The sender thread: publish outbox rows with QoS 1 and delete them when the broker acknowledges.

One paho client per connection (its network loop in paho's thread, reconnection here): a
connection that fails or drops is abandoned, the send window rewinds and the next client,
after a jittered exponential backoff, sends every row still in the outbox again. The retained
status topic carries ``online`` with a heartbeat, and ``offline`` as the last will.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import paho.mqtt.client as mqtt

from gesture_ros.bridge.backoff import Backoff
from gesture_ros.bridge.connection import BrokerConfig, MqttVersion, publish_size
from gesture_ros.bridge.control import ControlCommand, ControlError, ControlPolicy
from gesture_ros.bridge.control_gate import ControlGate, SequenceStore
from gesture_ros.bridge.inflight import InflightWindow
from gesture_ros.bridge.outbox import Outbox, OutboxWriteError, Row
from gesture_ros.bridge.payload import iso8601
from gesture_ros.bridge.session import LinkError, LinkState, Session
from gesture_ros.bridge.topics import TopicLayout
from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.safe_text import bounded

_log = logging.getLogger("gesture_ros.bridge")
STATUS_SCHEMA = "gesture_ros/venue-status"


@dataclass
class SenderConfig:
    broker: BrokerConfig
    layout: TopicLayout
    client_id: str
    inflight: int = 256
    max_packet_bytes: int = 0  # local bound on a PUBLISH packet; 0: only the broker's
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0
    heartbeat_s: float = 10.0
    connect_timeout_s: float = 10.0
    batch_interval_s: float = 0.002
    control: ControlPolicy | None = None
    control_seq_path: str = ""  # '' = next to the outbox: <outbox>.control_seq


@dataclass
class SenderStats:
    state: LinkState = LinkState.CONNECTING
    connects: int = 0
    retries: int = 0
    delivered: int = 0
    resent: int = 0
    publish_refused: int = 0
    oversize: int = 0
    control_accepted: int = 0
    control_refused: int = 0
    control_refusals: dict[str, int] = field(default_factory=dict)  # reason -> count
    broker_max_packet: int = 0
    inflight: int = 0
    last_error: str = ""


class Sender:
    """Deliver the outbox to the broker from a thread of its own."""

    def __init__(self, cfg: SenderConfig, outbox: Outbox,
                 on_control: Callable[[ControlCommand], None] | None = None,
                 on_delivered: Callable[[list[Row]], None] | None = None) -> None:
        self.cfg = cfg
        self.outbox = outbox
        self.stats = SenderStats()
        self._on_control = on_control
        self._on_delivered = on_delivered
        self._v5 = cfg.broker.version is MqttVersion.V5
        self._window = InflightWindow(cfg.inflight)
        self._backoff = Backoff(cfg.reconnect_min_s, cfg.reconnect_max_s)
        self._hold = Backoff(cfg.reconnect_min_s, cfg.reconnect_max_s)
        self._hold_until = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._status_mids: set[int] = set()
        self._throttle = LogThrottle(period_s=10.0)
        self._max_packet = cfg.max_packet_bytes
        self._gate = None if cfg.control is None else ControlGate(
            cfg.control, SequenceStore(cfg.control_seq_path or f"{outbox.path}.control_seq"))
        self._thread = threading.Thread(target=self._run, name="mqtt-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Tell the sender that new rows are in the outbox."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Say ``offline`` on the status topic, disconnect and end the thread."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def snapshot(self) -> SenderStats:
        return replace(self.stats, inflight=len(self._window), control_refusals=dict(self.stats.control_refusals))

    # -- connection lifecycle (sender thread) --------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                session = self._connect()
                if session is not None:
                    self._backoff.reset()
                    self._serve(session)
            except Exception:  # noqa: BLE001 - keep delivering; the outbox still holds every event
                _log.exception("MQTT sender failed unexpectedly; reconnecting")
                self._window.rewind()
            if self._stop.is_set():
                break
            self.stats.retries += 1
            self._stop.wait(self._backoff.next_delay())
        self.stats.state = LinkState.STOPPED

    def _fail(self, state: LinkState, sentence: str, key: str) -> None:
        self.stats.state, self.stats.last_error = state, sentence
        count = self._throttle.ready(key)
        if count:
            _log.error("%s%s", sentence, f" ({count} attempts since last report)" if count > 1 else "")

    def _connect(self) -> Session | None:
        self.stats.state = LinkState.CONNECTING
        self._lost.clear()
        try:
            session = Session(self.cfg.broker, self.cfg.client_id, self.cfg.inflight,
                              self.cfg.layout.status_topic(), self._status("offline", "connection lost"),
                              self._on_publish, self._on_message, self._on_lost)
            limits = session.open(self.cfg.connect_timeout_s, self._stop, self.outbox.depth)
        except LinkError as exc:
            if exc.state is not LinkState.STOPPED:
                self._fail(exc.state, exc.sentence, exc.key)
            return None
        self.stats.broker_max_packet = limits.max_packet
        bounds = [m for m in (self.cfg.max_packet_bytes, limits.max_packet) if m > 0]
        self._max_packet = min(bounds) if bounds else 0
        self._window.size = min(self.cfg.inflight, limits.receive_max) if limits.receive_max else self.cfg.inflight
        self.stats.state = LinkState.CONNECTED
        self.stats.connects += 1
        self.stats.last_error = ""
        _log.info("connected to broker %s as '%s' (MQTT %s, max packet %s, receive maximum %s); "
                  "%d event(s) in the outbox", self.cfg.broker.address, self.cfg.client_id,
                  self.cfg.broker.version.value, limits.max_packet or "unlimited", limits.receive_max or "-",
                  self.outbox.depth)
        if self.cfg.control is not None:
            session.client.subscribe(self.cfg.control.topic, qos=1)
        self._publish_status(session.client, "online")
        return session

    def _serve(self, session: Session) -> None:
        client = session.client
        next_beat = time.monotonic() + self.cfg.heartbeat_s
        next_expiry = time.monotonic() + 1.0
        while not self._stop.is_set() and not self._lost.is_set():
            self._settle()
            self._dispatch(client)
            now = time.monotonic()
            if now >= next_beat:
                self._publish_status(client, "online")
                next_beat = now + self.cfg.heartbeat_s
            if now >= next_expiry:
                try:
                    self.outbox.expire()
                except OutboxWriteError as exc:
                    if self._throttle.ready("expire"):
                        _log.error("%s", exc)
                next_expiry = now + 1.0
            self._wake.wait(min(next_beat, next_expiry) - now)
            # Let acknowledgements and commits gather for a moment: one outbox transaction
            # per batch instead of one per event is what makes durable throughput.
            self._stop.wait(self.cfg.batch_interval_s)
            self._wake.clear()
        self._settle()
        if self._stop.is_set() and not self._lost.is_set():
            info = self._publish_status(client, "offline", "shutdown")
            info.wait_for_publish(1.0)
            self._settle()
        else:
            _log.warning("connection to broker %s lost (%s); %d event(s) in flight will be sent again "
                         "from the outbox", self.cfg.broker.address, self.stats.last_error or "no reason given",
                         len(self._window))
            self.stats.state = LinkState.DISCONNECTED
        session.close()
        self.stats.resent += len(self._window)
        self._window.rewind()
        self._status_mids.clear()

    # -- sending (sender thread) ---------------------------------------------------------------

    def _dispatch(self, client: mqtt.Client) -> None:
        if self._hold_until:
            if len(self._window) or time.monotonic() < self._hold_until:
                return
            self._hold_until = 0.0
            self._window.rewind()  # send the refused rows again, oldest first
        room = self._window.room()
        if room == 0:
            return
        for row in self.outbox.pending(self._window.cursor, room):
            size = publish_size(row.topic, len(row.payload), self._v5)
            if self._max_packet and size > self._max_packet:
                self._refuse_oversize(row, size)
                continue
            info = client.publish(row.topic, row.payload, qos=1)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                break  # connection going down; the rewind resends from the outbox
            self._window.sent(info.mid, row)

    def _refuse_oversize(self, row: Row, size: int) -> None:
        self._window.skip(row)
        self.stats.oversize += 1
        reason = f"PUBLISH of {size} bytes is over the maximum packet size {self._max_packet}"
        self.outbox.refuse(row, reason)
        _log.error("event %s on '%s' refused locally: its %s; moved to the outbox's refused table in %s",
                   row.event_id, row.topic, reason, self.outbox.path)

    def _settle(self) -> None:
        settled = self._window.settle()
        for ack in settled.other:
            if ack.mid in self._status_mids:
                self._status_mids.discard(ack.mid)
                if ack.refused and self._throttle.ready("status"):
                    _log.error("broker %s refused the status message on '%s': %s (PUBACK reason %d)",
                               self.cfg.broker.address, self.cfg.layout.status_topic(), ack.reason, ack.code)
        if settled.delivered:
            try:
                self.outbox.delete(r.row_id for r in settled.delivered)
            except OutboxWriteError as exc:  # the rows stay and are sent again after the next rewind
                if self._throttle.ready("delete"):
                    _log.error("%s; the acknowledged events stay in the outbox and may be delivered twice", exc)
            self.stats.delivered += len(settled.delivered)
            if not settled.refused:
                self._hold.reset()
            if self._on_delivered is not None:
                self._on_delivered(settled.delivered)
        if settled.refused:
            self.stats.publish_refused += len(settled.refused)
            row, ack = settled.refused[0]
            delay = self._hold.next_delay()
            self._hold_until = time.monotonic() + delay
            if self._throttle.ready(f"puback{ack.code}"):
                _log.error("broker %s refused the publish of event %s to '%s': %s (PUBACK reason %d); "
                           "%d event(s) stay in the outbox and are retried in %.1f s: check the broker ACL",
                           self.cfg.broker.address, row.event_id, row.topic, ack.reason, ack.code,
                           self.outbox.depth, delay)

    def _status(self, state: str, reason: str = "") -> bytes:
        body = {"schema": STATUS_SCHEMA, "version": 1, "device": self.cfg.layout.device,
                "state": state, "reason": reason, "stamp": iso8601(time.time_ns())}
        if state == "online":
            body.update(outbox_depth=self.outbox.depth, oldest_age_s=round(self.outbox.oldest_age_s(), 3),
                        delivered=self.stats.delivered)
        return json.dumps(body, sort_keys=True).encode()

    def _publish_status(self, client: mqtt.Client, state: str, reason: str = "") -> mqtt.MQTTMessageInfo:
        info = client.publish(self.cfg.layout.status_topic(), self._status(state, reason), qos=1, retain=True)
        self._status_mids.add(info.mid)
        return info

    # -- paho callbacks (network thread) -------------------------------------------------------

    def _on_lost(self, reason: str) -> None:
        if reason:
            self.stats.last_error = reason
        self._lost.set()
        self._wake.set()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self._window.ack(mid, reason_code.value, str(reason_code))
        self._wake.set()

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        if self._gate is None:
            return
        try:
            try:
                command = self._gate.admit(msg.topic, msg.payload, bool(msg.retain))
            except ControlError as exc:
                self.stats.control_refused += 1
                reasons = self.stats.control_refusals
                reasons[exc.reason.value] = reasons.get(exc.reason.value, 0) + 1
                count = self._throttle.ready(f"control {exc.reason.value}")
                if count:  # one line per kind of bad message and period
                    _log.warning("%s%s", exc, f" ({count} such messages since the last report)" if count > 1 else "")
                return
            self.stats.control_accepted += 1
            _log.info("control message from '%s': %s%s (seq %d)", msg.topic, command.command.value,
                      f" {command.model}" if command.model else "", command.seq)
            if self._on_control is not None:
                self._on_control(command)
        except Exception as exc:  # noqa: BLE001 - a bad message must never end paho's network thread
            self.stats.control_refused += 1
            if self._throttle.ready("control error"):
                _log.error("control message could not be handled: %s: %s", type(exc).__name__, bounded(exc, 200))
