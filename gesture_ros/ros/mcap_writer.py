"""Write serialized ROS 2 messages to MCAP the way rosbag2 does (ros2msg schemas, CDR).

Messages arrive already serialized (rclpy ``raw=True`` subscriptions), so nothing is
re-encoded; each channel's schema is the full concatenated message definition, which is what
rosbag2, Foxglove and ``mcap_ros2.decoder`` need to decode them.

``flush`` ends the chunk in progress and writes it through to the disk: a recording cut by
kill -9 or a power loss keeps every chunk flushed before, and ``gesture from-mcap`` reads such
a file (no summary) up to its last whole chunk. The recorder flushes at least once a second.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mcap.well_known import MessageEncoding, SchemaEncoding
from mcap.writer import CompressionType, Writer

from gesture_ros.ros.msgdef import full_definition, normalise, share_from_env

PROFILE = "ros2"


class McapRosWriter:
    """One MCAP file; register topics, then add serialized messages in any order."""

    def __init__(self, path: Path, share: Callable[[str], Path | None] = share_from_env,
                 compression: str = "zstd", chunk_size: int = 1024 * 1024) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._share = share
        self._stream = open(self.path, "wb")  # noqa: SIM115
        self._writer = Writer(self._stream, compression=CompressionType[compression.upper()], chunk_size=chunk_size)
        self._writer.start(profile=PROFILE, library="gesture_ros recorder_node")
        self.unflushed = 0  # messages written since the last flush
        self._schemas: dict[str, int] = {}
        self._channels: dict[str, int] = {}
        self._sequence: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.bytes_written = 0

    def add_topic(self, topic: str, type_name: str, qos_yaml: str = "") -> None:
        """Register a channel for ``topic`` carrying ``type_name`` (e.g. gesture_ros/msg/Keypoints)."""
        type_name = normalise(type_name)
        if type_name not in self._schemas:
            definition = full_definition(type_name, self._share)
            self._schemas[type_name] = self._writer.register_schema(
                name=type_name, encoding=SchemaEncoding.ROS2, data=definition.encode())
        metadata = {"offered_qos_profiles": qos_yaml} if qos_yaml else {}
        self._channels[topic] = self._writer.register_channel(
            topic=topic, message_encoding=MessageEncoding.CDR, schema_id=self._schemas[type_name],
            metadata=metadata)
        self._sequence[topic] = 0
        self.counts[topic] = 0

    def write(self, topic: str, data: bytes, log_time_ns: int, publish_time_ns: int) -> None:
        """Add one serialized message; log time = receipt, publish time = its header stamp."""
        self._writer.add_message(channel_id=self._channels[topic], log_time=log_time_ns, data=data,
                                 publish_time=publish_time_ns, sequence=self._sequence[topic])
        self._sequence[topic] += 1
        self.counts[topic] += 1
        self.bytes_written += len(data)
        self.unflushed += 1

    def flush(self, sync: bool = True) -> None:
        """End the chunk in progress, write it out and (``sync``) fsync: what was written survives a kill."""
        self._writer.flush()  # mcap >= 1.6: finishes the chunk and flushes the stream
        if sync:
            os.fsync(self._stream.fileno())
        self.unflushed = 0

    def add_metadata(self, name: str, data: dict[str, str]) -> None:
        self._writer.add_metadata(name=name, data=data)

    def close(self) -> None:
        """Write the summary and index, then close the file (an MCAP without them is still
        readable from the start, but not seekable)."""
        try:
            self._writer.finish()
        finally:
            self._stream.close()
