"""The launch plan (launching/plan.py) on its own: no launch package, no ROS."""

from __future__ import annotations

from pathlib import Path

import pytest

from gesture_ros.launching.plan import ARGUMENTS, NODES, PlanError, plan

REPO = Path(__file__).resolve().parents[2]  # the source tree has the share directory's layout


def _plan(**args):
    return {n.executable: n for n in plan(args, REPO, installed=lambda pkg: False)}


def test_defaults_start_the_four_nodes_with_their_layers_in_order():
    nodes = _plan()
    assert list(nodes) == ["camera_node", "keypoint_node", "classifier_node", "action_dispatch_node"]
    classifier = nodes["classifier_node"]
    assert classifier.param_files == (REPO / "config" / "classifier.yaml", REPO / "config" / "profiles" / "media.yaml")
    assert classifier.params == {"model_path": "models/gesture_default.onnx", "autostart": True, "use_sim_time": False}
    assert nodes["action_dispatch_node"].param_files == (REPO / "config" / "profiles" / "media.yaml",)
    assert nodes["keypoint_node"].remappings == ()


def test_arguments_reach_their_nodes_typed(tmp_path):
    own = tmp_path / "site.yaml"
    own.write_text("/**:\n  ros__parameters: {}\n")
    nodes = _plan(profile="concert", params_file=str(own), namespace="/stage/cam1/", source="0",
                  image_topic="/usb_cam/image_raw", start_bridge="True", venue_port="8883", record="1")
    assert nodes["camera_node"].params == {"source": "0", "publish_clock": False,  # source a string, as camera_node's
                                           "autostart": True}
    assert nodes["bridge_node"].params == {"broker_host": "127.0.0.1", "broker_port": 8883, "use_sim_time": False}
    assert nodes["keypoint_node"].remappings == (("image_raw", "/usb_cam/image_raw"),)
    assert {n.namespace for n in nodes.values()} == {"stage/cam1"}
    assert nodes["recorder_node"].param_files[-1] == own.resolve()
    assert nodes["bridge_node"].param_files[-2].name == "concert.yaml"


def test_autostart_false_reaches_the_managed_nodes_only():
    nodes = _plan(autostart="false")
    assert {name for name, n in nodes.items() if "autostart" in n.params} == {"camera_node", "keypoint_node",
                                                                             "classifier_node"}
    assert all(n.params["autostart"] is False for n in nodes.values() if "autostart" in n.params)


@pytest.mark.parametrize("args,sentence", [
    ({"profile": "nosuch"}, r"profile 'nosuch' does not exist: there is no .*nosuch\.yaml \(profiles: concert, media, robot"),
    ({"profile": "/no/where.yaml"}, r"profile file /no/where\.yaml does not exist"),
    ({"params_file": "/no/site.yaml"}, r"params_file /no/site\.yaml does not exist"),
    ({"rviz": "true"}, r"rviz:=true needs rviz2, which is not installed here"),
    ({"record": "yes"}, r"launch argument record:=yes is neither true nor false"),
    ({"start_bridge": "true", "venue_port": "mqtt"}, r"launch argument venue_port:=mqtt is not int"),
    ({"sorce": "x", "modle": "y"}, r"'sorce' is not a launch argument of gesture_ros \(did you mean source\?\); "
                                   r"'modle' is not a launch argument of gesture_ros$"),
])
def test_wrong_arguments_are_one_sentence(args, sentence):
    with pytest.raises(PlanError, match=sentence):
        plan(args, REPO, installed=lambda pkg: False)


def test_rviz_starts_when_installed():
    nodes = plan({"rviz": "true"}, REPO, installed=lambda pkg: pkg == "rviz2")
    rviz = nodes[-1]
    assert (rviz.package, rviz.param_files, rviz.arguments) == ("rviz2", (), ("-d", f"{REPO}/config/gesture.rviz"))


def test_every_switch_and_argument_is_declared():
    names = {a.name for a in ARGUMENTS}
    for node in NODES:
        assert node.switch in names
        assert {arg for _, arg, _ in node.from_args} <= names
        assert {arg for _, arg in node.remaps} <= names
        assert node.config is None or (REPO / "config" / node.config).is_file()


def test_use_sim_time_makes_the_camera_publish_the_clock_the_others_read():
    nodes = plan({"use_sim_time": "true", "rviz": "true"}, REPO, installed=lambda pkg: True)
    by_name = {n.executable: n.params for n in nodes}
    assert by_name["camera_node"]["publish_clock"] is True and "use_sim_time" not in by_name["camera_node"]
    assert all(by_name[n]["use_sim_time"] is True for n in ("keypoint_node", "classifier_node", "action_dispatch_node"))
    assert by_name["rviz2"] == {}  # rviz2 takes no parameters from the plan


def test_compressed_transports_reach_camera_and_keypoints_and_empty_sets_nothing():
    nodes = _plan(camera_transport="compressed", image_transport="compressed", image_topic="/usb_cam/image_raw")
    assert nodes["camera_node"].params["transport"] == "compressed"
    assert nodes["keypoint_node"].params["image_transport"] == "compressed"
    assert nodes["keypoint_node"].remappings == (("image_raw", "/usb_cam/image_raw"),)  # read as .../compressed
    defaults = _plan()
    assert "transport" not in defaults["camera_node"].params  # config/camera.yaml's value stays
    assert "image_transport" not in defaults["keypoint_node"].params


def test_the_keypoint_backend_argument_reaches_keypoint_node_and_empty_keeps_the_yaml():
    assert _plan(keypoint_backend="onnx")["keypoint_node"].params["backend"] == "onnx"  # the Jetson's
    assert "backend" not in _plan()["keypoint_node"].params  # config/keypoint.yaml's (mediapipe)
