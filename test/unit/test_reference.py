"""docs/reference.md is generated, and what it lists is what the nodes' code does.

The reference comes from the nodes' interface tables (tools/gen_reference.py); these tests read
the node sources (no import of rclpy) and compare: every publisher, subscription and service a
node creates with its type and QoS, every parameter it declares, both ways.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from gesture_ros.common.node_interface import QOS, NodeInterface
from gesture_ros.common.node_params import ParamSpec
from tools import gen_reference

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "gesture_ros"
NODES = {n.node: n for n in gen_reference.NODES}
ROS_FREE = ("common", "perception", "classify", "actions", "bridge")
CREATE = {"create_publisher": "out", "create_subscription": "in", "create_service": "srv"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _ros_imports(tree: ast.Module) -> set[Path]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gesture_ros.ros"):
            for name in [node.module] + [f"{node.module}.{a.name}" for a in node.names]:
                path = PACKAGE.parent / (name.replace(".", "/") + ".py")
                if path.exists():
                    found.add(path)
    return found


def _ros_helpers(tree: ast.Module) -> list[Path]:
    """Return the gesture_ros/ros modules a node uses, directly or through each other (diagnostics,
    hri_output ...): they create publishers and subscriptions for it."""
    found: set[Path] = set()
    todo = _ros_imports(tree)
    while todo:
        path = todo.pop()
        found.add(path)
        todo |= _ros_imports(_tree(path)) - found
    return sorted(found)


def _name(expr: ast.expr) -> str:
    """Return a call argument as the reference writes it: a string's text, a variable's name, ``{x}`` as ``x``."""
    if isinstance(expr, ast.Constant):
        return str(expr.value)
    if isinstance(expr, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else ast.unparse(v.value) for v in expr.values)
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return ast.unparse(expr)


def _created(path: Path) -> set[tuple]:
    """Return (kind, name, type, qos) of every entity a source file creates with a name known in the source."""
    out = set()
    tree = _tree(path)
    aliases = {a.asname: a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names if a.asname}
    # A loop over a table (recorder_node's TOPICS, checked below) names its topics in the table.
    loop_vars = {t.id for n in ast.walk(tree) if isinstance(n, ast.For) for t in ast.walk(n.target)
                 if isinstance(t, ast.Name)}
    # A helper that creates whatever topic its caller names (an image transport) is checked at the caller.
    forwarded = {a.arg for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for a in n.args.args + n.args.kwonlyargs if a.arg != "self"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CREATE:
            kind = CREATE[node.func.attr]
            msg, topic = node.args[0], node.args[1]
            if isinstance(topic, ast.Attribute):  # from a config object (the action map's targets): see notes
                continue
            if isinstance(topic, ast.Name) and topic.id in loop_vars or any(
                    isinstance(t, ast.Name) and t.id in forwarded for t in ast.walk(topic)):
                continue
            qos = None if kind == "srv" else _name(node.args[2 if kind == "out" else 3])
            out.add((kind, _name(topic), aliases.get(_name(msg), _name(msg)), qos))
        # recorder_node: TOPICS = {"keypoints": (Keypoints, "gesture_ros/msg/Keypoints", QOS, droppable), ...}
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.endswith(
                ("TOPICS", "TOPIC")):
            value = node.value
            pairs = zip(value.keys, value.values, strict=True) if isinstance(value, ast.Dict) else \
                [(value.elts[0], value.elts[1])] if isinstance(value, ast.Tuple) else []
            for key, spec in pairs:
                out.add(("in", _name(key), _name(spec.elts[0]), _name(spec.elts[2])))
    return out


def _strings(path: Path) -> set[str]:
    """Return every string constant of a source file, f-strings' literal parts included."""
    return {n.value for n in ast.walk(_tree(path)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _named_in(name: str, strings: set[str]) -> bool:
    """Tell whether a topic name is built from the sources' literals: ``"image_raw"`` handed to a helper that
    adds ``"/compressed"``."""
    return any(name[:i] in strings and (i == len(name) or name[i:] in strings) for i in range(1, len(name) + 1))


def _listed(n: NodeInterface) -> set[tuple]:
    def plain(text: str) -> str:
        return re.sub(r"<([^>]*)>", r"\1", text)

    return ({("out", plain(t.name), plain(t.msg_type.rsplit("/", 1)[-1]), t.qos) for t in n.publishes}
            | {("in", plain(t.name), plain(t.msg_type.rsplit("/", 1)[-1]), t.qos) for t in n.subscribes}
            | {("srv", s.name, s.srv_type.rsplit("/", 1)[-1], None) for s in n.services})


def test_the_reference_page_is_the_generated_one():
    """docs/reference.md is what `make reference` writes from the tables: never edited by hand, never stale."""
    page = REPO / "docs" / "reference.md"
    assert page.read_text(encoding="utf-8") == gen_reference.render(), "docs/reference.md is stale: make reference"
    for n in gen_reference.NODES:
        assert f"## {n.node}" in page.read_text(encoding="utf-8")


def test_every_node_with_an_executable_is_in_the_reference():
    nodes = {p.stem for p in (PACKAGE / "nodes").glob("*_node.py")}
    assert nodes == set(NODES)
    assert all(n.source == f"nodes/{n.node}.py" for n in gen_reference.NODES)


@pytest.mark.parametrize("node", sorted(NODES))
def test_every_parameter_has_a_description_and_every_number_a_range(node):
    n = NODES[node]
    names = [p.name for p in n.params]
    assert len(names) == len(set(names)), f"{node}: a parameter is listed twice"
    for p in n.params:
        assert len(p.description.strip()) >= 10, f"{node}.{p.name}: no description"
        numeric = isinstance(p.default, (int, float)) and not isinstance(p.default, bool)
        if numeric:
            assert p.range is not None, f"{node}.{p.name}: a number without a range"
            lo, hi = p.range
            assert lo <= p.default <= hi, f"{node}.{p.name}: default {p.default} outside {p.range}"
            assert isinstance(p.default, float) or all(float(x).is_integer() for x in p.range), \
                f"{node}.{p.name}: an integer with a fractional range"
        else:
            assert p.range is None, f"{node}.{p.name}: a range on a {type(p.default).__name__}"
    for m in n.label_maps:
        assert m.description and m.range[0] < m.range[1]


@pytest.mark.parametrize("node", sorted(NODES))
def test_the_listed_topics_and_services_are_the_ones_the_node_creates(node):
    """Both ways, with message type and QoS: a topic added, renamed or re-typed in the code fails here."""
    n = NODES[node]
    path = PACKAGE / n.source
    sources = [path, *_ros_helpers(_tree(path))]
    created = set().union(*(_created(p) for p in sources))
    listed = _listed(n)
    assert created - listed == set(), f"{node}: created in the code but missing from its interface table"
    # What a helper creates for a name its caller gives (type and QoS: test/nodes/test_reference_nodes.py)
    strings = set().union(*(_strings(p) for p in sources))
    unseen = {entry for entry in listed - created if not _named_in(entry[1], strings)}
    assert unseen == set(), f"{node}: listed but not created by {n.source} (or the ros/ helpers it uses)"
    assert all(t.qos in QOS for t in n.publishes + n.subscribes)


def _inline_declares(tree: ast.Module) -> dict[str, ParamSpec]:
    """Return the parameters a node declares one at a time: ``declare(self, name, default, description, range)``."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "declare":
            args = [ast.literal_eval(a) for a in node.args[1:]]
            kw = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
            name, default, description = args[:3]
            value_range = args[3] if len(args) > 3 else kw.get("value_range")
            found[name] = ParamSpec(name, default, description, tuple(value_range) if value_range else None,
                                    read_only=bool(kw.get("read_only", False)))
    return found


def _tables(tree: ast.Module) -> dict[str, tuple[ParamSpec, ...]]:
    """Return the ParamSpec tables a node imports from the plain-Python rooms, by name."""
    tables = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[1:2] \
                and node.module.split(".")[1] in ROS_FREE:
            module = importlib.import_module(node.module)
            for alias in node.names:
                value = getattr(module, alias.name, None)
                if isinstance(value, tuple) and value and all(isinstance(v, ParamSpec) for v in value):
                    tables[alias.name] = value
    return tables


@pytest.mark.parametrize("node", sorted(NODES))
def test_the_listed_parameters_are_the_ones_the_node_declares(node):
    """Tables the node imports plus what it declares one at a time, each the same as the reference's entry."""
    n = NODES[node]
    tree = _tree(PACKAGE / n.source)
    inline = _inline_declares(tree)
    declared = set(inline).union(*({p.name for p in t} for t in _tables(tree).values()))
    listed = {p.name: p for p in n.params}
    assert set(listed) == declared, f"{node}: listed {sorted(set(listed) - declared)} not declared; " \
                                    f"declared {sorted(declared - set(listed))} not listed"
    for name, spec in inline.items():
        entry = listed[name]
        assert (entry.default, entry.description, entry.range) == (spec.default, spec.description, spec.range), name
        assert n.is_read_only(entry) == spec.read_only, name
