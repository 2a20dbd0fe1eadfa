"""The dispatcher's parameters as plain data, and the settings they make.

One table serves the node (declarations with descriptors), the docs and the tests. Every
parameter is read-only at run time: they are safety limits, the map and the start state, so
someone else on the DDS domain must not switch them off; set them at launch. Arming at run
time goes through ``dispatch/set_armed`` and ``dispatch/armed`` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gesture_ros.actions.safety import SafetySettings
from gesture_ros.common.node_params import ParamSpec
from gesture_ros.common.paths import DEFAULT_MODEL

DEFAULT_MAP = "config/actions/default.yaml"

PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("action_map", DEFAULT_MAP, "Action map YAML (absolute, or relative to the package share "
              "directory), read at start; a bad file is refused and nothing fires"),
    ParamSpec("model", DEFAULT_MODEL, "ONNX gesture model whose labels are the gesture names a map may use; "
              "the documented default vocabulary when it cannot be read"),
    ParamSpec("armed", True, "Start armed; a motion map (geometry_msgs/Twist, or motion: true) always starts "
              "disarmed. At run time arm only through dispatch/set_armed or dispatch/armed. Disarmed, "
              "nothing fires but stops (END actions, stop: true)"),
    ParamSpec("max_event_age_s", 1.0, "Events whose header stamp is older than this (node clock) are not "
              "acted on; 0: off", (0.0, 3600.0)),
    ParamSpec("global_rate_limit", 10, "Most events acted on per global_rate_window_s, all gestures "
              "together; 0: no limit", (0, 10000)),
    ParamSpec("global_rate_window_s", 1.0, "Window of the global rate limit, seconds", (0.01, 3600.0)),
    ParamSpec("hold_timeout_s", 0.5, "A held gesture with repeat_hz actions is released (its END actions "
              "run) when no gesture/scores of its source and person rank it at least hold_exit_threshold "
              "for this long: a dead classifier stops the robot", (0.05, 60.0)),
    ParamSpec("hold_exit_threshold", 0.5, "Smoothed probability the scores must give a held gesture to keep "
              "its hold alive (as the classifier's exit_threshold)", (0.0, 1.0)),
    ParamSpec("stop_latch_s", 1.0, "After a stop (stop: true) ended, nothing with repeat_hz starts again "
              "for this long (re-arming clears it)", (0.0, 3600.0)),
    ParamSpec("max_stamp_skew_s", 3600.0, "Events stamped further than this from the node clock are "
              "refused as bad input (a refused END still ends its hold); 0: off", (0.0, 1e9)),
    ParamSpec("diagnostics_period_s", 1.0, "Period of /diagnostics, seconds", (0.1, 60.0)),
)
PARAM_NAMES = tuple(p.name for p in PARAMS)
READ_ONLY = frozenset(PARAM_NAMES)


@dataclass(frozen=True)
class DispatchSettings:
    """What the parameters mean, checked."""

    action_map: str
    model: str
    safety: SafetySettings
    diagnostics_period_s: float


def settings_from(values: Mapping[str, Any]) -> DispatchSettings:
    """Build settings from parameter values (missing ones take defaults); raise ValueError naming one."""
    v: dict[str, Any] = {p.name: p.default for p in PARAMS}
    v.update({k: val for k, val in values.items() if val is not None})
    for spec in PARAMS:
        if spec.range and not spec.range[0] <= v[spec.name] <= spec.range[1]:
            raise ValueError(f"parameter {spec.name}={v[spec.name]} is outside [{spec.range[0]}, {spec.range[1]}]")
    safety = SafetySettings(
        armed=bool(v["armed"]), max_event_age_s=float(v["max_event_age_s"]),
        rate_limit_count=int(v["global_rate_limit"]), rate_limit_window_s=float(v["global_rate_window_s"]),
        hold_timeout_s=float(v["hold_timeout_s"]), max_stamp_skew_s=float(v["max_stamp_skew_s"]),
        hold_exit_threshold=float(v["hold_exit_threshold"]), stop_latch_s=float(v["stop_latch_s"]))
    return DispatchSettings(str(v["action_map"]), str(v["model"]), safety, float(v["diagnostics_period_s"]))
