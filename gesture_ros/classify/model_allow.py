"""Which model files a request from the network may load: only those inside allowed folders.

The ``classifier/model`` topic is open to anyone on the DDS domain (unless SROS2 protects it),
so a path it names must lie, after resolving symlinks and ``..``, inside one of the folders
the operator listed (``model_dirs``), and be an ``.onnx`` file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from gesture_ros.common.paths import resolve_shipped
from gesture_ros.common.safe_text import bounded

MAX_PATH_CHARS = 4096


def _real(path: str) -> Path:
    return Path(os.path.realpath(resolve_shipped(path)))


def model_refusal(requested: str, folders: Sequence[str]) -> str | None:
    """Return why ``requested`` may not be loaded from a network request, or None when it may.

    Relative paths (the request's and the folders') resolve as ``model_path`` does: against the
    working directory when they exist there, else the package share directory.
    """
    shown = bounded(requested, 200)
    if not requested.strip():
        return "the model path is empty"
    if len(requested) > MAX_PATH_CHARS or not requested.isprintable():
        return f"model path '{shown}' is not a plain path"
    if not requested.endswith(".onnx"):
        return f"model path '{shown}' is not an .onnx file"
    if not folders:
        return f"model '{shown}' refused: model_dirs is empty, so no model may be switched to over the network"
    real = _real(requested)
    for folder in folders:
        root = _real(folder)
        if real.is_relative_to(root) and real != root:
            return None
    return (f"model '{shown}' (resolved to {bounded(real, 200)}) is outside the folders of model_dirs "
            f"[{', '.join(bounded(f, 100) for f in folders)}]")
