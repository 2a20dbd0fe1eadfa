"""Pick the ONNX Runtime execution providers that can really run here, in the wanted order."""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PROVIDERS = ("TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider")
CPU = "CPUExecutionProvider"
SHORT_NAMES = {"tensorrt": "TensorrtExecutionProvider", "trt": "TensorrtExecutionProvider",
               "cuda": "CUDAExecutionProvider", "cpu": CPU}
# Providers that ship as a plug-in library which only loads when its CUDA/TensorRT libraries do.
_PLUGIN_LIBRARY = {"TensorrtExecutionProvider": "libonnxruntime_providers_tensorrt.so",
                   "CUDAExecutionProvider": "libonnxruntime_providers_cuda.so"}


@dataclass
class ProviderChoice:
    """The providers to hand to ONNX Runtime, and why the others were left out."""

    providers: list[tuple[str, dict[str, object]]]
    skipped: dict[str, str] = field(default_factory=dict)  # provider -> reason

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.providers]


def canonical(name: str) -> str:
    """Return the ONNX Runtime name of a provider given as e.g. 'cuda' or 'CUDAExecutionProvider'."""
    return SHORT_NAMES.get(name.strip().lower(), name.strip())


def _plugin_loads(name: str) -> tuple[bool, str]:
    import onnxruntime as ort

    library = _PLUGIN_LIBRARY.get(name)
    if library is None:
        return True, ""
    path = Path(ort.__file__).parent / "capi" / library
    if not path.exists():  # a build with the provider linked in (e.g. some Jetson wheels)
        return True, ""
    try:
        ctypes.CDLL(str(path))
    except OSError as exc:
        return False, f"its libraries do not load ({exc})"
    return True, ""


def choose_providers(wanted: Sequence[str] = DEFAULT_PROVIDERS, trt_cache_dir: str = "",
                     trt_fp16: bool = True) -> ProviderChoice:
    """Keep the wanted providers that are built in and whose libraries load; CPU always last."""
    import onnxruntime as ort

    available = set(ort.get_available_providers())
    choice = ProviderChoice(providers=[])
    for name in dict.fromkeys(canonical(n) for n in wanted if n.strip()):
        if name not in available:
            choice.skipped[name] = "this onnxruntime build does not have it"
            continue
        ok, reason = _plugin_loads(name)
        if not ok:
            choice.skipped[name] = reason
            continue
        options: dict[str, object] = {}
        if name == "TensorrtExecutionProvider" and trt_cache_dir:
            Path(trt_cache_dir).mkdir(parents=True, exist_ok=True)
            options = {"trt_engine_cache_enable": True, "trt_engine_cache_path": trt_cache_dir,
                       "trt_timing_cache_enable": True, "trt_timing_cache_path": trt_cache_dir,
                       "trt_fp16_enable": trt_fp16}
        choice.providers.append((name, options))
    if CPU not in choice.names:
        choice.providers.append((CPU, {}))
    return choice
