"""Read a node module's source (without importing it) for its parameters and topics.

A static scan of ``declare_parameter(name, ...)`` / ``declare(node, name, ...)`` (ros/param_util)
/ ``declare_parameters(ns, [(name, ...)])`` calls and of the topic argument of
``create_publisher`` / ``create_subscription`` / ``create_service``. A name may be a string
literal, a module constant (also one imported from another gesture_ros module), or a loop
variable over a literal table: ``for name, ... in (("a", ...), ...)``, ``for name in DICT`` /
``DICT.items()``, ``for spec in (Spec("a", ...), ...)`` with ``spec.name``. Anything else is
reported in ``unresolved`` / ``unresolved_topics``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_SCRIPT_IMPORT = re.compile(r"^from\s+([\w.]+)\s+import\s+main\b", re.MULTILINE)
# Calls that declare one parameter -> index of the name argument.
_DECLARE_CALLS = {"declare_parameter": 0, "declare": 1}
_TOPIC_CALLS = {"create_publisher": 1, "create_subscription": 1, "create_service": 1, "create_client": 1}
FindModule = Callable[[str], Path | None]


@dataclass
class NodeInterface:
    module: str
    parameters: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    unresolved: list[str] = field(default_factory=list)  # parameter names not readable statically
    unresolved_topics: list[str] = field(default_factory=list)


def module_of_script(script: Path) -> str | None:
    """Return the module an installed node script runs (``from X import main``), if any."""
    try:
        match = _SCRIPT_IMPORT.search(script.read_text(errors="replace"))
    except OSError:
        return None
    return match.group(1) if match else None


class _Module:
    """One module's top-level names: assignments and ``from X import name`` imports."""

    def __init__(self, name: str, find: FindModule, cache: dict[str, _Module]) -> None:
        path = find(name)
        self.tree = ast.parse(path.read_text(), filename=str(path)) if path else ast.Module(body=[], type_ignores=[])
        self.path = str(path)
        self.find, self.cache = find, cache
        self.assigned: dict[str, ast.AST] = {}
        self.imported: dict[str, tuple] = {}
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        self.assigned[target.id] = stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
                self.assigned[stmt.target.id] = stmt.value
            elif isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.module.startswith("gesture_ros"):
                for alias in stmt.names:
                    self.imported[alias.asname or alias.name] = (stmt.module, alias.name)

    def lookup(self, name: str, depth: int = 0) -> ast.AST | None:
        """Return the expression a top-level name is bound to, following gesture_ros imports."""
        if name in self.assigned:
            return self.assigned[name]
        if name in self.imported and depth < 5:
            module, orig = self.imported[name]
            if module not in self.cache:
                self.cache[module] = _Module(module, self.find, self.cache)
            return self.cache[module].lookup(orig, depth + 1)
        return None


def _string(node: ast.AST | None, mod: _Module) -> str | None:
    if isinstance(node, ast.Name):
        node = mod.lookup(node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _elements(iterable: ast.AST, mod: _Module) -> list[ast.AST] | None:
    """Return the literal elements a loop runs over (dict: its keys; dict.items(): (key, value))."""
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute) \
            and iterable.func.attr in ("items", "keys") and not iterable.args:
        owner = iterable.func.value
        target = mod.lookup(owner.id) if isinstance(owner, ast.Name) else owner
        if not isinstance(target, ast.Dict):
            return None
        if iterable.func.attr == "keys":
            return list(target.keys)
        return [ast.Tuple(elts=[k, v]) for k, v in zip(target.keys, target.values, strict=True)]
    if isinstance(iterable, ast.Name):
        iterable = mod.lookup(iterable.id)
    if isinstance(iterable, (ast.Tuple, ast.List)):
        return list(iterable.elts)
    if isinstance(iterable, ast.Dict):
        return list(iterable.keys)
    return None


def _loop_bindings(tree: ast.AST, mod: _Module) -> dict[str, list[ast.AST]]:
    """Map loop variables to the expressions they take over literal tables."""
    bound: dict[str, list[ast.AST]] = {}
    for loop in (n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.comprehension))):
        elements = _elements(loop.iter, mod)
        if elements is None:
            continue
        targets = loop.target.elts if isinstance(loop.target, ast.Tuple) else [loop.target]
        for pos, target in enumerate(targets):
            if not isinstance(target, ast.Name):
                continue
            for elem in elements:
                if len(targets) == 1:
                    bound.setdefault(target.id, []).append(elem)
                elif isinstance(elem, (ast.Tuple, ast.List)) and len(elem.elts) > pos:
                    bound.setdefault(target.id, []).append(elem.elts[pos])
    return bound


def _names(arg: ast.AST, mod: _Module, bound: dict[str, list[ast.AST]]) -> list[str] | None:
    """Return every string ``arg`` can be, or None when that is not readable statically."""
    if isinstance(arg, ast.Name) and arg.id in bound:
        values = [_string(e, mod) for e in bound[arg.id]]
        return values if values and all(values) else None
    if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id in bound:
        values = []
        for elem in bound[arg.value.id]:  # e.g. spec.name over (Spec("a", ...), ...)
            if not isinstance(elem, ast.Call):
                return None
            keyword = next((k.value for k in elem.keywords if k.arg == arg.attr), None)
            values.append(_string(keyword if keyword is not None else (elem.args or [None])[0], mod))
        return values if values and all(values) else None
    value = _string(arg, mod)
    return [value] if value else None


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _scan(mod: _Module, found: NodeInterface, report: bool) -> None:
    bound = _loop_bindings(mod.tree, mod)
    for call in (n for n in ast.walk(mod.tree) if isinstance(n, ast.Call)):
        name, where = _call_name(call), f"{mod.path}:{call.lineno}"
        if name in _DECLARE_CALLS and len(call.args) > _DECLARE_CALLS[name]:
            values = _names(call.args[_DECLARE_CALLS[name]], mod, bound)
            found.parameters.update(values or [])
            if values is None and report:
                found.unresolved.append(f"{where}: parameter name")
        elif name == "declare_parameters" and len(call.args) > 1 and isinstance(call.args[1], (ast.List, ast.Tuple)):
            prefix = _string(call.args[0], mod) or ""
            for item in call.args[1].elts:
                value = _string(item.elts[0], mod) if isinstance(item, ast.Tuple) and item.elts else None
                if value:
                    found.parameters.add(f"{prefix}.{value}" if prefix else value)
                elif report:
                    found.unresolved.append(f"{where}: parameter name")
        elif name in _TOPIC_CALLS and len(call.args) > _TOPIC_CALLS[name]:
            values = _names(call.args[_TOPIC_CALLS[name]], mod, bound)
            found.topics.update(values or [])
            if values is None and report:
                found.unresolved_topics.append(where)


def _imports(tree: ast.Module) -> set[str]:
    mods: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            mods.add(node.module)
            mods.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            mods.update(a.name for a in node.names)
    return mods


def scan_module(module: str, find: FindModule,
                follow: tuple = ("gesture_ros.nodes.", "gesture_ros.ros.")) -> NodeInterface:
    """Scan a node module and the node-layer modules it imports (shared declare helpers).

    ``find`` maps a module name to its source file (None when it is not a module).
    """
    found = NodeInterface(module)
    cache: dict[str, _Module] = {}
    todo, seen = [module], set()
    while todo:
        name = todo.pop()
        if name in seen or find(name) is None:
            continue
        seen.add(name)
        mod = cache.setdefault(name, _Module(name, find, cache))
        _scan(mod, found, report=name == module)  # a shared helper declares whatever its callers name
        todo += [m for m in _imports(mod.tree) if m.startswith(follow)]
    return found
