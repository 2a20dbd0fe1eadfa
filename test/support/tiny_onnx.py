"""Write small, real ONNX gesture models with chosen weights and metadata (onnx.helper graphs).

The graph is softmax(mean_over_window(features) @ W + b): each label's logit is a weighted
sum of named feature columns averaged over the window, so tests can drive it with keypoints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.common.model_meta import (
    INPUT_NAME,
    OUTPUT_NAME,
    PREFIX,
    GestureKind,
    ModelMetadata,
)

LABELS = ["none", "open_palm", "swipe_left", "swipe_right"]
KINDS = {"none": GestureKind.NONE, "open_palm": GestureKind.HELD,
         "swipe_left": GestureKind.TRIGGER, "swipe_right": GestureKind.TRIGGER}
# A present, still hand reads as open_palm; hand velocity along x reads as a swipe.
WEIGHTS = {"open_palm": {"hand.present": 6.0},
           "swipe_left": {"hand.vx": -40.0, "hand.present": 2.0},
           "swipe_right": {"hand.vx": 40.0, "hand.present": 2.0}}
BIAS = {"none": 2.0}


def write_model(path: Path, *, window: int = 8, spec: FeatureSpec | None = None,
                labels: list[str] | None = None, kinds: Mapping[str, GestureKind] | None = None,
                weights: Mapping[str, Mapping[str, float]] | None = None,
                bias: Mapping[str, float] | None = None, model_id: str = "tiny", version: str = "1",
                input_window: int | None = None, input_dim: int | None = None,
                n_outputs: int | None = None, input_name: str = INPUT_NAME,
                props: dict[str, str] | None = None, drop_keys: Iterable[str] = ()) -> Path:
    """Write the model; the keyword arguments after ``version`` build deliberately broken ones."""
    import onnx
    from onnx import TensorProto, helper

    spec = spec or FeatureSpec()
    labels = list(labels or LABELS)
    kinds = dict(kinds or {lab: KINDS.get(lab, GestureKind.HELD) for lab in labels})
    weights = WEIGHTS if weights is None else weights
    bias = BIAS if bias is None else bias
    names = spec.names()
    dim = input_dim or spec.dim
    n_out = n_outputs or len(labels)
    w = np.zeros((dim, n_out), dtype=np.float32)
    b = np.zeros(n_out, dtype=np.float32)
    for j, label in enumerate(labels[:n_out]):
        for feature, coef in weights.get(label, {}).items():
            if names.index(feature) < dim:  # a deliberately short input keeps what fits
                w[names.index(feature), j] = coef
        b[j] = bias.get(label, 0.0)
    x = helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["batch", input_window or window, dim])
    y = helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["batch", n_out])
    nodes = [
        helper.make_node("ReduceMean", [input_name], ["mean"], axes=[1], keepdims=0),
        helper.make_node("MatMul", ["mean", "W"], ["xw"]),
        helper.make_node("Add", ["xw", "b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], [OUTPUT_NAME], axis=-1),
    ]
    inits = [helper.make_tensor("W", TensorProto.FLOAT, w.shape, w.ravel()),
             helper.make_tensor("b", TensorProto.FLOAT, b.shape, b)]
    graph = helper.make_graph(nodes, "tiny_gesture", [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    meta = ModelMetadata(model_id=model_id, version=version, labels=labels, kinds=kinds, window=window,
                         feature_spec=spec.to_dict())
    all_props = meta.to_props()
    all_props.update(props or {})
    for key in drop_keys:
        all_props.pop(PREFIX + key, None)
    for key, value in all_props.items():
        model.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(model)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path
