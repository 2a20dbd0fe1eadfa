"""A ROS test rig for bridge_node: publish GestureEvents, read its /diagnostics, (re)start it."""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

from diagnostic_msgs.msg import DiagnosticArray
from gesture_ros.msg import GestureEvent

from gesture_ros.ros.qos import EVENT_QOS
from support.ros_env import DomainLease, NodeProcess, ProbeNode


def venv_path() -> dict[str, str]:
    """Return PATH with this interpreter's bin first, so '#!/usr/bin/env python3' scripts find rclpy."""
    return {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


class BridgeRig(ProbeNode):
    """One in-process test node talking to real bridge_node processes."""

    def __init__(self, context, lease: DomainLease, log_dir: Path) -> None:
        super().__init__(context, "bridge_rig")
        self.lease = lease
        self.log_dir = log_dir
        self.pub = self.node.create_publisher(GestureEvent, "gesture/events", EVENT_QOS)
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, 50)
        self.diag: dict[str, dict[str, str]] = {}  # pid -> latest figures
        self.sequence: dict[str, int] = {}
        self.sent: list[str] = []
        self.bridge: NodeProcess | None = None
        self._known_gids: set = set()
        self._sent_to_bridge = 0

    def _on_diag(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if any(kv.key == "outbox depth" for kv in status.values):  # a bridge_node, whatever its name
                values = {kv.key: kv.value for kv in status.values}
                values["level"], values["message"] = str(status.level[0]), status.message
                values["name"] = status.name
                self.diag[values.get("pid", "?")] = values

    def figures(self) -> dict[str, str]:
        """Return the current bridge process's latest diagnostics ({} before the first)."""
        if self.bridge is None:
            return {}
        return self.diag.get(str(self.bridge.proc.pid), {})

    def start_bridge(self, params: dict[str, object], wait: bool = True) -> NodeProcess:
        """Start bridge_node; with ``wait``, return once it reports and our publisher matched it."""
        self.bridge = NodeProcess("bridge_node", self.lease, params=params, log_dir=self.log_dir, env=venv_path())
        self._sent_to_bridge = 0
        if wait:
            def matched() -> bool:
                gids = {bytes(i.endpoint_gid) for i in self.node.get_subscriptions_info_by_topic("/gesture/events")}
                return bool(gids - self._known_gids) and bool(self.figures())
            assert self.spin_until(matched), f"bridge_node did not start:\n{self.bridge.log()[-3000:]}"
            self._known_gids |= {bytes(i.endpoint_gid)
                                 for i in self.node.get_subscriptions_info_by_topic("/gesture/events")}
            self.spin_until(lambda: False, 0.3)  # let the new reader settle into the writer's match
        return self.bridge

    def accepted(self) -> int:
        return int(self.figures().get("accepted", "0"))

    def publish(self, n: int, sources=("cam1", "cam2"), chunk: int = 40, gesture: str = "swipe_left") -> None:
        """Publish ``n`` events, at most ``chunk`` ahead of what the bridge has committed."""
        for i in range(n):
            source = sources[i % len(sources)]
            self.sequence[source] = self.sequence.get(source, 0) + 1
            msg = GestureEvent(event_id=str(uuid.uuid4()), source_id=source, sequence=self.sequence[source],
                               gesture=gesture, confidence=0.9, event_type=GestureEvent.TRIGGER,
                               model_id="test-model", model_version="1")
            now = time.time_ns()
            msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(now, 1_000_000_000)
            msg.header.frame_id = "cam_optical"
            msg.start_stamp = msg.end_stamp = msg.header.stamp
            self.pub.publish(msg)
            self.sent.append(msg.event_id)
            self._sent_to_bridge += 1
            if self._sent_to_bridge % chunk == 0 or i == n - 1:
                target = self._sent_to_bridge
                assert self.spin_until(lambda target=target: self.accepted() >= target), \
                    f"bridge accepted {self.accepted()} of {target}:\n{self.bridge.log()[-3000:]}"

    def close(self) -> None:
        if self.bridge is not None:
            self.bridge.stop()
        super().close()
