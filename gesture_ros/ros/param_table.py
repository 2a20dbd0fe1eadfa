"""Declare a table of core.classifier_params.ParamSpec (and its label maps) on a node, with descriptors."""

from __future__ import annotations

from collections.abc import Iterable

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
from rclpy.node import Node
from rclpy.parameter import Parameter

from gesture_ros.core.classifier_params import LabelMapSpec, ParamSpec


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


def declare_label_maps(node: Node, maps: Iterable[LabelMapSpec]) -> None:
    """Declare ``<map>.<label>`` for every such key the node's parameter overrides name.

    rclpy has no public call listing the overrides (files, ``-p``, launch) of undeclared
    names; ``Node._parameter_overrides`` holds them (every rclpy since Dashing).
    """
    overrides = getattr(node, "_parameter_overrides", {})
    for spec in maps:
        for key in sorted(k for k in overrides if spec.label_of(k) is not None):
            if not node.has_parameter(key):  # an int (thresholds.fist: 1) is a number too: no static type
                d = ParameterDescriptor(description=f"{spec.description}; range {spec.range[0]}..{spec.range[1]}",
                                        dynamic_typing=True)
                node.declare_parameter(key, overrides[key].value, d)


def legacy_list(node: Node, spec: LabelMapSpec) -> list[str]:
    """Return the old list form of a label map (``thresholds: ['fist:0.9']``) if an override gives it."""
    value = getattr(node, "_parameter_overrides", {}).get(spec.name)
    return [str(v) for v in value.value] if value is not None and isinstance(value.value, (list, tuple)) else []


def map_values(node: Node, maps: Iterable[LabelMapSpec]) -> dict[str, object]:
    """Return the current value of every declared or set ``<map>.<label>`` parameter."""
    return {f"{spec.name}.{label}": p.value for spec in maps
            for label, p in node.get_parameters_by_prefix(spec.name).items()}
