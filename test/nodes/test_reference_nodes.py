"""docs/reference.md against the real nodes: each node, started in-process with its defaults, declares exactly
the listed parameters (description, range, read-only) and offers the listed topics (type, reliability) and
services. test/unit/test_reference.py checks the same tables against the source text."""

from __future__ import annotations

import importlib.util
import re
import time

import pytest

rclpy = pytest.importorskip("rclpy")

from rclpy.parameter import Parameter  # noqa: E402
from rclpy.qos import DurabilityPolicy, ReliabilityPolicy  # noqa: E402
from support.data import shared_data  # noqa: E402

from gesture_ros.common.node_interface import QOS, TopicSpec  # noqa: E402
from gesture_ros.ros.params import NODE_OWN  # noqa: E402
from tools import gen_reference  # noqa: E402
from tools.ports import free_port  # noqa: E402

NODES = {n.node: n for n in gen_reference.NODES}
HRI = importlib.util.find_spec("hri_msgs") is not None  # built from ../shared/ros2-extra where it exists
RELIABILITY = {"reliable": ReliabilityPolicy.RELIABLE, "best effort": ReliabilityPolicy.BEST_EFFORT}
DURABILITY = {"volatile": DurabilityPolicy.VOLATILE}
BUILT_IN = {"/rosout", "/parameter_events"}


def _overrides(node: str, tmp_path) -> dict:
    return {"camera_node": {"source": str(shared_data("videos/open_hand_no_gesture.mp4"))},
            "classifier_node": {"hri_output": HRI},
            "bridge_node": {"outbox_path": str(tmp_path / "outbox.sqlite3"), "broker_port": free_port(),
                            "device_id": "reference"},
            "recorder_node": {"output_dir": str(tmp_path)}}.get(node, {})


def _start(node: str, context, overrides: dict):
    module = importlib.import_module(f"gesture_ros.nodes.{node}")
    cls = next(v for k, v in vars(module).items() if k.endswith("Node") and isinstance(v, type)
               and v.__module__ == module.__name__)
    return cls(context=context, parameter_overrides=[Parameter(k, value=v) for k, v in overrides.items()])


def _pattern(text: str) -> re.Pattern:
    """A listed name or type as a pattern: ``<x>`` is whatever the node was given (a parameter, a body id)."""
    return re.compile("".join(".+" if part.startswith("<") else re.escape(part)
                              for part in re.split(r"(<[^>]*>)", text)) + "$")


def _matches(specs: tuple[TopicSpec, ...], topic: str, types: list[str]) -> TopicSpec | None:
    for t in specs:
        name = t.name.replace("~", "<node>")  # a private name (a managed node's ~/transition_event)
        absolute = name if name.startswith("/") else "/" + name  # the nodes run in the root namespace
        if _pattern(absolute).match(topic) and any(_pattern(t.msg_type).match(ty) for ty in types):
            return t
    return None


def _wait_for(found, required: int, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while len(found()) < required and time.monotonic() < deadline:
        time.sleep(0.1)
    return found()


@pytest.mark.parametrize("name", sorted(NODES))
def test_the_running_node_offers_what_the_reference_lists(name, rclpy_context, tmp_path):
    n = NODES[name]
    node = _start(name, rclpy_context, _overrides(name, tmp_path))
    try:
        # parameters: the names, then each one's descriptor
        declared = {k for k in node.get_parameters_by_prefix("") if k not in NODE_OWN
                    and not k.startswith("qos_overrides.")}
        assert declared == {p.name for p in n.params}
        for spec in n.params:
            d = node.describe_parameter(spec.name)
            assert d.description == spec.description, spec.name
            assert d.read_only == n.is_read_only(spec), spec.name
            ranges = [(r.from_value, r.to_value) for r in (*d.integer_range, *d.floating_point_range)]
            assert ranges == ([tuple(spec.range)] if spec.range else []), spec.name

        fqn, ns = node.get_fully_qualified_name(), node.get_namespace()
        always = [t for t in n.publishes if not t.when]
        pubs = _wait_for(lambda: [p for p in node.get_publisher_names_and_types_by_node(node.get_name(), ns)
                                  if p[0] not in BUILT_IN], len(always))
        subs = _wait_for(lambda: node.get_subscriber_names_and_types_by_node(node.get_name(), ns),
                         len([t for t in n.subscribes if not t.when]))
        for kind, found, listed in (("publishes", pubs, n.publishes), ("subscribes", subs, n.subscribes)):
            matched = []
            for topic, types in found:
                spec = _matches(listed, topic, types)
                assert spec is not None, f"{name} {kind} {topic} {types}: not in the reference"
                matched.append(spec)
                infos = (node.get_publishers_info_by_topic if kind == "publishes"
                         else node.get_subscriptions_info_by_topic)(topic)
                for info in (i for i in infos if i.node_name == node.get_name()):
                    assert info.qos_profile.reliability == RELIABILITY[QOS[spec.qos].reliability], topic
                    assert info.qos_profile.durability == DURABILITY[QOS[spec.qos].durability], topic
            missing = [t.name for t in listed if not t.when and t not in matched]
            assert not missing, f"{name} {kind} none of {missing}"
        services = {s for s, _ in node.get_service_names_and_types_by_node(node.get_name(), ns)
                    if not s.startswith(fqn + "/")}  # ~/get_parameters ...: rclpy's own
        assert services == {"/" + s.name for s in n.services if not s.when}
    finally:
        getattr(node, "close", lambda: None)()
        node.destroy_node()
