"""Empty lists in parameter files: ROS 2 cannot type a YAML ``[]``.

rcl reads ``open_hand_gestures: []`` in a parameter file (or ``-p open_hand_gestures:=[]``) as a
parameter with neither a value nor a type, and rclpy refuses to declare it: a node fails at its
start with "Cannot declare a statically typed parameter with default value of type
PARAMETER_NOT_SET". Nor can rclpy declare a typed empty string array (it infers a byte array
from ``[]``; ros2/rclpy#912). Every list parameter of this package is a list of strings whose
readers skip blank entries, so the nodes are handed those names again as ``[""]``
(``parameter_overrides``, which rclpy applies over the files' values): the documented ``[]``,
"off", works.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from rclpy.parameter import Parameter

from gesture_ros.common.param_files import node_params


def _ros_args(cli: Sequence[str]) -> list[str]:
    """Return the tokens of every ``--ros-args`` block (up to ``--`` or the next block)."""
    out: list[str] = []
    inside = False
    for tok in cli:
        if tok == "--ros-args":
            inside = True
        elif tok == "--":
            inside = False
        elif inside:
            out.append(tok)
    return out


def _assignment(text: str, node: str) -> tuple[str, str] | None:
    """Return (name, value) of ``[node:]name:=value`` when it applies to ``node``."""
    target, sep, value = text.partition(":=")
    if not sep:
        return None
    prefix, _, name = target.rpartition(":")
    return (name, value) if prefix in ("", node) else None


EMPTY = [""]  # an empty list of strings that rclpy can declare


def empty_list_overrides(cli: Sequence[str], node: str) -> list[Parameter]:
    """Return ``EMPTY`` as a string array for each parameter that the files and ``-p`` values of the
    ROS arguments ``cli`` leave as ``[]`` for the node named ``node`` (a ``__node`` remap wins)."""
    tokens = _ros_args(cli)
    files, values = [], []
    for flag, arg in zip(tokens, tokens[1:], strict=False):
        if flag == "--params-file":
            files.append(Path(arg))
        elif flag in ("-p", "--param"):
            values.append(arg)
        elif flag in ("-r", "--remap"):
            remap = _assignment(arg, node)
            if remap and remap[0] == "__node":
                node = remap[1]
    try:
        final = node_params(files, node)
    except (OSError, yaml.YAMLError, AttributeError):
        return []  # rcl itself says what is wrong with the file
    for text in values:  # rcl applies -p values after every file
        assignment = _assignment(text, node)
        if assignment:
            try:
                final[assignment[0]] = yaml.safe_load(assignment[1])
            except yaml.YAMLError:
                continue
    return [Parameter(name, Parameter.Type.STRING_ARRAY, EMPTY) for name, value in final.items() if value == []]


__all__ = ["EMPTY", "empty_list_overrides"]
