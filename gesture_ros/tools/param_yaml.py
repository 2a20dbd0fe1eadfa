"""Read ROS 2 parameter YAML files and work out which values reach which node.

Same rules as rcl: top-level keys are node names (``/**`` for every node, ``/**/name`` for
``name`` in any namespace, ``*`` for one name token), each holding ``ros__parameters``;
nested mappings become dotted names; later sources override earlier ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

ParamSource = Path | dict[str, str]  # a parameter file, or inline name -> value
Sections = dict[str, dict[str, Any]]


class ParamFileError(ValueError):
    """A parameter file ROS would refuse; the message names the file and the problem."""


def load_param_file(path: str | Path) -> Sections:
    """Return {node name pattern: {dotted parameter name: value}} from one YAML file."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ParamFileError(f"{path}: parameter file does not exist") from None
    except yaml.YAMLError as exc:
        raise ParamFileError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise ParamFileError(f"{path}: expected a mapping of node names, found {type(doc).__name__}")
    sections: Sections = {}
    for key, body in doc.items():
        if not isinstance(body, dict) or set(body) != {"ros__parameters"}:
            raise ParamFileError(f"{path}: section '{key}' must hold exactly one key 'ros__parameters'")
        params = body["ros__parameters"] or {}
        if not isinstance(params, dict):
            raise ParamFileError(f"{path}: '{key}.ros__parameters' must be a mapping")
        sections[str(key)] = _flatten(params)
    return sections


def _flatten(params: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def pattern_matches(pattern: str, fqn: str) -> bool:
    """Tell whether a YAML node key (``/**``, ``/**/camera_node``, ``camera_node``) names ``fqn``."""
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    regex = ""
    for token in re.split(r"(/\*\*|\*)", pattern):
        regex += {"/**": "(/[^/]+)*", "*": "[^/]*"}.get(token, re.escape(token))
    return re.fullmatch(regex, fqn) is not None


def fully_qualified(namespace: str, name: str) -> str:
    """Return ``/ns/name`` (``/name`` without a namespace)."""
    ns = "/" + namespace.strip("/") if namespace.strip("/") else ""
    return f"{ns}/{name}"


def inline_value(text: str) -> Any:
    """Type an inline launch value the way launch_ros does (YAML scalar rules)."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return text if value is None or isinstance(value, dict) else value


def resolve(fqn: str, sources: Iterable[ParamSource]) -> dict[str, Any]:
    """Merge every value the sources give node ``fqn``, later sources winning."""
    merged: dict[str, Any] = {}
    for source in sources:
        if isinstance(source, dict):
            merged.update({k: inline_value(v) for k, v in source.items()})
            continue
        for pattern, params in load_param_file(source).items():
            if pattern_matches(pattern, fqn):
                merged.update(params)
    return merged


def matching_sections(fqn: str, sources: Iterable[ParamSource]) -> list[tuple]:
    """Return (file, pattern, params) for every file section that reaches node ``fqn``."""
    found = []
    for source in sources:
        if isinstance(source, Path):
            for pattern, params in load_param_file(source).items():
                if pattern_matches(pattern, fqn):
                    found.append((source, pattern, params))
    return found
