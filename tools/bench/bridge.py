"""Bridge benchmark: durable events/s and latency to the broker's PUBACK, next to bare paho.

    python -m tools.bench bridge [--events 5000] [--window 1000] [--rate 200] [--durability full]

Three systems against one local mosquitto (127.0.0.1, random port). Each sends ``events`` as
fast as it can with at most ``window`` unacknowledged (throughput), then ``latency-events``
paced at ``rate``/s (latency from send to PUBACK):
  paho      bare paho QoS 1 publisher: publish() to PUBACK (the ceiling)
  core      BridgeService.accept() -> outbox commit -> MQTT -> PUBACK -> outbox delete
  ros       GestureEvent published by another process on gesture/events -> BridgeNode
            (in the bench process) -> ... -> delete
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt

from gesture_ros.bridge.connection import BrokerConfig
from gesture_ros.bridge.outbox import Durability, Row
from gesture_ros.bridge.payload import encode
from gesture_ros.bridge.sender import SenderConfig
from gesture_ros.bridge.service import BridgeConfig, BridgeService
from gesture_ros.bridge.topics import TopicLayout
from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.common.stats import LatencyStats
from tools.mosquitto import Mosquitto

GOAL_EVENTS_PER_S = 2000.0


class Window:
    """At most ``size`` events between send and acknowledgement; latency of each event."""

    def __init__(self, size: int) -> None:
        self.slots = threading.Semaphore(size)
        self.sent_at: dict[str, float] = {}
        self.latency = LatencyStats(1_000_000)
        self.done = 0
        self.total = 0
        self.all_done = threading.Event()
        self.rate = 0.0

    def send(self, key: str) -> None:
        self.slots.acquire()
        self.sent_at[key] = time.perf_counter()

    def acked(self, keys: list[str]) -> None:
        now = time.perf_counter()
        for key in keys:
            sent = self.sent_at.pop(key, None)
            if sent is None:
                continue  # from another phase
            self.latency.add(now - sent)
            self.slots.release()
            self.done += 1
        if self.done >= self.total:
            self.all_done.set()


class System:
    """Something that sends event ``i`` and reports acknowledged keys to the current Window."""

    window: Window | None = None

    def send(self, i: int) -> str:
        raise NotImplementedError

    def acked(self, keys: list[str]) -> None:
        if self.window is not None:
            self.window.acked(keys)

    def close(self) -> None:
        pass

    def run(self, n: int, size: int, rate: float = 0.0, timeout: float = 120.0) -> Window:
        """Send ``n`` events (paced at ``rate``/s if given); return the window with rate and latency."""
        win = self.window = Window(size)
        win.total = n
        start = time.perf_counter()
        for i in range(n):
            if rate:
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            self.send(i)
        if not win.all_done.wait(timeout):
            raise RuntimeError(f"only {win.done} of {n} events acknowledged within {timeout} s")
        win.rate = n / (time.perf_counter() - start)
        return win


def _record(i: int) -> GestureEventData:
    now = time.time_ns()
    return GestureEventData(event_id=str(uuid.uuid4()), gesture="swipe_left", event_type=EventType.TRIGGER,
                            stamp_ns=now, confidence=0.9, sequence=i + 1, source_id="bench/cam0", frame_id="cam0",
                            start_ns=now, end_ns=now, handedness="right", model_id="bench-model", model_version="1")


class BarePaho(System):
    """paho QoS 1 publish() to PUBACK, nothing else."""

    def __init__(self, port: int, inflight: int) -> None:
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-paho", protocol=mqtt.MQTTv5)
        self.client.max_inflight_messages_set(inflight)
        self.client.on_publish = self._on_publish
        self.mids: dict[int, str] = {}
        self.early: set = set()  # PUBACKs that beat publish() returning
        self.lock = threading.Lock()  # never held while calling into paho (its locks call back here)
        self.payload = encode(_record(0))
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_publish(self, c, u, mid, rc, props) -> None:
        with self.lock:
            key = self.mids.pop(mid, None)
            if key is None:
                self.early.add(mid)
                return
        self.acked([key])

    def send(self, i: int) -> str:
        key = f"{id(self.window)}-{i}"
        self.window.send(key)
        info = self.client.publish("venues/bench/devices/bench_cam0/gestures", self.payload, qos=1)
        with self.lock:
            early = info.mid in self.early
            self.early.discard(info.mid)
            if not early:
                self.mids[info.mid] = key
        if early:
            self.acked([key])
        return key

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _config(port: int, outbox: Path, inflight: int, durability: Durability) -> BridgeConfig:
    sender = SenderConfig(BrokerConfig(port=port), TopicLayout("bench", "bench"), f"bench-{uuid.uuid4().hex[:6]}",
                          inflight=inflight)
    return BridgeConfig(sender, str(outbox), durability=durability)


class Core(System):
    """BridgeService.accept() to PUBACK and outbox delete, without ROS."""

    def __init__(self, port: int, outbox: Path, inflight: int, durability: Durability) -> None:
        self.service = BridgeService(_config(port, outbox, inflight, durability))
        self.service.add_delivered_listener(lambda rows: self.acked([r.event_id for r in rows]))
        self.service.start()

    def send(self, i: int) -> str:
        record = _record(i)
        self.window.send(record.event_id)
        if not self.service.accept(record):
            raise RuntimeError(f"event {i} was refused")
        return record.event_id

    def close(self) -> None:
        self.service.stop()


def _talk(conn, n: int, rate: float, received, base: int, ahead: int) -> None:
    """Publish ``n`` GestureEvents from a process of its own (as the classifier would); report send times."""
    import rclpy
    from gesture_ros.msg import GestureEvent

    from gesture_ros.ros.qos import EVENT_QOS

    rclpy.init()
    node = rclpy.create_node("bench_talker")
    pub = node.create_publisher(GestureEvent, "gesture/events", EVENT_QOS)
    deadline = time.monotonic() + 20
    while pub.get_subscription_count() < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    sent: dict[str, float] = {}
    start = time.perf_counter()
    for i in range(n):
        stalled = time.monotonic() + 20
        while i - (received.value - base) >= ahead:  # stay inside the subscription's queue depth
            if time.monotonic() > stalled:
                raise SystemExit(f"bench talker: the bridge took no event for 20 s (at {i} of {n})")
            time.sleep(0.0002)
        if rate:
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        msg = GestureEvent(event_id=str(uuid.uuid4()), source_id="bench/cam0", sequence=i + 1,
                           gesture="swipe_left", confidence=0.9, event_type=0, model_id="bench-model")
        sent[msg.event_id] = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
        pub.publish(msg)
    conn.send(sent)
    node.destroy_node()
    rclpy.try_shutdown()


class Ros(System):
    """GestureEvent from another process on gesture/events -> BridgeNode (here) -> PUBACK and delete."""

    AHEAD = 64  # events published but not yet taken by the node: inside EVENT_QOS's depth

    def __init__(self, port: int, outbox: Path, inflight: int, durability: Durability) -> None:
        import rclpy
        from rclpy.executors import SingleThreadedExecutor
        from rclpy.parameter import Parameter

        from gesture_ros.nodes.bridge_node import BridgeNode

        os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
        self.rclpy = rclpy
        self.context = rclpy.context.Context()
        rclpy.init(context=self.context)
        overrides = [Parameter("broker_port", value=port), Parameter("outbox_path", value=str(outbox)),
                     Parameter("inflight", value=inflight), Parameter("outbox_durability", value=durability.value),
                     Parameter("client_id", value="bench-ros"), Parameter("venue", value="bench")]
        self.bridge = BridgeNode(parameter_overrides=overrides, context=self.context)
        self.acks: dict[str, float] = {}
        self.bridge.service.add_delivered_listener(self._delivered)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.bridge)
        threading.Thread(target=self.executor.spin, daemon=True).start()
        self.mp = multiprocessing.get_context("spawn")
        self.received = self.mp.Value("q", 0, lock=False)
        self.running = True
        threading.Thread(target=self._share_received, daemon=True).start()

    def _delivered(self, rows: list[Row]) -> None:
        now = time.perf_counter()
        for row in rows:
            self.acks[row.event_id] = now

    def _share_received(self) -> None:
        while self.running:
            self.received.value = self.bridge.service.received
            time.sleep(0.0005)

    def run(self, n: int, size: int, rate: float = 0.0, timeout: float = 120.0) -> Window:
        mine, theirs = self.mp.Pipe()
        talker = self.mp.Process(target=_talk, args=(theirs, n, rate, self.received,
                                                     self.bridge.service.received, self.AHEAD))
        talker.start()
        try:
            if not mine.poll(timeout):
                raise RuntimeError("the talker process published nothing")
            sent = mine.recv()
        finally:
            talker.join(20)
            if talker.is_alive():
                talker.kill()
        deadline = time.monotonic() + timeout
        while any(k not in self.acks for k in sent) and time.monotonic() < deadline:
            time.sleep(0.01)
        missing = sum(k not in self.acks for k in sent)
        if missing:
            raise RuntimeError(f"{missing} of {n} events not acknowledged within {timeout} s")
        win = Window(1)
        for key, t in sent.items():
            win.latency.add(self.acks[key] - t)
        win.rate = n / (max(self.acks[k] for k in sent) - min(sent.values()))
        return win

    def close(self) -> None:
        self.running = False
        self.executor.shutdown()
        self.bridge.close()
        self.bridge.destroy_node()
        self.rclpy.try_shutdown(context=self.context)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench bridge", description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=5000, help="events of the throughput run")
    p.add_argument("--window", type=int, default=1000, help="most events between send and PUBACK")
    p.add_argument("--inflight", type=int, default=256, help="MQTT QoS 1 window (receive maximum)")
    p.add_argument("--rate", type=float, default=200.0, help="offered events/s of the latency run")
    p.add_argument("--latency-events", type=int, default=1000)
    p.add_argument("--durability", choices=[d.value for d in Durability], default=Durability.FULL.value)
    p.add_argument("--no-ros", action="store_true", help="skip the in-process ROS run")
    args, _ = p.parse_known_args(argv)
    durability = Durability(args.durability)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_bridge_") as tmp:
        broker = Mosquitto(Path(tmp) / "mosquitto", max_inflight=args.inflight, log_type="error").start()
        makers: dict[str, Callable[[], System]] = {
            "paho": lambda: BarePaho(broker.port, args.inflight),
            "core": lambda: Core(broker.port, Path(tmp) / "core.db", args.inflight, durability),
        }
        if not args.no_ros:
            makers["ros"] = lambda: Ros(broker.port, Path(tmp) / "ros.db", args.inflight, durability)
        try:
            for name, make in makers.items():
                system = make()
                try:
                    system.run(200, args.window)  # warm up: connections, SQLite pages, DDS matching
                    top = system.run(args.events, args.window)
                    paced = system.run(args.latency_events, args.window, rate=args.rate)
                finally:
                    system.close()
                rows.append((name, top, paced))
        finally:
            broker.stop()
    base = rows[0][1].rate
    print(f"bridge bench: mosquitto on 127.0.0.1, MQTT 5 QoS 1, inflight {args.inflight}, "
          f"outbox durability {durability.value}")
    print(f"{'':<6}{'max events/s':>14}{'x paho':>8}{'p50 ms':>9}{'p95 ms':>9}   "
          f"latency at {args.rate:g}/s: {'p50 ms':>7}{'p95 ms':>8}")
    for name, top, paced in rows:
        print(f"{name:<6}{top.rate:>14.0f}{top.rate / base:>8.2f}{top.latency.percentile_ms(50):>9.1f}"
              f"{top.latency.percentile_ms(95):>9.1f}   {'':>18}{paced.latency.percentile_ms(50):>7.2f}"
              f"{paced.latency.percentile_ms(95):>8.2f}")
    durable = rows[-1][1].rate
    verdict = "met" if durable >= GOAL_EVENTS_PER_S else "NOT met"
    print(f"goal >= {GOAL_EVENTS_PER_S:.0f} durable events/s ({rows[-1][0]}): {verdict} ({durable:.0f}/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
