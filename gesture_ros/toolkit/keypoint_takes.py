"""Record takes from a live ``keypoints`` topic for ``gesture record --topic`` (thin rclpy adapter)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node

from gesture_ros.common.landmarks import KeypointError, KeypointFrame
from gesture_ros.msg import Keypoints
from gesture_ros.ros.conversions import msg_to_keypoints
from gesture_ros.ros.qos import SENSOR_QOS


class KeypointTakeNode(Node):
    """Collect KeypointFrames from ``topic`` while a take is open."""

    def __init__(self, topic: str = "keypoints", **kwargs) -> None:
        super().__init__("gesture_record", **kwargs)
        self._lock = threading.Lock()
        self._frames: list[KeypointFrame] | None = None
        self.received = 0
        self.create_subscription(Keypoints, topic, self._on_keypoints, SENSOR_QOS)

    def _on_keypoints(self, msg: Keypoints) -> None:
        self.received += 1
        try:
            frame = msg_to_keypoints(msg)
        except KeypointError as exc:
            self.get_logger().warning(f"keypoints message skipped: {exc}", throttle_duration_sec=5.0)
            return
        with self._lock:
            if self._frames is not None:
                self._frames.append(frame)

    def open(self) -> None:
        with self._lock:
            self._frames = []

    def close(self) -> list[KeypointFrame]:
        with self._lock:
            frames, self._frames = self._frames or [], None
        return frames


def record_takes(topic: str, takes: int, seconds: float, countdown: int, label: str,
                 args: list[str] | None = None) -> Iterator[list[KeypointFrame]]:
    """Yield the frames of each take; the executor spins in its own thread meanwhile."""
    context = rclpy.context.Context()
    rclpy.init(args=args, context=context)
    node = KeypointTakeNode(topic, context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    try:
        for take in range(1, takes + 1):
            for left in range(countdown, 0, -1):
                print(f"take {take}/{takes}: {label} in {left}", flush=True)
                time.sleep(1.0)
            print(f"RECORDING {label} from {node.resolve_topic_name(topic)}", flush=True)
            node.open()
            time.sleep(seconds)
            yield node.close()
        if node.received == 0:
            node.get_logger().warning(f"no message arrived on {node.resolve_topic_name(topic)}")
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown(context=context)
