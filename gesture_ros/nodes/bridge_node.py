"""bridge_node: every accepted gesture event reaches the venue's MQTT broker, at least once.

Subscribes ``gesture/events``; the events go through the on-disk outbox and the MQTT sender
of gesture_ros.bridge. Valid venue control messages become ``dispatch/armed`` (Bool) and
``classifier/model`` (String). Publishes /diagnostics.
"""

from __future__ import annotations

import logging
import os
import socket

import rclpy
from rcl_interfaces.msg import SetParametersResult
from rclpy.node import Node
from std_msgs.msg import Bool, String

from gesture_ros.bridge.connection import BrokerConfig, ConnectionConfigError, MqttVersion, TlsFiles, tls_context
from gesture_ros.bridge.control import Command, ControlCommand, ControlPolicy
from gesture_ros.bridge.credentials import CredentialsError, cleartext_refusal, load_credentials
from gesture_ros.bridge.outbox import Durability, FullPolicy, OutboxError, OutboxLimits
from gesture_ros.bridge.sender import SenderConfig
from gesture_ros.bridge.service import BridgeConfig, BridgeService
from gesture_ros.bridge.session import LinkState
from gesture_ros.bridge.topics import DEFAULT_EVENTS, DEFAULT_STATUS, TopicLayout
from gesture_ros.common.bad_input import BadInputLog
from gesture_ros.common.safe_text import bounded
from gesture_ros.msg import GestureEvent
from gesture_ros.ros.diagnostics import ERROR, OK, WARN, DiagnosticsPublisher, Value
from gesture_ros.ros.event_conversion import event_from_msg
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.params import declare
from gesture_ros.ros.qos import EVENT_QOS

_RUNTIME = ("outbox_max_events", "outbox_max_age_s", "outbox_full_policy")


# name -> (default, description, (min, max) or None); all read-only except _RUNTIME.
PARAMETERS: dict[str, tuple[object, str, tuple[float, float] | None]] = {
    "venue": ("default", "Venue name, the {venue} level of the topics", None),
    "device_id": ("", "This device's id, the {device} level of status/control topics ('' = host name)", None),
    "broker_host": ("127.0.0.1", "MQTT broker host name or address", None),
    "broker_port": (1883, "MQTT broker port (8883 is usual with TLS)", (1, 65535)),
    "mqtt_version": ("5", "'5' (reason codes, broker limits; recommended) or '3.1.1'", None),
    "client_id": ("", "Fixed MQTT client id of the persistent session ('' = gesture_ros-<device_id>)", None),
    "keepalive_s": (30, "MQTT keepalive in seconds", (5, 3600)),
    "session_expiry_s": (86400, "MQTT 5 session expiry in seconds", (0, 2**31 - 1)),
    "events_topic": (DEFAULT_EVENTS, "Event topic template: {venue}, {device}, {source}", None),
    "status_topic": (DEFAULT_STATUS, "Retained status topic template (online/offline, heartbeat)", None),
    "control_topic": ("", "Inbound control topic template, e.g. venues/{venue}/devices/{device}/control "
                      "('' = no control)", None),
    "control_max_bytes": (1024, "Largest accepted control message in bytes", (64, 65536)),
    "control_models": ("", "Comma-separated models a switch_model control message may select", None),
    "heartbeat_s": (10.0, "Period of the retained status heartbeat in seconds", (0.5, 3600.0)),
    "outbox_path": ("~/.local/state/gesture_ros/bridge_outbox.sqlite3", "SQLite outbox file", None),
    "outbox_max_events": (100000, "Most events the outbox holds", (1, 100_000_000)),
    "outbox_max_age_s": (86400.0, "Oldest event age the outbox holds, s (0 = no limit)", (0.0, 1e8)),
    "outbox_full_policy": ("reject_new", "When full: reject_new or drop_oldest", None),
    "outbox_durability": ("full", "full (fsync: survives power loss) or normal (survives a crash)", None),
    "max_payload_bytes": (16384, "Largest event payload accepted into the outbox", (256, 268_435_455)),
    "max_packet_bytes": (0, "Local PUBLISH size limit (0 = only the broker's MQTT 5 maximum)",
                         (0, 268_435_455)),
    "inflight": (256, "Most unacknowledged QoS 1 publishes (capped by the broker's receive maximum)",
                 (1, 65535)),
    "reconnect_min_s": (0.5, "First reconnect delay in seconds", (0.05, 3600.0)),
    "reconnect_max_s": (30.0, "Largest reconnect delay in seconds", (0.05, 3600.0)),
    "tls_ca_file": ("", "CA certificate file; set to use TLS (the broker must present a cert it signed)", None),
    "tls_cert_file": ("", "Client certificate file (mutual TLS)", None),
    "tls_key_file": ("", "Client private key file (mutual TLS)", None),
    "credentials_file": ("", "File with the username (line 1) and password (line 2), mode 600; else "
                         "$GESTURE_ROS_MQTT_USERNAME/$GESTURE_ROS_MQTT_PASSWORD", None),
    "allow_plaintext_credentials_to": ("", "Opt-in to send credentials without TLS: the broker_host they may "
                                       "go to in cleartext ('' = never; use only for a broker on this machine "
                                       "or a wire you trust)", None),
    "diagnostics_period_s": (1.0, "Period of /diagnostics in seconds", (0.05, 60.0)),
}


class BridgeSetupError(RuntimeError):
    """A parameter or file makes the bridge unusable; the message says which and why."""


class _RosLogHandler(logging.Handler):
    """Forward the bridge core's log records to the node's logger."""

    def __init__(self, node: Node) -> None:
        super().__init__(logging.INFO)
        self._logger = node.get_logger()

    def emit(self, record: logging.LogRecord) -> None:
        msg = self.format(record)
        if record.levelno >= logging.ERROR:
            self._logger.error(msg)
        elif record.levelno >= logging.WARNING:
            self._logger.warning(msg)
        else:
            self._logger.info(msg)


class BridgeNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("bridge_node", **kwargs)
        for name, (default, text, value_range) in PARAMETERS.items():
            declare(self, name, default, text, value_range, read_only=name not in _RUNTIME)
        self._bad = BadInputLog(self.get_logger().warning)
        self._log_handler = _RosLogHandler(self)
        core_log = logging.getLogger("gesture_ros.bridge")
        core_log.addHandler(self._log_handler)
        core_log.setLevel(logging.INFO)
        core_log.propagate = False
        self.service = BridgeService(self._config(), on_control=self._on_control)
        self.armed_pub = self.create_publisher(Bool, "dispatch/armed", EVENT_QOS)
        self.model_pub = self.create_publisher(String, "classifier/model", EVENT_QOS)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self._events = self.create_subscription(GestureEvent, "gesture/events", self._on_event, EVENT_QOS)
        self._drain = True
        self.diagnostics = DiagnosticsPublisher(self, self._report, self.p("diagnostics_period_s"),
                                                hardware_id=self.service.cfg.sender.layout.device)
        self.service.start()

    def p(self, name: str):
        return self.get_parameter(name).value

    def _limits(self, values: dict[str, object]) -> OutboxLimits:
        try:
            policy = FullPolicy(values["outbox_full_policy"])
        except ValueError:
            raise BridgeSetupError(f"outbox_full_policy '{values['outbox_full_policy']}' is not one of "
                                   f"{[p.value for p in FullPolicy]}") from None
        return OutboxLimits(int(values["outbox_max_events"]), float(values["outbox_max_age_s"]), policy)

    def _config(self) -> BridgeConfig:
        device = self.p("device_id") or socket.gethostname()
        try:
            version = MqttVersion(self.p("mqtt_version"))
            durability = Durability(self.p("outbox_durability"))
            layout = TopicLayout(self.p("venue"), device, self.p("events_topic"), self.p("status_topic"),
                                 self.p("control_topic"))
            tls = None
            if self.p("tls_ca_file"):
                tls = TlsFiles(self.p("tls_ca_file"), self.p("tls_cert_file"), self.p("tls_key_file"))
                tls_context(tls)  # fail now, with the file's name, rather than at each reconnect
            elif self.p("tls_cert_file") or self.p("tls_key_file"):
                raise BridgeSetupError("tls_cert_file/tls_key_file are set but tls_ca_file is empty: set "
                                       "tls_ca_file to use TLS (the bridge never falls back to plain MQTT)")
            credentials = load_credentials(self.p("credentials_file"))
        except (ValueError, ConnectionConfigError, CredentialsError) as exc:
            raise BridgeSetupError(str(exc)) from None
        host, opt_in = self.p("broker_host"), self.p("allow_plaintext_credentials_to")
        refusal = cleartext_refusal(credentials, tls is not None, host, self.p("broker_port"), opt_in)
        if refusal:
            raise BridgeSetupError(refusal)
        if credentials is not None and tls is None:
            self.get_logger().warning(f"credentials from {credentials.origin} go to broker {host} in cleartext "
                                      "(allow_plaintext_credentials_to)")
        if self.p("reconnect_min_s") > self.p("reconnect_max_s"):
            raise BridgeSetupError("reconnect_min_s must not exceed reconnect_max_s")
        control_topic = layout.control_topic()
        control = None if control_topic is None else ControlPolicy(
            control_topic, self.p("control_max_bytes"),
            tuple(m.strip() for m in self.p("control_models").split(",") if m.strip()))
        broker = BrokerConfig(self.p("broker_host"), self.p("broker_port"), version, tls, credentials,
                              self.p("keepalive_s"), self.p("session_expiry_s"))
        sender = SenderConfig(broker, layout, self.p("client_id") or f"gesture_ros-{device}",
                              self.p("inflight"), self.p("max_packet_bytes"), self.p("reconnect_min_s"),
                              self.p("reconnect_max_s"), self.p("heartbeat_s"), control=control)
        limits = self._limits({n: self.p(n) for n in _RUNTIME})
        return BridgeConfig(sender, os.path.expanduser(self.p("outbox_path")), limits, durability,
                            self.p("max_payload_bytes"))

    def _on_set_parameters(self, params: list[rclpy.parameter.Parameter]) -> SetParametersResult:
        values = {n: self.p(n) for n in _RUNTIME}
        values.update({p.name: p.value for p in params if p.name in _RUNTIME})
        try:
            limits = self._limits(values)
        except BridgeSetupError as exc:
            return SetParametersResult(successful=False, reason=str(exc))
        self.service.outbox.set_limits(limits)
        return SetParametersResult(successful=True)

    def _on_event(self, msg: GestureEvent) -> None:
        self._accept(msg)
        # Take what else is already queued: one executor wake-up per burst rather than per event,
        # since the wait-set executor's own cost per wake-up is several times the event's.
        for _ in range(EVENT_QOS.depth):
            msg = self._take()
            if msg is None:
                return
            self._accept(msg)

    def _take(self) -> GestureEvent | None:
        """Take one more queued event, as the executor would, or None."""
        if not self._drain:
            return None
        sub = self._events
        try:
            with sub.handle:
                taken = sub.handle.take_message(sub.msg_type, sub.raw)
        except (AttributeError, TypeError) as exc:  # an rclpy without this internal call
            self.get_logger().info(f"taking queued events in bursts is not possible here ({exc}); one by one")
            self._drain = False
            return None
        except Exception as exc:  # noqa: BLE001 (a message that cannot be taken: the executor takes the rest)
            self._bad("take", f"taking a queued event failed: {type(exc).__name__}: {bounded(exc)}")
            return None
        return None if taken is None else taken[0]

    def _accept(self, msg: GestureEvent) -> None:
        try:
            try:
                event = event_from_msg(msg)
            except ValueError:
                self._bad("event type", f"event {bounded(msg.event_id, 40)} from '{bounded(msg.source_id, 40)}' "
                                        f"refused: event_type {msg.event_type} is not TRIGGER, START or END")
                return
            self.service.accept(event)
        except Exception as exc:  # noqa: BLE001 (one bad event must not end the bridge)
            self._bad("internal", f"event {bounded(msg.event_id, 40)} could not be accepted: "
                                  f"{type(exc).__name__}: {bounded(exc)}")

    def _on_control(self, command: ControlCommand) -> None:
        """Turn a validated control message into a ROS command (called on the MQTT thread)."""
        if command.command is Command.SWITCH_MODEL:
            self.model_pub.publish(String(data=command.model))
        else:
            self.armed_pub.publish(Bool(data=command.command is Command.ARM))

    def _report(self) -> tuple[int, str, dict[str, Value]]:
        s = self.service.status()
        figures: dict[str, Value] = {
            "state": s.state.value, "broker": self.service.cfg.sender.broker.address,
            "outbox depth": s.outbox_depth, "oldest age s": s.oldest_age_s, "writer pending": s.writer_pending,
            "received": s.received, "accepted": s.accepted, "delivered": s.delivered,
            "sent per s": s.sent_per_s, "inflight": s.inflight, "retries": s.retries, "resent": s.resent,
            "pid": os.getpid(), "last error": s.last_error}
        figures.update({f"refused {k}": v for k, v in s.refusals.items()})
        figures.update(self._bad.figures("refused:"))
        if s.state in (LinkState.REFUSED, LinkState.TLS_ERROR):
            return ERROR, s.last_error, figures
        lost = s.refusals["outbox_full"] + s.refusals["dropped_oldest"] + s.refusals["dropped_expired"]
        if s.state is not LinkState.CONNECTED:
            return WARN, f"{s.state.value}: {s.outbox_depth} event(s) wait in the outbox; {s.last_error}", figures
        if lost or s.refusals["publish_refused"]:
            return WARN, f"connected; {lost} event(s) rejected or dropped by the outbox bounds, " \
                         f"{s.refusals['publish_refused']} publish(es) refused by the broker", figures
        return OK, f"connected: {s.outbox_depth} waiting, {s.sent_per_s:.0f} events/s sent", figures

    def close(self) -> None:
        self.service.stop()
        logging.getLogger("gesture_ros.bridge").removeHandler(self._log_handler)


def main(args: list[str] | None = None) -> None:
    run_node(BridgeNode, args, startup_errors=(BridgeSetupError, OutboxError))


if __name__ == "__main__":
    main()
