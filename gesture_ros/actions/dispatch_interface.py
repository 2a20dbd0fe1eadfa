"""action_dispatch_node on the ROS graph: its parameters (dispatch_params), topics and service, as data for
docs/reference.md."""

from __future__ import annotations

from gesture_ros.actions.dispatch_params import PARAMS, READ_ONLY
from gesture_ros.common.node_interface import DIAGNOSTICS, NodeInterface, ServiceSpec, TopicSpec

DISPATCH = NodeInterface(
    node="action_dispatch_node",
    source="nodes/action_dispatch_node.py",
    summary="Runs the action map's OSC, HTTP, mpv, ROS and log actions for gesture events, behind safety "
            "limits (arming, event age, rate limit, hold timeout).",
    params=PARAMS,
    read_only=READ_ONLY,
    publishes=(
        TopicSpec("actions/log", "gesture_ros/msg/ActionRecord", "EVENT_QOS", "One record per action run, "
                  "refused or failed"),
        DIAGNOSTICS,
    ),
    subscribes=(
        TopicSpec("gesture/events", "gesture_ros/msg/GestureEvent", "EVENT_QOS", "Events to act on"),
        TopicSpec("gesture/scores", "gesture_ros/msg/GestureScores", "EVENT_QOS", "Keeps held gestures' holds "
                  "alive", when="the map has repeat_hz or max_hold_s actions"),
        TopicSpec("dispatch/armed", "std_msgs/msg/Bool", "EVENT_QOS", "Arm (true) or disarm (false)"),
        TopicSpec("dispatch/disarm", "std_msgs/msg/Empty", "EVENT_QOS", "Disarm only (the venue bridge's)"),
    ),
    services=(
        ServiceSpec("dispatch/set_armed", "std_srvs/srv/SetBool", "Arm or disarm; the answer says the state"),
    ),
    notes=("ROS actions of the map add a publisher per target topic and a std_srvs/srv/Trigger client per "
           "target service (ros/ros_action_executor.py).",),
)
