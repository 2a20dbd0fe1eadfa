"""recorder_node on the ROS graph: its parameters and topics, as data for docs/reference.md.

The node declares its parameters one by one; RECORDER_PARAMS mirrors them and
test/unit/test_reference.py compares the two, so they cannot drift apart.
"""

from __future__ import annotations

from gesture_ros.common.node_interface import DIAGNOSTICS, NodeInterface, TopicSpec
from gesture_ros.common.node_params import ParamSpec

RECORDER_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("output_dir", "recordings", "Folder for MCAP files (created if missing)", read_only=True),
    ParamSpec("file_prefix", "gesture", "File name prefix: PREFIX_YYYYmmdd-HHMMSS.mcap", read_only=True),
    ParamSpec("record_images", False, "Also record image_raw and camera_info (large; replayable "
              "into keypoint_node)", read_only=True),
    ParamSpec("compression", "zstd", "Chunk compression: none, lz4 or zstd", read_only=True),
    ParamSpec("flush_period_s", 1.0, "Longest time written messages wait in memory before their chunk goes to "
              "disk (fsync): what kill -9 or a power cut can lose", (0.05, 60.0), read_only=True),
    ParamSpec("chunk_kib", 1024, "Largest MCAP chunk in KiB (a chunk also ends at every flush)", (16, 65536),
              read_only=True),
    ParamSpec("max_queue", 2000, "Messages waiting for the writer before keypoints/scores/images are dropped "
              "(events never are)", (10, 1_000_000)),
    ParamSpec("low_confidence.enabled", True, "Append unsure windows to <file>.candidates.csv for labelling"),
    ParamSpec("low_confidence.low", 0.35, "Unsure from this best probability", (0.0, 1.0)),
    ParamSpec("low_confidence.high", 0.7, "Sure from this best probability", (0.0, 1.0)),
    ParamSpec("low_confidence.reject_labels", ["none"], "Labels that never count as a guess", string_array=True),
    ParamSpec("low_confidence.merge_gap_s", 0.5, "Merge unsure windows closer than this", (0.0, 60.0)),
)

RECORDER = NodeInterface(
    node="recorder_node",
    source="nodes/recorder_node.py",
    summary="Records keypoints, scores, events and action records (and optionally images) to one MCAP file per "
            "run, serialized as received; unsure windows go to <file>.candidates.csv for labelling.",
    params=RECORDER_PARAMS,
    publishes=(DIAGNOSTICS,),
    subscribes=(
        TopicSpec("keypoints", "gesture_ros/msg/Keypoints", "RECORDER_SENSOR_QOS", "Recorded; dropped first "
                  "under overload"),
        TopicSpec("gesture/scores", "gesture_ros/msg/GestureScores", "EVENT_QOS", "Recorded; finds unsure "
                  "windows; may be dropped under overload"),
        TopicSpec("gesture/events", "gesture_ros/msg/GestureEvent", "EVENT_QOS", "Recorded, never dropped"),
        TopicSpec("actions/log", "gesture_ros/msg/ActionRecord", "EVENT_QOS", "Recorded, never dropped"),
        TopicSpec("image_raw", "sensor_msgs/msg/Image", "RECORDER_SENSOR_QOS", "Recorded; may be dropped under "
                  "overload", when="record_images"),
        TopicSpec("camera_info", "sensor_msgs/msg/CameraInfo", "RECORDER_SENSOR_QOS", "Recorded; may be dropped "
                  "under overload", when="record_images"),
    ),
)
