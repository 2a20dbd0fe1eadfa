"""The classifier node's parameters as plain data, and the settings they make.

One table serves the node (declarations with descriptors), the docs and the tests; turning
values into settings raises ValueError naming the parameter, so the node can refuse a
run-time change with that sentence.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gesture_ros.classify.event_config import EventConfig
from gesture_ros.classify.gesture_decider import DeciderConfig
from gesture_ros.classify.hands_at_rest import RestConfig
from gesture_ros.classify.onnx_model import RuntimeOptions
from gesture_ros.classify.smoothing import Smoothing
from gesture_ros.classify.swipe_viewpoint import SwipeFrame
from gesture_ros.common.node_params import ParamSpec
from gesture_ros.common.ort_providers import DEFAULT_PROVIDERS
from gesture_ros.common.paths import DEFAULT_MODEL

DEFAULT_TRT_CACHE = "~/.cache/gesture_ros/trt_engines"
# Defaults the core's settings already carry are taken from them (written once); the node's own
# choices where the core's default is off (threshold, refractory_s, return strokes, hold and stroke
# gestures) are written here.
_D, _E, _R = DeciderConfig, EventConfig, RestConfig


@dataclass(frozen=True)
class ClassifierSettings:
    """What the parameters mean, checked."""

    model_path: str
    runtime: RuntimeOptions
    decider: DeciderConfig
    source_id: str
    publish_scores: bool
    watch_model_file: bool
    diagnostics_period_s: float
    marker_lifetime_s: float = 2.0
    marker_depth_m: float = 1.0
    marker_hfov_deg: float = 60.0
    model_dirs: tuple[str, ...] = ("models",)


PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("model_path", DEFAULT_MODEL, "ONNX gesture model: absolute, or relative to the package share "
              "directory; changing it at run time swaps the model live, only to a good model inside model_dirs"),
    ParamSpec("providers", [p.replace("ExecutionProvider", "").lower() for p in DEFAULT_PROVIDERS],
              "ONNX Runtime execution providers, best first (tensorrt, cuda, cpu); unavailable ones are "
              "skipped, cpu is always last", string_array=True),
    ParamSpec("trt_cache_dir", DEFAULT_TRT_CACHE, "TensorRT engine/timing cache folder (builds once per model)"),
    ParamSpec("intra_op_threads", 1, "ONNX Runtime threads inside one operator", (0, 64)),
    ParamSpec("inter_op_threads", 1, "ONNX Runtime threads across operators", (0, 64)),
    ParamSpec("smoothing", _D.smoothing.value, "Probability smoothing over successive windows: ema, mean or none"),
    ParamSpec("smoothing_alpha", _D.smoothing_alpha, "EMA factor: weight of the newest window", (0.01, 1.0)),
    ParamSpec("smoothing_span", _D.smoothing_span, "Moving-average length in windows (smoothing: mean)", (1, 50)),
    ParamSpec("threshold", 0.7, "Default enter threshold on the smoothed probability", (0.0, 1.0)),
    ParamSpec("exit_threshold", _E.exit_threshold, "Exit threshold (hysteresis): a held gesture ends and a one-shot "
              "re-arms below it (never above the gesture's enter threshold)", (0.0, 1.0)),
    ParamSpec("min_duration_s", _E.min_duration_s, "A held gesture must stay entered this long before START", (0.0, 10.0)),
    ParamSpec("cooldown_s", _E.cooldown_s, "After a TRIGGER or END the same gesture is ignored this long", (0.0, 60.0)),
    ParamSpec("refractory_s", 0.8, "After any TRIGGER every one-shot gesture is ignored this long",
              (0.0, 60.0)),
    ParamSpec("return_stroke_s", 2.0, "A swipe opposite to the last swipe, this soon after it and before the "
              "hands rested, is its return stroke and gives no event (0: off)", (0.0, 60.0)),
    ParamSpec("rest_s", _R.rest_s, "How long the hands must stay still after a swipe before an opposite swipe "
              "counts as a new one", (0.0, 10.0)),
    ParamSpec("hold_gestures", ["x_cross"], "One-shot gestures that fire only once the hands have been still "
              "for hold_s while the gesture is entered", string_array=True),
    ParamSpec("hold_s", _E.hold_s, "How long the hands must be still in a hold_gestures gesture before it fires",
              (0.0, 10.0)),
    ParamSpec("stroke_gestures", ["swipe_left", "swipe_right"], "One-shot gestures that are a motion: they "
              "fire only when a wrist moved at least stroke_min_travel palm lengths sideways in the last "
              "stroke_window_s", string_array=True),
    ParamSpec("stroke_min_travel", _E.stroke_min_travel, "How far (palm lengths) a wrist must have moved sideways for a "
              "stroke_gestures gesture to fire (0: off)", (0.0, 20.0)),
    ParamSpec("still_gestures", ["fist", "open_palm", "pointing", "thumbs_down", "thumbs_up"], "Held gestures "
              "(hand signs) that START only while their hand is roughly still: its wrist slower than "
              "still_max_speed over the last 0.3 s (a moving open hand is a swipe or nothing)", string_array=True),
    ParamSpec("still_max_speed", _E.still_max_speed, "Fastest wrist (palm lengths per second, over 0.3 s of "
              "median-filtered positions) at which a still_gestures gesture may START; measured: held hands "
              "median 0.03-0.2, 95th percentile 0.15-1.8; the swipe GIF's strokes up to 13", (0.1, 20.0)),
    ParamSpec("stroke_window_s", _R.travel_s, "How far back the stroke_gestures check looks", (0.1, 5.0)),
    ParamSpec("swipe_frame", _D.swipe_frame.value, "Frame of swipe_left/swipe_right: image (toward -x/+x of the published "
              "image) or performer (the performer's own left/right, from the pose's shoulders; without a body "
              "in view a performer facing an unmirrored camera is assumed)"),
    ParamSpec("allow", [], "Only these gestures give events (empty: all)", string_array=True),
    ParamSpec("deny", [], "These gestures never give events", string_array=True),
    ParamSpec("max_gap_s", _D.max_gap_s, "A longer hole between keypoint stamps resets the window (and ENDs a "
              "held gesture)", (0.01, 60.0)),
    ParamSpec("resample", _D.resample, "Put each person's keypoints on the model's clock (its "
              "gesture_ros.fps metadata) before the window: every camera rate, dropped and repeated frames give the "
              "window the seconds the model was trained on; false: frames go to the window as they come"),
    ParamSpec("min_presence", _D.min_presence, "Fraction of window frames that must have a hand/body for the model "
              "to run; below it the reject class is assumed", (0.0, 1.0)),
    ParamSpec("min_fill", _D.min_fill, "Start deciding once this fraction of the window has frames (after start "
              "or a reset); the rest is left-padded with 'no hand/body' rows, as in training", (0.0, 1.0)),
    ParamSpec("stride", _D.stride, "Run the model every N ticks of the model's clock (keypoint frames with "
              "resample false)", (1, 100)),
    ParamSpec("source_id", "", "Source id of the events; empty: '<namespace>/<frame_id>'; may contain "
              "{namespace} and {frame_id}"),
    ParamSpec("both_hands", sorted(_D.both_hands), "Gestures reported with handedness 'both'", string_array=True),
    ParamSpec("forearm_gestures", sorted(_D.forearm_gestures), "Gestures that fire only on a frame whose pose shows both "
              "elbows and wrists, the wrists within the body's width (a pose that cannot see the forearms "
              "cannot see them crossed); [] turns the check off", string_array=True),
    ParamSpec("open_hand_gestures", sorted(_D.open_hand_gestures), "Held gestures that START only on a frame whose "
              "hand shows its fingers extended: the middle fingertip at least 1.4 palm lengths from the wrist, the "
              "index tip at least 0.85 of that (a curled hand, a loosened OK sign or a pinch is no stop palm); [] "
              "turns the check off", string_array=True),
    ParamSpec("closed_hand_gestures", sorted(_D.closed_hand_gestures), "Held gestures that START only on a frame "
              "whose hand has its index folded: its tip at most 0.35 palm lengths farther from the wrist than its "
              "middle joint (a pointing hand is no fist); [] turns the check off", string_array=True),
    ParamSpec("publish_scores", True, "Publish gesture/scores (per-class probabilities per window)"),
    ParamSpec("watch_model_file", True, "Reload the model when its file changes on disk"),
    ParamSpec("keypoint_timeout_s", _D.keypoint_timeout_s, "Keypoint watchdog: no keypoints from a source, or no person in them, "
              "for this long ends its held gesture at once (END stamped when the watchdog fired); 0: off; read-only",
              (0.0, 60.0)),
    ParamSpec("max_sources", _D.max_sources, "Most sources (frame ids) decided at once; keypoints of further ones are "
              "refused until one has been silent for keypoint_timeout_s and max_gap_s", (1, 1000)),
    ParamSpec("model_dirs", list(ClassifierSettings.model_dirs), "Folders a model named on the classifier/model topic must lie in "
              "or set as model_path at run time (absolute, or relative to the package share directory); empty: "
              "no run-time switch; read-only",
              string_array=True),
    ParamSpec("diagnostics_period_s", 1.0, "Period of /diagnostics reports", (0.1, 60.0)),
    ParamSpec("marker_lifetime_s", ClassifierSettings.marker_lifetime_s, "How long rviz shows an event's label on gesture/markers", (0.1, 60.0)),
    ParamSpec("marker_depth_m", ClassifierSettings.marker_depth_m, "Distance of the marker plane from the camera (as keypoint_node's)",
              (0.05, 100.0)),
    ParamSpec("marker_hfov_deg", ClassifierSettings.marker_hfov_deg, "Horizontal field of view the marker plane spans (as keypoint_node's)",
              (1.0, 179.0)),
)
PARAM_NAMES = tuple(p.name for p in PARAMS)
# Safety settings someone else on the DDS domain must not switch off at run time: set at launch.
READ_ONLY = frozenset({"model_dirs", "keypoint_timeout_s"})


@dataclass(frozen=True)
class LabelMapSpec:
    """Numbers per gesture label, as one parameter per key: ``thresholds.swipe_left``.

    Parameter files layer such keys one by one (YAML ``thresholds: {x_cross: 0.85}`` in a
    profile adds x_cross and keeps the swipes of config/classifier.yaml), where a list
    parameter would be replaced whole.
    """

    name: str
    description: str
    range: tuple[float, float]

    def key(self, label: str) -> str:
        return f"{self.name}.{label}"

    def not_a_map(self, value: object) -> str:
        """Return the sentence that refuses a value given under the map's own name (a list, say)."""
        return (f"parameter {self.name}: {value!r} is refused: give one number per gesture as a map, "
                f"{self.name}: {{swipe_left: 0.5}} (one parameter per key, {self.name}.swipe_left)")

    def label_of(self, key: str) -> str | None:
        """Return the label of a parameter name of this map (``thresholds.fist`` -> ``fist``), else None."""
        prefix = self.name + "."
        return key[len(prefix):] if key.startswith(prefix) and len(key) > len(prefix) else None


LABEL_MAPS: tuple[LabelMapSpec, ...] = (
    LabelMapSpec("thresholds", "Enter threshold of this gesture (unset: threshold)", (0.0, 1.0)),
    LabelMapSpec("cooldowns", "Cooldown of this gesture in seconds (unset: cooldown_s)", (0.0, 600.0)),
)
MODEL_PARAMS = ("model_path", "providers", "trt_cache_dir", "intra_op_threads", "inter_op_threads")


def _strings(values: Mapping[str, Any], name: str) -> Sequence[str]:
    return [str(v) for v in (values.get(name) or []) if str(v).strip()]


def label_map(values: Mapping[str, Any], spec: LabelMapSpec) -> dict[str, float]:
    """Collect ``{label: number}`` from the parameters ``<map>.<label>``; raise ValueError on anything else.

    A nested mapping under the map's name (config/classifier.yaml read as plain YAML, as the
    evaluation tools do) is read as its per-key parameters; any other value there is refused.
    """
    nested = values.get(spec.name)
    if nested is not None and not isinstance(nested, Mapping):
        raise ValueError(spec.not_a_map(nested))
    out: dict[str, float] = {}
    pairs = [(spec.key(str(k)), v) for k, v in (nested or {}).items()] + list(values.items())
    for key, value in pairs:
        label = spec.label_of(key)
        if label is None or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"parameter {key}={value!r} is not a number")
        out[label] = float(value)
    return out


def settings_from(values: Mapping[str, Any]) -> ClassifierSettings:
    """Build settings from parameter values (missing ones take defaults); raise ValueError naming one.

    ``values`` holds the table's parameters by name and the label maps' keys (``thresholds.fist``).
    """
    v: dict[str, Any] = {p.name: p.default for p in PARAMS}
    v.update({k: val for k, val in values.items() if val is not None})
    for spec in PARAMS:
        if spec.range and not spec.range[0] <= v[spec.name] <= spec.range[1]:
            raise ValueError(f"parameter {spec.name}={v[spec.name]} is outside [{spec.range[0]}, {spec.range[1]}]")
    try:
        smoothing = Smoothing(str(v["smoothing"]).lower())
    except ValueError:
        raise ValueError(f"parameter smoothing='{v['smoothing']}' is not one of ema, mean, none") from None
    try:
        swipe_frame = SwipeFrame(str(v["swipe_frame"]).lower())
    except ValueError:
        raise ValueError(f"parameter swipe_frame='{v['swipe_frame']}' is not one of image, performer") from None
    if not str(v["model_path"]).strip():
        raise ValueError("parameter model_path is empty")
    thresholds, cooldowns = (label_map(v, spec) for spec in LABEL_MAPS)
    try:
        events = EventConfig(
            threshold=float(v["threshold"]), exit_threshold=float(v["exit_threshold"]), thresholds=thresholds,
            min_duration_s=float(v["min_duration_s"]), cooldown_s=float(v["cooldown_s"]), cooldowns=cooldowns,
            refractory_s=float(v["refractory_s"]), return_stroke_s=float(v["return_stroke_s"]),
            hold_gestures=frozenset(_strings(v, "hold_gestures")), hold_s=float(v["hold_s"]),
            stroke_gestures=frozenset(_strings(v, "stroke_gestures")), stroke_min_travel=float(v["stroke_min_travel"]),
            still_gestures=frozenset(_strings(v, "still_gestures")), still_max_speed=float(v["still_max_speed"]),
            allow=frozenset(_strings(v, "allow")), deny=frozenset(_strings(v, "deny")))
    except ValueError as exc:
        raise ValueError(f"post-processing parameters: {exc}") from None
    runtime = RuntimeOptions(providers=tuple(_strings(v, "providers")) or ("cpu",),
                             trt_cache_dir=os.path.expanduser(str(v["trt_cache_dir"])),
                             intra_op_threads=int(v["intra_op_threads"]),
                             inter_op_threads=int(v["inter_op_threads"]))
    decider = DeciderConfig(events=events, smoothing=smoothing, smoothing_alpha=float(v["smoothing_alpha"]),
                            smoothing_span=int(v["smoothing_span"]), max_gap_s=float(v["max_gap_s"]),
                            stride=int(v["stride"]), min_presence=float(v["min_presence"]),
                            min_fill=float(v["min_fill"]), resample=bool(v["resample"]),
                            both_hands=frozenset(_strings(v, "both_hands")),
                            forearm_gestures=frozenset(_strings(v, "forearm_gestures")),
                            open_hand_gestures=frozenset(_strings(v, "open_hand_gestures")),
                            closed_hand_gestures=frozenset(_strings(v, "closed_hand_gestures")),
                            keypoint_timeout_s=float(v["keypoint_timeout_s"]), max_sources=int(v["max_sources"]),
                            rest=RestConfig(rest_s=float(v["rest_s"]), travel_s=float(v["stroke_window_s"])), swipe_frame=swipe_frame)
    return ClassifierSettings(str(v["model_path"]), runtime, decider, str(v["source_id"]),
                              bool(v["publish_scores"]), bool(v["watch_model_file"]),
                              float(v["diagnostics_period_s"]), float(v["marker_lifetime_s"]),
                              float(v["marker_depth_m"]), float(v["marker_hfov_deg"]),
                              tuple(_strings(v, "model_dirs")))


def source_id_for(template: str, namespace: str, frame_id: str) -> str:
    """Return the source id of a frame: the template with {namespace}/{frame_id} filled in."""
    ns = namespace.strip("/")
    if not template:
        return f"{ns}/{frame_id}" if ns else frame_id or "camera"
    return template.replace("{namespace}", ns).replace("{frame_id}", frame_id)
