"""The device side of the bridge without ROS: accept events into the outbox, send them to the venue.

``accept`` is what the node's subscription callback calls; everything slow (disk commits,
network) happens on the writer and sender threads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from gesture_ros.bridge.control import ControlCommand
from gesture_ros.bridge.outbox import Durability, Entry, Outbox, OutboxLimits, Row
from gesture_ros.bridge.payload import PayloadError, encode
from gesture_ros.bridge.sender import Sender, SenderConfig
from gesture_ros.bridge.session import LinkState
from gesture_ros.bridge.writer import OutboxWriter
from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.safe_text import bounded

_log = logging.getLogger("gesture_ros.bridge")


@dataclass
class BridgeConfig:
    sender: SenderConfig
    outbox_path: str
    limits: OutboxLimits = field(default_factory=OutboxLimits)
    durability: Durability = Durability.FULL
    max_payload_bytes: int = 65536


@dataclass
class BridgeStatus:
    """One look at the bridge, for diagnostics and the heartbeat."""

    state: LinkState
    outbox_depth: int
    oldest_age_s: float
    writer_pending: int
    received: int
    accepted: int
    delivered: int
    sent_per_s: float
    inflight: int
    retries: int
    resent: int
    last_error: str
    refusals: dict[str, int]


class BridgeService:
    """Outbox, group-commit writer and MQTT sender, started and stopped together."""

    def __init__(self, cfg: BridgeConfig, on_control: Callable[[ControlCommand], None] | None = None) -> None:
        self.cfg = cfg
        self.outbox = Outbox(cfg.outbox_path, cfg.limits, cfg.durability)
        self.writer = OutboxWriter(self.outbox)
        self.sender = Sender(cfg.sender, self.outbox, on_control=on_control, on_delivered=self._delivered)
        self.writer.add_listener(lambda committed, rejected: committed and self.sender.wake())
        self.received = 0
        self.too_large = 0
        self.invalid = 0
        self._rate_mark = (time.monotonic(), 0)  # (when, delivered) at the last status()
        self._delivered_listeners: list[Callable[[list[Row]], None]] = []
        self._throttle = LogThrottle(period_s=10.0)
        self._topics: dict[str, str] = {}

    def start(self) -> None:
        self.writer.start()
        self.sender.start()
        _log.info("outbox %s holds %d undelivered event(s) from before", self.outbox.path, self.outbox.depth)
        if self.outbox.moved_aside is not None:
            _log.error("outbox %s was unreadable and is kept as %s; this bridge started a fresh outbox",
                       self.outbox.path, self.outbox.moved_aside)

    def stop(self) -> None:
        """Commit what was received, say offline, disconnect, close the outbox."""
        self.writer.stop()
        self.sender.stop()
        self.outbox.close()

    def add_delivered_listener(self, listener: Callable[[list[Row]], None]) -> None:
        self._delivered_listeners.append(listener)

    def accept(self, record: GestureEventData) -> bool:
        """Hand an event to the outbox writer; return False if it was refused (logged, counted)."""
        self.received += 1
        try:
            payload = encode(record)
        except PayloadError as exc:
            self.invalid += 1
            if self._throttle.ready("invalid"):
                _log.error("event refused: %s", exc)
            return False
        if len(payload) > self.cfg.max_payload_bytes:
            self.too_large += 1
            if self._throttle.ready("too_large"):
                _log.error("event %s from '%s' refused: its payload is %d bytes, over max_payload_bytes %d",
                           bounded(record.event_id, 40), bounded(record.source_id, 40), len(payload),
                           self.cfg.max_payload_bytes)
            return False
        topic = self._topics.get(record.source_id)
        if topic is None:
            if len(self._topics) > 10_000:
                self._topics.clear()
            topic = self._topics[record.source_id] = self.cfg.sender.layout.event_topic(record.source_id)
        return self.writer.submit(Entry(record.event_id, topic, payload))

    def _delivered(self, rows: list[Row]) -> None:
        for listener in self._delivered_listeners:
            listener(rows)

    def status(self) -> BridgeStatus:
        s = self.sender.snapshot()
        c = self.outbox.counters
        now = time.monotonic()
        since, before = self._rate_mark
        rate = (s.delivered - before) / max(now - since, 1e-3)
        self._rate_mark = (now, s.delivered)
        return BridgeStatus(
            state=s.state, outbox_depth=self.outbox.depth, oldest_age_s=self.outbox.oldest_age_s(),
            writer_pending=self.writer.pending, received=self.received, accepted=c.accepted,
            delivered=s.delivered, sent_per_s=rate, inflight=s.inflight, retries=s.retries,
            resent=s.resent, last_error=s.last_error,
            refusals={"invalid": self.invalid, "too_large": self.too_large,
                      "backlog_full": self.writer.backlog_rejected, "outbox_full": c.rejected_full,
                      "dropped_oldest": c.dropped_oldest, "dropped_expired": c.dropped_expired,
                      "disk_full": c.rejected_disk_full, "write_error": c.rejected_write_error,
                      "oversize_for_broker": s.oversize, "publish_refused": s.publish_refused,
                      "control_refused": s.control_refused,
                      **{f"control_{k}": v for k, v in s.control_refusals.items()}})
