"""Publish a node's figures on /diagnostics as one DiagnosticStatus."""

from __future__ import annotations

import math
from collections.abc import Callable

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.clock import Clock, ClockType
from rclpy.node import Node

Value = str | int | float | bool
# A report returns (level, message, figures); level is DiagnosticStatus.OK/WARN/ERROR.
Report = Callable[[], tuple[int, str, dict[str, Value]]]

# The constants are bytes (msg type "byte"); reports use plain ints.
OK = DiagnosticStatus.OK[0]
WARN = DiagnosticStatus.WARN[0]
ERROR = DiagnosticStatus.ERROR[0]


def _text(value: Value) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.3f}"
    return str(value)


class DiagnosticsPublisher:
    """Call ``report`` every ``period_s`` and publish it on /diagnostics.

    The period runs on a steady clock, not the node's: under ``use_sim_time`` a replay's
    /clock stops at the end of the recording (or pauses), and diagnostics must keep coming.
    """

    def __init__(self, node: Node, report: Report, period_s: float = 1.0, hardware_id: str = "") -> None:
        self._node = node
        self._report = report
        self._hardware_id = hardware_id
        self._pub = node.create_publisher(DiagnosticArray, "/diagnostics", 10)
        # Steady clock: diagnostics keep coming when a replay's /clock (use_sim_time) stops.
        self.timer = node.create_timer(period_s, self.publish, clock=Clock(clock_type=ClockType.STEADY_TIME))

    def publish(self) -> None:
        try:
            level, message, figures = self._report()
        except Exception as exc:  # a broken report must not take the node down
            level, message, figures = ERROR, f"diagnostics report failed: {exc!r}", {}
        status = DiagnosticStatus(
            level=bytes([level]),
            name=f"{self._node.get_fully_qualified_name()}",
            message=message,
            hardware_id=self._hardware_id,
            values=[KeyValue(key=k, value=_text(v)) for k, v in figures.items()],
        )
        msg = DiagnosticArray(status=[status])
        msg.header.stamp = self._node.get_clock().now().to_msg()
        self._pub.publish(msg)
