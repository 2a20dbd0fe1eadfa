"""ROS actions: publish a std_msgs/String, Bool or Empty or a geometry_msgs/Twist, or call a
std_srvs/Trigger service (publishing Bool false on dispatch/armed disarms the dispatcher). This module only validates; the executor lives in
``gesture_ros.ros.ros_action_executor`` (it needs the node)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gesture_ros.actions.model import ActionKind, Target
from gesture_ros.actions.template import template_problems
from gesture_ros.actions.yaml_reader import Entries, YamlReader

STRING, BOOL, EMPTY, TWIST = "std_msgs/String", "std_msgs/Bool", "std_msgs/Empty", "geometry_msgs/Twist"
TRIGGER = "std_srvs/Trigger"
MSG_FIELDS = {STRING: frozenset({"data"}), BOOL: frozenset({"data"}), EMPTY: frozenset(), TWIST: frozenset({"linear", "angular"})}
_NAME = re.compile(r"~?/?[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*")
_AXES = ("x", "y", "z")

Vector = tuple[float, float, float]


@dataclass(frozen=True)
class RosTarget:
    pass


@dataclass(frozen=True)
class RosAction:
    topic: str = ""  # publish on this topic, or
    service: str = ""  # call this std_srvs/Trigger service
    msg_type: str = ""
    data: str | bool = ""  # String template, or the Bool value
    linear: Vector = (0.0, 0.0, 0.0)
    angular: Vector = (0.0, 0.0, 0.0)


def parse_target(reader: YamlReader, entries: Entries, name: str, base: Path) -> RosTarget:
    return RosTarget()


def _vector(reader: YamlReader, entries: Entries, key: str, what: str) -> Vector:
    value = reader.get(entries, key, dict, what, {})
    out = []
    for axis in _AXES:
        component = value.get(axis, 0.0)
        if isinstance(component, bool) or not isinstance(component, (int, float)):
            reader.error(reader.node_of(entries, key), f"{key}.{axis} of {what} must be a number, got {component!r}")
            component = 0.0
        out.append(float(component))
    for axis in set(value) - set(_AXES):
        reader.error(reader.node_of(entries, key), f"unknown axis '{axis}' in {key} of {what} (allowed: x, y, z)")
    return tuple(out)


def parse_action(reader: YamlReader, entries: Entries, target: Target, what: str) -> RosAction:
    topic = reader.get(entries, "topic", str, what, "")
    service = reader.get(entries, "service", str, what, "")
    if bool(topic) == bool(service):
        reader.error(entries.node, f"{what} needs exactly one of 'topic' or 'service'")
        return RosAction()
    name_key = "topic" if topic else "service"
    if not _NAME.fullmatch(topic or service):
        reader.error(reader.node_of(entries, name_key), f"'{topic or service}' of {what} is not a valid ROS name")
    if service:
        srv_type = reader.get(entries, "srv_type", str, what, TRIGGER)
        if srv_type != TRIGGER:
            reader.error(reader.node_of(entries, "srv_type"), f"srv_type of {what} must be {TRIGGER}, got '{srv_type}'")
        for key in ("msg_type", "data", "linear", "angular"):
            if key in entries:
                reader.error(entries[key][0], f"field '{key}' is not used by a service call in {what}")
        return RosAction(service=service)
    msg_type = reader.get(entries, "msg_type", str, what) or ""
    if msg_type and msg_type not in MSG_FIELDS:
        reader.error(reader.node_of(entries, "msg_type"),
                     f"msg_type '{msg_type}' of {what} is not supported (supported: {', '.join(MSG_FIELDS)})")
        return RosAction(topic=topic)
    unused = {"data", "linear", "angular", "srv_type"} - MSG_FIELDS.get(msg_type, frozenset())
    for key in sorted(unused & set(entries)):
        reader.error(entries[key][0], f"field '{key}' is not used by {msg_type or 'a topic'} in {what}")
    if msg_type == BOOL:
        data = reader.get(entries, "data", bool, what)
    else:
        data = reader.get(entries, "data", str, what, "")
        for problem in template_problems(data):
            reader.error(reader.node_of(entries, "data"), f"data of {what}: {problem}")
    return RosAction(topic=topic, msg_type=msg_type, data=data,
                     linear=_vector(reader, entries, "linear", what),
                     angular=_vector(reader, entries, "angular", what))


def describe(target: Target, action: RosAction | None) -> str:
    if action is None:
        return "ros://"
    if action.service:
        return f"ros://{action.service} ({TRIGGER})"
    return f"ros://{action.topic} ({action.msg_type})"


KIND = ActionKind(
    name="ros",
    target_fields=frozenset(),
    action_fields=frozenset({"topic", "service", "msg_type", "srv_type", "data", "linear", "angular"}),
    parse_target=parse_target,
    parse_action=parse_action,
    describe=describe,
)
