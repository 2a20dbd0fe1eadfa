"""The gesture names an action map may use: the model's labels, or the documented default."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gesture_ros.common.file_limits import MAX_MODEL_BYTES, FileRefused, check_file
from gesture_ros.common.gestures import default_kinds, default_labels
from gesture_ros.common.model_meta import GestureKind, ModelMetadata, ModelMetadataError

DEFAULT_LABELS = tuple(default_labels())
DEFAULT_KINDS = default_kinds()
BACKGROUND = "none"  # the reject class: it never becomes an event


@dataclass(frozen=True)
class Vocabulary:
    labels: frozenset[str]
    source: str  # where the labels came from, for messages
    kinds: dict[str, GestureKind]

    @classmethod
    def default(cls) -> Vocabulary:
        return cls(frozenset(DEFAULT_LABELS), "the default vocabulary", dict(DEFAULT_KINDS))


def read_model_metadata(path: Path) -> ModelMetadata:
    """Return the gesture_ros metadata stored in an ONNX model."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return ModelMetadata.from_props(session.get_modelmeta().custom_metadata_map)


def load_vocabulary(model_path: Path | None) -> tuple[Vocabulary, str]:
    """Return the model's vocabulary when it can be read, else the default; and a note why."""
    if model_path is None or not str(model_path):
        return Vocabulary.default(), "no model given: using the default vocabulary"
    if not model_path.exists():
        return Vocabulary.default(), f"model {model_path} does not exist: using the default vocabulary"
    try:
        check_file(model_path, MAX_MODEL_BYTES, "model")
    except FileRefused as exc:
        return Vocabulary.default(), f"{exc}: using the default vocabulary"
    try:
        meta = read_model_metadata(model_path)
    except ModelMetadataError as exc:
        return Vocabulary.default(), f"model {model_path} has unusable metadata ({exc}): using the default vocabulary"
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types for a corrupt file
        return Vocabulary.default(), f"model {model_path} cannot be read ({exc}): using the default vocabulary"
    vocabulary = Vocabulary(frozenset(meta.labels), f"the labels of {model_path}", dict(meta.kinds))
    return vocabulary, f"gesture names from {model_path} ({meta.model_id} {meta.version})"
