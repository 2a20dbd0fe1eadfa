"""Declare parameters with self-explaining descriptors: one at a time, or a table of ParamSpec.

``declare`` is the one way nodes declare a parameter (description, range, read-only);
``descriptor``/``initial_value`` do the same for a classify.params table and its
per-label maps (``thresholds.fist``). Public rclpy API only (Humble to Kilted).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor, SetParametersResult
from rclpy.node import Node
from rclpy.parameter import Parameter

from gesture_ros.classify.params import LabelMapSpec
from gesture_ros.common.node_params import ParamSpec
from gesture_ros.common.safe_text import bounded


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


def descriptor(spec: ParamSpec, read_only: bool = False) -> ParameterDescriptor:
    """Return the descriptor of a table's parameter: its description, integer or float range, read-only."""
    return make_descriptor(spec.name, spec.default, spec.description, spec.range or None,
                           read_only or spec.read_only)


def declare_table(node: Node, specs: Iterable[ParamSpec], read_only: Collection[str] = ()) -> dict[str, object]:
    """Declare every parameter of a table (read-only: those marked so or named in ``read_only``); return the values."""
    for spec in specs:
        settle_empty_list(node, node.declare_parameter(spec.name, initial_value(spec),
                                                       descriptor(spec, spec.name in read_only)))
    return values(node, specs)


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


# Declared by rclpy's Node itself (its time source, its type description service), never taken.
NODE_OWN = ("use_sim_time", "start_type_description_service")


def take_overrides(node: Node) -> dict[str, Parameter]:
    """Return the node's parameter overrides (files, ``-p``, launch) and undeclare them again.

    The node is made with ``automatically_declare_parameters_from_overrides=True``: rclpy's only
    public way to tell which names the overrides hold. Undeclared again, each is then declared by
    the node with its own descriptor (a re-declaration still takes its override); a name the node
    does not declare stays undeclared, as without the option.
    """
    taken = {name: p for name, p in node.get_parameters_by_prefix("").items()
             if name not in NODE_OWN and not name.startswith("qos_overrides.")}
    for name in taken:
        node.undeclare_parameter(name)
    return taken


def declare_label_maps(node: Node, maps: Iterable[LabelMapSpec], overrides: Mapping[str, Parameter]) -> None:
    """Declare ``<map>.<label>`` for every such key the node's parameter overrides name; say so of a map
    given as one value (a list, say: never declared, so never read)."""
    for spec in maps:
        if spec.name in overrides:
            node.get_logger().error(spec.not_a_map(overrides[spec.name].value))
        for key in sorted(k for k in overrides if spec.label_of(k) is not None):
            if not node.has_parameter(key):  # an int (thresholds.fist: 1) is a number too: no static type
                d = ParameterDescriptor(description=f"{spec.description}; range {spec.range[0]}..{spec.range[1]}",
                                        dynamic_typing=True)
                node.declare_parameter(key, overrides[key].value, d)


def declare_with_maps(node: Node, specs: Iterable[ParamSpec], read_only: Collection[str],
                      maps: Iterable[LabelMapSpec]) -> dict[str, Parameter]:
    """Declare a table and every label map key the overrides name; return the overrides (take_overrides)."""
    overrides = take_overrides(node)
    declare_table(node, specs, read_only)
    declare_label_maps(node, maps, overrides)
    return overrides


def map_values(node: Node, maps: Iterable[LabelMapSpec]) -> dict[str, object]:
    """Return the current value of every declared or set ``<map>.<label>`` parameter."""
    return {f"{spec.name}.{label}": p.value for spec in maps
            for label, p in node.get_parameters_by_prefix(spec.name).items()}


def unknown_name(node: Node, params: Iterable[Parameter], maps: Iterable[LabelMapSpec]) -> str | None:
    """Return why a set request is refused when it names a parameter the node lacks (map keys allowed), else None."""
    maps = tuple(maps)
    for p in params:
        if not node.has_parameter(p.name) and not any(m.label_of(p.name) for m in maps):
            keys = ", ".join(f"{m.name}.<gesture>" for m in maps)
            return f"{node.get_name()} has no parameter '{p.name}' (per-gesture maps: {keys})"
    return None


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
