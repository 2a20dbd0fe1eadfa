"""The shipped example ACL (config/mosquitto/gesture_ros.acl) loaded into a real mosquitto, enforced.

A device publishes its own events and status and reads its own control topic; it cannot send
control (to itself or another device), cannot publish another device's events, and cannot read
another device's control. The venue reads everything and sends control.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from tools.mosquitto import Mosquitto
from tools.ports import free_port

ACL = Path(__file__).resolve().parents[2] / "config" / "mosquitto" / "gesture_ros.acl"
USERS = {"cam1": "pw-cam1", "cam2": "pw-cam2", "venue": "pw-venue"}


class Client:
    """An MQTT 5 client that records what it receives and the reason code of each QoS 1 publish."""

    def __init__(self, broker: Mosquitto, user: str, subscribe: str = "") -> None:
        self.received: list[tuple[str, bytes]] = []
        self._ready = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{user}-{free_port()}",
                                  protocol=mqtt.MQTTv5)
        self.client.username_pw_set(user, USERS[user])
        self.client.on_message = lambda c, u, msg: self.received.append((msg.topic, bytes(msg.payload)))
        self.client.on_subscribe = lambda *a: self._ready.set()
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(subscribe, qos=1) if subscribe else self._ready.set()
        self.codes: dict[int, int] = {}
        self.client.on_publish = lambda c, u, mid, rc, p: self.codes.__setitem__(mid, rc.value)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert self._ready.wait(10), f"{user} could not connect/subscribe"

    def publish(self, topic: str, payload: bytes) -> int:
        """Publish with QoS 1 and return the PUBACK reason code (0 = accepted, 135 = not authorized)."""
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(10)
        return self.codes[info.mid]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def broker(tmp_path):
    with Mosquitto(tmp_path / "broker", users=USERS, acl=ACL.read_text()) as b:
        yield b


def test_the_example_acl_lets_each_device_write_only_its_own_topics(broker):
    venue = Client(broker, "venue", subscribe="venues/#")
    cam1 = Client(broker, "cam1", subscribe="venues/hall/devices/cam1/control")
    cam2 = Client(broker, "cam2", subscribe="venues/hall/devices/cam1/control")  # another device's control
    try:
        accepted, refused = 0, 135
        assert cam1.publish("venues/hall/devices/cam1/gestures", b"own event") == accepted
        assert cam1.publish("venues/hall/devices/cam1/status", b"own status") == accepted
        assert cam1.publish("venues/hall/devices/cam2/gestures", b"forged event") == refused
        assert cam1.publish("venues/hall/devices/cam1/control", b"self-arm") == refused
        assert cam2.publish("venues/hall/devices/cam1/control", b"arm the neighbour") == refused
        assert venue.publish("venues/hall/devices/cam1/control", b"venue disarm") == accepted
        assert venue.publish("venues/hall/devices/cam1/gestures", b"venue forges") == refused
        marker = Client(broker, "cam2")
        assert marker.publish("venues/hall/devices/cam2/gestures", b"last") == accepted  # in order after the rest
        marker.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (b"last" in [p for _, p in venue.received] and cam1.received):
            time.sleep(0.05)
        # the venue reads events and status (not control, which it only writes)
        assert [p for _, p in venue.received] == [b"own event", b"own status", b"last"]
        assert cam1.received == [("venues/hall/devices/cam1/control", b"venue disarm")]
        assert cam2.received == []  # subscribed, but may not read cam1's control
        assert "Denied PUBLISH from cam1" in broker.log()
    finally:
        for client in (venue, cam1, cam2):
            client.close()
