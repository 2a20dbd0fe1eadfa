"""The converted networks (tools/convert_mediapipe.py) against TFLite, and how the engine opens them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gesture_ros.perception.engine.models import manifest, models_dir, open_network

ROOT = Path(__file__).resolve().parents[2]
CONVERTER = ROOT / "tools" / "convert_mediapipe.py"
NETWORKS = ("palm_detection_full", "hand_landmark_full", "pose_detection", "pose_landmark_full")


def _converter():
    sys.path.insert(0, str(CONVERTER.parent))
    try:
        import convert_mediapipe
    finally:
        sys.path.pop(0)
    return convert_mediapipe


def test_manifest_names_every_network_by_the_hash_of_the_wheels_file():
    tool = _converter()
    modules = tool.modules_dir()
    found = manifest()
    assert set(NETWORKS) <= set(found)
    for name in NETWORKS:
        entry = found[name]
        digest = hashlib.sha256((modules.parent.parent / entry["source"]).read_bytes()).hexdigest()
        assert entry["sha256"] == digest and entry["onnx"] == f"{digest}.onnx"
        assert (models_dir() / entry["onnx"]).stat().st_size > 100_000
    assert found["pose_detection"]["densified"] is True  # its sparse fp16 weights were made dense


def test_each_converted_network_gives_what_tflite_gives_on_the_same_inputs():
    tool = _converter()
    done = subprocess.run([sys.executable, str(CONVERTER), "--compare"], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    differences = json.loads(done.stdout[done.stdout.index("{"):])
    assert set(differences) == set(NETWORKS)
    assert "segmentation" not in differences["pose_landmark_full"]  # cut off at conversion: unused
    bad = {f"{net}.{out}": d for net, outs in differences.items() for out, d in outs.items()
           if not tool.agrees(d)}
    assert not bad, f"ONNX Runtime differs from TFLite beyond {tool.TOLERANCE} of the output's scale: {bad}"
    # the densified pose detector must not merely run: its scores span the TFLite ones
    assert differences["pose_detection"]["scores"]["scale"] > 1.0


def test_the_hand_network_takes_a_batch_and_gives_each_crop_its_own_result():
    network = open_network("hand_landmark_full", providers=("cpu",))
    assert network.dynamic_batch and network.input_size == (224, 224)
    crops = np.random.default_rng(3).random((3, 224, 224, 3), dtype=np.float32)
    batched = network.run(crops)
    assert batched["landmarks"].shape == (3, 63)
    for i in range(3):
        single = network.run(crops[i:i + 1])
        np.testing.assert_allclose(batched["landmarks"][i], single["landmarks"][0], atol=1e-3)


def test_a_network_with_a_fixed_batch_is_called_once_per_image():
    network = open_network("palm_detection_full", providers=("cpu",))
    assert not network.dynamic_batch
    images = np.random.default_rng(4).random((2, 192, 192, 3), dtype=np.float32)
    got = network.run(images)
    assert got["boxes"].shape == (2, 2016, 18)
    np.testing.assert_allclose(got["boxes"][1], network.run(images[1:2])["boxes"][0], atol=1e-3)


@pytest.mark.parametrize("wanted", [("tensorrt", "cuda", "cpu"), ("cpu",)])
def test_providers_that_cannot_load_are_skipped_and_cpu_remains(wanted):
    network = open_network("palm_detection_full", providers=wanted)
    assert network.providers[-1] == "CPUExecutionProvider"
