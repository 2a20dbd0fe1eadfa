"""Find the converted networks (tools/convert_mediapipe.py's manifest) and open them in ONNX Runtime."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gesture_ros.common.ort_providers import DEFAULT_PROVIDERS, choose_providers

log = logging.getLogger(__name__)
_REPORTED: set[str] = set()  # providers already logged as unavailable (once per process)


class EngineModelError(RuntimeError):
    """A converted network is missing or unreadable."""


def models_dir() -> Path:
    """Return where the converted networks live ($GESTURE_ROS_ENGINE_DIR, default ~/.cache/gesture_ros/engine)."""
    return Path(os.environ.get("GESTURE_ROS_ENGINE_DIR") or Path.home() / ".cache" / "gesture_ros" / "engine")


def manifest(folder: Path | None = None) -> dict[str, dict]:
    """Return the converter's manifest: network name -> {onnx, sha256, source, outputs, dynamic_batch, ...}."""
    path = (folder or models_dir()) / "manifest.json"
    if not path.exists():
        raise EngineModelError(f"{path} is missing: convert MediaPipe's networks first (make engine-models)")
    return json.loads(path.read_text())


@dataclass
class Network:
    """One converted network in an ONNX Runtime session; ``run`` returns its outputs by name."""

    name: str
    session: object
    input_name: str
    input_size: tuple[int, int]  # (height, width) of the image tensor
    outputs: list[str]
    dynamic_batch: bool
    providers: list[str]

    def run(self, batch: np.ndarray) -> dict[str, np.ndarray]:
        """Run (N, H, W, 3) float32 images; networks with a fixed batch of one are called once per image."""
        if self.dynamic_batch or len(batch) == 1:
            got = self.session.run(self.outputs, {self.input_name: batch})
            return dict(zip(self.outputs, got, strict=True))
        parts = [self.session.run(self.outputs, {self.input_name: batch[i:i + 1]}) for i in range(len(batch))]
        return {name: np.concatenate([p[k] for p in parts]) for k, name in enumerate(self.outputs)}


def open_network(name: str, providers: tuple[str, ...] = DEFAULT_PROVIDERS, threads: int = 0,
                 trt_cache_dir: str = "", folder: Path | None = None) -> Network:
    """Open a converted network with the first providers that load here (TensorRT -> CUDA -> CPU)."""
    import onnxruntime as ort

    folder = folder or models_dir()
    entry = manifest(folder).get(name)
    if entry is None:
        raise EngineModelError(f"{folder / 'manifest.json'} has no network '{name}' (make engine-models)")
    path = folder / entry["onnx"]
    if not path.exists():
        raise EngineModelError(f"{path} is missing: convert MediaPipe's networks again (make engine-models)")
    choice = choose_providers(providers, trt_cache_dir=trt_cache_dir)
    for provider, reason in choice.skipped.items():
        if provider not in _REPORTED:
            _REPORTED.add(provider)
            log.info("keypoint engine: %s skipped: %s", provider, reason)
    options = ort.SessionOptions()
    # Idle intra-op threads would spin for work and burn CPU beside the other networks and the node.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if threads:
        options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(path), options, providers=choice.providers)
    shape = entry["input_shape"]
    return Network(name=name, session=session, input_name=entry["input"], input_size=(int(shape[1]), int(shape[2])),
                   outputs=list(entry["outputs"]), dynamic_batch=bool(entry.get("dynamic_batch")),
                   providers=session.get_providers())
