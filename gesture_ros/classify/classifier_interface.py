"""classifier_node on the ROS graph: its parameters (classify/params) and topics, as data for docs/reference.md."""

from __future__ import annotations

from gesture_ros.classify.params import LABEL_MAPS, PARAMS, READ_ONLY
from gesture_ros.common.node_interface import (
    DIAGNOSTICS,
    LIFECYCLE_SERVICES,
    TRANSITION_EVENT,
    LabelMapRow,
    NodeInterface,
    TopicSpec,
)
from gesture_ros.common.node_params import MANAGED_PARAMS, ParamSpec

# Declared by the node itself, beside the table (REP-155 output is optional: hri_msgs may be missing).
HRI_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("hri_output", False, "Also publish ROS4HRI (REP-155) humans/bodies/tracked and "
              "humans/bodies/<id>/gesture (hri_msgs); read at start", read_only=True),
)
HRI = "hri_output and hri_msgs installed"

CLASSIFIER = NodeInterface(
    node="classifier_node",
    source="nodes/classifier_node.py",
    summary="Decides gestures from the keypoints stream with an ONNX model; events with hysteresis, cooldowns "
            "and a keypoint watchdog.",
    params=PARAMS + HRI_PARAMS + MANAGED_PARAMS,
    read_only=READ_ONLY,
    label_maps=tuple(LabelMapRow(f"{m.name}.<gesture>", m.description, m.range) for m in LABEL_MAPS),
    publishes=(
        TopicSpec("gesture/events", "gesture_ros/msg/GestureEvent", "EVENT_QOS", "START, END and TRIGGER events"),
        TopicSpec("gesture/scores", "gesture_ros/msg/GestureScores", "EVENT_QOS", "Per-class probabilities of "
                  "each window (while publish_scores)"),
        TopicSpec("gesture/markers", "visualization_msgs/msg/MarkerArray", "EVENT_QOS", "Each event as a text "
                  "label above the hand, only while someone subscribes"),
        TopicSpec("humans/bodies/tracked", "hri_msgs/msg/IdsList", "10", "Bodies of the latest frame (REP-155)",
                  when=HRI),
        TopicSpec("humans/bodies/<body>/gesture", "hri_msgs/msg/Gesture", "10", "START and TRIGGER of a body's "
                  "gestures (REP-155); body id b<person_id>", when=HRI),
        DIAGNOSTICS,
        TRANSITION_EVENT,
    ),
    subscribes=(
        TopicSpec("keypoints", "gesture_ros/msg/Keypoints", "KEYPOINTS_IN_QOS", "keypoint_node's output"),
        TopicSpec("classifier/model", "std_msgs/msg/String", "10", "Switch to this model (a path inside "
                  "model_dirs); a bad one is refused and the current model kept"),
    ),
    notes=("Undeclared names are accepted only as label map keys: `ros2 param set /classifier_node "
           "thresholds.fist 0.9` adds one.",),
    services=LIFECYCLE_SERVICES,
)
