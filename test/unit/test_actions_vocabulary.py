"""The gesture vocabulary comes from the model's metadata, else the documented default."""

import onnx
from onnx import TensorProto, helper

from gesture_ros.actions.vocabulary import DEFAULT_LABELS, load_vocabulary
from gesture_ros.common.model_meta import GestureKind, ModelMetadata


def _write_model(path, labels):
    """Write a real (tiny) ONNX classifier carrying gesture_ros metadata."""
    meta = ModelMetadata(model_id="custom", version="3", labels=labels,
                         kinds={label: GestureKind.TRIGGER for label in labels}, window=4,
                         feature_spec={"parts": ["right_hand"]})
    features = helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, 4, 2])
    probabilities = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, len(labels)])
    weights = helper.make_tensor("w", TensorProto.FLOAT, [8, len(labels)], [0.0] * 8 * len(labels))
    graph = helper.make_graph(
        [helper.make_node("Flatten", ["features"], ["flat"]),
         helper.make_node("MatMul", ["flat", "w"], ["logits"]),
         helper.make_node("Softmax", ["logits"], ["probabilities"])],
        "g", [features], [probabilities], [weights])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for key, value in meta.to_props().items():
        model.metadata_props.add(key=key, value=value)
    onnx.save(model, str(path))
    return path


def test_labels_come_from_the_model(tmp_path):
    vocabulary, note = load_vocabulary(_write_model(tmp_path / "custom.onnx", ["none", "wave", "clap"]))
    assert vocabulary.labels == {"none", "wave", "clap"}
    assert vocabulary.kinds["wave"] == GestureKind.TRIGGER
    assert "custom 3" in note


def test_missing_or_broken_model_falls_back_to_the_default(tmp_path):
    vocabulary, note = load_vocabulary(tmp_path / "absent.onnx")
    assert vocabulary.labels == set(DEFAULT_LABELS) and "does not exist" in note
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    vocabulary, note = load_vocabulary(broken)
    assert vocabulary.labels == set(DEFAULT_LABELS) and "cannot be read" in note
