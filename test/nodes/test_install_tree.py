"""What colcon installs for the robot: the runtime rooms, no toolkit, no repository tools."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest


def _installed_package() -> Path:
    spec = importlib.util.find_spec("gesture_ros.msg")
    if spec is None or spec.origin is None:
        pytest.skip("gesture_ros is not built (make build)")
    return Path(spec.origin).parent.parent


def test_colcon_installs_no_toolkit_and_no_tools():
    package = _installed_package()
    assert (package / "classify" / "gesture_decider.py").is_file()  # the right tree: the runtime is there
    assert not (package / "toolkit").exists()
    assert not (package / "tools").exists() and not (package.parent / "tools").exists()
    lib = package.parents[3] / "lib" / "gesture_ros"
    assert (lib / "classifier_node").is_file()
    assert not (lib / "gesture").exists()  # the toolkit's command comes with pip install .[train]


def test_no_installed_module_imports_the_toolkit_or_tools():
    package = _installed_package()
    wrong = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            wrong += [f"{path.relative_to(package)}: {n}" for n in names
                      if n.startswith("gesture_ros.toolkit") or n.split(".")[0] == "tools"]
    assert not wrong, "\n".join(wrong)
