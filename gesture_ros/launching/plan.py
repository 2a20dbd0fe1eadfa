"""What the gesture_ros launch starts: its arguments, its nodes and each node's parameter layers.

The one definition behind ``ros2 launch gesture_ros gesture.launch.py`` (launch/gesture.launch.py
turns the plan into launch_ros Nodes) and the one-process pipeline (launching/runner.py builds the
same nodes in one process). Plain Python: it needs neither launch nor rclpy.

Parameters of each node, lowest to highest precedence:

1. ``config/<node>.yaml``                    the node's defaults
2. ``config/profiles/<profile>.yaml``        the profile's ``/**/<node>`` sections
3. ``params_file:=FILE``                     your own file (optional; same format)
4. launch arguments                          ``source``, ``keypoint_model``, ``venue_host`` ...

The files are read by rcl, in this order, in both runs: each parameter takes its value from the
last layer that names it. A map in YAML (``thresholds: {x_cross: 0.85}``) is one parameter per
key (``thresholds.x_cross``), so maps layer key by key; a list is one parameter, replaced whole.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gesture_ros.common.paths import DEFAULT_MODEL
from gesture_ros.perception.extraction.options import NODE_MODEL

PACKAGE = "gesture_ros"
TRUE, FALSE = ("true", "1"), ("false", "0")  # what launch's IfCondition accepts


@dataclass(frozen=True)
class Argument:
    name: str
    default: str
    description: str


ARGUMENTS: tuple[Argument, ...] = (
    Argument("profile", "media", "Parameter profile: media, concert, robot (config/profiles/PROFILE.yaml) "
             "or the path of a profile YAML file"),
    Argument("params_file", "", "Your own parameter file, applied after the profile (same format: "
             "/**/<node_name>: ros__parameters: ...); empty: none"),
    Argument("namespace", "", "Namespace for every node and topic (one per camera)"),
    Argument("source", "/dev/video0", "Camera source: V4L2 index or /dev path, video file, image folder or "
             "GStreamer pipeline"),
    Argument("image_topic", "image_raw", "Image topic the keypoint node reads; point it at another driver "
             "with start_camera:=false"),
    Argument("image_transport", "", "What keypoint_node reads: raw (image_topic) or compressed "
             "(image_topic/compressed, JPEG or PNG); empty: config/keypoint.yaml's (raw)"),
    Argument("camera_transport", "", "What camera_node publishes: raw (image_raw), compressed "
             "(image_raw/compressed, JPEG) or both; empty: config/camera.yaml's (raw)"),
    Argument("keypoint_model", NODE_MODEL.value, "MediaPipe model: hands, pose, holistic or hands_pose (the "
             "default gesture model needs hands and pose)"),
    Argument("keypoint_backend", "", "keypoint_node backend: mediapipe (the Solutions API) or onnx (the engine; "
             "the Jetson's, docs/engine.md); empty: config/keypoint.yaml's (mediapipe)"),
    Argument("gesture_model", DEFAULT_MODEL, "ONNX gesture model (absolute, or relative to "
             "the package share directory)"),
    Argument("action_map", "", "Action map YAML for the dispatcher; empty: the one the profile names"),
    Argument("venue_host", "127.0.0.1", "MQTT broker of the venue system (bridge)"),
    Argument("venue_port", "1883", "MQTT broker port"),
    Argument("record_dir", "recordings", "Folder for the recorder's MCAP files"),
    Argument("use_sim_time", "false", "Replay clock for a recorded source: camera_node publishes /clock and "
             "the other nodes run on it (as ros2 bag play --clock)"),
    Argument("autostart", "true", "Bring camera_node, keypoint_node and classifier_node to active at start; "
             "false: they wait unconfigured for a supervisor (ros2 lifecycle set <node> configure)"),
    Argument("start_camera", "true", "Start camera_node"),
    Argument("start_keypoints", "true", "Start keypoint_node"),
    Argument("start_classifier", "true", "Start classifier_node"),
    Argument("start_dispatch", "true", "Start action_dispatch_node"),
    Argument("start_bridge", "false", "Start bridge_node (MQTT to the venue)"),
    Argument("record", "false", "Start recorder_node (MCAP of keypoints, scores, events)"),
    Argument("rviz", "false", "Start rviz2 with config/gesture.rviz (needs rviz2 installed)"),
    Argument("discovery", "localhost", "DDS discovery: localhost (this machine only) or subnet; sets "
             "ROS_LOCALHOST_ONLY on Humble, ROS_AUTOMATIC_DISCOVERY_RANGE from Iron on (ros/discovery.py)"),
    Argument("domain_id", "", "ROS_DOMAIN_ID of every node; empty: the environment's (set one: domain 0 is "
             "shared with every other ROS 2 system)"),
)
DEFAULTS = {a.name: a.default for a in ARGUMENTS}


@dataclass(frozen=True)
class NodeDef:
    """A node of the launch: which argument starts it, its config file, what arguments set."""

    executable: str
    switch: str
    config: str | None  # config/<config>; None: the node has no defaults file
    # parameter <- launch argument, typed; an argument left empty ("") sets nothing
    from_args: tuple[tuple[str, str, type], ...] = ()
    remaps: tuple[tuple[str, str], ...] = ()  # topic -> launch argument naming the new topic
    package: str = PACKAGE
    cli: tuple[str, ...] = ()  # process arguments, e.g. rviz2's -d
    params: bool = True  # takes the parameter layers (rviz2 does not)
    sim_time: bool = True  # use_sim_time follows the argument (camera_node makes the clock instead)


NODES: tuple[NodeDef, ...] = (
    NodeDef("camera_node", "start_camera", "camera.yaml",
            (("source", "source", str), ("publish_clock", "use_sim_time", bool), ("transport", "camera_transport", str),
             ("autostart", "autostart", bool)),
            sim_time=False),
    NodeDef("keypoint_node", "start_keypoints", "keypoint.yaml",
            (("model", "keypoint_model", str), ("image_transport", "image_transport", str),
             ("backend", "keypoint_backend", str), ("autostart", "autostart", bool)),
            remaps=(("image_raw", "image_topic"),)),
    NodeDef("classifier_node", "start_classifier", "classifier.yaml",
            (("model_path", "gesture_model", str), ("autostart", "autostart", bool))),
    NodeDef("action_dispatch_node", "start_dispatch", None,
            (("model", "gesture_model", str), ("action_map", "action_map", str))),
    NodeDef("bridge_node", "start_bridge", "bridge.yaml",
            (("broker_host", "venue_host", str), ("broker_port", "venue_port", int))),
    NodeDef("recorder_node", "record", "recorder.yaml", (("output_dir", "record_dir", str),)),
    NodeDef("rviz2", "rviz", None, package="rviz2", cli=("-d", "{share}/config/gesture.rviz"), params=False),
)


@dataclass(frozen=True)
class NodeLaunch:
    """One node as the launch starts it: parameter files in order, then values from arguments."""

    package: str
    executable: str
    name: str
    namespace: str
    param_files: tuple[Path, ...]
    params: dict[str, Any] = field(default_factory=dict)
    remappings: tuple[tuple[str, str], ...] = ()
    arguments: tuple[str, ...] = ()


class PlanError(ValueError):
    """Arguments the launch cannot start with; the message is one sentence for the user."""


def package_installed(package: str) -> bool:
    """Return whether ROS 2 knows the package (its ament index entry), as ``plan``'s ``installed``."""
    from ament_index_python.packages import PackageNotFoundError, get_package_prefix

    try:
        get_package_prefix(package)
    except PackageNotFoundError:
        return False
    return True


def is_true(name: str, value: str) -> bool:
    """Read a boolean launch argument as launch's ``if=`` does; PlanError for anything else."""
    text = str(value).strip().lower()
    if text not in TRUE + FALSE:
        raise PlanError(f"launch argument {name}:={value} is neither true nor false")
    return text in TRUE


def unknown_arguments(names: list[str]) -> list[str]:
    """Return a sentence per name that is not a launch argument (with the likely one meant)."""
    out = []
    for name in names:
        if name not in DEFAULTS:
            near = difflib.get_close_matches(name, DEFAULTS, n=1)
            out.append(f"'{name}' is not a launch argument of {PACKAGE}" + (f" (did you mean {near[0]}?)"
                                                                          if near else ""))
    return out


def profile_file(profile: str, share: Path) -> Path:
    """Return the profile's YAML file: a shipped name or a path; PlanError if there is none."""
    if profile.endswith((".yaml", ".yml")) or "/" in profile:
        path = Path(profile).expanduser().resolve()
        if not path.is_file():
            raise PlanError(f"profile file {path} does not exist")
        return path
    folder = share / "config" / "profiles"
    path = folder / f"{profile}.yaml"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
        raise PlanError(f"profile '{profile}' does not exist: there is no {path} (profiles: {shipped}; "
                        "or give the path of your own profile YAML)")
    return path


def plan(args: Mapping[str, str], share: Path, installed: Callable[[str], bool]) -> list[NodeLaunch]:
    """Return the nodes the arguments start, or raise PlanError before anything is started.

    ``args``: launch arguments by name (missing ones take their defaults; unknown ones are an
    error). ``share``: this package's share directory. ``installed(package)``: whether another
    package (rviz2) is installed.
    """
    problems = unknown_arguments(list(args))
    if problems:
        raise PlanError("; ".join(problems))
    a = {**DEFAULTS, **{k: str(v) for k, v in args.items()}}
    started = [n for n in NODES if is_true(n.switch, a[n.switch])]
    for node in started:
        if node.package != PACKAGE and not installed(node.package):
            raise PlanError(f"{node.switch}:=true needs {node.package}, which is not installed here "
                            f"(on a system ROS 2: apt install ros-$ROS_DISTRO-{node.package.replace('_', '-')})")
    layers = [profile_file(a["profile"], share)]
    if a["params_file"]:
        own = Path(a["params_file"]).expanduser().resolve()
        if not own.is_file():
            raise PlanError(f"params_file {own} does not exist")
        layers.append(own)
    namespace = a["namespace"].strip("/")
    out = []
    for node in started:
        params: dict[str, Any] = {}
        for param, arg, kind in node.from_args:
            if a[arg] == "":
                continue
            try:
                params[param] = is_true(arg, a[arg]) if kind is bool else kind(a[arg])
            except ValueError:
                raise PlanError(f"launch argument {arg}:={a[arg]} is not {kind.__name__}") from None
        if node.params and node.sim_time:
            params["use_sim_time"] = is_true("use_sim_time", a["use_sim_time"])
        files = ((share / "config" / node.config,) if node.config else ()) + tuple(layers)
        out.append(NodeLaunch(
            package=node.package, executable=node.executable, name=node.executable, namespace=namespace,
            param_files=files if node.params else (), params=params,
            remappings=tuple((topic, a[arg]) for topic, arg in node.remaps if a[arg] != topic),
            arguments=tuple(c.format(share=share) for c in node.cli)))
    return out
