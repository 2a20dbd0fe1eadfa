"""recorder_node: keypoints, scores, events (and optionally images) to MCAP for retraining.

Messages are taken serialized (no decode/re-encode) and written by a thread of their own, so
file I/O never blocks the executor. Windows the classifier was unsure about are appended to
``<file>.candidates.csv`` for labelling; ``gesture from-mcap`` turns both into training data.
"""

from __future__ import annotations

import queue
import struct
import threading
import time
from datetime import datetime
from pathlib import Path

from rcl_interfaces.msg import SetParametersResult
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.serialization import deserialize_message
from sensor_msgs.msg import CameraInfo, Image

from gesture_ros.classify.low_confidence import (
    UncertaintyConfig,
    UncertainWindows,
    append_candidates,
)
from gesture_ros.common.bad_input import BadInputLog
from gesture_ros.common.safe_text import bounded
from gesture_ros.msg import ActionRecord, GestureEvent, GestureScores, Keypoints
from gesture_ros.ros.diagnostics import OK, WARN, DiagnosticsPublisher
from gesture_ros.ros.mcap_writer import McapRosWriter
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.params import declare
from gesture_ros.ros.qos import EVENT_QOS, RECORDER_SENSOR_QOS

# topic -> (message class, type name, QoS, may be dropped under overload)
TOPICS = {
    "keypoints": (Keypoints, "gesture_ros/msg/Keypoints", RECORDER_SENSOR_QOS, True),
    "gesture/scores": (GestureScores, "gesture_ros/msg/GestureScores", EVENT_QOS, True),
    "gesture/events": (GestureEvent, "gesture_ros/msg/GestureEvent", EVENT_QOS, False),
    "actions/log": (ActionRecord, "gesture_ros/msg/ActionRecord", EVENT_QOS, False),
}
IMAGE_TOPIC = ("image_raw", (Image, "sensor_msgs/msg/Image", RECORDER_SENSOR_QOS, True))
CAMERA_INFO_TOPIC = ("camera_info", (CameraInfo, "sensor_msgs/msg/CameraInfo", RECORDER_SENSOR_QOS, True))
_STOP = object()


def header_stamp_ns(cdr: bytes) -> int:
    """Read header.stamp of a serialized message whose first field is a std_msgs/Header."""
    if len(cdr) < 12 or cdr[1] not in (0, 1):  # plain CDR, big or little endian
        return 0
    sec, nanosec = struct.unpack_from("<iI" if cdr[1] == 1 else ">iI", cdr, 4)
    return sec * 1_000_000_000 + nanosec


class RecorderNode(Node):
    """Record the gesture topics to one MCAP file per run."""

    def __init__(self, **kwargs) -> None:
        super().__init__("recorder_node", **kwargs)
        out_dir = declare(self, "output_dir", "recordings", "Folder for MCAP files (created if missing)",
                          read_only=True)
        prefix = declare(self, "file_prefix", "gesture", "File name prefix: PREFIX_YYYYmmdd-HHMMSS.mcap",
                         read_only=True)
        record_images = declare(self, "record_images", False, "Also record image_raw and camera_info (large; replayable "
                                "into keypoint_node)", read_only=True)
        compression = declare(self, "compression", "zstd", "Chunk compression: none, lz4 or zstd",
                              read_only=True)
        self._flush_period_s = declare(self, "flush_period_s", 1.0, "Longest time written messages wait in "
                                       "memory before their chunk goes to disk (fsync): what kill -9 or a "
                                       "power cut can lose", (0.05, 60.0), read_only=True)
        chunk_kib = declare(self, "chunk_kib", 1024, "Largest MCAP chunk in KiB (a chunk also ends at every "
                            "flush)", (16, 65536), read_only=True)
        self._max_queue = declare(self, "max_queue", 2000, "Messages waiting for the writer before "
                                  "keypoints/scores/images are dropped (events never are)", (10, 1_000_000))
        self._low_enabled = declare(self, "low_confidence.enabled", True,
                                    "Append unsure windows to <file>.candidates.csv for labelling")
        low = UncertaintyConfig(
            low=declare(self, "low_confidence.low", 0.35, "Unsure from this best probability", (0.0, 1.0)),
            high=declare(self, "low_confidence.high", 0.7, "Sure from this best probability", (0.0, 1.0)),
            reject_labels=declare(self, "low_confidence.reject_labels", ["none"],
                                  "Labels that never count as a guess"),
            merge_gap_ns=int(1e9 * declare(self, "low_confidence.merge_gap_s", 0.5,
                                           "Merge unsure windows closer than this", (0.0, 60.0))))
        self._uncertain = UncertainWindows(low)
        self.add_on_set_parameters_callback(self._on_set)

        if compression not in ("none", "lz4", "zstd"):
            self.get_logger().error(f"compression '{compression}' is not none, lz4 or zstd; using zstd")
            compression = "zstd"
        name = f"{prefix}_{datetime.now().strftime('%Y%m%d-%H%M%S')}"
        self.path = Path(out_dir).expanduser() / f"{name}.mcap"
        self.candidates_path = self.path.with_suffix(".candidates.csv")
        self._writer = McapRosWriter(self.path, compression=compression, chunk_size=chunk_kib * 1024)
        self._queue: queue.Queue = queue.Queue()
        self.dropped = 0
        self.write_errors = 0
        self._bad = BadInputLog(self.get_logger().warning)
        topics = dict(TOPICS, **dict([IMAGE_TOPIC, CAMERA_INFO_TOPIC])) if record_images else TOPICS
        group = MutuallyExclusiveCallbackGroup()
        self._subs = []
        for topic, (msg_type, type_name, qos, droppable) in topics.items():
            self._writer.add_topic(self.resolve_topic_name(topic), type_name)
            self._subs.append(self.create_subscription(
                msg_type, topic, lambda data, t=topic, d=droppable: self._on_message(t, data, d), qos,
                raw=True, callback_group=group))
        self._thread = threading.Thread(target=self._write_loop, name="mcap-writer", daemon=True)
        self._thread.start()
        self._diagnostics = DiagnosticsPublisher(self, self._report)
        self.get_logger().info(f"recording {sorted(topics)} to {self.path}")

    def _on_set(self, params) -> SetParametersResult:
        for p in params:
            if p.name == "max_queue" and p.type_ == Parameter.Type.INTEGER:
                self._max_queue = p.value
        return SetParametersResult(successful=True)

    def _on_message(self, topic: str, data: bytes, droppable: bool) -> None:
        try:
            self._take(topic, data, droppable)
        except Exception as exc:  # noqa: BLE001 (one odd message must not end the recording)
            self._bad(topic, f"a message on {topic} could not be recorded: {type(exc).__name__}: {bounded(exc)}")

    def _take(self, topic: str, data: bytes, droppable: bool) -> None:
        if droppable and self._queue.qsize() >= self._max_queue:
            self.dropped += 1
            return
        stamp = header_stamp_ns(data)
        self._queue.put((self.resolve_topic_name(topic), data, time.time_ns(), stamp))
        if topic == "gesture/scores" and self._low_enabled:
            scores = deserialize_message(data, GestureScores)
            done = self._uncertain.add(stamp, scores.labels, scores.probabilities,
                                       scores.window_fill, scores.window_length)
            if done:
                self._queue.put(("", done, 0, 0))

    def _write_loop(self) -> None:
        next_flush = time.monotonic() + self._flush_period_s
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, next_flush - time.monotonic()))
            except queue.Empty:
                item = None
            if time.monotonic() >= next_flush:
                next_flush = time.monotonic() + self._flush_period_s
                if self._writer.unflushed:
                    try:
                        self._writer.flush()
                    except (OSError, ValueError) as exc:
                        self.write_errors += 1
                        self.get_logger().error(f"cannot flush {self.path}: {exc}", throttle_duration_sec=5.0)
            if item is None:
                continue
            if item is _STOP:
                return
            topic, data, log_ns, stamp_ns = item
            try:
                if topic:
                    self._writer.write(topic, data, log_ns, stamp_ns or log_ns)
                else:
                    append_candidates(self.candidates_path, [data])
            except (OSError, ValueError) as exc:
                self.write_errors += 1
                self.get_logger().error(f"cannot write to {self.path}: {exc}", throttle_duration_sec=5.0)

    def _report(self):
        figures = {f"messages {t}": n for t, n in self._writer.counts.items()}
        figures.update({"file": str(self.path), "MB written": self._writer.bytes_written / 1e6,
                        "queue": self._queue.qsize(), "dropped": self.dropped,
                        "unsure windows": len(self._uncertain.closed), "write errors": self.write_errors,
                        **self._bad.figures("refused:")})
        bad = self.dropped or self.write_errors
        return (WARN if bad else OK), ("dropping or failing writes" if bad else "recording"), figures

    def close(self) -> None:
        """Flush the queue, add the open unsure range and finish the MCAP file."""
        if self._low_enabled:
            last = self._uncertain.finish()
            if last:
                self._queue.put(("", last, 0, 0))
        self._queue.put(_STOP)
        self._thread.join(timeout=30.0)
        self._writer.close()
        self.get_logger().info(f"wrote {sum(self._writer.counts.values())} messages to {self.path}")


def main(args: list | None = None) -> None:
    run_node(RecorderNode, args)
