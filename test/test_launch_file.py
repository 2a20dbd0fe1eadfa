"""The shipped launch files, checked against the installed package (no launch_ros needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gesture_ros.tools.launch_check import Prefixes, check, main, profiles
from gesture_ros.tools.launch_xml import LaunchError, load_launch
from gesture_ros.tools.param_yaml import fully_qualified, load_param_file, resolve

PREFIXES = Prefixes.from_env()
SHARE = PREFIXES.share("gesture_ros")
MAIN = SHARE / "launch" / "gesture.launch.xml" if SHARE else None
EXPECTED = {"camera_node", "keypoint_node", "classifier_node", "action_dispatch_node"}

pytestmark = pytest.mark.skipif(SHARE is None, reason="gesture_ros is not installed: run 'make build'")


def errors(problems):
    return [str(p) for p in problems if p.level == "error"]


def node_params(model, name):
    node = next(n for n in model.enabled_nodes() if n.name == name)
    return resolve(fully_qualified(node.namespace, node.name), node.params)


def test_every_shipped_launch_file_passes_the_check():
    files = sorted((SHARE / "launch").glob("*.launch.xml"))
    assert {f.name for f in files} >= {"gesture.launch.xml", "media.launch.xml", "concert.launch.xml",
                                       "robot.launch.xml"}
    assert errors(check(files, PREFIXES)) == []
    assert main([str(f) for f in files]) == 0


def test_default_launch_starts_the_pipeline_with_its_arguments():
    model = load_launch(MAIN, PREFIXES.share, {"source": "clip.mp4", "namespace": "cam0"})
    started = {n.name for n in model.enabled_nodes()}
    assert started == EXPECTED  # bridge, recorder and rviz are opt-in
    assert all(n.namespace == "cam0" for n in model.enabled_nodes())
    assert node_params(model, "camera_node")["source"] == "clip.mp4"
    assert node_params(model, "classifier_node")["model_path"] == "models/gesture_default.onnx"


@pytest.mark.parametrize("profile", ["media", "concert", "robot"])
def test_each_profile_names_an_existing_action_map(profile):
    assert profile in profiles(PREFIXES)
    model = load_launch(SHARE / "launch" / f"{profile}.launch.xml", PREFIXES.share, {})
    action_map = node_params(model, "action_dispatch_node")["action_map"]
    own = load_param_file(SHARE / "config" / "profiles" / f"{profile}.yaml")
    assert action_map == own["/**/action_dispatch_node"]["action_map"]
    assert (SHARE / action_map).is_file()
    assert ("bridge_node" in {n.name for n in model.enabled_nodes()}) == (profile == "concert")


def test_launch_arguments_override_the_profile():
    model = load_launch(MAIN, PREFIXES.share, {"profile": "robot", "action_map": "/rig/map.yaml",
                                               "record": "true", "start_bridge": "true", "venue_host": "10.1.1.1"})
    dispatchers = [n for n in model.enabled_nodes() if n.exec == "action_dispatch_node"]
    assert len(dispatchers) == 1  # the two declarations are exclusive
    assert node_params(model, "action_dispatch_node")["action_map"] == "/rig/map.yaml"
    assert {"recorder_node", "bridge_node"} <= {n.name for n in model.enabled_nodes()}


def test_undeclared_argument_is_refused():
    with pytest.raises(LaunchError, match="not declared"):
        load_launch(MAIN, PREFIXES.share, {"sorce": "/dev/video1"})


def _mutated(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = MAIN.read_text()
    assert old in text, f"the mutation anchor {old!r} is gone from the launch file"
    path = tmp_path / "mutated.launch.xml"
    path.write_text(text.replace(old, new, count))
    return path


@pytest.mark.parametrize("old,new,expected", [
    ('exec="camera_node"', 'exec="camera_nod"', r"executable 'camera_nod' of package 'gesture_ros' is not installed"),
    ('$(var config)/classifier.yaml', '$(var config)/classifer.yaml', r"classifer\.yaml does not exist"),
    ('value="$(var source)"', 'value="$(var camera_source)"', r"\$\(var camera_source\) names no declared argument"),
    ('<remap from="image_raw"', '<remap from="image_rgb"', r"remapping 'image_rgb' names no topic"),
    ('if="$(var start_camera)"', 'if="$(var source)"', r"condition if=.* expected true/false"),
    ('<node pkg="gesture_ros" exec="bridge_node"', '<nod pkg="gesture_ros" exec="bridge_node"',
     r"not a readable XML launch file"),
])
def test_a_broken_launch_file_is_reported(tmp_path, old, new, expected):
    problems = errors(check([_mutated(tmp_path, old, new)], PREFIXES))
    assert any(re.search(expected, p) for p in problems), problems


def test_unknown_yaml_parameter_and_stray_section_are_reported(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("/**/keypoint_node:\n  ros__parameters:\n    model_complexty: 2\n"
                     "/**/keypoints_node:\n  ros__parameters:\n    model: hands\n")
    path = _mutated(tmp_path, '<param from="$(var config)/keypoint.yaml"/>',
                    f'<param from="$(var config)/keypoint.yaml"/>\n    <param from="{extra}"/>')
    problems = errors(check([path], PREFIXES))
    assert any("'model_complexty'" in p and "not a parameter of keypoint_node" in p for p in problems), problems
    assert any("section '/**/keypoints_node' reaches no node" in p for p in problems), problems


def test_inline_parameter_unknown_to_the_node_is_reported(tmp_path):
    path = _mutated(tmp_path, '<param name="source" value="$(var source)"/>',
                    '<param name="source" value="$(var source)"/>\n    <param name="fsp" value="30"/>')
    problems = errors(check([path], PREFIXES))
    assert any("'fsp'" in p and "not a parameter of camera_node" in p for p in problems), problems
