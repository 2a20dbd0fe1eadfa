"""Fuzz the real node executables with 1000 malformed inputs each (seeded, bounded time).

keypoint_node gets broken images, classifier_node broken Keypoints, action_dispatch_node broken
GestureEvents, bridge_node broken venue control messages over a real mosquitto. Good inputs are
interleaved with the bad ones. Each node must stay up, say one sentence per kind of bad input
(throttled, bounded in length), count it, and give exactly the outputs of the good inputs.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

rclpy = pytest.importorskip("rclpy")

import cv2  # noqa: E402
from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from gesture_ros.msg import ActionRecord, GestureEvent, GestureScores, Keypoints  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.qos import QoSProfile, ReliabilityPolicy  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402
from std_msgs.msg import Bool, Empty, String  # noqa: E402
from support import fuzz  # noqa: E402
from support import hand_frames as hf  # noqa: E402
from support.action_peers import OscReceiver, wait_until  # noqa: E402
from support.data import shared_data  # noqa: E402
from support.ros_env import NodeProcess  # noqa: E402
from support.tiny_onnx import write_model  # noqa: E402

from gesture_ros.bridge.control import control_message  # noqa: E402
from gesture_ros.bridge.payload import iso8601  # noqa: E402
from gesture_ros.ros.conversions import bgr_to_image, keypoints_to_msg, ns_to_stamp, stamp_to_ns  # noqa: E402
from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS  # noqa: E402
from tools.mosquitto import Mosquitto  # noqa: E402

N_BAD = 1000
THROTTLE_S = 5.0  # the nodes' period per kind of bad input (the bridge's: 10 s)
ENV = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
DEEP = QoSProfile(depth=500, reliability=ReliabilityPolicy.BEST_EFFORT)


class Peer:
    """An in-process test node spinning in a thread: publishers, recorded subscriptions."""

    def __init__(self, context, name: str) -> None:
        self.node = rclpy.create_node(name, context=context)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)
        self.diagnostics: dict[str, dict[str, str]] = {}
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, 50)
        self._thread = threading.Thread(target=self.executor.spin, daemon=True)
        self._thread.start()

    def _on_diag(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            self.diagnostics[status.name] = {kv.key: kv.value for kv in status.values}

    def record(self, msg_type, topic: str, qos) -> list:
        out: list = []
        self.node.create_subscription(msg_type, topic, out.append, qos)
        return out

    def close(self) -> None:
        self.executor.shutdown()
        self._thread.join(5)
        self.node.destroy_node()


@pytest.fixture
def peer(rclpy_context):
    p = Peer(rclpy_context, "fuzz_peer")
    yield p
    p.close()


def check_log(proc: NodeProcess, phrases: dict[str, tuple[str, ...]], seconds: float,
              period: float = THROTTLE_S) -> str:
    """Assert the node is up and said each kind at least once, throttled, in bounded lines."""
    assert proc.proc.poll() is None, proc.log()[-3000:]
    log = proc.log()
    lines = log.splitlines()
    for kind, words in phrases.items():
        hits = [line for line in lines if any(w in line for w in words)]
        assert hits, f"no sentence for bad input of kind '{kind}' ({words}) in:\n{log[-3000:]}"
        assert len(hits) <= seconds / period + 2, f"kind '{kind}' is not throttled: {len(hits)} lines"
    assert max(len(line) for line in lines) < 1500, "a log line echoes an outside string whole"
    assert "Traceback" not in log
    return log


def test_keypoint_node_survives_1000_malformed_images(domain, peer, tmp_path):
    cap = cv2.VideoCapture(str(shared_data("videos/open_hand_no_gesture.mp4")))
    frames = [cv2.resize(cap.read()[1], (320, 180)) for _ in range(5)]
    cap.release()
    keypoints = peer.record(Keypoints, "keypoints", DEEP)
    images = peer.node.create_publisher(Image, "image_raw", SENSOR_QOS)
    max_pixels = 2_000_000
    started = time.monotonic()
    with NodeProcess("keypoint_node", domain, {"model": "hands", "max_pixels": max_pixels},
                     log_dir=tmp_path, env=ENV) as kp:
        assert wait_until(lambda: images.get_subscription_count() > 0, 60), kp.log()
        got = lambda: {stamp_to_ns(k.header.stamp) for k in keypoints}  # noqa: E731
        good: list[int] = []

        def send_good(i: int) -> None:
            msg = bgr_to_image(frames[i])
            stamp = 2 * 10**18 + i * 40_000_000
            msg.header.stamp, msg.header.frame_id = ns_to_stamp(stamp), "fuzz_cam"
            for _ in range(20):  # best effort: the first frame after discovery may be lost
                images.publish(msg)
                if wait_until(lambda: stamp in got(), 3.0):
                    break
            good.append(stamp)

        rng = random.Random(fuzz.SEED)
        bad = list(fuzz.bad_images(rng, N_BAD, "fuzz_cam", max_pixels))
        send_good(0)
        for n, (_, msg) in enumerate(bad, 1):
            images.publish(msg)
            time.sleep(0.002)  # the node keeps only the newest image: give it time to look at each
            if n % 250 == 0:
                send_good(n // 250)
        assert wait_until(lambda: "keypoint_node" in "".join(peer.diagnostics), 10)
        time.sleep(1.2)  # one more diagnostics period
        log = check_log(kp, {
            "encoding": ("unsupported image encoding",), "empty": ("empty image",), "huge": ("huge image",),
            "endianness": ("is_bigendian is",), "width": ("need an even width",), "step": ("step is",),
            "data size": ("data has",)}, time.monotonic() - started)
        figures = next(v for k, v in peer.diagnostics.items() if k.endswith("keypoint_node"))
    assert good == [2 * 10**18 + i * 40_000_000 for i in range(5)] and set(good) <= got()
    assert got() == set(good), "a malformed image gave keypoints"
    assert all(k.right_hand or k.left_hand for k in keypoints)  # every good frame: its hand
    for kind in ("encoding", "empty", "huge", "endianness", "width", "step", "data size"):
        assert int(figures[f"rejected: {kind}"]) >= 1, figures
    assert int(figures["images rejected"]) >= 100  # most of the others dropped as backlog (counted too)
    assert "rejected an image on /image_raw (frame_id 'fuzz_cam')" in log


def test_classifier_node_survives_1000_malformed_keypoints(domain, peer, tmp_path):
    model = write_model(tmp_path / "tiny.onnx", window=8, model_id="tiny", version="1")
    events = peer.record(GestureEvent, "gesture/events", EVENT_QOS)
    scores = peer.record(GestureScores, "gesture/scores", EVENT_QOS)
    pub = peer.node.create_publisher(Keypoints, "keypoints", SENSOR_QOS)
    params = {"model_path": str(model), "providers": ["cpu"], "min_duration_s": 0.2, "cooldown_s": 0.5,
              "refractory_s": 0.0, "keypoint_timeout_s": 5.0, "watch_model_file": False, "min_fill": 0.1,
              "diagnostics_period_s": 0.5}
    good = list(hf.still(20)) + list(hf.empty(12, 20)) + list(hf.sweep(12, 32)) + list(hf.empty(12, 44))
    started = time.monotonic()
    with NodeProcess("classifier_node", domain, params, log_dir=tmp_path, env=ENV) as proc:
        assert wait_until(lambda: pub.get_subscription_count() > 0 and peer.node.count_publishers("gesture/events"),
                          60), proc.log()
        scored = lambda: {stamp_to_ns(s.header.stamp) for s in scores}  # noqa: E731
        rng = random.Random(fuzz.SEED)
        per_frame = -(-N_BAD // (len(good) - 2))
        sent_bad = 0
        for i, frame in enumerate(good):
            msg = keypoints_to_msg(frame)
            for _ in range(20):  # best effort: resend until the node has decided on it
                pub.publish(msg)
                if wait_until(lambda f=frame: f.stamp_ns in scored(), 2.0):
                    break
            assert frame.stamp_ns in scored(), proc.log()[-3000:]
            if i == 0:
                continue  # fuzz once 'cam' has a window (and is the first source)
            count = min(per_frame, N_BAD - sent_bad)
            for _, bad in fuzz.bad_keypoints(rng, count, "cam", frame.stamp_ns, hf.STEP_NS):
                pub.publish(bad)
                time.sleep(0.0005)
            sent_bad += count
        assert sent_bad == N_BAD
        assert wait_until(lambda: len(events) >= 3, 10)
        time.sleep(1.0)
        check_log(proc, {"layout": ("refused: bad layout",), "coordinates": ("x/y/z coordinates",),
                         "order": ("out of order",), "frame_id": ("frame_id is not a plain name",),
                         "sources": ("(max_sources)",), "stamp": ("has no stamp", "nanosec")},
                  time.monotonic() - started)
        figures = next(v for k, v in peer.diagnostics.items() if k.endswith("classifier_node"))
    assert [(e.event_type, e.gesture, e.source_id) for e in events] == [
        (GestureEvent.START, "open_palm", "cam"), (GestureEvent.END, "open_palm", "cam"),
        (GestureEvent.TRIGGER, "swipe_right", "cam")]
    assert {stamp_to_ns(e.header.stamp) for e in events} <= {f.stamp_ns for f in good}
    for kind in ("layout", "coordinates", "order", "frame_id", "sources", "stamp"):
        assert int(figures[f"refused: {kind}"]) >= 1, figures


def test_action_dispatch_node_survives_1000_malformed_events(domain, peer, tmp_path):
    osc = OscReceiver("udp")
    map_path = tmp_path / "show.yaml"
    map_path.write_text(dedent(f"""\
        targets:
          desk: {{type: osc, host: 127.0.0.1, port: {osc.port}, allow: ["/go", "/palm/*"]}}
        actions:
          swipe_right:
            TRIGGER: [{{target: desk, address: /go, args: ["{{sequence}}"]}}]
          open_palm:
            START: [{{target: desk, address: /palm/on}}]
            END: [{{target: desk, address: /palm/off}}]
        """))
    records = peer.record(ActionRecord, "actions/log", EVENT_QOS)
    pub = peer.node.create_publisher(GestureEvent, "gesture/events", EVENT_QOS)
    params = {"action_map": str(map_path), "max_event_age_s": 2.0, "global_rate_limit": 0,
              "diagnostics_period_s": 0.5}
    started = time.monotonic()
    try:
        with NodeProcess("action_dispatch_node", domain, params, log_dir=tmp_path, env=ENV) as proc:
            # the node's diagnostics reaching us: its writers know our readers (made before it started), so
            # its actions/log writer does not publish the first record before it matched ours (volatile)
            assert wait_until(lambda: pub.get_subscription_count() > 0
                              and peer.node.count_publishers("actions/log") > 0
                              and any(k.endswith("action_dispatch_node") for k in peer.diagnostics), 60), proc.log()
            rng = random.Random(fuzz.SEED)
            script = [("swipe_right", GestureEvent.TRIGGER), ("open_palm", GestureEvent.START),
                      ("open_palm", GestureEvent.END)] * 7
            good: list[GestureEvent] = []
            chunk = N_BAD // len(script) + 1
            sent_bad = 0
            for sequence, (gesture, event_type) in enumerate(script, 1):
                msg = GestureEvent(event_id=f"good-{sequence}", source_id="cam", sequence=sequence, gesture=gesture,
                                   confidence=0.9, event_type=event_type, model_id="fuzz")
                msg.header.stamp = msg.start_stamp = msg.end_stamp = ns_to_stamp(time.time_ns())
                pub.publish(msg)
                good.append(msg)
                assert wait_until(lambda s=sequence: any(r.event_id == f"good-{s}" for r in records)), proc.log()[-2000:]
                count = min(chunk, N_BAD - sent_bad)
                for _, bad in fuzz.bad_events(rng, count, time.time_ns()):
                    pub.publish(bad)
                sent_bad += count
            assert sent_bad == N_BAD
            figures: Callable[[], dict] = lambda: next(  # noqa: E731
                (v for k, v in peer.diagnostics.items() if k.endswith("action_dispatch_node")), {})
            assert wait_until(lambda: figures().get("events refused") == str(N_BAD), 20), str(figures())
            check_log(proc, {"unknown gesture": ("unknown gesture (not in the action map",),
                             "oversized field": ("characters (at most 256)",), "confidence": ("is not in [0, 1]",),
                             "event type": ("unknown event_type",), "event id": ("it has no event_id",),
                             "stamp": ("the node clock (max_stamp_skew_s", "has no header stamp")},
                      time.monotonic() - started)
            final = figures()
            assert proc.stop() == 0
        expected = [("/go", [e.sequence]) if e.gesture == "swipe_right" else
                    ("/palm/on" if e.event_type == GestureEvent.START else "/palm/off", []) for e in good]
        assert osc.wait_for(len(expected)) == expected
        assert sorted(r.event_id for r in records) == sorted(e.event_id for e in good)
        assert {r.result for r in records} == {ActionRecord.DONE}
        assert final["events"] == str(len(good))
        for kind in ("unknown gesture", "oversized field", "confidence", "event type", "stamp", "event id"):
            assert int(final[f"refused: {kind}"]) >= 1, final
    finally:
        osc.close()


def test_bridge_control_topic_survives_1000_malformed_messages(domain, peer, tmp_path):
    armed = peer.record(Bool, "dispatch/armed", EVENT_QOS)
    disarmed = peer.record(Empty, "dispatch/disarm", EVENT_QOS)
    models = peer.record(String, "classifier/model", EVENT_QOS)
    control = "venues/test/devices/dev1/control"
    max_bytes = 1024
    with Mosquitto(tmp_path / "broker") as broker:
        params = {"broker_port": broker.port, "venue": "test", "device_id": "dev1",
                  "outbox_path": str(tmp_path / "o.db"), "control_topic": "venues/{venue}/devices/{device}/control",
                  "control_max_bytes": max_bytes, "control_models": "models/gesture_default.onnx",
                  "allow_remote_arm": True, "allow_plaintext_control_from": "127.0.0.1", "diagnostics_period_s": 0.2}
        started = time.monotonic()
        with NodeProcess("bridge_node", domain, params, log_dir=tmp_path, env=ENV) as proc:
            assert wait_until(lambda: "Received SUBSCRIBE from gesture_ros-dev1" in broker.log()
                              and peer.node.count_publishers("dispatch/armed") > 0
                              and peer.node.count_publishers("dispatch/disarm") > 0
                              and peer.node.count_publishers("classifier/model") > 0, 60), proc.log()
            time.sleep(1.0)  # let the bridge's writers match our readers too (volatile: nothing is replayed)
            import paho.mqtt.client as mqtt

            venue = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="fuzz-venue", protocol=mqtt.MQTTv5)
            venue.connect("127.0.0.1", broker.port)
            venue.loop_start()
            try:
                goods = [("disarm", {}), ("arm", {}), ("switch_model", {"model": "models/gesture_default.onnx"})] * 4
                rng = random.Random(fuzz.SEED)
                bad = list(fuzz.bad_controls(rng, N_BAD, max_bytes))
                every = N_BAD // len(goods)
                infos = []
                for n, (_, body) in enumerate(bad):
                    if n % every == 0 and n // every < len(goods):
                        command, extra = goods[n // every]
                        body_ok = control_message(command, n + 1, iso8601(time.time_ns()), **extra)
                        infos.append(venue.publish(control, body_ok, qos=1))
                    infos.append(venue.publish(control, body, qos=1))
                for info in infos:
                    info.wait_for_publish(10)
                figures: Callable[[], dict] = lambda: next(  # noqa: E731
                    (v for k, v in peer.diagnostics.items() if k.endswith("bridge_node")), {})
                assert wait_until(lambda: figures().get("refused control_refused") == str(N_BAD), 30), figures()
                assert wait_until(lambda: len(armed) + len(disarmed) + len(models) == len(goods), 10), \
                    ([m.data for m in armed], len(disarmed), [m.data for m in models], proc.log()[-3000:])
                check_log(proc, {"bad_json": ("refused: not JSON",), "too_large": ("-byte limit",),
                                 "bad_schema": ("control message refused:",),
                                 "model_not_allowed": ("is not in control_models",)},
                          time.monotonic() - started, period=10.0)
            finally:
                venue.loop_stop()
                venue.disconnect()
    assert [m.data for m in armed] == [True] * 4 and len(disarmed) == 4
    assert [m.data for m in models] == ["models/gesture_default.onnx"] * 4
