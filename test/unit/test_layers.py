"""Imports run only downward: launching -> nodes -> ros -> perception, classify, actions, bridge -> common.

The toolkit sits beside nodes; the venue server (venue/) beside ros, over bridge and common; tools/ (repository only) may import anything, nothing imports it.

Read from the source text (no import is run), so a wrong-way import fails here before it ships.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "gesture_ros"
# folder -> the gesture_ros folders its modules may import (besides its own)
MAY_IMPORT = {
    "common": set(),
    "perception": {"common"},
    "classify": {"common"},
    "actions": {"common"},
    "bridge": {"common"},
    "ros": {"common", "perception", "classify", "actions", "bridge", "msg"},
    "nodes": {"common", "perception", "classify", "actions", "bridge", "ros", "msg"},
    "launching": {"common", "perception", "classify", "actions", "bridge", "ros", "nodes", "msg"},
    "toolkit": {"common", "perception", "classify", "actions", "bridge", "ros", "msg", "venue"},
    "venue": {"common", "bridge"},
}
ROS_FREE = ("common", "perception", "classify", "actions", "bridge", "venue")  # plain Python: no rclpy, no ROS messages


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
            if parts[0] == "gesture_ros" and len(parts) > 1 and parts[1] in set(MAY_IMPORT) | {"msg"}:
                if parts[1] != folder and parts[1] not in MAY_IMPORT[folder]:
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not wrong, "\n".join(sorted(set(wrong)))


@pytest.mark.parametrize("folder", ROS_FREE)
def test_the_plain_python_layers_import_no_ros(folder):
    ros = ("rclpy", "rcl_interfaces", "std_msgs", "sensor_msgs", "builtin_interfaces", "launch", "launch_ros")
    wrong = [f"{path.relative_to(PACKAGE)} imports {name}" for path in _modules(folder)
             for name in _imports(path) if name.split(".")[0] in ros]
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_nothing_in_the_package_imports_the_repository_tools():
    wrong = [f"{path.relative_to(PACKAGE)} imports {name}" for path in PACKAGE.rglob("*.py")
             for name in _imports(path) if name.split(".")[0] == "tools"]
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_every_package_folder_has_its_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders - {"msg"} == set(MAY_IMPORT)


def test_no_module_imports_itself_round_a_circle():
    """Modules, function-local imports included: a circle hides behind local imports, not here."""
    names = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
             for p in PACKAGE.rglob("*.py")}
    graph = {m: {n for n in _imports(p) if n in names and n != m} for m, p in names.items()}
    for m in names:  # a package's __init__ is not a circle of its modules
        graph[m] = {n for n in graph[m] if not m.startswith(n + ".")}
    state: dict[str, int] = {}
    circles = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                circles.append(" -> ".join(path[path.index(n):] + [m, n]) if n in path else f"{m} -> {n}")
            elif n not in state:
                visit(n, path + [m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])
    assert not circles, "\n".join(circles)


def test_parameters_go_through_public_rclpy_api():
    """Overrides are learnt with automatically_declare_parameters_from_overrides (ros/params.take_overrides)."""
    wrong = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "._parameter_overrides" in p.read_text()]
    assert not wrong, wrong


@pytest.mark.parametrize("node", ["camera_node", "keypoint_node", "classifier_node"])
def test_parameter_changes_are_not_an_elif_ladder_over_names(node):
    """The perception and classifier nodes apply run-time changes through a map or their table."""
    assert "elif p.name" not in (PACKAGE / "nodes" / f"{node}.py").read_text()


@pytest.mark.parametrize("node", ["camera_node", "keypoint_node"])
def test_perception_nodes_declare_their_typed_table(node):
    text = (PACKAGE / "nodes" / f"{node}.py").read_text()
    assert "declare_table(self, " in text and "declare(self, " not in text
