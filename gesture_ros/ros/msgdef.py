"""Full ROS 2 message definitions (the text rosbag2 and Foxglove decode MCAP with).

A schema is the type's own .msg text followed by every message type it uses, each after a
line of 80 '=' and ``MSG: pkg/msg/Type``, depth first, each type once.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from gesture_ros.common import paths

PRIMITIVES = {
    "bool", "byte", "char", "float32", "float64", "int8", "uint8", "int16", "uint16",
    "int32", "uint32", "int64", "uint64", "string", "wstring",
}
SEPARATOR = "=" * 80
_FIELD = re.compile(r"^\s*([A-Za-z_][\w/]*)(?:<=\d+)?(?:\[[^\]]*\])?\s+([A-Za-z_]\w*)")


class MsgDefError(ValueError):
    """A message type whose .msg file cannot be found or read."""


def share_from_env(pkg: str) -> Path | None:
    """Find a package's share directory on AMENT_PREFIX_PATH, else in this interpreter's prefix
    (the ROS wheels install there) or, for gesture_ros itself, its shipped-file root."""
    prefixes = [p for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p] + [sys.prefix]
    for prefix in prefixes:
        share = Path(prefix) / "share" / pkg
        if share.is_dir():
            return share
    return paths.share_dir() if pkg == "gesture_ros" else None


def normalise(type_name: str) -> str:
    """Return ``pkg/msg/Type`` for ``pkg/Type`` or ``pkg/msg/Type``."""
    parts = type_name.split("/")
    if len(parts) == 2:
        return f"{parts[0]}/msg/{parts[1]}"
    if len(parts) == 3 and parts[1] == "msg":
        return type_name
    raise MsgDefError(f"'{type_name}' is not a message type name (expected pkg/msg/Type)")


def _dependencies(text: str, pkg: str) -> list[str]:
    deps = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        match = _FIELD.match(line)
        if not match or "=" in line.split(match.group(2), 1)[1][:2]:
            continue  # not a field, or a constant (NAME=value)
        base = match.group(1)
        if base in PRIMITIVES:
            continue
        deps.append(normalise(base if "/" in base else f"{pkg}/{base}"))
    return deps


def full_definition(type_name: str, share: Callable[[str], Path | None] = share_from_env) -> str:
    """Return the concatenated definition of ``type_name`` and every type it uses."""
    root = normalise(type_name)
    texts: dict = {}
    order: list[str] = []

    def visit(name: str) -> None:
        if name in texts:
            return
        pkg, _, msg = name.split("/")
        folder = share(pkg)
        path = folder / "msg" / f"{msg}.msg" if folder else None
        if path is None or not path.is_file():
            raise MsgDefError(f"no definition for {name}: {path or pkg + ' is not installed'}")
        texts[name] = path.read_text()
        order.append(name)
        for dep in _dependencies(texts[name], pkg):
            visit(dep)

    visit(root)
    parts = [texts[root].rstrip("\n")]
    parts += [f"{SEPARATOR}\nMSG: {name}\n{texts[name].rstrip()}" for name in order[1:]]
    return "\n".join(parts) + "\n"
