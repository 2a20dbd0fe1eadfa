"""classifier_node's parameters read into its settings, and a run-time change checked into new settings."""

from __future__ import annotations

from collections.abc import Callable

from rclpy.node import Node
from rclpy.parameter import Parameter

from gesture_ros.classify.model_allow import model_refusal
from gesture_ros.classify.params import LABEL_MAPS, MODEL_PARAMS, PARAMS, ClassifierSettings, settings_from
from gesture_ros.ros.params import map_values, unknown_name, values


def current_values(node: Node) -> dict[str, object]:
    """Return every parameter the settings are made of (the label maps' keys included)."""
    return {**values(node, PARAMS), **map_values(node, LABEL_MAPS)}


def initial_settings(node: Node, error: Callable[[str], None]) -> ClassifierSettings:
    """Return the settings of the parameters at start; with a bad post-processing value, say so and use
    the defaults of post-processing (the model's own parameters are kept)."""
    try:
        return settings_from(current_values(node))
    except ValueError as exc:
        error(f"{exc}; using the default post-processing settings")
        return settings_from({k: v for k, v in current_values(node).items() if k in MODEL_PARAMS})


def changed_settings(node: Node, params: list[Parameter],
                     model_dirs) -> tuple[ClassifierSettings | None, str | None]:
    """Return (the settings with ``params`` applied, None), or (None, why the change is refused)."""
    unknown = unknown_name(node, params, LABEL_MAPS)
    if unknown is not None:
        return None, unknown
    new = current_values(node)
    new.update({p.name: p.value for p in params})
    try:
        settings = settings_from(new)
    except ValueError as exc:
        return None, str(exc)
    for p in params:  # at run time, as on the classifier/model topic: only models inside model_dirs
        refusal = model_refusal(str(p.value), model_dirs) if p.name == "model_path" else None
        if refusal is not None:
            return None, f"model_path refused: {refusal}"
    return settings, None
