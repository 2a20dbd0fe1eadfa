"""The real ``ros2 launch`` for tests: a launch in its own process group, its nodes evaluated without
spawning, and the documented parameter layering as an independent oracle.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
import yaml


def require_ros2_launch() -> None:
    """Skip (a failure under GESTURE_ROS_STRICT=1) when ros2 launch or launch_ros is missing."""
    if shutil.which("ros2") is None or importlib.util.find_spec("launch_ros") is None:
        pytest.skip("ros2 launch is not installed: place ../shared/ros2-extra beside the repository "
                    "(make test installs it into the venv) or source a system ROS 2")


class LaunchProcess:
    """``ros2 launch <pkg> <file> args...`` in a new session: its own process group, as in a terminal."""

    def __init__(self, launch_file: str, args: dict[str, str], env: dict[str, str], log_path: Path,
                 package: str = "gesture_ros") -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (closed in interrupt())
        self.proc = subprocess.Popen(["ros2", "launch", package, launch_file, *(f"{k}:={v}" for k, v in args.items())],
                                     stdout=self._log, stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def interrupt(self, timeout: float = 40.0) -> int:
        """Send SIGINT to the whole process group (a terminal's Ctrl-C); wait; return launch's exit code.

        ros2 launch then forwards a SIGINT of its own to each node, so every node gets two.
        A group still alive after ``timeout`` is killed.
        """
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def kill(self) -> None:
        """Kill the group if anything of it is still running (test teardown after a failure)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self._log.close()


def evaluate_launch(launch_file: Path, args: dict[str, str]):
    """Return the launch_ros Node actions ``ros2 launch`` would start, without starting them.

    The file is included as ``ros2 launch`` does and every other action is visited for real
    (arguments, includes, the OpaqueFunction of gesture.launch.py); each Node gets its
    substitutions performed (name, namespace, ``expanded_parameter_arguments``) and stops there.
    """
    from launch import LaunchContext
    from launch.actions import IncludeLaunchDescription
    from launch.launch_description_sources import AnyLaunchDescriptionSource
    from launch_ros.actions import Node

    context = LaunchContext(argv=[f"{k}:={v}" for k, v in args.items()])
    todo: list = [IncludeLaunchDescription(AnyLaunchDescriptionSource(str(launch_file)),
                                           launch_arguments=list(args.items()))]
    nodes = []
    while todo:
        entity = todo.pop(0)
        if isinstance(entity, Node):
            if entity.condition is None or entity.condition.evaluate(context):
                entity._perform_substitutions(context)  # what Node.execute does before it spawns
                nodes.append(entity)
            continue
        todo[0:0] = list(entity.visit(context) or [])
    return nodes


def flatten(params: dict, prefix: str = "") -> dict:
    """Nested YAML maps as ROS reads them: one parameter per key, dotted (``thresholds.x_cross``)."""
    out: dict = {}
    for name, value in params.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def layered(node_name: str, files: list[Path], values: dict) -> dict:
    """Apply docs/bringup.md's rule: each file's sections for the node in order, then ``values``.

    The shipped files use the node keys ``/**`` and ``/**/<node_name>`` only.
    """
    out: dict = {}
    for path in files:
        for key, body in (yaml.safe_load(path.read_text()) or {}).items():
            if key == "/**" or key == f"/**/{node_name}":
                out.update(flatten(body["ros__parameters"] or {}))
    out.update(values)
    return out


def node_fqn(node) -> str:
    """Return the full name a launch_ros Node gets, ``/name`` when no namespace is set."""
    from launch_ros.actions import Node

    return node.node_name.replace(Node.UNSPECIFIED_NODE_NAMESPACE, "")


def param_files(node) -> list[Path]:
    """Return the parameter files a Node passes (``--params-file``), in order, its inline values' last.

    launch_ros keeps them in a private attribute once substitutions are performed (no property).
    """
    return [Path(p) for p, is_file in node._Node__expanded_parameter_arguments or [] if is_file]
