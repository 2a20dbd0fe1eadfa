"""Model loading: real ONNX files, each kind of mismatch refused with one sentence."""

import json

import numpy as np
import pytest
from support.tiny_onnx import LABELS, write_model

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.classify.onnx_model import ModelLoadError, RuntimeOptions, load_model
from gesture_ros.common.model_meta import PREFIX
from gesture_ros.common.ort_providers import CPU, canonical, choose_providers

CPU_ONLY = RuntimeOptions(providers=["cpu"], warmup_runs=1)


def refused(path, options=CPU_ONLY) -> str:
    with pytest.raises(ModelLoadError) as info:
        load_model(path, options)
    message = str(info.value)
    assert "\n" not in message and str(path) in message  # one sentence naming the file
    return message


def test_good_model_loads_and_predicts(tmp_path):
    path = write_model(tmp_path / "good.onnx", window=8, model_id="tiny-good", version="3")
    model = load_model(path, CPU_ONLY)
    assert model.labels == LABELS and model.window == 8
    assert model.feature_dim == FeatureSpec().dim
    assert model.meta.model_id == "tiny-good" and model.meta.version == "3"
    assert model.providers == [CPU]
    one = model.predict(np.zeros((8, model.feature_dim), np.float32))
    assert one.shape == (len(LABELS),) and one.sum() == pytest.approx(1.0, abs=1e-5)
    batch = model.predict(np.zeros((3, 8, model.feature_dim), np.float32))
    assert batch.shape == (3, len(LABELS))
    assert "tiny-good" in model.describe()


def test_missing_file(tmp_path):
    assert "does not exist" in refused(tmp_path / "nope.onnx")


def test_garbled_file(tmp_path):
    path = tmp_path / "garbled.onnx"
    path.write_bytes(b"\x08\x07this is not a protobuf model" * 10)
    assert "is not a loadable ONNX model" in refused(path)


def test_missing_metadata(tmp_path):
    path = write_model(tmp_path / "nometa.onnx", drop_keys=["labels"])
    assert "'gesture_ros.labels' is missing" in refused(path)


def test_garbled_metadata(tmp_path):
    path = write_model(tmp_path / "badjson.onnx", props={PREFIX + "kinds": "{oops"})
    assert "'gesture_ros.kinds' is not valid JSON" in refused(path)


def test_window_mismatch(tmp_path):
    path = write_model(tmp_path / "window.onnx", window=16, input_window=12)
    assert "has window 12 but its metadata says window 16" in refused(path)


def test_feature_dim_mismatch(tmp_path):
    dim = FeatureSpec().dim
    path = write_model(tmp_path / "dim.onnx", input_dim=dim + 3)
    assert f"has {dim + 3} features per frame but its feature spec builds {dim}" in refused(path)


def test_label_count_mismatch(tmp_path):
    path = write_model(tmp_path / "labels.onnx", n_outputs=len(LABELS) + 1)
    assert f"metadata has {len(LABELS)} labels" in refused(path)


def test_wrong_input_name(tmp_path):
    path = write_model(tmp_path / "name.onnx", input_name="x")
    assert "expected one named 'features'" in refused(path)


def test_feature_spec_this_code_cannot_build(tmp_path):
    spec = FeatureSpec().to_dict()
    spec["palm_magic"] = 3
    path = write_model(tmp_path / "spec.onnx", props={PREFIX + "feature_spec": json.dumps(spec)})
    assert "feature spec unusable" in refused(path) and "palm_magic" in refused(path)


def test_provider_choice_keeps_cpu_and_explains_skips():
    choice = choose_providers(["tensorrt", "cuda", "cpu"])
    assert choice.names[-1] == CPU
    for name in ("TensorrtExecutionProvider", "CUDAExecutionProvider"):
        assert name in choice.names or choice.skipped[name]
    assert canonical("trt") == "TensorrtExecutionProvider"
    assert choose_providers(["NoSuchProvider"]).skipped["NoSuchProvider"]


def test_default_provider_order_loads_on_this_machine(tmp_path):
    model = load_model(write_model(tmp_path / "m.onnx"), RuntimeOptions(trt_cache_dir=str(tmp_path / "trt")))
    assert model.providers[-1] == CPU
    assert set(model.skipped) | set(model.providers) >= {CPU}
