"""The bridge core against a real mosquitto: order, broker limits, outbox policies, control messages."""

import json
import logging
import time
import uuid

import pytest
from support.mqtt_subscriber import Subscriber

from gesture_ros.bridge.connection import BrokerConfig, MqttVersion
from gesture_ros.bridge.control import Command, ControlPolicy, control_message
from gesture_ros.bridge.outbox import FullPolicy, OutboxLimits
from gesture_ros.bridge.payload import decode, iso8601
from gesture_ros.bridge.sender import SenderConfig
from gesture_ros.bridge.service import BridgeConfig, BridgeService
from gesture_ros.bridge.session import LinkState
from gesture_ros.bridge.topics import TopicLayout
from gesture_ros.common.gesture_event import EventType, GestureEventData
from tools.mosquitto import Mosquitto
from tools.ports import free_port

CONTROL = "venues/test/devices/dev1/control"


def _record(seq, source="cam1", gesture="swipe_left"):
    return GestureEventData(event_id=str(uuid.uuid4()), source_id=source, sequence=seq, gesture=gesture,
                            event_type=EventType.TRIGGER, confidence=0.9, stamp_ns=seq, start_ns=seq, end_ns=seq)


def _service(tmp_path, port, name="outbox.db", client_id="bridge-dev1", control=None, version=MqttVersion.V5,
             allow_arm=True, **kw):
    layout = TopicLayout("test", "dev1", control=CONTROL if control else "")
    policy = ControlPolicy(control, 512, ("models/a.onnx",), 10.0, allow_arm) if control else None
    sender = SenderConfig(BrokerConfig(port=port, version=version), layout, client_id, reconnect_min_s=0.1,
                          reconnect_max_s=0.5, heartbeat_s=0.5, control=policy)
    return BridgeService(BridgeConfig(sender, str(tmp_path / name), **kw))


def _wait(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.05)
    return predicate()


def _events(sub):
    return [decode(p) for p in sub.payloads(b"venue-event")]


@pytest.mark.parametrize("version", list(MqttVersion))
def test_events_arrive_in_order_and_leave_the_outbox(tmp_path, version):
    with Mosquitto(tmp_path / "broker") as broker:
        sub = Subscriber(broker)
        service = _service(tmp_path, broker.port, version=version)
        service.start()
        try:
            sent = [_record(i, source=f"cam{i % 2}") for i in range(1, 301)]
            assert all(service.accept(r) for r in sent)
            assert sub.wait_for(lambda s: len(_events(s)) >= 300)
            assert _wait(lambda: service.outbox.depth == 0)
            got = _events(sub)
            assert [e.event_id for e in got] == [r.event_id for r in sent]
            status = service.status()
            assert status.state is LinkState.CONNECTED and status.delivered == 300
            assert sub.wait_for(lambda s: any(b'"online"' in p for p in s.payloads(b"venue-status")))
        finally:
            service.stop()
        assert sub.wait_for(lambda s: b'"shutdown"' in s.payloads(b"venue-status")[-1])
        sub.close()


def test_broker_maximum_packet_size_is_respected(tmp_path, caplog):
    with Mosquitto(tmp_path / "broker", max_packet_size=1024) as broker:
        sub = Subscriber(broker)
        service = _service(tmp_path, broker.port)
        service.start()
        try:
            big = _record(2, gesture="g" * 2000)
            for record in (_record(1), big, _record(3)):
                assert service.accept(record)
            assert sub.wait_for(lambda s: len(_events(s)) >= 2)
            assert [e.sequence for e in _events(sub)] == [1, 3]
            assert _wait(lambda: service.outbox.depth == 0)
            assert [r.event_id for r in service.outbox.refused_rows()] == [big.event_id]
            assert service.status().refusals["oversize_for_broker"] == 1
            assert service.status().state is LinkState.CONNECTED  # the broker never saw it
        finally:
            service.stop()
            sub.close()
    assert f"event {big.event_id} on 'venues/test/devices/cam1/gestures' refused locally" in caplog.text
    assert "over the maximum packet size 1024" in caplog.text


def test_payload_over_the_local_limit_is_refused_before_the_outbox(tmp_path, caplog):
    service = _service(tmp_path, free_port(), max_payload_bytes=600)
    assert not service.accept(_record(1, gesture="g" * 700))
    assert service.status().refusals["too_large"] == 1 and service.outbox.depth == 0
    assert "over max_payload_bytes 600" in caplog.text
    service.outbox.close()


@pytest.mark.parametrize("policy, kept", [(FullPolicy.REJECT_NEW, range(1, 6)), (FullPolicy.DROP_OLDEST, range(6, 11))])
def test_full_outbox_policy_while_the_broker_is_down(tmp_path, caplog, policy, kept):
    caplog.set_level(logging.INFO, "gesture_ros.bridge")
    broker = Mosquitto(tmp_path / "broker")
    service = _service(tmp_path, broker.port, limits=OutboxLimits(5, 0, policy))
    service.start()
    try:
        records = [_record(i) for i in range(1, 11)]
        for record in records:
            service.accept(record)
        assert service.writer.flush()
        assert _wait(lambda: service.status().state is LinkState.DISCONNECTED)
        refusals = service.status().refusals
        if policy is FullPolicy.REJECT_NEW:
            # the writer's batches depend on timing: the count is exact, the first log line gives its batch's
            assert refusals["outbox_full"] == 5 and "new event(s) rejected" in caplog.text
        else:
            assert refusals["dropped_oldest"] == 5 and "dropped the" in caplog.text
        assert f"cannot reach broker mqtt://127.0.0.1:{broker.port}" in caplog.text
        with broker:
            sub = Subscriber(broker)
            assert sub.wait_for(lambda s: len(_events(s)) >= 5)
            time.sleep(0.3)
            assert [e.sequence for e in _events(sub)] == list(kept)
            sub.close()
    finally:
        service.stop()


def test_control_messages_are_validated_counted_and_dispatched(tmp_path, caplog):
    with Mosquitto(tmp_path / "broker") as broker:
        commands = []
        old = "venues/test/devices/dev1/old-control"
        # An earlier configuration subscribed to another control topic in the same persistent session.
        first = _service(tmp_path, broker.port, name="a.db", control=old)
        first.start()
        assert _wait(lambda: first.status().state is LinkState.CONNECTED)
        first.stop()
        service = _service(tmp_path, broker.port, name="b.db", control=CONTROL)
        service.sender._on_control = commands.append
        service.start()
        assert _wait(lambda: broker.log().count("Received SUBSCRIBE from bridge-dev1") >= 2)
        pub = Subscriber(broker, topic="none/#")
        now = iso8601(time.time_ns())
        body = {"schema": "gesture_ros/venue-control", "version": 2, "stamp": now}
        sends = [(CONTROL, {**body, "command": "arm", "seq": 1}), (CONTROL, "{not json"),
                 (CONTROL, {**body, "command": "self_destruct", "seq": 2}),
                 (CONTROL, {**body, "command": "arm", "id": "x" * 600, "seq": 3}),
                 (CONTROL, {**body, "command": "switch_model", "model": "/etc/passwd", "seq": 4}),
                 (old, {**body, "command": "disarm", "seq": 5}),
                 (CONTROL, {**body, "command": "switch_model", "model": "models/a.onnx", "seq": 6})]
        for topic, msg in sends:
            pub.client.publish(topic, msg if isinstance(msg, str) else json.dumps(msg), qos=1).wait_for_publish(5)
        try:
            assert _wait(lambda: len(commands) == 2 and service.sender.stats.control_refused == 5)
            assert [(c.command, c.model) for c in commands] == [(Command.ARM, ""), (Command.SWITCH_MODEL, "models/a.onnx")]
            assert service.status().refusals["control_refused"] == 5
        finally:
            service.stop()
            pub.close()
    for sentence in ("not JSON", "'command' must be one of", "over the 512-byte limit",
                     "'/etc/passwd' is not in control_models", f"only '{CONTROL}' is accepted"):
        assert sentence in caplog.text


def test_venue_control_must_be_live_fresh_new_and_may_not_arm(tmp_path, caplog):
    """Retained, stale, replayed (also after a restart, from the persistent session) and arm: refused."""
    with Mosquitto(tmp_path / "broker") as broker:
        venue = Subscriber(broker, topic="none/#")

        def send(command, seq, age_s=0.0, retain=False):
            data = control_message(command, seq, iso8601(time.time_ns() - int(age_s * 1e9)))
            venue.client.publish(CONTROL, data, qos=1, retain=retain).wait_for_publish(5)

        send("disarm", 1, retain=True)  # left on the broker before the device subscribes
        commands = []
        service = _service(tmp_path, broker.port, control=CONTROL, allow_arm=False)
        service.sender._on_control = commands.append
        service.start()
        try:
            assert _wait(lambda: service.sender.stats.control_refusals.get("retained") == 1)
            send("disarm", 2, age_s=60)  # stale: older than control_max_age_s (10 s)
            send("arm", 3)  # allow_remote_arm is off
            send("disarm", 4)
            send("disarm", 4)  # replayed
            assert _wait(lambda: len(commands) == 1 and service.sender.stats.control_refused == 4)
            assert [(c.command, c.seq) for c in commands] == [(Command.DISARM, 4)]
        finally:
            service.stop()
        # Offline: the persistent session queues a new disarm and a replay of the old one.
        send("disarm", 5)
        send("disarm", 4)
        again = _service(tmp_path, broker.port, control=CONTROL, allow_arm=False)  # same outbox: same seq file
        again.sender._on_control = commands.append
        again.start()
        try:
            assert _wait(lambda: len(commands) == 2 and again.sender.stats.control_refusals.get("replayed") == 1)
            send("disarm", 4)  # and a replay sent live after the restart
            assert _wait(lambda: again.sender.stats.control_refusals.get("replayed") == 2)
            assert [(c.command, c.seq) for c in commands] == [(Command.DISARM, 4), (Command.DISARM, 5)]
            refusals = again.status().refusals
            assert refusals["control_retained"] >= 1 and refusals["control_replayed"] == 2
        finally:
            again.stop()
            venue.close()
    for sentence in ("it is a retained message", "s old (control_max_age_s 10", "the venue may disarm this device "
                     "but not arm it", "not above the last accepted seq 4"):
        assert sentence in caplog.text
