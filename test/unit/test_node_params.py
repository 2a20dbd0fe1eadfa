"""The perception nodes' parameter tables: their YAML files name only their parameters, and the
keypoint table makes the extractor's options."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gesture_ros.common.node_params import defaults
from gesture_ros.perception.camera_params import CAMERA_PARAMS
from gesture_ros.perception.extraction.options import NODE_PALM_DETECT_EVERY
from gesture_ros.perception.extractor import ExtractorOptions
from gesture_ros.perception.keypoint_params import KEYPOINT_PARAMS, changed_options, extractor_options

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.mark.parametrize("file,table", [("camera.yaml", CAMERA_PARAMS), ("keypoint.yaml", KEYPOINT_PARAMS)])
def test_the_config_file_names_only_parameters_of_the_table(file, table):
    params = yaml.safe_load((CONFIG / file).read_text())["/**"]["ros__parameters"]
    names = {p.name for p in table}
    assert params and set(params) <= names, set(params) - names
    assert len(names) == len(table)  # each parameter once
    for name, value in params.items():  # the file's values have the table's types
        default = next(p.default for p in table if p.name == name)
        assert isinstance(value, type(default)) or (isinstance(default, float) and isinstance(value, int)), name


def test_the_keypoint_table_gives_the_extractor_options_of_the_node():
    options = extractor_options(defaults(KEYPOINT_PARAMS))
    assert options.model == "hands_pose"  # the default gesture model reads hands and pose
    assert options == ExtractorOptions(model="hands_pose", palm_detect_every=NODE_PALM_DETECT_EVERY)


def test_a_change_makes_new_options_only_for_extractor_parameters():
    current = ExtractorOptions(model="hands_pose")
    changed = changed_options(current, {"max_hand_speed": 5.0, "max_people": 3, "far_body_tiles": 2})
    assert changed.recovery.max_speed == 5.0 and changed.people.max_people == 3 and changed.far_body.tiles == 2
    assert changed.model == "hands_pose" and current.recovery.max_speed != 5.0
    assert changed_options(current, {"marker_depth_m": 2.0}) is None
