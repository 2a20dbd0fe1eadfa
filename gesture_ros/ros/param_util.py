"""Declare parameters with descriptors (description, ranges, read-only) in one call."""

from __future__ import annotations

from typing import Any

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
from rclpy.node import Node


def declare(node: Node, name: str, default: Any, description: str,
            value_range: tuple[float, float] | None = None, read_only: bool = False) -> Any:
    """Declare ``name`` with a descriptor and return its value.

    ``value_range`` (min, max) becomes an integer or floating-point range by the default's type.
    """
    descriptor = ParameterDescriptor(description=description, read_only=read_only)
    if value_range is not None:
        lo, hi = value_range
        if isinstance(default, bool):
            raise TypeError(f"parameter {name}: a bool has no range")
        if isinstance(default, int):
            descriptor.integer_range = [IntegerRange(from_value=int(lo), to_value=int(hi), step=1)]
        else:
            descriptor.floating_point_range = [FloatingPointRange(from_value=float(lo), to_value=float(hi))]
    return node.declare_parameter(name, default, descriptor).value
