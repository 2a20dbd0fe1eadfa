"""Simulated devices for the venue load bench: one MQTT 5 connection per device, no thread per device.

    python -m tools.bench.venue_devices --port P --first 0 --count 500 --rounds 3 --window-s 2

The chorus: in each round every device sends one event at a random moment of a ``window_s``
window, nine in ten of them an X (x_cross), each stamped when sent. Prints 'sent N' at the end.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid

import paho.mqtt.client as mqtt

from gesture_ros.bridge.payload import encode
from gesture_ros.common.gesture_event import EventType, GestureEventData


def _pump(clients: list[mqtt.Client]) -> None:
    for c in clients:
        c.loop_read()
        c.loop_write()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--venue", default="load")
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--window-s", type=float, default=2.0)
    p.add_argument("--start-at", type=float, default=0.0, help="time.time() to begin at (all processes together)")
    a = p.parse_args(argv)
    rng = random.Random(a.first)
    clients = []
    for i in range(a.first, a.first + a.count):
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"load-dev{i:05d}", protocol=mqtt.MQTTv5)
        c.connect("127.0.0.1", a.port, keepalive=300)
        clients.append(c)
    while not all(c.is_connected() for c in clients):
        _pump(clients)
        time.sleep(0.01)
    start = max(a.start_at, time.time())
    plan = sorted((start + r * a.window_s + rng.random() * a.window_s, r, i)
                  for r in range(a.rounds) for i in range(a.count))
    infos = []
    for when, r, i in plan:
        while time.time() < when:
            _pump(clients)
            time.sleep(min(0.002, max(0.0, when - time.time())))
        source = f"dev{a.first + i:05d}"
        record = GestureEventData(event_id=str(uuid.uuid4()), source_id=source, sequence=r + 1,
                                  gesture="x_cross" if rng.random() < 0.9 else "swipe_left",
                                  event_type=EventType.TRIGGER, confidence=round(0.5 + rng.random() / 2, 3),
                                  stamp_ns=time.time_ns(), person_id=rng.randint(1, 3), model_id="load",
                                  model_version="1")
        infos.append(clients[i].publish(f"venues/{a.venue}/devices/{source}/gestures", encode(record), qos=1))
    deadline = time.monotonic() + 120
    while not all(info.is_published() for info in infos) and time.monotonic() < deadline:
        _pump(clients)
        time.sleep(0.005)
    for c in clients:
        c.disconnect()
    print(f"sent {sum(info.is_published() for info in infos)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
