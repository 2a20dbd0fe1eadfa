"""A real venue server process for the tests, and a publisher posing as the devices."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import paho.mqtt.client as mqtt

from gesture_ros.bridge.payload import encode
from tools.child_process import stop_process
from tools.mosquitto import Mosquitto
from tools.ports import free_port

TOPIC = "venues/hall/devices/{}/gestures"


class VenueServer:
    """``python -m gesture_ros.venue serve`` on a broker, logging to a file; restartable."""

    def __init__(self, broker: Mosquitto, db: str, workdir: Path, *extra: str, client_id: str = "venue1") -> None:
        self.broker, self.db, self.workdir, self.extra, self.client_id = broker, db, workdir, extra, client_id
        self.http_port = free_port()
        self.log = workdir / f"venue_server_{self.http_port}.log"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 30.0) -> "VenueServer":
        self.starts += 1
        subscribes = self.broker.log().count(f"Received SUBSCRIBE from {self.client_id}")
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gesture_ros.venue", "serve", "--db", self.db, "--port", str(self.broker.port),
                 "--client-id", self.client_id, "--http-port", str(self.http_port), *self.extra],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while self.broker.log().count(f"Received SUBSCRIBE from {self.client_id}") <= subscribes:
            assert self.proc.poll() is None and time.monotonic() < deadline, self.text()[-3000:]
            time.sleep(0.05)
        while "--no-web" not in self.extra:  # and the page listens
            try:
                socket.create_connection(("127.0.0.1", self.http_port), timeout=1).close()
                break
            except OSError:
                assert self.proc.poll() is None and time.monotonic() < deadline, self.text()[-3000:]
                time.sleep(0.05)
        return self

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> int:
        return stop_process(self.proc, signal.SIGTERM) if self.proc else 0

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def get(self, path: str, token: str = "") -> dict:
        url = f"http://127.0.0.1:{self.http_port}{path}" + (f"?token={token}" if token else "")
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.loads(r.read())

    def wait_snapshot(self, predicate, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                snap = self.get("/api/snapshot")
                if predicate(snap):
                    return snap
            except OSError:
                snap = None
            assert time.monotonic() < deadline, f"last snapshot: {snap}\n{self.text()[-2000:]}"
            time.sleep(0.2)


class Devices:
    """One paho MQTT 5 client publishing as any device (QoS 1, waits for each PUBACK)."""

    def __init__(self, broker: Mosquitto, user: str = "", **tls) -> None:
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"devices-{free_port()}",
                                  protocol=mqtt.MQTTv5)
        if tls:
            self.client.tls_set(**tls)
        if user:
            self.client.username_pw_set(user, broker.users[user])
        self.client.reconnect_delay_set(0.1, 0.5)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def send(self, source: str, payload: bytes, topic: str = "", timeout: float = 30.0) -> None:
        """Publish until the broker acknowledged (reconnecting after a broker restart)."""
        deadline = time.monotonic() + timeout
        while True:
            info = self.client.publish(topic or TOPIC.format(source), payload, qos=1)
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                info.wait_for_publish(timeout)
                if info.is_published():
                    return
            assert time.monotonic() < deadline, f"could not publish to the broker: rc {info.rc}"
            time.sleep(0.1)

    def event(self, record) -> None:
        self.send(record.source_id, encode(record))

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
