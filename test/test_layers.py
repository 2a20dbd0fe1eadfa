"""Imports run only downward: nodes -> ros -> core (actions, bridge beside core); toolkit and devtools beside.

Read from the source text (no import is run), so a wrong-way import fails here before it ships.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "gesture_ros"
# folder -> the gesture_ros folders its modules may import (besides its own)
MAY_IMPORT = {
    "core": set(),
    "perception": {"core"},
    "actions": {"core"},
    "bridge": {"core"},
    "ros": {"core", "perception", "actions", "bridge", "msg"},
    "nodes": {"core", "perception", "actions", "bridge", "ros", "msg"},
    "toolkit": {"core", "perception", "actions", "bridge", "ros", "msg"},
    "devtools": {"core", "perception", "actions", "bridge", "ros", "nodes", "toolkit", "msg"},
}
ROS_FREE = ("core", "perception", "actions", "bridge")  # plain Python: no rclpy, no ROS messages


def _imports(path: Path) -> set[str]:
    """Return the dotted module names a file imports (relative imports made absolute)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", sorted(MAY_IMPORT))
def test_each_folder_imports_only_the_folders_below_it(folder):
    wrong = []
    for path in _modules(folder):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "gesture_ros" and len(parts) > 1 and parts[1] in set(MAY_IMPORT) | {"msg", "cli"}:
                if parts[1] != folder and parts[1] not in MAY_IMPORT[folder]:
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not wrong, "\n".join(sorted(set(wrong)))


@pytest.mark.parametrize("folder", ROS_FREE)
def test_the_plain_python_layers_import_no_ros(folder):
    ros = ("rclpy", "rcl_interfaces", "std_msgs", "sensor_msgs", "builtin_interfaces", "launch", "launch_ros")
    wrong = [f"{path.relative_to(PACKAGE)} imports {name}" for path in _modules(folder)
             for name in _imports(path) if name.split(".")[0] in ros]
    assert not wrong, "\n".join(sorted(set(wrong)))
