"""keypoint_node on the ROS graph: its parameters (keypoint_params) and topics, as data for docs/reference.md."""

from __future__ import annotations

from gesture_ros.common.node_interface import (
    DIAGNOSTICS,
    LIFECYCLE_SERVICES,
    TRANSITION_EVENT,
    NodeInterface,
    TopicSpec,
)
from gesture_ros.common.node_params import MANAGED_PARAMS
from gesture_ros.perception.keypoint_params import KEYPOINT_PARAMS

KEYPOINT = NodeInterface(
    node="keypoint_node",
    source="nodes/keypoint_node.py",
    summary="MediaPipe keypoints of the newest camera image (older ones are dropped and counted, never queued).",
    params=KEYPOINT_PARAMS + MANAGED_PARAMS,
    publishes=(
        TopicSpec("keypoints", "gesture_ros/msg/Keypoints", "SENSOR_QOS", "Hands, pose (and face) of each frame, "
                  "with the image's header; one message per tracked person when max_people > 1"),
        TopicSpec("keypoints/markers", "visualization_msgs/msg/MarkerArray", "SENSOR_QOS", "Skeleton for rviz, "
                  "only while someone subscribes"),
        TopicSpec("keypoints/image", "sensor_msgs/msg/Image", "SENSOR_QOS", "Annotated image, only while someone "
                  "subscribes"),
        TopicSpec("keypoints/image/compressed", "sensor_msgs/msg/CompressedImage", "SENSOR_QOS", "Annotated image "
                  "as JPEG, only while someone subscribes"),
        DIAGNOSTICS,
        TRANSITION_EVENT,
    ),
    subscribes=(
        TopicSpec("image_raw", "sensor_msgs/msg/Image", "SENSOR_QOS", "Camera frames (bgr8, rgb8, mono8 ...)",
                  when="image_transport raw"),
        TopicSpec("image_raw/compressed", "sensor_msgs/msg/CompressedImage", "SENSOR_QOS", "Camera frames as JPEG "
                  "or PNG, decoded once", when="image_transport compressed"),
    ),
    services=LIFECYCLE_SERVICES,
)
