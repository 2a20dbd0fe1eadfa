"""bridge_node: every accepted gesture event reaches the venue's MQTT broker, at least once.

Subscribes ``gesture/events``; the events go through the on-disk outbox and the MQTT sender
of gesture_ros.bridge. Admitted venue control messages (control_gate) become ``dispatch/disarm``
(Empty), ``dispatch/armed`` (Bool true, only with allow_remote_arm) and ``classifier/model``
(String). Publishes /diagnostics. Parameters: gesture_ros.bridge.bridge_params.
"""

from __future__ import annotations

import logging
import os
import socket

import rclpy
from rcl_interfaces.msg import SetParametersResult
from rclpy.node import Node
from std_msgs.msg import Bool, Empty, String

from gesture_ros.bridge.bridge_params import PARAMS, RUNTIME, BridgeSetupError, bridge_config, outbox_limits
from gesture_ros.bridge.control import Command, ControlCommand
from gesture_ros.bridge.outbox import OutboxError
from gesture_ros.bridge.service import BridgeService
from gesture_ros.bridge.session import LinkState
from gesture_ros.common.bad_input import BadInputLog
from gesture_ros.common.safe_text import bounded
from gesture_ros.msg import GestureEvent
from gesture_ros.ros.diagnostics import ERROR, OK, WARN, DiagnosticsPublisher, Value
from gesture_ros.ros.event_conversion import event_from_msg
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.params import declare_table
from gesture_ros.ros.qos import EVENT_QOS


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
        values = declare_table(self, PARAMS, read_only=[p.name for p in PARAMS if p.name not in RUNTIME])
        self._bad = BadInputLog(self.get_logger().warning)
        self._log_handler = _RosLogHandler(self)
        core_log = logging.getLogger("gesture_ros.bridge")
        core_log.addHandler(self._log_handler)
        core_log.setLevel(logging.INFO)
        core_log.propagate = False
        setup = bridge_config(values, socket.gethostname())
        for warning in setup.warnings:
            self.get_logger().warning(warning)
        self.service = BridgeService(setup.config, on_control=self._on_control)
        self.disarm_pub = self.create_publisher(Empty, "dispatch/disarm", EVENT_QOS)
        self.armed_pub = self.create_publisher(Bool, "dispatch/armed", EVENT_QOS) \
            if setup.config.sender.control is not None and setup.config.sender.control.allow_arm else None
        self.model_pub = self.create_publisher(String, "classifier/model", EVENT_QOS)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self._events = self.create_subscription(GestureEvent, "gesture/events", self._on_event, EVENT_QOS)
        self.diagnostics = DiagnosticsPublisher(self, self._report, self.p("diagnostics_period_s"),
                                                hardware_id=self.service.cfg.sender.layout.device)
        self.service.start()

    def p(self, name: str):
        return self.get_parameter(name).value

    def _on_set_parameters(self, params: list[rclpy.parameter.Parameter]) -> SetParametersResult:
        values = {n: self.p(n) for n in RUNTIME}
        values.update({p.name: p.value for p in params if p.name in RUNTIME})
        try:
            limits = outbox_limits(values)
        except BridgeSetupError as exc:
            return SetParametersResult(successful=False, reason=str(exc))
        self.service.outbox.set_limits(limits)
        return SetParametersResult(successful=True)

    def _on_event(self, msg: GestureEvent) -> None:
        self._accept(msg)

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
        elif command.command is Command.DISARM:
            self.disarm_pub.publish(Empty())
        elif self.armed_pub is not None:  # the gate refuses arm unless allow_remote_arm
            self.armed_pub.publish(Bool(data=True))

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
        if self.service.outbox.moved_aside is not None:
            figures["outbox moved aside"] = str(self.service.outbox.moved_aside)
        if s.state in (LinkState.REFUSED, LinkState.TLS_ERROR):
            return ERROR, s.last_error, figures
        lost = s.refusals["outbox_full"] + s.refusals["dropped_oldest"] + s.refusals["dropped_expired"]
        disk = s.refusals["disk_full"] + s.refusals["write_error"]
        if disk:
            return ERROR, f"{disk} event(s) refused: the outbox could not write ({s.refusals['disk_full']} for a " \
                          f"full disk); {s.last_error}", figures
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
