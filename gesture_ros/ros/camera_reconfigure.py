"""camera_node's run-time parameter changes: a pace the sources do not know is refused, every other
settable parameter is set where the capture thread reads it."""

from __future__ import annotations

from collections.abc import Callable

from rcl_interfaces.msg import SetParametersResult
from rclpy.node import Node
from rclpy.parameter import Parameter

from gesture_ros.perception.camera_params import PACES
from gesture_ros.perception.sources import Pace

# read by the capture thread from the node itself
NODE_SETTABLE = ("frame_id", "max_in_flight", "consumer_timeout_s", "wait_for_subscribers")


def setters(node: Node) -> dict[str, Callable[[object], None]]:
    """Return what a run-time change of each settable parameter does (the others are read-only or read once)."""
    return {
        "pace": lambda value: setattr(node.opts, "pace", Pace(value)),  # the source's options
        "loop": lambda value: setattr(node.opts, "loop", bool(value)),
        "jpeg_quality": lambda value: setattr(node.images, "jpeg_quality", value),
        **{name: (lambda value, name=name: setattr(node, name, value)) for name in NODE_SETTABLE},
    }


def apply_changes(node: Node, params: list[Parameter]) -> SetParametersResult:
    """Refuse the whole request if it names an unknown pace, else apply each change."""
    for p in params:
        if p.name == "pace" and p.value not in PACES:
            return SetParametersResult(successful=False, reason=f"pace must be {' or '.join(PACES)}")
    changes = setters(node)
    for p in params:
        changes.get(p.name, lambda _value: None)(p.value)
    return SetParametersResult(successful=True)
