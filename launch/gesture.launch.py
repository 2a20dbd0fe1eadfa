"""gesture_ros: camera -> keypoints -> classifier -> action dispatch / venue bridge (+ recorder, rviz).

    ros2 launch gesture_ros gesture.launch.py source:=/dev/video0 profile:=media
    ros2 launch gesture_ros gesture.launch.py --show-args        # every argument, with its default

The arguments, the nodes and each node's parameter files are defined once, in
gesture_ros/launching/plan.py, which the one-process pipeline (make run) follows as well.
Per node, lowest to highest precedence: config/<node>.yaml, config/profiles/<profile>.yaml,
params_file:=FILE, then the arguments. Wrong arguments (an unknown profile, rviz:=true without
rviz2, a misspelt argument) stop the launch with one sentence before any node starts.
Every node gets the discovery settings its distro understands (discovery:=localhost by default,
domain_id:=N; gesture_ros/ros/discovery.py).
"""

import os
from pathlib import Path

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, LogInfo, OpaqueFunction
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue

from gesture_ros.launching import plan as launch_plan
from gesture_ros.ros.discovery import DiscoveryError, discovery_env


def _nodes(context):
    given = [a.split(":=", 1)[0] for a in context.argv if ":=" in a]
    # Only names close to ours: a launch file that includes this one may have arguments of its own.
    near = [p for p in launch_plan.unknown_arguments(given) if "did you mean" in p]
    if near:
        raise launch_plan.PlanError("; ".join(near))
    args = {a.name: context.launch_configurations[a.name] for a in launch_plan.ARGUMENTS}
    share = Path(get_package_share_directory(launch_plan.PACKAGE))
    try:
        env, warnings = discovery_env(args["discovery"], args["domain_id"], os.environ)
    except DiscoveryError as exc:
        raise launch_plan.PlanError(str(exc)) from None
    return [*(LogInfo(msg=f"WARNING: {w}") for w in warnings),
            *(Node(package=n.package, executable=n.executable, name=n.name, namespace=n.namespace or None,
                   parameters=[*(str(f) for f in n.param_files), *([_typed(n.params)] if n.params else [])],
                   remappings=list(n.remappings), arguments=list(n.arguments), output="screen",
                   additional_env=env)
              for n in launch_plan.plan(args, share, launch_plan.package_installed))]


def _typed(params: dict) -> dict:
    """Keep strings strings: launch_ros would read source:=0 as the integer 0."""
    return {k: ParameterValue(v, value_type=str) if isinstance(v, str) else v for k, v in params.items()}


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription([
        *(DeclareLaunchArgument(a.name, default_value=a.default, description=a.description)
          for a in launch_plan.ARGUMENTS),
        OpaqueFunction(function=_nodes),
    ])
