"""A node's ROS interface as plain data: parameters, topics in and out, services.

One NodeInterface per node (its room's ``*_interface`` module) feeds docs/reference.md
(tools/gen_reference.py); test/unit/test_reference.py checks each listed topic against the
node's source, so the list cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from gesture_ros.common.node_params import ParamSpec


@dataclass(frozen=True)
class QosSpec:
    """A QoS profile as the reference states it, by the name the node source uses for it."""

    reliability: str  # reliable | best effort
    depth: int
    durability: str = "volatile"
    meaning: str = ""

    def text(self) -> str:
        return f"{self.reliability}, keep last {self.depth}, {self.durability}"


# source name -> profile; ros/qos.py defines the constants, "10" is rclpy's plain depth (reliable, volatile).
QOS: dict[str, QosSpec] = {
    "SENSOR_QOS": QosSpec("best effort", 5, meaning="sensor data (rclpy qos_profile_sensor_data): a late frame "
                          "is worth nothing, never queue it"),
    "EVENT_QOS": QosSpec("reliable", 100, meaning="decisions and commands: never silently dropped"),
    "KEYPOINTS_IN_QOS": QosSpec("best effort", 60, meaning="every frame is part of a window: deep, so a busy "
                                "classifier loses none a 5-deep queue would"),
    "RECORDER_SENSOR_QOS": QosSpec("best effort", 200, meaning="takes sensor streams, deep so a busy writer "
                                   "loses nothing a 5-deep queue would"),
    "CLOCK_QOS": QosSpec("best effort", 1, meaning="as rclpy's time source subscribes /clock"),
    "10": QosSpec("reliable", 10, meaning="rclpy's default for a plain depth"),
}


@dataclass(frozen=True)
class TopicSpec:
    """A topic a node publishes or subscribes. ``<name>`` in ``name`` is a part given at run time
    (a parameter, a body id); ``when`` says when the topic exists (empty: always)."""

    name: str
    msg_type: str
    qos: str  # a key of QOS
    description: str
    when: str = ""


@dataclass(frozen=True)
class ServiceSpec:
    """A service a node offers."""

    name: str
    srv_type: str
    description: str
    when: str = ""


@dataclass(frozen=True)
class LabelMapRow:
    """Per-gesture parameters ``<map>.<gesture>`` (the classifier's thresholds and cooldowns)."""

    name: str
    description: str
    range: tuple[float, float]


@dataclass(frozen=True)
class NodeInterface:
    """Everything a node offers on the ROS graph.

    ``params`` is the node's table (or tables); ``read_only`` names parameters the node declares
    read-only besides those marked in the table; ``source`` is the node's module under gesture_ros/.
    """

    node: str
    source: str
    summary: str
    params: tuple[ParamSpec, ...]
    publishes: tuple[TopicSpec, ...]
    subscribes: tuple[TopicSpec, ...]
    services: tuple[ServiceSpec, ...] = ()
    read_only: frozenset[str] = frozenset()
    label_maps: tuple[LabelMapRow, ...] = ()
    notes: tuple[str, ...] = ()

    def is_read_only(self, spec: ParamSpec) -> bool:
        return spec.read_only or spec.name in self.read_only


DIAGNOSTICS = TopicSpec("/diagnostics", "diagnostic_msgs/msg/DiagnosticArray", "10",
                        "One DiagnosticStatus (OK, WARN, ERROR) with the node's figures, every diagnostics period")

# What rclpy.lifecycle gives every managed node (ros/lifecycle.py); `ros2 lifecycle get/set <node>` uses them.
MANAGED = "managed node (rclpy.lifecycle)"
TRANSITION_EVENT = TopicSpec("~/transition_event", "lifecycle_msgs/msg/TransitionEvent", "10",
                             "Each lifecycle transition (configure, activate, deactivate, cleanup, shutdown)")
LIFECYCLE_SERVICES = (
    ServiceSpec("~/change_state", "lifecycle_msgs/srv/ChangeState", "configure, activate, deactivate, cleanup or "
                "shut down the node (ros2 lifecycle set)", when=MANAGED),
    ServiceSpec("~/get_state", "lifecycle_msgs/srv/GetState", "The current state (ros2 lifecycle get)", when=MANAGED),
    ServiceSpec("~/get_available_states", "lifecycle_msgs/srv/GetAvailableStates", "Every state", when=MANAGED),
    ServiceSpec("~/get_available_transitions", "lifecycle_msgs/srv/GetAvailableTransitions",
                "The transitions from the current state", when=MANAGED),
    ServiceSpec("~/get_transition_graph", "lifecycle_msgs/srv/GetAvailableTransitions", "Every transition",
                when=MANAGED),
)
