"""bridge_node as a ROS node: venue control to ROS topics, parameters, start-up errors, shutdown."""

import json
import time

import pytest
from rcl_interfaces.msg import Parameter as ParameterMsg
from rcl_interfaces.msg import ParameterType, ParameterValue
from rcl_interfaces.srv import SetParameters
from std_msgs.msg import Bool, Empty, String
from support.action_peers import call_resending
from support.bridge_rig import BridgeRig, venv_path
from support.mqtt_subscriber import Subscriber
from support.ros_env import NodeProcess

from gesture_ros.bridge.payload import iso8601
from gesture_ros.ros.qos import EVENT_QOS
from tools.mosquitto import Mosquitto

CONTROL = "venues/test/devices/dev1/control"


@pytest.fixture
def rig(rclpy_context, domain, tmp_path):
    rig = BridgeRig(rclpy_context, domain, tmp_path)
    yield rig
    rig.close()


def _params(broker, tmp_path, **extra):
    return {"broker_port": broker.port, "venue": "test", "device_id": "dev1", "outbox_path": str(tmp_path / "o.db"),
            "control_topic": "venues/{venue}/devices/{device}/control", "control_max_bytes": 256,
            "control_models": "models/gesture_default.onnx, models/other.onnx", "diagnostics_period_s": 0.2,
            "allow_plaintext_control_from": "127.0.0.1",  # the test broker is on this machine
            "reconnect_min_s": 0.1, "reconnect_max_s": 0.5, **extra}


def _set(rig, name, type_, **value):
    client = rig.node.create_client(SetParameters, "/bridge_node/set_parameters")
    request = SetParameters.Request(parameters=[ParameterMsg(name=name, value=ParameterValue(type=type_, **value))])
    return call_resending(client, request, rig.spin_until).results[0]


def test_control_messages_become_ros_commands_and_bad_ones_are_counted(rig, tmp_path):
    armed, disarms, models = [], [], []
    rig.node.create_subscription(Bool, "dispatch/armed", lambda m: armed.append(m.data), EVENT_QOS)
    rig.node.create_subscription(Empty, "dispatch/disarm", lambda m: disarms.append(m), EVENT_QOS)
    rig.node.create_subscription(String, "classifier/model", lambda m: models.append(m.data), EVENT_QOS)
    with Mosquitto(tmp_path / "broker") as broker:
        bridge = rig.start_bridge(_params(broker, tmp_path))
        assert rig.spin_until(lambda: "Received SUBSCRIBE from gesture_ros-dev1" in broker.log())
        venue = Subscriber(broker, topic="none")
        ok = {"schema": "gesture_ros/venue-control", "version": 2, "stamp": iso8601(time.time_ns())}
        for body in ({**ok, "command": "disarm", "seq": 1}, "not json at all",
                     {**ok, "command": "arm", "model": "x", "seq": 2}, {**ok, "command": "arm", "id": "y" * 300, "seq": 3},
                     {**ok, "command": "arm", "seq": 4}, {**ok, "command": "switch_model", "model": "models/other.onnx",
                                                          "seq": 5}):
            text = body if isinstance(body, str) else json.dumps(body)
            venue.client.publish(CONTROL, text, qos=1).wait_for_publish(5)
        assert rig.spin_until(lambda: len(disarms) == 1 and len(models) == 1)
        assert rig.spin_until(lambda: rig.figures().get("refused control_refused") == "4")
        assert armed == [] and models == ["models/other.onnx"]  # arm: allow_remote_arm is off by default
        assert rig.figures()["refused control_arm_not_allowed"] == "1"
        venue.close()
        log = bridge.log()
    for sentence in ("refused: not JSON", "'model' (a string) is required by switch_model and only by it",
                     "bytes is over the 256-byte limit", "the venue may disarm this device but not arm it",
                     "WITHOUT TLS (allow_plaintext_control_from)"):
        assert sentence in log


def test_run_time_limits_are_validated_and_connection_parameters_are_read_only(rig, tmp_path):
    with Mosquitto(tmp_path / "broker") as broker:
        rig.start_bridge(_params(broker, tmp_path))
        bad = _set(rig, "outbox_full_policy", ParameterType.PARAMETER_STRING, string_value="keep_everything")
        assert not bad.successful and "outbox_full_policy 'keep_everything' is not one of" in bad.reason
        good = _set(rig, "outbox_full_policy", ParameterType.PARAMETER_STRING, string_value="drop_oldest")
        assert good.successful
        too_small = _set(rig, "outbox_max_events", ParameterType.PARAMETER_INTEGER, integer_value=0)
        assert not too_small.successful
        for name in ("broker_port", "control_max_age_s", "allow_remote_arm", "allow_plaintext_control_from"):
            value = {"broker_port": (ParameterType.PARAMETER_INTEGER, {"integer_value": 1}),
                     "control_max_age_s": (ParameterType.PARAMETER_DOUBLE, {"double_value": 3600.0}),
                     "allow_remote_arm": (ParameterType.PARAMETER_BOOL, {"bool_value": True}),
                     "allow_plaintext_control_from": (ParameterType.PARAMETER_STRING, {"string_value": "x"})}[name]
            result = _set(rig, name, value[0], **value[1])
            assert not result.successful and "read-only" in result.reason, name


def test_clean_shutdown_says_offline(rig, tmp_path):
    with Mosquitto(tmp_path / "broker") as broker:
        venue = Subscriber(broker, topic="venues/test/devices/dev1/status")
        bridge = rig.start_bridge(_params(broker, tmp_path))
        assert venue.wait_for(lambda s: any(b'"online"' in p for p in s.payloads()))
        assert bridge.stop() == 0
        assert venue.wait_for(lambda s: b'"shutdown"' in s.payloads()[-1])
        venue.close()


def test_missing_tls_file_stops_start_up_with_one_sentence(domain, tmp_path):
    proc = NodeProcess("bridge_node", domain, {"tls_ca_file": str(tmp_path / "absent.crt"),
                                               "outbox_path": str(tmp_path / "o.db")},
                       log_dir=tmp_path, env=venv_path())
    assert proc.wait(30) == 1
    log = proc.log()
    assert f"cannot start: tls_ca_file {tmp_path / 'absent.crt'} does not exist" in log
    assert "Traceback" not in log
    proc.stop()
