"""A node's parameters as a typed table: one ParamSpec per parameter, declared by ros/params.declare_table.

Every node's table uses this one entry type; the classifier's (classify/params) adds label maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: name, default (its type is the parameter's), description, optional range,
    whether it is a list of strings (may default to empty), and whether it is read-only (changing
    it at run time is unsafe or meaningless)."""

    name: str
    default: Any
    description: str
    range: tuple[float, float] | None = None
    string_array: bool = False
    read_only: bool = False


def defaults(table: tuple[ParamSpec, ...]) -> dict[str, Any]:
    """Return ``{name: default}`` of a table."""
    return {p.name: p.default for p in table}


# Every managed node (ros/lifecycle.py) declares this table beside its own.
MANAGED_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("autostart", True, "Configure and activate at start (no supervisor needed); false: stay "
              "unconfigured until `ros2 lifecycle set <node> configure`", read_only=True),
)
