"""Bridge core pieces without a broker: control messages, tally, backoff, topics, credentials, window."""

import json
import random
from pathlib import Path

import pytest

from gesture_ros.bridge.backoff import Backoff
from gesture_ros.bridge.bridge_params import PARAMS, RUNTIME, BridgeSetupError, bridge_config
from gesture_ros.bridge.connection import publish_size
from gesture_ros.bridge.control import (
    Command,
    ControlError,
    ControlPolicy,
    Refusal,
    parse_control,
    parse_stamp,
    plaintext_control_refusal,
)
from gesture_ros.bridge.control_gate import ControlGate, SequenceStore
from gesture_ros.bridge.credentials import ENV_PASSWORD, ENV_USERNAME, CredentialsError, load_credentials
from gesture_ros.bridge.inflight import InflightWindow
from gesture_ros.bridge.outbox import Row
from gesture_ros.bridge.tally import CrowdTally
from gesture_ros.bridge.topics import TopicLayout, level, subscription
from gesture_ros.common.gesture_event import EventType, GestureEventData

TOPIC = "venues/hall/devices/dev1/control"
POLICY = ControlPolicy(TOPIC, 256, ("models/gesture_default.onnx",))


NOW_NS = parse_stamp("2026-12-07T01:00:00Z")


def _control(**body) -> bytes:
    return json.dumps({"schema": "gesture_ros/venue-control", "version": 2, "seq": 1,
                       "stamp": "2026-12-07T01:00:00Z", **body}).encode()


def test_valid_control_messages_parse():
    assert parse_control(TOPIC, _control(command="arm"), POLICY).command is Command.ARM
    cmd = parse_control(TOPIC, _control(command="switch_model", model="models/gesture_default.onnx", id="r1"), POLICY)
    assert (cmd.command, cmd.model, cmd.request_id) == (Command.SWITCH_MODEL, "models/gesture_default.onnx", "r1")


@pytest.mark.parametrize("topic, data, reason", [
    ("venues/hall/devices/other/control", _control(command="arm"), Refusal.WRONG_TOPIC),
    (TOPIC, _control(command="arm", id="x" * 300), Refusal.TOO_LARGE),
    (TOPIC, b"{arm", Refusal.BAD_JSON),
    (TOPIC, b"\xff", Refusal.BAD_JSON),
    (TOPIC, _control(command="reboot"), Refusal.BAD_SCHEMA),
    (TOPIC, _control(command="arm", model="x"), Refusal.BAD_SCHEMA),
    (TOPIC, _control(command="switch_model"), Refusal.BAD_SCHEMA),
    (TOPIC, _control(command="arm", extra=1), Refusal.BAD_SCHEMA),
    (TOPIC, json.dumps({"command": "arm"}).encode(), Refusal.BAD_SCHEMA),
    (TOPIC, b"[]", Refusal.BAD_SCHEMA),
    (TOPIC, _control(command="switch_model", model="/etc/passwd"), Refusal.MODEL_NOT_ALLOWED),
    (TOPIC, _control(command="disarm", version=1), Refusal.BAD_SCHEMA),  # version 1 had no seq and stamp
    (TOPIC, _control(command="disarm", seq=0), Refusal.BAD_SCHEMA),
    (TOPIC, _control(command="disarm", seq="7"), Refusal.BAD_SCHEMA),
    (TOPIC, _control(command="disarm", stamp="2026-12-07 01:00:00"), Refusal.BAD_SCHEMA),  # no zone
])
def test_bad_control_messages_are_refused_with_a_reason(topic, data, reason):
    with pytest.raises(ControlError) as err:
        parse_control(topic, data, POLICY)
    assert err.value.reason is reason and "refused" in str(err.value)


def test_control_stamps_are_iso_8601_with_a_zone():
    assert parse_stamp("2026-12-07T01:00:00.5Z") == NOW_NS + 500_000_000
    assert parse_stamp("2026-12-07T02:00:00.000000001+01:00") == NOW_NS + 1
    for bad in ("2026-12-07T01:00:00", "2026-12-07T01:00:00.1234567891Z", "1765069200"):
        with pytest.raises(ValueError):
            parse_stamp(bad)


def _gate(tmp_path, allow_arm=False, now=NOW_NS):
    policy = ControlPolicy(TOPIC, 256, ("models/gesture_default.onnx",), max_age_s=10.0, allow_arm=allow_arm)
    return ControlGate(policy, SequenceStore(tmp_path / "seq.json"), clock_ns=lambda: now)


def test_the_gate_refuses_retained_stale_replayed_and_unallowed_arm(tmp_path):
    gate = _gate(tmp_path)
    refused = {
        Refusal.RETAINED: (_control(command="disarm", seq=5), True),
        Refusal.STALE: (_control(command="disarm", seq=5, stamp="2026-12-07T00:59:49Z"), False),
        Refusal.ARM_NOT_ALLOWED: (_control(command="arm", seq=5), False),
    }
    for reason, (data, retained) in refused.items():
        with pytest.raises(ControlError) as err:
            gate.admit(TOPIC, data, retained)
        assert err.value.reason is reason
    with pytest.raises(ControlError, match="in the future"):
        gate.admit(TOPIC, _control(command="disarm", seq=5, stamp="2026-12-07T01:00:11Z"), False)
    assert gate.admit(TOPIC, _control(command="disarm", seq=5), False).seq == 5
    for seq in (5, 4):
        with pytest.raises(ControlError) as err:
            gate.admit(TOPIC, _control(command="disarm", seq=seq), False)
        assert err.value.reason is Refusal.REPLAYED
    assert gate.admit(TOPIC, _control(command="switch_model", model="models/gesture_default.onnx", seq=6), False)
    assert _gate(tmp_path, allow_arm=True).admit(TOPIC, _control(command="arm", seq=7), False).command is Command.ARM


def test_the_last_sequence_survives_a_restart_and_a_damaged_file(tmp_path, caplog):
    assert _gate(tmp_path).admit(TOPIC, _control(command="disarm", seq=40), False)
    with pytest.raises(ControlError) as err:  # a new process: the replayed 40 is still refused
        _gate(tmp_path).admit(TOPIC, _control(command="disarm", seq=40), False)
    assert err.value.reason is Refusal.REPLAYED and "last accepted seq 40" in str(err.value)
    (tmp_path / "seq.json").write_text("{garbage")
    assert _gate(tmp_path).store.last == 0
    assert "control sequence file" in caplog.text and list(tmp_path.glob("seq.json.corrupt-*"))


def test_control_without_tls_needs_the_broker_named():
    assert plaintext_control_refusal(True, False, "10.0.0.5", 1883, "").endswith(
        "allow_plaintext_control_from:=10.0.0.5")
    assert plaintext_control_refusal(True, False, "10.0.0.5", 1883, "127.0.0.1") is not None
    assert plaintext_control_refusal(True, False, "10.0.0.5", 1883, "10.0.0.5") is None
    assert plaintext_control_refusal(True, True, "10.0.0.5", 8883, "") is None
    assert plaintext_control_refusal(False, False, "10.0.0.5", 1883, "") is None


def _event(seq, source="cam1", event_id=None, gesture="swipe_left", kind=EventType.TRIGGER):
    return GestureEventData(event_id=event_id or f"{source}-{seq}", source_id=source, sequence=seq, gesture=gesture,
                            event_type=kind, confidence=0.9, stamp_ns=1, start_ns=1, end_ns=1)


def test_tally_drops_duplicates_and_counts_gestures():
    tally = CrowdTally()
    assert tally.add(_event(1)) and not tally.add(_event(1))
    tally.add(_event(2, gesture="open_palm", kind=EventType.START))
    tally.add(_event(3, gesture="open_palm", kind=EventType.END))
    tally.add(_event(1, source="cam2"))
    assert tally.unique == 4 and tally.duplicates == 1
    assert tally.gestures == {"swipe_left": 2, "open_palm": 1}  # an END closes a counted START
    assert tally.summary()["sources"] == {"cam1": 3, "cam2": 1}
    table = tally.table()
    assert "swipe_left" in table and "cam2" in table


def test_tally_tracks_gaps_late_arrivals_and_restarts():
    tally = CrowdTally()
    for seq in (1, 2, 5):
        tally.add(_event(seq))
    assert tally.missing == 2
    tally.add(_event(3))
    assert tally.missing == 1 and tally.sources["cam1"].late == 1
    tally.add(_event(1, event_id="after-restart"))
    assert tally.sources["cam1"].restarts == 1 and tally.missing == 0


def test_backoff_grows_within_bounds_with_jitter():
    backoff = Backoff(0.5, 8.0, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(12)]
    assert all(0.5 <= d <= 8.0 for d in delays)
    assert 0.5 <= delays[0] <= 1.0 and 1.0 <= delays[1] <= 2.0  # doubling ceilings, jittered below
    assert min(delays[4:]) >= 4.0  # at the 8 s cap: jitter in [4, 8]
    assert len(set(delays)) == len(delays)  # jitter from the first attempt: devices do not stampede
    backoff.reset()
    assert backoff.next_delay() <= 1.0
    with pytest.raises(ValueError):
        Backoff(2.0, 1.0)


def test_topic_layout_keeps_one_level_per_value():
    layout = TopicLayout("main hall", "jetson-07", control="venues/{venue}/devices/{device}/control")
    assert layout.event_topic("jetson-07/cam0") == "venues/main hall/devices/jetson-07_cam0/gestures"
    assert layout.status_topic() == "venues/main hall/devices/jetson-07/status"
    assert layout.control_topic() == "venues/main hall/devices/jetson-07/control"
    assert level("a+b#c") == "a_b_c" and level("") == "_"
    assert subscription() == "venues/+/devices/+/gestures"
    assert TopicLayout("v", "d", control="").control_topic() is None
    with pytest.raises(ValueError, match="placeholders"):
        TopicLayout("v", "d", events="venues/{venue}/{camera}")
    with pytest.raises(ValueError, match="wildcards"):
        TopicLayout("v", "d", status="venues/#")


def test_credentials_from_private_file_or_environment(tmp_path):
    secret = tmp_path / "mqtt.cred"
    secret.write_text("device1\npa:ss word\n")
    secret.chmod(0o600)
    creds = load_credentials(str(secret), env={})
    assert (creds.username, creds.password) == ("device1", "pa:ss word")
    assert "pa:ss" not in repr(creds)
    assert load_credentials("", env={ENV_USERNAME: "u", ENV_PASSWORD: "p"}).password == "p"
    assert load_credentials("", env={}) is None
    secret.chmod(0o644)
    with pytest.raises(CredentialsError, match="chmod 600"):
        load_credentials(str(secret), env={})
    with pytest.raises(CredentialsError, match="cannot be read"):
        load_credentials(str(tmp_path / "missing"), env={})


def _row(i):
    return Row(i, f"e{i}", "t", b"x", 0)


def test_window_settles_acks_and_rewinds():
    window = InflightWindow(2)
    window.sent(7, _row(1))
    window.sent(8, _row(2))
    assert window.room() == 0 and window.cursor == 2
    window.ack(8, 0x87, "Not authorized")
    window.ack(7, 0, "Success")
    window.ack(99, 0, "Success")
    settled = window.settle()
    assert [r.row_id for r in settled.delivered] == [1]
    assert [(r.row_id, a.code) for r, a in settled.refused] == [(2, 0x87)]
    assert [a.mid for a in settled.other] == [99]
    window.rewind()
    assert window.cursor == 0 and len(window) == 0


def test_publish_size_counts_the_mqtt_header():
    assert publish_size("ab", 10, v5=False) == 1 + 1 + 2 + 2 + 2 + 10
    assert publish_size("ab", 10, v5=True) == publish_size("ab", 10, v5=False) + 1
    assert publish_size("t", 200, v5=True) == 1 + 2 + 2 + 1 + 2 + 1 + 200


def test_config_bridge_yaml_matches_the_parameter_table():
    import yaml

    path = Path(__file__).resolve().parents[2] / "config" / "bridge.yaml"
    shipped = yaml.safe_load(path.read_text())["/**"]["ros__parameters"]
    table = {p.name: p.default for p in PARAMS}
    assert set(shipped) == set(table), set(shipped) ^ set(table)
    assert {k: v for k, v in shipped.items() if v != table[k]} == {}
    assert RUNTIME <= set(table)


def test_bridge_settings_refuse_plaintext_control_and_say_the_opt_in(tmp_path):
    values = {"control_topic": "venues/{venue}/devices/{device}/control", "broker_host": "10.0.0.5",
              "outbox_path": str(tmp_path / "o.db")}
    with pytest.raises(BridgeSetupError, match="allow_plaintext_control_from:=10.0.0.5"):
        bridge_config(values, "host")
    setup = bridge_config({**values, "allow_plaintext_control_from": "10.0.0.5"}, "host")
    assert setup.config.sender.control.allow_arm is False and setup.config.sender.control.max_age_s == 10.0
    assert any("WITHOUT TLS" in w for w in setup.warnings)
    assert bridge_config({"outbox_path": str(tmp_path / "o.db")}, "host").config.sender.control is None
