"""An MQTT 5 subscriber for the tests; the brokers are tools.mosquitto's."""

from __future__ import annotations

import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from tools.mosquitto import Mosquitto
from tools.ports import free_port


class Subscriber:
    """A paho MQTT 5 subscriber collecting (topic, payload, retained) in arrival order."""

    def __init__(self, broker: Mosquitto, topic: str = "venues/#", client_id: str = "",
                 persistent: bool = False, user: str = "", **tls) -> None:
        self.messages: list = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id or f"sub-{free_port()}",
                                  protocol=mqtt.MQTTv5)
        if tls:
            self.client.tls_set(**tls)
        if broker.users:
            user = user or next(iter(broker.users))
            self.client.username_pw_set(user, broker.users[user])
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.on_message = self._on_message
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600 if persistent else 0
        self.client.reconnect_delay_set(0.1, 0.5)
        self.client.connect("127.0.0.1", broker.port, 30, clean_start=not persistent, properties=props)
        self.client.loop_start()
        if not self._subscribed.wait(10):
            raise RuntimeError(f"subscriber could not subscribe to {topic} on port {broker.port}")

    def _on_message(self, client, userdata, msg) -> None:
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload), bool(msg.retain)))

    def payloads(self, contains: bytes = b"") -> list:
        with self._lock:
            return [p for _, p, _ in self.messages if contains in p]

    def wait_for(self, predicate, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.05)
        return predicate(self)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
