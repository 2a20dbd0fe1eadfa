"""What a stop may do: make things safe, never move, arm or command (checked when a map loads).

A stop (an action marked ``stop: true``, and every END action) runs while disarmed, stale or
over the rate limit, so an action marked as one must not be able to start anything: no
non-zero Twist, no ``true`` (arming, enabling), no service but the known stop ones, no
command built from the event (a template). END actions are checked only for motion and
arming: they close what their START opened and may carry a template (``"{gesture} ended"``).
"""

from __future__ import annotations

from typing import Any

from gesture_ros.actions.http_action import HttpAction
from gesture_ros.actions.mpv_action import MpvAction
from gesture_ros.actions.osc_action import OscAction
from gesture_ros.actions.ros_action import BOOL, STRING, TWIST, RosAction
from gesture_ros.actions.template import has_placeholder

# last segment of a std_srvs/Trigger service a stop may call
STOP_SERVICES = frozenset({"stop", "halt", "estop", "e_stop", "emergency_stop", "disarm", "pause", "cancel",
                           "abort", "brake"})
STOP_MPV_COMMANDS = frozenset({"pause", "stop"})


def motion_problem(spec: Any) -> str | None:
    """Return why an action could move or arm something, or None."""
    if not isinstance(spec, RosAction) or spec.service:
        return None
    if spec.msg_type == TWIST and any(spec.linear + spec.angular):
        return "its Twist is not zero (it moves)"
    if spec.msg_type == BOOL and spec.data is True:
        return "it publishes true (it could arm or enable something)"
    return None


def stop_problem(spec: Any) -> str | None:
    """Return why an action may not be marked ``stop: true``, or None."""
    problem = motion_problem(spec)
    if problem:
        return problem
    if isinstance(spec, RosAction):
        if spec.service and spec.service.rsplit("/", 1)[-1] not in STOP_SERVICES:
            return (f"service '{spec.service}' is not a known stop service "
                    f"(a stop may call: {', '.join(sorted(STOP_SERVICES))})")
        if spec.msg_type == STRING and has_placeholder(spec.data):
            return "its data is a command template (a stop sends a fixed message)"
    elif isinstance(spec, MpvAction) and spec.command not in STOP_MPV_COMMANDS:
        return f"mpv '{spec.command}' starts something (a stop may: {', '.join(sorted(STOP_MPV_COMMANDS))})"
    elif isinstance(spec, OscAction) and has_placeholder(list(spec.args)):
        return "its args are a command template (a stop sends a fixed message)"
    elif isinstance(spec, HttpAction) and has_placeholder(spec.body):
        return "its json is a command template (a stop sends a fixed request)"
    return None
