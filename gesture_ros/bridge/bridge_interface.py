"""bridge_node on the ROS graph: its parameters (bridge_params) and topics, as data for docs/reference.md."""

from __future__ import annotations

from gesture_ros.bridge.bridge_params import PARAM_NAMES, PARAMS, RUNTIME
from gesture_ros.common.node_interface import DIAGNOSTICS, NodeInterface, TopicSpec

BRIDGE = NodeInterface(
    node="bridge_node",
    source="nodes/bridge_node.py",
    summary="Sends every gesture event to the venue over MQTT, at least once, through a durable SQLite outbox; "
            "takes the venue's control messages when allowed.",
    params=PARAMS,
    read_only=frozenset(PARAM_NAMES) - RUNTIME,
    publishes=(
        TopicSpec("dispatch/disarm", "std_msgs/msg/Empty", "EVENT_QOS", "On a venue disarm control message "
                  "(control_topic)"),
        TopicSpec("dispatch/armed", "std_msgs/msg/Bool", "EVENT_QOS", "On a venue arm control message",
                  when="control_topic set and allow_remote_arm"),
        TopicSpec("classifier/model", "std_msgs/msg/String", "EVENT_QOS", "On a venue switch_model control message "
                  "(a model of control_models)"),
        DIAGNOSTICS,
    ),
    subscribes=(
        TopicSpec("gesture/events", "gesture_ros/msg/GestureEvent", "EVENT_QOS", "Events to send"),
    ),
)
