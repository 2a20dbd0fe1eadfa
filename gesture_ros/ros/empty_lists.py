"""Empty lists in parameter files: ROS 2 cannot type a YAML ``[]``.

rcl reads ``open_hand_gestures: []`` in a parameter file (or ``-p open_hand_gestures:=[]``) as a
parameter with neither a value nor a type, and rclpy refuses to declare it: a node fails at its
start with "Cannot declare a statically typed parameter with default value of type
PARAMETER_NOT_SET". Nor can rclpy declare a typed empty string array (it infers a byte array
from ``[]``; ros2/rclpy#912). Every list parameter of this package is a list of strings whose
readers skip blank entries, so the nodes are handed those names again as ``[""]``
(``parameter_overrides``, which rclpy applies over the files' values): the documented ``[]``,
"off", works. At run time ``ros2 param set NODE NAME "[]"`` sends an empty list of booleans, which a
string list refuses; ``accept_empty_lists`` turns it into ``[""]`` where rclpy has pre-set callbacks
(Iron on; on Humble write ``"['']"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from rclpy.node import Node
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
_ARRAYS = (Parameter.Type.BOOL_ARRAY, Parameter.Type.BYTE_ARRAY, Parameter.Type.INTEGER_ARRAY,
                  Parameter.Type.DOUBLE_ARRAY, Parameter.Type.STRING_ARRAY)


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


def accept_empty_lists(node: Node) -> None:
    """Let a set request's empty list of any type empty a string list parameter of ``node``."""
    add = getattr(node, "add_pre_set_parameters_callback", None)  # rclpy of Iron and later
    if add is None:
        return

    def typed(params: list[Parameter]) -> list[Parameter]:
        return [Parameter(p.name, Parameter.Type.STRING_ARRAY, EMPTY)
                if p.type_ in _ARRAYS and len(p.value) == 0 and node.has_parameter(p.name)
                and node.get_parameter(p.name).type_ == Parameter.Type.STRING_ARRAY else p for p in params]

    add(typed)


__all__ = ["EMPTY", "accept_empty_lists", "empty_list_overrides"]
