"""An empty list in a parameter file turns a list parameter off, as the docs say (`[]`: off).

rcl reads a YAML ``[]`` as a parameter without a type, and rclpy refused to declare it: the robot
profile (``open_hand_gestures: []``) stopped classifier_node at its start. ``empty_list_overrides``
gives those names back as ``[""]`` (rclpy cannot declare a typed ``[]`` either), and a set request's
empty list (``ros2 param set ... "[]"``) becomes the same; a real
ClassifierNode starts with them and its checks are off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

rclpy = pytest.importorskip("rclpy")

from rclpy.parameter import Parameter  # noqa: E402

from gesture_ros.classify.params import PARAMS, settings_from  # noqa: E402
from gesture_ros.nodes.classifier_node import ClassifierNode  # noqa: E402
from gesture_ros.ros.empty_lists import EMPTY, empty_list_overrides  # noqa: E402
from gesture_ros.ros.params import values  # noqa: E402

SHIPPED = Path(__file__).resolve().parents[2] / "config"


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _names(params: list[Parameter]) -> set[str]:
    assert all(p.type_ == Parameter.Type.STRING_ARRAY and p.value == EMPTY for p in params)
    return {p.name for p in params}


def test_the_last_value_for_the_node_decides(tmp_path):
    first = _file(tmp_path, "a.yaml", "/**:\n  ros__parameters:\n    allow: []\n    deny: []\n"
                  "other_node:\n  ros__parameters:\n    both_hands: []\n")
    second = _file(tmp_path, "b.yaml", "/**/classifier_node:\n  ros__parameters:\n    deny: [fist]\n")
    cli = ["prog", "--ros-args", "--params-file", first, "--params-file", second]
    assert _names(empty_list_overrides(cli, "classifier_node")) == {"allow"}
    assert _names(empty_list_overrides(cli, "other_node")) == {"allow", "deny", "both_hands"}
    # -p values come after every file; a __node remap names the node whose sections apply
    cli += ["-p", "allow:=[x_cross]", "-p", "classifier_node:forearm_gestures:=[]", "-p", "other_node:deny:=[]"]
    assert _names(empty_list_overrides(cli, "classifier_node")) == {"forearm_gestures"}
    assert _names(empty_list_overrides(cli + ["-r", "__node:=other_node"], "classifier_node")) == {"deny", "both_hands"}
    assert empty_list_overrides(["prog", "allow:=[]"], "classifier_node") == []  # not a ROS argument


def test_a_missing_or_broken_file_is_left_to_rcl(tmp_path):
    broken = _file(tmp_path, "broken.yaml", "/**: [unclosed\n")
    assert empty_list_overrides(["p", "--ros-args", "--params-file", str(tmp_path / "none.yaml")], "n") == []
    assert empty_list_overrides(["p", "--ros-args", "--params-file", broken], "n") == []


def test_the_classifier_node_starts_with_the_robot_profiles_empty_lists(rclpy_context):
    cli = ["--ros-args", "--params-file", str(SHIPPED / "classifier.yaml"),
           "--params-file", str(SHIPPED / "profiles" / "robot.yaml")]
    with pytest.raises(ValueError, match="PARAMETER_NOT_SET"):
        ClassifierNode(context=rclpy_context, cli_args=cli)
    empties = empty_list_overrides(cli, "classifier_node")
    assert _names(empties) == {"open_hand_gestures", "closed_hand_gestures"}
    node = ClassifierNode(context=rclpy_context, cli_args=cli, parameter_overrides=empties)
    try:
        decider = settings_from(values(node, PARAMS)).decider
        assert decider.closed_hand_gestures == frozenset() and decider.open_hand_gestures == frozenset()
        assert decider.forearm_gestures == frozenset({"x_cross"})
        assert node.get_parameter("threshold").value == 0.85  # the profile's other values
    finally:
        node.destroy_node()


def test_ros2_param_set_with_an_empty_list_empties_a_list(rclpy_context):
    """``ros2 param set /classifier_node forearm_gestures "[]"`` sends an empty list of booleans."""
    cli = ["--ros-args", "--params-file", str(SHIPPED / "classifier.yaml")]
    node = ClassifierNode(context=rclpy_context, cli_args=cli)
    try:
        refused = node.set_parameters([Parameter("forearm_gestures", Parameter.Type.INTEGER, 3)])[0]
        assert not refused.successful  # still a list of strings
        (result,) = node.set_parameters([Parameter("forearm_gestures", Parameter.Type.BOOL_ARRAY, [])])
        assert result.successful, result.reason
        assert settings_from(values(node, PARAMS)).decider.forearm_gestures == frozenset()
        assert node.set_parameters([Parameter("forearm_gestures", value=["x_cross"])])[0].successful
        assert settings_from(values(node, PARAMS)).decider.forearm_gestures == frozenset({"x_cross"})
    finally:
        node.destroy_node()
