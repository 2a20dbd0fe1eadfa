"""Read a node's parameters from ROS 2 parameter files without ROS, as rcl reads them.

For tools that run the core outside a node (evaluation, benchmarks): the files are layered in
order (a later file wins), ``/**`` and ``/**/<node>`` (or ``<node>``) sections apply, and a map
is one parameter per key (``thresholds: {x_cross: 0.85}`` is ``thresholds.x_cross``), so maps
layer key by key while a list is replaced whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Return ``params`` with nested maps turned into dotted names."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _applies(section: str, node: str) -> bool:
    name = section.strip("/").split("/")[-1]
    return section in ("/**", "**") or name == node


def node_params(files: Iterable[Path], node: str) -> dict[str, Any]:
    """Return the parameters the files give ``node``, layered in order."""
    out: dict[str, Any] = {}
    for path in files:
        doc = yaml.safe_load(Path(path).read_text()) or {}
        for section, body in doc.items():
            if _applies(str(section), node):
                out.update(flatten((body or {}).get("ros__parameters") or {}))
    return out
