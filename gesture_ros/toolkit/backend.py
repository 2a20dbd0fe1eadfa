"""The keypoint backend the toolkit extracts with (clips, stills, recordings), as keypoint_node's ``backend``.

``mediapipe`` (the Solutions API: the reference the published figures and the stills cache were made
with) unless ``$GESTURE_KEYPOINT_BACKEND`` says ``onnx`` (the engine keypoint_node runs by default).
Commands set it from their ``--backend`` option; being an environment variable, it reaches the
extraction worker processes too.
"""

from __future__ import annotations

import os
from dataclasses import replace

from gesture_ros.perception.extraction.options import NODE_PALM_DETECT_EVERY, ExtractorOptions

BACKEND_ENV = "GESTURE_KEYPOINT_BACKEND"
DEFAULT = "mediapipe"


def backend() -> str:
    """Return the backend in force."""
    return os.environ.get(BACKEND_ENV) or DEFAULT


def use(name: str) -> None:
    """Make ``name`` the backend of this process and of the processes it starts."""
    from gesture_ros.perception.engine.backend import BACKENDS

    if name not in BACKENDS:
        raise ValueError(f"backend '{name}' is unknown; choose one of {', '.join(BACKENDS)}")
    os.environ[BACKEND_ENV] = name


def version() -> str:
    """Return the backend and the version of what it runs, for cache keys and reports."""
    if backend() == "onnx":
        from gesture_ros.perception.engine.extractor import ENGINE_VERSION

        return f"onnx-{ENGINE_VERSION}"
    import mediapipe

    return f"mediapipe-{mediapipe.__version__}"


def open_extractor(options: ExtractorOptions, name: str | None = None):
    """Return an extractor of backend ``name`` (default: the one in force), a context manager with
    ``process``, set as keypoint_node sets it (the engine's palm detector every NODE_PALM_DETECT_EVERY frames)."""
    from gesture_ros.perception.engine.backend import open_backend

    return open_backend(replace(options, palm_detect_every=NODE_PALM_DETECT_EVERY), name or backend())


def add_option(parser) -> None:
    """Add ``--backend`` to a command's argparse parser (see ``apply``)."""
    from gesture_ros.perception.engine.backend import BACKENDS

    parser.add_argument("--backend", choices=BACKENDS, help="keypoint backend to extract with "
                        f"(default: ${BACKEND_ENV} or {DEFAULT}; onnx is keypoint_node's default)")


def apply(args) -> None:
    """Put a parsed ``--backend`` in force."""
    if getattr(args, "backend", None):
        use(args.backend)
