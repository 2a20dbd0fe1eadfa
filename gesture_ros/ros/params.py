"""Declare parameters with self-explaining descriptors: one at a time, or a table of ParamSpec.

``declare`` is the one way nodes declare a parameter (description, range, read-only);
``descriptor``/``initial_value`` do the same for a core.classifier_params table and its
per-label maps (``thresholds.fist``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor, SetParametersResult
from rclpy.node import Node
from rclpy.parameter import Parameter

from gesture_ros.core.classifier_params import LabelMapSpec, ParamSpec
from gesture_ros.core.safe_text import bounded


def make_descriptor(name: str, default: Any, description: str,
                    value_range: tuple[float, float] | None = None, read_only: bool = False) -> ParameterDescriptor:
    """Return a descriptor; ``value_range`` (min, max) becomes an integer or float range by the default's type."""
    d = ParameterDescriptor(description=description, read_only=read_only)
    if value_range is not None:
        lo, hi = value_range
        if isinstance(default, bool):
            raise TypeError(f"parameter {name}: a bool has no range")
        if isinstance(default, int):
            d.integer_range = [IntegerRange(from_value=int(lo), to_value=int(hi), step=1)]
        else:
            d.floating_point_range = [FloatingPointRange(from_value=float(lo), to_value=float(hi))]
    return d


def declare(node: Node, name: str, default: Any, description: str,
            value_range: tuple[float, float] | None = None, read_only: bool = False) -> Any:
    """Declare ``name`` with a descriptor and return its value."""
    return node.declare_parameter(name, default, make_descriptor(name, default, description, value_range,
                                                                 read_only)).value


def descriptor(spec: ParamSpec) -> ParameterDescriptor:
    """Return the descriptor of a table's parameter: its description and integer or float range."""
    return make_descriptor(spec.name, spec.default, spec.description, spec.range or None)


def declare_table(node: Node, specs: Iterable[ParamSpec], runtime: Iterable[str] = ()) -> dict[str, object]:
    """Declare every parameter of a table, read-only unless named in ``runtime``; return the values."""
    changeable = set(runtime)
    return {spec.name: node.declare_parameter(spec.name, initial_value(spec), make_descriptor(
        spec.name, spec.default, spec.description, spec.range or None, spec.name not in changeable)).value
        for spec in specs}


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


def refusing_errors(apply: Callable[[list[Parameter]], SetParametersResult],
                    report: Callable[[str, str], None]) -> Callable[[list[Parameter]], SetParametersResult]:
    """Wrap a parameter callback so an exception refuses the request (reported once) instead of raising.

    A request from outside must never end the node; ``report(kind, sentence)`` is a BadInputLog.
    """
    def callback(params: list[Parameter]) -> SetParametersResult:
        try:
            return apply(params)
        except Exception as exc:  # noqa: BLE001
            reason = f"parameters refused: {type(exc).__name__}: {bounded(exc)}"
            report("parameters", reason)
            return SetParametersResult(successful=False, reason=reason)
    return callback
