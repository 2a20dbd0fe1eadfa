"""Load a gesture model into ONNX Runtime, check it against its metadata, and run it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.common.file_limits import MAX_MODEL_BYTES, FileRefused, check_file
from gesture_ros.common.model_meta import (
    INPUT_NAME,
    OUTPUT_NAME,
    GestureKind,
    ModelMetadata,
    ModelMetadataError,
)
from gesture_ros.common.ort_providers import DEFAULT_PROVIDERS, choose_providers


class ModelLoadError(ValueError):
    """A model that cannot be used; the message is one sentence naming the file and the problem."""


@dataclass
class RuntimeOptions:
    """How ONNX Runtime runs the model."""

    providers: Sequence[str] = DEFAULT_PROVIDERS
    trt_cache_dir: str = ""  # TensorRT engine and timing cache; empty: no cache
    intra_op_threads: int = 1
    inter_op_threads: int = 1
    warmup_runs: int = 5


@dataclass
class GestureModel:
    """A loaded, validated model: its session, metadata and feature spec."""

    path: Path
    meta: ModelMetadata
    spec: FeatureSpec
    session: object
    providers: list[str]  # the providers ONNX Runtime actually uses, best first
    skipped: dict[str, str] = field(default_factory=dict)  # requested providers left out, with why

    @property
    def labels(self) -> list[str]:
        return self.meta.labels

    @property
    def kinds(self) -> dict[str, GestureKind]:
        return self.meta.kinds

    @property
    def window(self) -> int:
        return self.meta.window

    @property
    def feature_dim(self) -> int:
        return self.spec.dim

    def predict(self, windows: np.ndarray) -> np.ndarray:
        """Return class probabilities: (window, dim) -> (classes,), (batch, window, dim) -> (batch, classes)."""
        x = np.ascontiguousarray(windows, dtype=np.float32)
        single = x.ndim == 2
        out = self.session.run([OUTPUT_NAME], {INPUT_NAME: x[None] if single else x})[0]
        return out[0] if single else out

    def describe(self) -> str:
        """Return a one-line summary for logs."""
        return (f"model {self.meta.model_id} {self.meta.version} from {self.path}: {self.meta.n_classes} labels, "
                f"window {self.window}, feature dim {self.feature_dim}, providers {self.providers}")


def _dim(value: object) -> int | str:
    return value if isinstance(value, int) else str(value)


def _check_io(session: object, meta: ModelMetadata, spec: FeatureSpec) -> str:
    """Return what is wrong with the graph's input/output signature, or ''."""
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if [i.name for i in inputs] != [INPUT_NAME]:
        return f"its inputs are {[i.name for i in inputs]}, expected one named '{INPUT_NAME}'"
    if OUTPUT_NAME not in [o.name for o in outputs]:
        return f"its outputs are {[o.name for o in outputs]}, expected one named '{OUTPUT_NAME}'"
    shape = [_dim(d) for d in inputs[0].shape]
    if inputs[0].type != "tensor(float)" or len(shape) != 3:
        return f"input '{INPUT_NAME}' is {inputs[0].type} {shape}, expected float [batch, window, features]"
    if isinstance(shape[1], int) and shape[1] != meta.window:
        return f"input '{INPUT_NAME}' has window {shape[1]} but its metadata says window {meta.window}"
    if isinstance(shape[2], int) and shape[2] != spec.dim:
        return (f"input '{INPUT_NAME}' has {shape[2]} features per frame but its feature spec "
                f"builds {spec.dim}")
    out_shape = [_dim(d) for d in next(o for o in outputs if o.name == OUTPUT_NAME).shape]
    if len(out_shape) != 2 or (isinstance(out_shape[1], int) and out_shape[1] != meta.n_classes):
        return f"output '{OUTPUT_NAME}' has shape {out_shape} but its metadata has {meta.n_classes} labels"
    return ""


def _feature_spec(meta: ModelMetadata) -> FeatureSpec:
    spec = FeatureSpec.from_dict(meta.feature_spec)
    if spec.to_dict() != meta.feature_spec:
        raise ValueError(f"its feature spec {meta.feature_spec} is not the one this code builds "
                         f"from it ({spec.to_dict()})")
    return spec


def load_model(path: str | Path, options: RuntimeOptions | None = None) -> GestureModel:
    """Load, validate and warm up a model; raise ModelLoadError with one sentence on any problem."""
    import onnxruntime as ort

    options = options or RuntimeOptions()
    path = Path(path)
    if not path.exists():
        raise ModelLoadError(f"model file {path} does not exist")
    try:
        check_file(path, MAX_MODEL_BYTES, "model file")  # not /dev/zero, a FIFO or gigabytes
    except FileRefused as exc:
        raise ModelLoadError(str(exc)) from None
    choice = choose_providers(options.providers, options.trt_cache_dir)
    so = ort.SessionOptions()
    so.intra_op_num_threads = options.intra_op_threads
    so.inter_op_num_threads = options.inter_op_threads
    so.log_severity_level = 3
    so.enable_cpu_mem_arena = False  # a window model's tensors are tiny; the arena only holds memory
    try:
        session = ort.InferenceSession(str(path), so, providers=choice.providers)
    except Exception as exc:  # noqa: BLE001 (onnxruntime raises unrelated types for unreadable files)
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise ModelLoadError(f"model file {path} is not a loadable ONNX model: {reason}") from None
    try:
        meta = ModelMetadata.from_props(session.get_modelmeta().custom_metadata_map)
    except ModelMetadataError as exc:
        raise ModelLoadError(f"model {path} refused: {exc}") from None
    try:
        spec = _feature_spec(meta)
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"model {path} refused: feature spec unusable: {exc}") from None
    problem = _check_io(session, meta, spec)
    if problem:
        raise ModelLoadError(f"model {path} refused: {problem}")
    model = GestureModel(path, meta, spec, session, list(session.get_providers()), choice.skipped)
    warm = np.zeros((1, meta.window, spec.dim), dtype=np.float32)
    try:
        for _ in range(max(1, options.warmup_runs)):
            out = model.predict(warm)
    except Exception as exc:  # noqa: BLE001 (a graph that validates but cannot run, e.g. a bad reshape)
        raise ModelLoadError(f"model {path} refused: it fails to run on one window: {exc}") from None
    if out.shape != (1, meta.n_classes) or not np.all(np.isfinite(out)):
        raise ModelLoadError(f"model {path} refused: one window gave output shape {out.shape}, "
                             f"expected (1, {meta.n_classes}) finite probabilities")
    return model
