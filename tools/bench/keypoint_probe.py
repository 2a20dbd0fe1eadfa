"""A subscriber that times image_raw and keypoints by stamp (benchmarks, checks)."""

from __future__ import annotations

import time

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from gesture_ros.msg import Keypoints
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image

from gesture_ros.ros.conversions import stamp_to_ns

# Best effort like the publishers, deep so that a busy probe loses nothing.
PROBE_QOS = QoSProfile(depth=300, reliability=ReliabilityPolicy.BEST_EFFORT)


class KeypointProbe:
    """Record when each image and keypoints message (by stamp) arrived, and the last diagnostics."""

    def __init__(self, context: rclpy.context.Context | None = None, name: str = "keypoint_probe",
                 images: bool = True) -> None:
        """Subscribe keypoints and /diagnostics, and image_raw unless ``images`` is False (it costs CPU)."""
        self.node = rclpy.create_node(name, context=context)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)
        self.image_at: dict[int, float] = {}
        self.keypoints_at: dict[int, tuple[float, bool]] = {}  # stamp -> (arrival, hand present)
        self.diagnostics: dict[str, dict[str, str]] = {}
        if images:
            self.node.create_subscription(Image, "image_raw", self._on_image, PROBE_QOS)
        self.node.create_subscription(Keypoints, "keypoints", self._on_keypoints, PROBE_QOS)
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, 50)

    def _on_image(self, msg: Image) -> None:
        self.image_at.setdefault(stamp_to_ns(msg.header.stamp), time.perf_counter())

    def _on_keypoints(self, msg: Keypoints) -> None:
        present = bool(msg.left_hand or msg.right_hand or msg.pose)
        self.keypoints_at.setdefault(stamp_to_ns(msg.header.stamp), (time.perf_counter(), present))

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            self.diagnostics[status.name.lstrip("/")] = {kv.key: kv.value for kv in status.values}

    def spin_for(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.executor.spin_once(timeout_sec=min(0.05, max(end - time.monotonic(), 0.0)))

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
