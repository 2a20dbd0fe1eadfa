"""What a gesture model says about itself: stored as ONNX metadata_props.

Contract between the toolkit (which writes it at export) and the classifier (which
refuses a model whose metadata does not fit its inputs). Every key is prefixed with
``gesture_ros.``; values are strings (JSON where structured).

The graph has one float32 input ``features`` of shape [batch, window, feature_dim]
(batch dynamic) and one output ``probabilities`` of shape [batch, n_classes]
(softmax applied inside the graph, columns in ``labels`` order).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

PREFIX = "gesture_ros."
INPUT_NAME = "features"
OUTPUT_NAME = "probabilities"
FORMAT_VERSION = 1


class GestureKind(str, Enum):
    """How the classifier turns a label into events."""

    NONE = "none"  # the reject / background class: never an event
    TRIGGER = "trigger"  # one-shot: swipe, x_cross
    HELD = "held"  # START/END: open_palm, fist, thumbs_up, ...


class ModelMetadataError(ValueError):
    """Metadata missing or inconsistent; the message names the key and the problem."""


@dataclass
class ModelMetadata:
    model_id: str
    version: str
    labels: list[str]
    kinds: dict[str, GestureKind]
    window: int
    feature_spec: dict  # FeatureSpec.to_dict(); compared whole against the classifier's
    fps: float = 25.0  # frame rate the window was trained at
    data_hash: str = ""
    metrics: dict = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    @property
    def n_classes(self) -> int:
        return len(self.labels)

    def to_props(self) -> dict[str, str]:
        """Return the metadata as ONNX metadata_props (string to string)."""
        self.validate()
        return {
            PREFIX + "format_version": str(self.format_version),
            PREFIX + "model_id": self.model_id,
            PREFIX + "version": self.version,
            PREFIX + "labels": json.dumps(self.labels),
            PREFIX + "kinds": json.dumps({k: v.value for k, v in self.kinds.items()}),
            PREFIX + "window": str(self.window),
            PREFIX + "fps": repr(float(self.fps)),
            PREFIX + "feature_spec": json.dumps(self.feature_spec, sort_keys=True),
            PREFIX + "data_hash": self.data_hash,
            PREFIX + "metrics": json.dumps(self.metrics, sort_keys=True),
        }

    @classmethod
    def from_props(cls, props: Mapping[str, str]) -> ModelMetadata:
        """Parse ONNX metadata_props; raise ModelMetadataError naming the bad key."""

        def get(key: str) -> str:
            if PREFIX + key not in props:
                raise ModelMetadataError(f"metadata key '{PREFIX}{key}' is missing")
            return props[PREFIX + key]

        def as_json(key: str):
            try:
                return json.loads(get(key))
            except json.JSONDecodeError as exc:
                raise ModelMetadataError(f"metadata key '{PREFIX}{key}' is not valid JSON: {exc}") from None

        try:
            version = int(get("format_version"))
            window = int(get("window"))
            fps = float(props.get(PREFIX + "fps", "25.0"))
        except ValueError as exc:
            raise ModelMetadataError(f"metadata has a non-numeric value: {exc}") from None
        if version != FORMAT_VERSION:
            raise ModelMetadataError(
                f"metadata format_version is {version}, this gesture_ros reads {FORMAT_VERSION}"
            )
        try:
            kinds = {k: GestureKind(v) for k, v in as_json("kinds").items()}
        except ValueError as exc:
            raise ModelMetadataError(f"metadata key '{PREFIX}kinds': {exc}") from None
        meta = cls(
            model_id=get("model_id"),
            version=get("version"),
            labels=list(as_json("labels")),
            kinds=kinds,
            window=window,
            feature_spec=as_json("feature_spec"),
            fps=fps,
            data_hash=props.get(PREFIX + "data_hash", ""),
            metrics=json.loads(props.get(PREFIX + "metrics", "{}") or "{}"),
        )
        meta.validate()
        return meta

    def validate(self) -> None:
        """Raise ModelMetadataError when the fields contradict each other."""
        if not self.labels or len(set(self.labels)) != len(self.labels):
            raise ModelMetadataError(f"labels must be non-empty and unique, got {self.labels}")
        if set(self.kinds) != set(self.labels):
            raise ModelMetadataError(
                f"kinds must name every label exactly: labels {sorted(self.labels)}, kinds {sorted(self.kinds)}"
            )
        if self.window < 1:
            raise ModelMetadataError(f"window must be >= 1, got {self.window}")
        if not (0 < self.fps < 1000):
            raise ModelMetadataError(f"fps must be in (0, 1000), got {self.fps}")
