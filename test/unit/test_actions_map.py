"""Action map validation: every refusal names file, line and reason (exact messages)."""

import os
from pathlib import Path
from textwrap import dedent

import pytest

from gesture_ros.actions.action_map import load_action_map
from gesture_ros.actions.vocabulary import Vocabulary
from gesture_ros.actions.yaml_reader import ActionMapError
from gesture_ros.common.gesture_event import EventType
from gesture_ros.common.paths import share_dir

HEAD = """\
targets:
  desk: {type: osc, host: 127.0.0.1, port: 9000, allow: ["/eos/cue/*/*/fire", "/go"]}
  journal: {type: log}
actions:
"""


def _errors(tmp_path: Path, text: str, vocabulary=None):
    path = tmp_path / "map.yaml"
    path.write_text(dedent(text))
    with pytest.raises(ActionMapError) as info:
        load_action_map(path, vocabulary)
    return [e.replace(str(path), "map.yaml") for e in info.value.errors]


def test_good_map_loads_with_bindings_in_order(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(HEAD + """\
  x_cross:
    TRIGGER:
      - {target: desk, address: /eos/cue/1/5/fire, args: ["{confidence}"], cooldown_s: 2}
      - {target: journal, name: note}
  open_palm:
    start: [{target: desk, address: /go}]
""")
    amap = load_action_map(path)
    first, second = amap.actions_for("x_cross", EventType.TRIGGER)
    assert (first.name, first.target, first.cooldown_s, first.line) == ("x_cross/TRIGGER/1", "desk", 2.0, 7)
    assert first.spec.address == "/eos/cue/1/5/fire" and first.spec.args == ("{confidence}",)
    assert second.name == "note"
    assert [a.spec.address for a in amap.actions_for("open_palm", EventType.START)] == ["/go"]
    assert amap.actions_for("open_palm", EventType.END) == []


def test_unknown_gesture(tmp_path):
    assert _errors(tmp_path, HEAD + "  swipe_up:\n    TRIGGER: [{target: journal}]\n") == [
        ("map.yaml:5: unknown gesture 'swipe_up' (known from the default vocabulary: fist, open_palm, pointing, "
        "swipe_left, swipe_right, thumbs_down, thumbs_up, x_cross; declare custom names under 'gestures:')")]


def test_custom_gesture_declared_in_the_map_is_accepted(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("gestures: [wave]\n" + HEAD + "  wave:\n    TRIGGER: [{target: journal}]\n")
    assert [a.gesture for a in load_action_map(path).actions] == ["wave"]


def test_background_class_is_refused(tmp_path):
    assert _errors(tmp_path, HEAD + "  none:\n    TRIGGER: [{target: journal}]\n") == [
        "map.yaml:5: 'none' is the background class and never produces events"]


def test_unknown_action_type(tmp_path):
    assert _errors(tmp_path, """\
        targets:
          dimmer: {type: dmx, universe: 1}
        actions:
          fist:
            START: [{target: dimmer}]
        """) == [
        "map.yaml:2: unknown action type 'dmx' of target 'dimmer' (known: http, log, mpv, osc, ros)",
        "map.yaml:5: unknown target 'dimmer' in action 'fist/START/1' (defined: none)"]


def test_unknown_field(tmp_path):
    assert _errors(tmp_path, HEAD + "  fist:\n    START:\n      - {target: desk, adress: /go}\n") == [
        ("map.yaml:7: unknown field 'adress' in osc action 'fist/START/1' "
        "(allowed: address, args, cooldown_s, max_hold_s, min_confidence, name, repeat_hz, stop, target)"),
        "map.yaml:7: action 'fist/START/1' is missing the required field 'address'"]


def test_bad_type(tmp_path):
    assert _errors(tmp_path, HEAD + "  fist:\n    START:\n      - {target: desk, address: /go, cooldown_s: soon}\n") == [
        "map.yaml:7: field 'cooldown_s' of action 'fist/START/1' must be a number, got 'soon'"]


def test_osc_address_not_in_allow_list(tmp_path):
    assert _errors(tmp_path, HEAD + "  fist:\n    START:\n      - {target: desk, address: /eos/key/go_0}\n") == [
        "map.yaml:7: OSC address '/eos/key/go_0' is not in the allow list of target 'desk' (/eos/cue/*/*/fire, /go)"]


def test_osc_address_with_pattern_characters(tmp_path):
    assert _errors(tmp_path, HEAD + "  fist:\n    START:\n      - {target: desk, address: /eos/cue/*/1/fire}\n") == [
        ("map.yaml:7: OSC address '/eos/cue/*/1/fire' of action 'fist/START/1' is not valid: it must start with "
        "'/' and contain no spaces or pattern characters (#*,?[]{})")]


def test_yaml_syntax_error(tmp_path):
    assert _errors(tmp_path, HEAD + "  fist:\n    START: [{target: journal}\n  x_cross: {}\n") == [
        "map.yaml:7: YAML syntax error: expected ',' or ']', but got '<scalar>'"]


def test_unknown_placeholder_and_event_type(tmp_path):
    assert _errors(tmp_path, HEAD + """\
  fist:
    HOLD: [{target: journal}]
    START: [{target: journal, message: "{gesture} by {user}"}]
""") == [
        "map.yaml:6: unknown event type 'HOLD' for gesture 'fist' (known: TRIGGER, START, END)",
        ("map.yaml:7: message of action 'fist/START/1': unknown placeholder '{user}' (known: confidence, "
        "duration_s, event_id, event_type, event_type_id, frame_id, gesture, handedness, model_id, "
        "model_version, sequence, source_id, stamp, stamp_ns)")]


def test_qlcplus_target_refuses_a_bare_message(tmp_path):
    assert _errors(tmp_path, """\
        targets:
          qlc: {type: osc, host: 127.0.0.1, port: 7700, require_args: true, allow: ["/gesture/*"]}
        actions:
          fist:
            START: [{target: qlc, address: /gesture/fist}]
        """) == [
        ("map.yaml:5: action 'fist/START/1' sends no argument, but target 'qlc' requires one "
        "(require_args: QLC+ drops OSC messages without arguments)")]


def test_duplicate_key_and_missing_file(tmp_path):
    assert _errors(tmp_path, HEAD + "  fist:\n    START: [{target: journal}]\n  fist:\n    END: []\n") == [
        "map.yaml:7: duplicate key 'fist' in 'actions'"]
    with pytest.raises(ActionMapError, match=r"action map \S*nothere.yaml cannot be read: No such file"):
        load_action_map(tmp_path / "nothere.yaml")


def test_mistyped_values_in_several_action_types(tmp_path):
    assert _errors(tmp_path, """\
        targets:
          web: {type: http, base_url: "ftp://example.org"}
          player: {type: mpv, socket: /tmp/x.sock}
          base: {type: ros}
        actions:
          fist:
            START:
              - {target: web, method: FETCH}
              - {target: player, command: rewind}
              - {target: base, topic: cmd_vel, msg_type: geometry_msgs/Pose}
        """) == [
        ("map.yaml:2: base_url 'ftp://example.org' of http target 'web' is not valid: scheme must be http or https, "
        "with a host"),
        "map.yaml:8: method of action 'fist/START/1' must be one of GET, POST, PUT, PATCH, DELETE, got 'FETCH'",
        ("map.yaml:9: unknown mpv command 'rewind' in action 'fist/START/2' (known: loadfile, play, pause, toggle, "
        "stop, volume_up, volume_down, volume, seek)"),
        ("map.yaml:10: msg_type 'geometry_msgs/Pose' of action 'fist/START/3' is not supported (supported: "
        "std_msgs/String, std_msgs/Bool, std_msgs/Empty, geometry_msgs/Twist)")]


def test_model_vocabulary_replaces_the_default(tmp_path):
    custom = Vocabulary(frozenset({"none", "wave", "clap"}), "the labels of custom.onnx", {})
    errors = _errors(tmp_path, HEAD + "  fist:\n    START: [{target: journal}]\n", custom)
    assert errors == [("map.yaml:5: unknown gesture 'fist' (known from the labels of custom.onnx: clap, wave; "
                      "declare custom names under 'gestures:')")]


def test_held_gesture_mapped_to_trigger_loads_with_a_warning(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(HEAD + "  fist:\n    TRIGGER: [{target: journal}]\n")
    amap = load_action_map(path)
    assert any("'fist' is a held gesture" in w for w in amap.warnings)
    assert any("target 'desk' is not used" in w for w in amap.warnings)


@pytest.mark.parametrize("name", ["default", "media", "robot", "eos", "qlab", "companion", "qlcplus"])
def test_shipped_maps_load(name):
    path = share_dir() / "config" / "actions" / f"{name}.yaml"
    amap = load_action_map(path)
    assert amap.actions
    assert not [w for w in amap.warnings if "not used" in w or "never" in w]


def test_a_stop_that_could_move_arm_or_command_is_refused_with_its_line(tmp_path):
    # issue 26 item 3: a stop runs while disarmed, so it may only make things safe
    errors = _errors(tmp_path, """\
        targets:
          base: {type: ros}
          desk: {type: osc, host: 127.0.0.1, port: 9000, allow: ["/go", "/stop"]}
          player: {type: mpv, socket: /tmp/mpv.sock}
        actions:
          open_palm:
            START:
              - {target: base, name: creep, topic: cmd_vel, msg_type: geometry_msgs/Twist, linear: {x: 0.1}, stop: true}
              - {target: base, name: arm, topic: dispatch/armed, msg_type: std_msgs/Bool, data: true, stop: true}
              - {target: base, name: reset, service: estop_reset, stop: true}
              - {target: base, name: say, topic: commands, msg_type: std_msgs/String, data: "{gesture}", stop: true}
              - {target: desk, name: cue, address: /go, args: ["{sequence}"], stop: true}
              - {target: player, name: play, command: play, stop: true}
          fist:
            START:
              - {target: base, name: halt, topic: cmd_vel, msg_type: geometry_msgs/Twist, stop: true}
              - {target: base, name: disarm, topic: dispatch/armed, msg_type: std_msgs/Bool, data: false, stop: true}
              - {target: base, name: estop, service: /base/emergency_stop, stop: true}
              - {target: base, name: said, topic: commands, msg_type: std_msgs/String, data: halt, stop: true}
              - {target: desk, name: desk_stop, address: /stop, stop: true}
              - {target: player, name: pause, command: pause, stop: true}
          pointing:
            START: [{target: base, name: go, topic: cmd_vel, msg_type: geometry_msgs/Twist, linear: {x: 0.1}}]
            END: [{target: base, name: go_on, topic: cmd_vel, msg_type: geometry_msgs/Twist, angular: {z: 0.5}}]
        """)
    tail = "; stops run even when disarmed, so they may only make things safe"
    assert errors == [
        f"map.yaml:8: action 'creep' is marked stop: true but its Twist is not zero (it moves){tail}",
        f"map.yaml:9: action 'arm' is marked stop: true but it publishes true (it could arm or enable something){tail}",
        "map.yaml:10: action 'reset' is marked stop: true but service 'estop_reset' is not a known stop service "
        "(a stop may call: abort, brake, cancel, disarm, e_stop, emergency_stop, estop, halt, pause, stop)" + tail,
        f"map.yaml:11: action 'say' is marked stop: true but its data is a command template (a stop sends a fixed "
        f"message){tail}",
        f"map.yaml:12: action 'cue' is marked stop: true but its args are a command template (a stop sends a fixed "
        f"message){tail}",
        f"map.yaml:13: action 'play' is marked stop: true but mpv 'play' starts something (a stop may: pause, "
        f"stop){tail}",
        f"map.yaml:24: action 'go_on' is an END action (a stop) but its Twist is not zero (it moves){tail}"]


def test_motion_maps_are_known_by_their_twist_or_their_word(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + "  fist:\n    START: [{target: journal}]\n")
    assert not load_action_map(path).motion
    path.write_text("motion: true\n" + HEAD + "  fist:\n    START: [{target: journal}]\n")
    assert load_action_map(path).motion
    robot = load_action_map(share_dir() / "config" / "actions" / "robot.yaml")
    assert robot.motion and robot.max_hold_s("pointing") > 0 and robot.max_hold_s("thumbs_down") > 0


def test_a_map_that_is_no_regular_file_or_too_big_is_refused_in_one_sentence(tmp_path):
    # issue 26 item 6: /dev/zero, a FIFO or a huge file must not hang the node or fill its memory
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as f:
        f.truncate(2 << 30)  # sparse: 2 GiB that take no disk
    for path, reason in [("/dev/zero", "is not a regular file (a device, FIFO or socket)"),
                         (fifo, "is not a regular file (a device, FIFO or socket)"),
                         (tmp_path, "is not a regular file (a folder)"),
                         (huge, "is 2048.0 MiB, more than the 1.0 MiB allowed")]:
        with pytest.raises(ActionMapError) as info:
            load_action_map(Path(path))
        assert info.value.errors == [f"action map {path} {reason}"]
