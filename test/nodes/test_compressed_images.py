"""Compressed images (issue 27 item 2) through the real camera_node and keypoint_node executables over DDS."""

from __future__ import annotations

import os
import sys
from contextlib import closing

import cv2
import numpy as np
import pytest
from support.data import shared_data
from support.frame_grid import on_the_frame_grid
from support.ros_env import NodeProcess, ProbeNode

rclpy = pytest.importorskip("rclpy")

from gesture_ros.msg import Keypoints  # noqa: E402
from rclpy.qos import QoSProfile, ReliabilityPolicy  # noqa: E402
from sensor_msgs.msg import CameraInfo, CompressedImage  # noqa: E402

from gesture_ros.perception import compressed_codec  # noqa: E402
from gesture_ros.ros.conversions import bgr_to_compressed, ns_to_stamp, stamp_to_ns  # noqa: E402
from gesture_ros.ros.qos import SENSOR_QOS  # noqa: E402

PROBE_QOS = QoSProfile(depth=300, reliability=ReliabilityPolicy.BEST_EFFORT)
ENV = {"PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
FRAMES = 202  # open_hand_no_gesture.mp4


class Probe(ProbeNode):
    """A real rclpy node that keeps, per topic, the messages it receives by stamp."""

    def __init__(self, context) -> None:
        super().__init__(context, "compressed_probe")
        self.got: dict[str, dict[int, object]] = {}

    def listen(self, msg_type, topic: str) -> dict[int, object]:
        kept = self.got.setdefault(topic, {})
        self.node.create_subscription(msg_type, topic, lambda m: kept.setdefault(stamp_to_ns(m.header.stamp), m),
                                      PROBE_QOS)
        return kept


@pytest.fixture
def probe(rclpy_context):
    with closing(Probe(rclpy_context)) as p:
        yield p


def _hand(k: Keypoints) -> np.ndarray | None:
    hand = k.right_hand or k.left_hand
    return np.array([(p.x, p.y) for p in hand]) if hand else None


def test_a_jpeg_stream_gives_the_raw_streams_keypoints_on_the_same_frames(domain, probe, tmp_path):
    """camera_node publishes both transports of every frame; one keypoint_node reads each."""
    video = shared_data("videos/open_hand_no_gesture.mp4")
    info = probe.listen(CameraInfo, "camera_info")
    jpegs = probe.listen(CompressedImage, "image_raw/compressed")  # not image_raw: 700 kB frames would load the probe
    from_jpeg, from_raw = probe.listen(Keypoints, "keypoints"), probe.listen(Keypoints, "/raw/keypoints")
    with NodeProcess("keypoint_node", domain, {"model": "hands", "image_transport": "compressed"},
                     log_dir=tmp_path, env=ENV) as kp_jpeg, \
            NodeProcess("keypoint_node", domain, {"model": "hands"}, log_dir=tmp_path, env=ENV,
                        extra_args=["-r", "__ns:=/raw", "-r", "image_raw:=/image_raw"]) as kp_raw:
        # The probe's best-effort readers get only what comes after they discovered the publishers: on a
        # loaded machine that took long enough once to miss 158 of the 202 frames. Wait for both first.
        assert probe.spin_until(lambda: probe.node.count_publishers("/keypoints") > 0
                                and probe.node.count_publishers("/raw/keypoints") > 0, timeout=60), \
            kp_jpeg.log() + kp_raw.log()
        # Paced by the compressed reader's answers; 3 subscribers: both readers and the probe.
        cam = NodeProcess("camera_node", domain, {
            "source": str(video), "frame_id": "test_cam", "pace": "as_fast_as_consumed", "max_in_flight": 1,
            "transport": "both", "jpeg_quality": 90, "wait_for_subscribers": 3, "consumer_timeout_s": 10.0},
            log_dir=tmp_path, env=ENV)
        try:
            probe.spin_until(lambda: cam.proc.poll() is not None, timeout=300)
            assert cam.proc.poll() == 0, cam.log()
            cam_log = cam.log()
        finally:
            cam.stop()
        probe.spin_until(lambda: set(from_jpeg) >= set(jpegs) and set(from_raw) >= set(jpegs), timeout=5)
        assert kp_jpeg.proc.poll() is None and kp_raw.proc.poll() is None, kp_jpeg.log() + kp_raw.log()
        jpeg_log, logs = kp_jpeg.log(), kp_jpeg.log() + kp_raw.log()
    assert "/image_raw/compressed" in jpeg_log and "/image_raw and /image_raw/compressed" in cam_log
    assert "rejected" not in logs and "Traceback" not in logs
    # The compressed reader answered every frame (the camera sent each next one on its answer).
    # (perhaps but the first, lost as the reader is discovered: test_engine_node.py)
    assert cam_log.count("no keypoints answered") <= 1 and f"after {FRAMES} frames" in cam_log, cam_log
    # Every message of a frame has the frame's one stamp: camera_info's, the JPEG's, the raw image's
    # (which the raw reader's keypoints carry).
    # The probe's copies are best effort (sensor-data QoS): a loaded machine loses some of them, so their
    # counts are bounded loosely; that every frame was answered is the camera's log line above.
    frames = set(info)
    assert len(frames) >= 0.3 * FRAMES and set(jpegs) <= frames and len(jpegs) >= 0.3 * FRAMES
    some = next(iter(jpegs.values()))
    assert some.format == "bgr8; jpeg compressed bgr8" and some.header.frame_id == "test_cam"
    assert len(some.data) < 640 * 360 * 3 / 5  # JPEG: a fraction of the raw frame's bytes
    # keypoint_node answered every JPEG frame with the frame's stamp, and the raw reader the same frames.
    seen = frames | set(jpegs)
    assert on_the_frame_grid(set(from_jpeg), seen) and on_the_frame_grid(set(from_raw), seen)
    assert len(from_jpeg) >= 0.3 * FRAMES, f"{len(from_jpeg)} of {FRAMES}"  # the probe's best-effort copy
    # The raw reader is not the one the camera waits for: it drops the frames that come while it is busy
    # (on a loaded 2-core machine most of them: 21 of 202 once), and the probe's copies are best effort.
    # The frames both answered are the sample the landmarks are compared on below.
    both = sorted(set(from_jpeg) & set(from_raw))
    assert len(both) >= 12, f"{len(both)} frames with keypoints from both"
    assert {from_jpeg[s].header.frame_id for s in both} == {"test_cam"}
    # Hand landmarks close to the raw run's: JPEG at quality 90 moves them by a fraction of a hand.
    pairs = [(_hand(from_jpeg[s]), _hand(from_raw[s])) for s in both]
    assert sum((a is None) == (b is None) for a, b in pairs) >= 0.95 * len(pairs)
    errors = np.array([np.linalg.norm(a - b, axis=1).mean() for a, b in pairs if a is not None and b is not None])
    assert len(errors) >= 0.9 * len(pairs)
    spans = [np.ptp(b, axis=0).max() for _, b in pairs if b is not None]  # the hand's extent in the image
    print(f"landmark error JPEG vs raw: median {np.median(errors):.4f}, p95 {np.percentile(errors, 95):.4f}, "
          f"max {errors.max():.4f} (normalised) on {len(errors)} frames; hand extent median {np.median(spans):.3f}")
    # Measured: median 0.0006, p95 0.002 (normalised units); the hand spans ~0.5 of the image. The bound
    # is 8x looser and still small against the hand: 3 px at the median, 13 px at p95 on 640x360.
    assert np.median(errors) < 0.005 and np.percentile(errors, 95) < 0.02


def _frames(n: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(shared_data("videos/open_hand_no_gesture.mp4")))
    frames = [cv2.resize(cap.read()[1], (320, 180)) for _ in range(n)]
    cap.release()
    return frames


def _bad(good: np.ndarray) -> dict[str, bytes]:
    """The words of each refusal -> the bytes that earn it."""
    jpeg = bytes(compressed_codec.encode(good).data)
    noise = np.random.default_rng(27).integers(0, 256, 2000, dtype=np.uint8).tobytes()
    return {
        f"truncated JPEG 320x180: {len(jpeg) // 3} bytes without the end-of-image marker": jpeg[:len(jpeg) // 3],
        "corrupt JPEG: 2005 bytes without a frame header": compressed_codec.SIGNATURES["jpeg"] + noise + b"\xff\xd9",
        "corrupt PNG: 2008 bytes without an IHDR header": compressed_codec.SIGNATURES["png"] + noise,
        "are neither JPEG nor PNG (they start with": noise,
    }


def test_bad_compressed_bytes_are_refused_and_the_node_answers_good_frames(domain, probe, tmp_path):
    frames = _frames(8)
    keypoints = probe.listen(Keypoints, "keypoints")
    annotated = probe.listen(CompressedImage, "keypoints/image/compressed")
    publisher = probe.node.create_publisher(CompressedImage, "image_raw/compressed", SENSOR_QOS)
    stamp = 1_000_000_000

    def send(data: bytes | np.ndarray, fmt: str = "bgr8; jpeg compressed bgr8") -> int:
        nonlocal stamp
        stamp += 40_000_000
        msg = CompressedImage(format=fmt, data=bytes(data))
        msg.header.stamp, msg.header.frame_id = ns_to_stamp(stamp), "test_cam"
        publisher.publish(msg)
        return stamp

    def answered(data, fmt: str = "bgr8; jpeg compressed bgr8") -> bool:
        s = send(data, fmt)
        return probe.spin_until(lambda: s in keypoints, timeout=10)

    with NodeProcess("keypoint_node", domain, {"model": "hands", "image_transport": "compressed"},
                     log_dir=tmp_path, env=ENV) as kp:
        assert probe.spin_until(lambda: publisher.get_subscription_count() >= 1, timeout=60), kp.log()
        good = bgr_to_compressed(frames[0])
        for _ in range(20):  # until the node answers: the first frames after discovery may be lost
            if answered(good.data):
                break
        assert keypoints, kp.log()
        for data in _bad(frames[1]).values():
            send(data, "jpeg")
            probe.spin_until(lambda: False, timeout=0.3)  # one at a time: none is dropped as backlog
        after = sum(answered(bgr_to_compressed(f).data) for f in frames[2:6])
        png = compressed_codec.encode(frames[6], compressed_codec.PNG)
        png_answered = answered(png.data, png.format)
        probe.spin_until(lambda: "neither JPEG nor PNG" in kp.log() and annotated, timeout=5)
        assert kp.proc.poll() is None, kp.log()
        log = kp.log()
    assert after >= 3 and png_answered, log
    rejected = [line for line in log.splitlines() if "rejected an image on /image_raw/compressed" in line]
    for words in _bad(frames[1]):
        assert sum(words in line for line in rejected) == 1, f"no one log line with '{words}':\n{log}"
    assert all("(frame_id 'test_cam'): " in line for line in rejected)
    assert "Traceback" not in log
    # keypoints carry the compressed frame's header; the annotated view is offered as JPEG too.
    assert {k.header.frame_id for k in keypoints.values()} == {"test_cam"}
    view = annotated[max(annotated)]
    assert view.header.frame_id == "test_cam" and max(annotated) in keypoints
    assert compressed_codec.decode(view.format, view.data).shape == (180, 320, 3)


@pytest.mark.parametrize("exe,param", [("camera_node", "transport"), ("keypoint_node", "image_transport")])
def test_an_unknown_transport_stops_the_node_at_start_in_one_sentence(domain, tmp_path, exe, param):
    params = {param: "theora", **({"source": str(shared_data("videos/swipe2_left_right.gif"))}
                                  if exe == "camera_node" else {"model": "hands"})}
    node = NodeProcess(exe, domain, params, log_dir=tmp_path, env=ENV)
    try:
        assert node.wait(timeout=60) == 1, node.log()
        log = node.log()
    finally:
        node.stop()
    expected = "raw, compressed or both" if exe == "camera_node" else "raw or compressed"
    assert f"cannot start: parameter {param} is 'theora', expected {expected}" in log, log
    assert "Traceback" not in log
