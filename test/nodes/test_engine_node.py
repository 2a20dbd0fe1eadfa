"""keypoint_node with ``backend: onnx``: the real executables over DDS on loopback, on a real clip."""

from __future__ import annotations

from support.data import shared_data
from support.frame_grid import on_the_frame_grid
from support.ros_env import NodeProcess
from test_perception_nodes import ENV, camera, probe  # noqa: F401 (the probe fixture)


def test_onnx_backend_publishes_hands_with_the_image_stamps(domain, probe, tmp_path):  # noqa: F811
    video = shared_data("videos/open_hand_no_gesture.mp4")
    with NodeProcess("keypoint_node", domain, {"model": "hands", "backend": "onnx"}, log_dir=tmp_path, env=ENV) as kp:
        # The camera waits for each answer (the engine's first frames are slow on a loaded machine).
        cam = camera(domain, str(video), tmp_path, max_in_flight=1, consumer_timeout_s=5.0)
        try:
            probe.spin_until(lambda: cam.proc.poll() is not None, timeout=180)
            assert cam.proc.poll() == 0, cam.log()
            cam_log = cam.log()
        finally:
            cam.stop()
        probe.spin_until(lambda: set(probe.keypoints) >= set(probe.images), timeout=5)
        assert kp.proc.poll() is None, kp.log()
        assert "onnx-hands/" in kp.log()
        assert "(providers " in kp.log() and "CPUExecutionProvider" in kp.log()  # the start-up line names them
    # Every frame was answered (the camera sent each next one on the answer), but perhaps the first: a
    # best-effort frame sent as the reader is discovered can be lost. The probe's best-effort copies of
    # the keypoints may miss some on a loaded machine. Their stamps are the images' own.
    assert cam_log.count("no keypoints answered") <= 1, cam_log
    assert len(probe.keypoints) >= 0.3 * len(probe.images) > 0
    stamp_ns = lambda stamps: {sec * 10**9 + ns for sec, ns in stamps}  # noqa: E731
    assert on_the_frame_grid(stamp_ns(probe.keypoints), stamp_ns(probe.images))
    with_hand = [k for k in probe.keypoints.values() if k.left_hand or k.right_hand]
    assert len(with_hand) >= 0.95 * len(probe.keypoints)
    assert all(k.model.startswith("onnx-hands/") for k in probe.keypoints.values())


def test_an_unknown_backend_stops_the_node_with_one_sentence(domain, tmp_path):
    with NodeProcess("keypoint_node", domain, {"model": "hands", "backend": "tflite"}, log_dir=tmp_path,
                     env=ENV) as kp:
        kp.proc.wait(timeout=60)
        assert kp.proc.returncode != 0
        assert "backend 'tflite' is unknown" in kp.log()

