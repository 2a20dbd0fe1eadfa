"""Find the package's shipped files (models, config) without hard-coded home paths."""

from __future__ import annotations

from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = "models/gesture_default.onnx"  # the shipped model, relative to the share dir


def share_dir() -> Path:
    """Return the gesture_ros share directory (installed), or the source tree's root."""
    try:
        from ament_index_python.packages import get_package_share_directory

        return Path(get_package_share_directory("gesture_ros"))
    except Exception:  # not installed with colcon, or no ament_index: use the source layout
        return _REPO_ROOT


def resolve_shipped(path: str) -> Path:
    """Resolve a path: absolute as is, else relative to the share dir (e.g. 'models/x.onnx')."""
    p = Path(path).expanduser()
    if p.is_absolute() or p.exists():
        return p
    return share_dir() / p
