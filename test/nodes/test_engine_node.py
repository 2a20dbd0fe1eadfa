"""keypoint_node with ``backend: onnx``: the real executables over DDS on loopback, on a real clip."""

from __future__ import annotations

from support.data import shared_data
from support.ros_env import NodeProcess
from test_perception_nodes import ENV, camera, probe  # noqa: F401 (the probe fixture)


def test_onnx_backend_publishes_hands_with_the_image_stamps(domain, probe, tmp_path):  # noqa: F811
    video = shared_data("videos/open_hand_no_gesture.mp4")
    with NodeProcess("keypoint_node", domain, {"model": "hands", "backend": "onnx"}, log_dir=tmp_path, env=ENV) as kp:
        cam = camera(domain, str(video), tmp_path, max_in_flight=1)
        try:
            probe.spin_until(lambda: cam.proc.poll() is not None, timeout=180)
            assert cam.proc.poll() == 0, cam.log()
        finally:
            cam.stop()
        probe.spin_until(lambda: set(probe.keypoints) >= set(probe.images), timeout=5)
        assert kp.proc.poll() is None, kp.log()
        assert "onnx-hands/" in kp.log()
        assert "(providers " in kp.log() and "CPUExecutionProvider" in kp.log()  # the start-up line names them
    assert len(probe.keypoints) >= 0.5 * len(probe.images) > 0
    assert set(probe.keypoints) <= set(probe.images) | set(probe.keypoints)  # stamps are the images' own
    with_hand = [k for k in probe.keypoints.values() if k.left_hand or k.right_hand]
    assert len(with_hand) >= 0.95 * len(probe.keypoints)
    assert all(k.model.startswith("onnx-hands/") for k in probe.keypoints.values())


def test_an_unknown_backend_stops_the_node_with_one_sentence(domain, tmp_path):
    with NodeProcess("keypoint_node", domain, {"model": "hands", "backend": "tflite"}, log_dir=tmp_path,
                     env=ENV) as kp:
        kp.proc.wait(timeout=60)
        assert kp.proc.returncode != 0
        assert "backend 'tflite' is unknown" in kp.log()

