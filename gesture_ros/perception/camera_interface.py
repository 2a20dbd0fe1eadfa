"""camera_node on the ROS graph: its parameters (camera_params) and topics, as data for docs/reference.md."""

from __future__ import annotations

from gesture_ros.common.node_interface import (
    DIAGNOSTICS,
    LIFECYCLE_SERVICES,
    TRANSITION_EVENT,
    NodeInterface,
    TopicSpec,
)
from gesture_ros.common.node_params import MANAGED_PARAMS
from gesture_ros.perception.camera_params import CAMERA_PARAMS

CAMERA = NodeInterface(
    node="camera_node",
    source="nodes/camera_node.py",
    summary="Reads a device, GStreamer pipeline, video file or image folder and publishes its frames, stamped "
            "at capture.",
    params=CAMERA_PARAMS + MANAGED_PARAMS,
    publishes=(
        TopicSpec("image_raw", "sensor_msgs/msg/Image", "SENSOR_QOS", "Frames, bgr8", when="transport raw or both"),
        TopicSpec("image_raw/compressed", "sensor_msgs/msg/CompressedImage", "SENSOR_QOS", "Frames as JPEG "
                  "(jpeg_quality), the same stamps as image_raw", when="transport compressed or both"),
        TopicSpec("camera_info", "sensor_msgs/msg/CameraInfo", "SENSOR_QOS", "Intrinsics of each frame "
                  "(camera_info_url, else a pinhole model), the frame's header"),
        TopicSpec("/clock", "rosgraph_msgs/msg/Clock", "CLOCK_QOS", "The replay's time, for nodes run with "
                  "use_sim_time", when="publish_clock and a recorded source"),
        DIAGNOSTICS,
        TRANSITION_EVENT,
    ),
    subscribes=(
        TopicSpec("<consumer_topic>", "<consumer_type>", "SENSOR_QOS", "Header stamps acknowledge frames "
                  "(pace as_fast_as_consumed); default keypoints, gesture_ros/msg/Keypoints"),
    ),
    services=LIFECYCLE_SERVICES,
)
