"""A trained model on disk (torch.save dict): weights plus everything export needs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.common.model_meta import GestureKind, ModelMetadata
from gesture_ros.toolkit.nets import NetConfig, build_net


@dataclass
class Checkpoint:
    net: NetConfig
    spec: FeatureSpec
    labels: list[str]
    kinds: dict[str, GestureKind]
    window: int
    fps: float
    state_dict: dict
    data_hash: str = ""
    metrics: dict = field(default_factory=dict)
    model_id: str = "gesture_model"
    version: str = "0.1.0"

    def build(self) -> torch.nn.Module:
        """Return the network with the trained weights, in eval mode."""
        net = build_net(self.spec.dim, len(self.labels), self.net)
        net.load_state_dict(self.state_dict)
        return net.eval()

    def metadata(self) -> ModelMetadata:
        return ModelMetadata(
            model_id=self.model_id, version=self.version, labels=list(self.labels), kinds=dict(self.kinds),
            window=self.window, feature_spec=self.spec.to_dict(), fps=self.fps,
            data_hash=self.data_hash, metrics=self.metrics,
        )

    def save(self, path: Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        torch.save({
            "net": asdict(self.net), "spec": self.spec.to_dict(), "labels": self.labels,
            "kinds": {k: v.value for k, v in self.kinds.items()}, "window": self.window, "fps": self.fps,
            "state_dict": self.state_dict, "data_hash": self.data_hash, "metrics": self.metrics,
            "model_id": self.model_id, "version": self.version,
        }, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        d = torch.load(path, map_location="cpu", weights_only=False)
        return cls(
            net=NetConfig(**d["net"]), spec=FeatureSpec.from_dict(d["spec"]), labels=list(d["labels"]),
            kinds={k: GestureKind(v) for k, v in d["kinds"].items()}, window=int(d["window"]),
            fps=float(d["fps"]), state_dict=d["state_dict"], data_hash=d.get("data_hash", ""),
            metrics=d.get("metrics", {}), model_id=d.get("model_id", "gesture_model"),
            version=d.get("version", "0.1.0"),
        )
