"""Evaluate a ROS 2 XML launch file without launch_ros: arguments, conditions, nodes.

Covers the subset of the ROS 2 XML launch format that gesture_ros uses (``arg``, ``let``,
``group``, ``include``, ``node`` with ``param`` and ``remap``; substitutions ``var``,
``find-pkg-share``, ``env``, ``eval``), so a test can check a launch file against the
installed package and the one-process pipeline can run exactly what ``ros2 launch`` would.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from gesture_ros.tools.param_yaml import ParamSource

# Where ``$(find-pkg-share pkg)`` points; None when the package is not installed here.
ShareLookup = Callable[[str], Path | None]

_TAG_ATTRS = {
    "launch": set(),
    "arg": {"name", "default", "description"},
    "let": {"name", "value"},
    "group": {"scoped", "if", "unless"},
    "include": {"file", "if", "unless"},
    "node": {"pkg", "exec", "name", "namespace", "output", "respawn", "respawn_delay", "args", "if", "unless"},
    "param": {"name", "value", "from"},
    "remap": {"from", "to"},
}
_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


class LaunchError(ValueError):
    """A launch file that ros2 launch would refuse: ``file:line: reason``."""


@dataclass
class ArgDecl:
    name: str
    default: str | None
    description: str
    file: Path
    line: int


@dataclass
class NodeSpec:
    """One ``<node>`` as ros2 launch would start it (substitutions resolved)."""

    pkg: str
    exec: str
    name: str
    namespace: str
    params: list[ParamSource]  # in order: later entries override earlier ones
    remaps: list[tuple[str, str]]
    enabled: bool  # its if/unless conditions (and its groups') hold
    file: Path
    line: int


@dataclass
class LaunchModel:
    args: dict[str, ArgDecl] = field(default_factory=dict)
    nodes: list[NodeSpec] = field(default_factory=list)
    used_vars: dict[str, tuple[Path, int]] = field(default_factory=dict)

    def enabled_nodes(self) -> list[NodeSpec]:
        return [n for n in self.nodes if n.enabled]


class _Evaluator:
    def __init__(self, share: ShareLookup, model: LaunchModel) -> None:
        self.share = share
        self.model = model

    def run(self, path: Path, conf: dict[str, str], enabled: bool, given: Iterable[str] = ()) -> None:
        """Evaluate one file; ``conf`` holds the configurations visible to it, ``given`` the
        names its includer passed explicitly (these must be declared in it)."""
        try:
            root = _parse(path)
        except (expat.ExpatError, OSError) as exc:
            raise LaunchError(f"{path}: not a readable XML launch file: {exc}") from None
        if root.tag != "launch":
            raise LaunchError(f"{path}:{_line(root)}: root element is <{root.tag}>, expected <launch>")
        declared = {e.get("name") for e in _walk_own(root) if e.tag == "arg"}
        unknown = sorted(set(given) - declared)
        if unknown:
            raise LaunchError(f"{path}: given argument(s) {unknown} are not declared there "
                              f"(declared: {sorted(declared)})")
        self._children(root, path, conf, enabled)

    def _children(self, elem: ET.Element, path: Path, conf: dict[str, str], enabled: bool) -> None:
        for child in elem:
            where = f"{path}:{_line(child)}"
            allowed = _TAG_ATTRS.get(child.tag)
            if allowed is None:
                raise LaunchError(f"{where}: unknown element <{child.tag}>")
            extra = set(child.attrib) - allowed
            if extra:
                raise LaunchError(f"{where}: <{child.tag}> has unknown attribute(s) {sorted(extra)}")
            here = enabled and self._condition(child, path, conf)
            if child.tag == "arg":
                self._arg(child, path, conf)
            elif child.tag == "let":
                if here:
                    conf[_req(child, "name", where)] = self.sub(_req(child, "value", where), conf, path, child)
            elif child.tag == "group":
                scoped = child.get("scoped", "true").lower() in _TRUE
                self._children(child, path, dict(conf) if scoped else conf, here)
            elif child.tag == "include":
                self._include(child, path, conf, here)
            elif child.tag == "node":
                self.model.nodes.append(self._node(child, path, conf, here))

    def _arg(self, elem: ET.Element, path: Path, conf: dict[str, str]) -> None:
        name = _req(elem, "name", f"{path}:{_line(elem)}")
        default = elem.get("default")
        self.model.args.setdefault(name, ArgDecl(name, default, elem.get("description", ""), path, _line(elem)))
        if name not in conf:
            if default is None:
                raise LaunchError(f"{path}:{_line(elem)}: argument '{name}' has no default and was not given")
            conf[name] = self.sub(default, conf, path, elem)

    def _include(self, elem: ET.Element, path: Path, conf: dict[str, str], enabled: bool) -> None:
        where = f"{path}:{_line(elem)}"
        target = Path(self.sub(_req(elem, "file", where), conf, path, elem))
        values: dict[str, str] = {}
        for arg in elem:
            if arg.tag != "arg":
                raise LaunchError(f"{path}:{_line(arg)}: <include> may only hold <arg>, found <{arg.tag}>")
            values[_req(arg, "name", where)] = self.sub(_req(arg, "value", where), conf, path, arg)
        if not target.is_file():
            raise LaunchError(f"{where}: included launch file {target} does not exist")
        # As in ros2 launch, an included file sees its includer's configurations.
        self.run(target, {**conf, **values}, enabled, values)

    def _node(self, elem: ET.Element, path: Path, conf: dict[str, str], enabled: bool) -> NodeSpec:
        where = f"{path}:{_line(elem)}"
        params: list[ParamSource] = []
        inline: dict[str, str] = {}
        remaps = []
        for child in elem:
            if child.tag == "param" and child.get("from") is not None:
                if inline:  # keep the written order: inline values before a file stay before it
                    params.append(inline)
                    inline = {}
                params.append(Path(self.sub(child.get("from"), conf, path, child)))
            elif child.tag == "param":
                inline[_req(child, "name", where)] = self.sub(_req(child, "value", where), conf, path, child)
            elif child.tag == "remap":
                remaps.append((self.sub(_req(child, "from", where), conf, path, child),
                               self.sub(_req(child, "to", where), conf, path, child)))
            else:
                raise LaunchError(f"{path}:{_line(child)}: <node> may not hold <{child.tag}>")
        if inline:
            params.append(inline)
        return NodeSpec(
            pkg=self.sub(_req(elem, "pkg", where), conf, path, elem),
            exec=self.sub(_req(elem, "exec", where), conf, path, elem),
            name=self.sub(elem.get("name", ""), conf, path, elem),
            namespace=self.sub(elem.get("namespace", ""), conf, path, elem),
            params=params, remaps=remaps, enabled=enabled, file=path, line=_line(elem))

    def _condition(self, elem: ET.Element, path: Path, conf: dict[str, str]) -> bool:
        result = True
        for attr, want in (("if", True), ("unless", False)):
            text = elem.get(attr)
            if text is None:
                continue
            value = self.sub(text, conf, path, elem).strip().lower()
            if value not in _TRUE | _FALSE:
                raise LaunchError(f"{path}:{_line(elem)}: condition {attr}='{text}' gave '{value}', "
                                  "expected true/false/1/0")
            result = result and ((value in _TRUE) == want)
        return result

    def sub(self, text: str, conf: dict[str, str], path: Path, elem: ET.Element) -> str:
        """Resolve ``$(...)`` substitutions, innermost first."""
        out, i = [], 0
        while i < len(text):
            start = text.find("$(", i)
            if start < 0:
                out.append(text[i:])
                break
            out.append(text[i:start])
            end, depth = start + 2, 1
            while end < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                end += 1
            if depth:
                raise LaunchError(f"{path}:{_line(elem)}: unbalanced '$(' in '{text}'")
            inner = self.sub(text[start + 2:end - 1], conf, path, elem)
            out.append(self._one(inner, conf, path, elem))
            i = end
        return "".join(out)

    def _one(self, inner: str, conf: dict[str, str], path: Path, elem: ET.Element) -> str:
        kind, _, rest = inner.strip().partition(" ")
        rest = rest.strip()
        where = f"{path}:{_line(elem)}"
        if kind == "var":
            self.model.used_vars.setdefault(rest, (path, _line(elem)))
            if rest not in conf:
                raise LaunchError(f"{where}: $(var {rest}) names no declared argument")
            return conf[rest]
        if kind == "find-pkg-share":
            share = self.share(rest)
            if share is None:
                raise LaunchError(f"{where}: package '{rest}' is not installed (no share directory)")
            return str(share)
        if kind == "env":
            name, _, default = rest.partition(" ")
            return os.environ.get(name, default)
        if kind == "eval":
            expr = rest[1:-1] if rest[:1] == rest[-1:] and rest[:1] in "\"'" else rest
            try:
                return str(eval(expr, {"__builtins__": {}}, {}))
            except Exception as exc:  # noqa: BLE001 - any Python error is the launch file's error here
                raise LaunchError(f"{where}: $(eval {rest}) failed: {exc}") from None
        raise LaunchError(f"{where}: unsupported substitution $({kind} ...)")


class _Element(ET.Element):
    """An element that remembers its line (ElementTree's own does not)."""

    line = 0


def _parse(path: Path) -> ET.Element:
    """Parse XML with expat, recording each element's line number."""
    parser = expat.ParserCreate()
    stack: list[ET.Element] = []
    root: list[ET.Element] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        elem = _Element(tag, attrs)
        elem.line = parser.CurrentLineNumber
        (stack[-1].append(elem) if stack else root.append(elem))
        stack.append(elem)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: stack.pop()
    parser.Parse(path.read_bytes(), True)
    return root[0]


def _walk_own(elem: ET.Element):
    """Yield the elements of a launch file, not descending into <include> (its args are given)."""
    for child in elem:
        yield child
        if child.tag != "include":
            yield from _walk_own(child)


def _line(elem: ET.Element) -> int:
    return getattr(elem, "line", 0)


def _req(elem: ET.Element, attr: str, where: str) -> str:
    value = elem.get(attr)
    if value is None:
        raise LaunchError(f"{where}: <{elem.tag}> needs the attribute '{attr}'")
    return value


def load_launch(path: str | Path, share: ShareLookup, args: dict[str, str] | None = None) -> LaunchModel:
    """Evaluate a launch file with ``args`` (name -> value) as ros2 launch would."""
    model = LaunchModel()
    _Evaluator(share, model).run(Path(path), dict(args or {}), True)
    unknown = sorted(set(args or {}) - set(model.args))
    if unknown:
        raise LaunchError(f"{path}: argument(s) {unknown} are not declared (declared: {sorted(model.args)})")
    return model
