"""The classifier's parameter table, its YAML file and the settings they make."""

from pathlib import Path

import pytest
import yaml

from gesture_ros.classify.params import LABEL_MAPS, PARAMS, settings_from, source_id_for
from gesture_ros.classify.smoothing import Smoothing

CONFIG = Path(__file__).resolve().parents[2] / "config" / "classifier.yaml"


def _flatten(params: dict, prefix: str = "") -> dict:
    """Nested YAML maps as rcl reads them: one parameter per key, dotted."""
    out = {}
    for name, value in params.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def test_yaml_names_only_known_parameters_with_valid_values():
    doc = yaml.safe_load(CONFIG.read_text())
    values = _flatten(doc["/**"]["ros__parameters"])
    known = {p.name: p for p in PARAMS}
    maps = [k for k in values if any(m.label_of(k) for m in LABEL_MAPS)]
    assert set(values) - set(maps) <= set(known), set(values) - set(known) - set(maps)
    for name, value in values.items():
        if name not in maps:
            assert type(value) is type(known[name].default), name  # ROS parameters are typed
    settings = settings_from(values)
    assert settings.model_path == "models/gesture_default.onnx"
    assert settings.decider.events.thresholds == {"swipe_left": 0.45, "swipe_right": 0.45}


def test_the_yaml_read_without_ros_gives_the_same_maps():
    # the evaluation tools read config/classifier.yaml with plain YAML: the maps stay nested
    values = dict(yaml.safe_load(CONFIG.read_text())["/**"]["ros__parameters"])
    assert isinstance(values["thresholds"], dict)
    assert settings_from(values).decider.events.thresholds == {"swipe_left": 0.45, "swipe_right": 0.45}
    s = settings_from({"thresholds": {"fist": 0.6, "x_cross": 0.8}, "thresholds.fist": 0.9})
    assert s.decider.events.thresholds == {"fist": 0.9, "x_cross": 0.8}


def test_defaults_make_valid_settings():
    s = settings_from({})
    assert s.decider.smoothing is Smoothing.EMA and s.decider.stride == 1
    assert s.runtime.providers == ("tensorrt", "cuda", "cpu")
    assert not s.runtime.trt_cache_dir.startswith("~")  # expanded


def test_lists_maps_and_bad_values():
    s = settings_from({"thresholds.swipe_left": 0.9, "cooldowns.x_cross": 3, "deny": ["fist", ""]})
    assert s.decider.events.enter("swipe_left") == 0.9 and s.decider.events.cooldown_ns("x_cross") == 3_000_000_000
    assert s.decider.events.deny == frozenset({"fist"})
    with pytest.raises(ValueError, match=r"thresholds\['fist'\] must be in \[0, 1\]"):
        settings_from({"thresholds.fist": 1.5})
    with pytest.raises(ValueError, match="parameter cooldowns.x_cross='long' is not a number"):
        settings_from({"cooldowns.x_cross": "long"})
    with pytest.raises(ValueError, match="parameter smoothing='median'"):
        settings_from({"smoothing": "median"})
    with pytest.raises(ValueError, match=r"stride=0 is outside \[1, 100\]"):
        settings_from({"stride": 0})
    with pytest.raises(ValueError, match="model_path is empty"):
        settings_from({"model_path": " "})


def test_the_list_form_of_a_map_is_refused_with_one_sentence():
    for name, value in [("thresholds", ["swipe_left:0.9", "fist:0.6"]), ("cooldowns", ["x_cross:3"])]:
        with pytest.raises(ValueError) as refused:
            settings_from({name: value})
        sentence = str(refused.value)
        assert sentence.startswith(f"parameter {name}: {value!r} is refused: give one number per gesture as a map, "
                                   f"{name}: {{swipe_left: 0.5}}")
        assert "\n" not in sentence and sentence.count(". ") == 0


def test_source_ids():
    assert source_id_for("", "/", "camera_optical_frame") == "camera_optical_frame"
    assert source_id_for("", "/stage/cam0", "optical") == "stage/cam0/optical"
    assert source_id_for("jetson-07/{frame_id}", "/", "cam0") == "jetson-07/cam0"
    assert source_id_for("fixed", "/x", "y") == "fixed"
    assert source_id_for("", "/", "") == "camera"
