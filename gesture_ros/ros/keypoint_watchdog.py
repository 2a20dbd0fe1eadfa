"""The keypoint watchdog: ends held gestures of sources whose keypoints stopped.

It runs on a steady-clock timer: with use_sim_time a ROS-time timer would stop with a
replay's /clock, and the held gesture would never end.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rclpy.clock import Clock, ClockType
from rclpy.node import Node

from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.safe_text import bounded

# expire(steady now s, node clock now ns) -> the END events it published
Expire = Callable[[float, int], list[GestureEventData]]


def watchdog_period(timeout_s: float) -> float:
    """Return how often to look: a quarter of the timeout, within 0.02..0.25 s (0.25 s when off)."""
    return min(max(timeout_s / 4.0, 0.02), 0.25) if timeout_s > 0 else 0.25


class KeypointWatchdog:
    """Call ``expire`` on a steady clock and say which held gestures it ended."""

    def __init__(self, node: Node, timeout_s: float, expire: Expire, warn: LogThrottle) -> None:
        self._node, self._timeout_s, self._expire, self._warn = node, timeout_s, expire, warn
        self.timer = node.create_timer(watchdog_period(timeout_s), self._check,
                                       clock=Clock(clock_type=ClockType.STEADY_TIME))

    def _check(self) -> None:
        try:
            for ev in self._expire(time.monotonic(), self._node.get_clock().now().nanoseconds):
                self._node.get_logger().warning(f"keypoint watchdog: no keypoints from '{ev.source_id}' for "
                                                f"{self._timeout_s:g} s: {ev.gesture} ended")
        except Exception as exc:  # noqa: BLE001
            self._warn(f"keypoint watchdog failed: {type(exc).__name__}: {bounded(exc)}", key="watchdog")
