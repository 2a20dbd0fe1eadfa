"""Run ROS actions from the map: publish String/Bool/Empty/Twist, call std_srvs/Trigger services."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from geometry_msgs.msg import Twist, Vector3
from rclpy.duration import Duration
from rclpy.node import Node
from std_msgs.msg import Bool, Empty, String
from std_srvs.srv import Trigger

from gesture_ros.actions.model import ActionFailed, Target
from gesture_ros.actions.ros_action import BOOL, EMPTY, STRING, TWIST, RosAction
from gesture_ros.actions.template import render_text
from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.ros.qos import EVENT_QOS

MSG_CLASSES = {STRING: String, BOOL: Bool, EMPTY: Empty, TWIST: Twist}
ACK_TIMEOUT_S = 1.0


def build_message(action: RosAction, event: GestureEventData) -> Any:
    """Return the message an action publishes for an event."""
    if action.msg_type == STRING:
        return String(data=str(render_text(action.data, event)))
    if action.msg_type == BOOL:
        return Bool(data=bool(action.data))
    if action.msg_type == TWIST:
        return Twist(linear=Vector3(x=action.linear[0], y=action.linear[1], z=action.linear[2]),
                     angular=Vector3(x=action.angular[0], y=action.angular[1], z=action.angular[2]))
    return Empty()


class RosExecutor:
    """Publishers and service clients for one ROS target, created up front so subscribers match early."""

    def __init__(self, node: Node, target: Target, specs: Sequence[RosAction]) -> None:
        self._node = node
        self._timeout_s = target.timeout_s
        self._publishers: dict[tuple[str, str], Any] = {}
        self._clients: dict[str, Any] = {}
        for spec in specs:
            if spec.topic and (spec.topic, spec.msg_type) not in self._publishers:
                self._publishers[(spec.topic, spec.msg_type)] = node.create_publisher(
                    MSG_CLASSES[spec.msg_type], spec.topic, EVENT_QOS)
            if spec.service and spec.service not in self._clients:
                self._clients[spec.service] = node.create_client(Trigger, spec.service)

    def execute(self, action: RosAction, event: GestureEventData) -> str:
        if action.topic:
            self._publishers[(action.topic, action.msg_type)].publish(build_message(action, event))
            return f"published {action.msg_type} on {action.topic}"
        return self._call(action.service)

    def _call(self, service: str) -> str:
        client = self._clients[service]
        if not client.service_is_ready():
            raise ActionFailed(f"service {service} is not available")
        done = threading.Event()
        future = client.call_async(Trigger.Request())
        future.add_done_callback(lambda _: done.set())
        if not done.wait(self._timeout_s):
            client.remove_pending_request(future)
            raise ActionFailed(f"service {service} did not answer within {self._timeout_s:g} s")
        response = future.result()
        if response is None or not response.success:
            message = response.message if response is not None else "no response"
            raise ActionFailed(f"service {service} refused: {message}")
        return f"{service}: {response.message}" if response.message else f"called {service}"

    def close(self) -> None:
        for publisher in self._publishers.values():
            try:  # a last stop (zero Twist at shutdown) must reach the base before the writer goes
                publisher.wait_for_all_acked(Duration(seconds=ACK_TIMEOUT_S))
            except Exception:  # noqa: BLE001 (the context may already be shut down)
                pass
            self._node.destroy_publisher(publisher)
        for client in self._clients.values():
            self._node.destroy_client(client)
        self._publishers.clear()
        self._clients.clear()
