"""camera_node's /clock: the replay's time (perception/replay_clock.py) for nodes run with use_sim_time.

Sent by the capture thread (a frame's stamp before the frame) and by a steady-clock timer between frames.
"""

from __future__ import annotations

import threading

from rclpy.clock import Clock, ClockType
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock as ClockMsg

from gesture_ros.perception.replay_clock import ReplayClock
from gesture_ros.ros.conversions import ns_to_stamp

CLOCK_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)  # as rclpy's TimeSource subscribes


class ClockOutput:
    """Publish /clock, never backwards."""

    def __init__(self, node: Node) -> None:
        self._node = node
        self.clock_pub = node.create_publisher(ClockMsg, "/clock", CLOCK_QOS)
        self._lock = threading.Lock()
        self._sent = 0
        self._timer = None

    def send(self, stamp_ns: int) -> None:
        with self._lock:  # the capture thread and the timer both send: keep /clock in order
            if stamp_ns > self._sent:
                self.clock_pub.publish(ClockMsg(clock=ns_to_stamp(stamp_ns)))
                self._sent = stamp_ns

    def start(self, replay_clock: ReplayClock, rate_hz: float) -> None:
        """Send ``replay_clock``'s time ``rate_hz`` times a second (a steady timer: it runs under use_sim_time)."""
        def tick() -> None:
            now = replay_clock.now_ns()
            if now is not None:
                self.send(now)
        self._timer = self._node.create_timer(1.0 / rate_hz, tick, clock=Clock(clock_type=ClockType.STEADY_TIME))

    def stop(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            self._node.destroy_timer(timer)
