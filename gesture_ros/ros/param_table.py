"""Declare a table of core.classifier_params.ParamSpec on a node, with descriptors and ranges."""

from __future__ import annotations

from collections.abc import Iterable

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
from rclpy.node import Node
from rclpy.parameter import Parameter

from gesture_ros.core.classifier_params import ParamSpec


def descriptor(spec: ParamSpec) -> ParameterDescriptor:
    """Return the descriptor of a parameter: its description and integer or float range."""
    d = ParameterDescriptor(description=spec.description)
    if spec.range and isinstance(spec.default, int) and not isinstance(spec.default, bool):
        d.integer_range = [IntegerRange(from_value=int(spec.range[0]), to_value=int(spec.range[1]), step=1)]
    elif spec.range:
        d.floating_point_range = [FloatingPointRange(from_value=float(spec.range[0]),
                                                     to_value=float(spec.range[1]))]
    return d


def initial_value(spec: ParamSpec) -> object:
    """Return what to declare: the default, or the STRING_ARRAY type for an empty list.

    A bare ``[]`` would be typed as a byte array and then refuse a list of strings.
    """
    return Parameter.Type.STRING_ARRAY if spec.string_array and not spec.default else spec.default


def settle_empty_list(node: Node, param: Parameter) -> None:
    """Give a string list declared without a value (no override) the value []."""
    if param.type_ == Parameter.Type.NOT_SET:
        node.set_parameters([Parameter(param.name, Parameter.Type.STRING_ARRAY, [])])


def values(node: Node, specs: Iterable[ParamSpec]) -> dict[str, object]:
    """Return the current value of every parameter of the table."""
    return {spec.name: node.get_parameter(spec.name).value for spec in specs}
