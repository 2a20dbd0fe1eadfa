"""A node's parameters as a typed table: one entry per parameter, declared by ros/params.declare_table.

The classifier's own table (classify/params.ParamSpec) adds label maps and settings; the other
nodes' tables use this one entry type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NodeParam:
    """One parameter: name, default (its type is the parameter's), description, optional range,
    and whether it is read-only (changing it at run time is unsafe or meaningless)."""

    name: str
    default: Any
    description: str
    range: tuple[float, float] | None = None
    read_only: bool = False


def defaults(table: tuple[NodeParam, ...]) -> dict[str, Any]:
    """Return ``{name: default}`` of a table."""
    return {p.name: p.default for p in table}
