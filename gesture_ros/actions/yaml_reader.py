"""Read composed YAML nodes and report problems as ``file:line: reason``.

PyYAML's ``compose`` keeps every node's position (``start_mark``), which ``safe_load``
throws away; the action map is validated on the node tree so each error names its line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class Entries(dict[str, tuple[Node, Node]]):
    """A mapping node's entries: key -> (key node, value node); ``node`` is the mapping itself."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node

_MISSING = object()

_TYPE_WORDS = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
}


class ActionMapError(ValueError):
    """An action map was refused; ``errors`` holds one ``file:line: reason`` per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def _type_word(kinds: tuple[type, ...]) -> str:
    return " or ".join(_TYPE_WORDS.get(k, k.__name__) for k in kinds)


def _matches(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int) and float in kinds:
        return True
    return isinstance(value, kinds)


class YamlReader:
    """Collect ``file:line: reason`` errors while walking a composed YAML document."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self._constructor = SafeConstructor()

    def compose(self, text: str) -> Node | None:
        """Parse the text into a node tree; record a syntax error with its line."""
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = exc.problem or exc.context or "cannot parse"
            self.errors.append(f"{self.path}:{line}: YAML syntax error: {problem}")
        except yaml.YAMLError as exc:
            self.errors.append(f"{self.path}:1: YAML syntax error: {exc}")
        return None

    def error(self, node: Node | None, reason: str) -> None:
        """Record a problem at the node's line (line 1 when there is no node)."""
        line = node.start_mark.line + 1 if node is not None else 1
        self.errors.append(f"{self.path}:{line}: {reason}")

    def warn(self, node: Node | None, reason: str) -> None:
        """Record something that loads but will probably not work as meant."""
        line = node.start_mark.line + 1 if node is not None else 1
        self.warnings.append(f"{self.path}:{line}: {reason}")

    def value(self, node: Node) -> Any:
        """Return the plain Python value of a node (deep)."""
        return self._constructor.construct_object(node, deep=True)

    def mapping(self, node: Node, what: str) -> Entries | None:
        """Return a mapping node's entries by key, or None (with an error) if it is not one."""
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a mapping")
            return None
        entries = Entries(node)
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, f"{what} has a key that is not a plain name")
                continue
            key = str(key_node.value)
            if key in entries:
                self.error(key_node, f"duplicate key '{key}' in {what}")
                continue
            entries[key] = (key_node, value_node)
        return entries

    def sequence(self, node: Node, what: str) -> list[Node] | None:
        """Return a sequence node's items, or None (with an error) if it is not a list."""
        if not isinstance(node, SequenceNode):
            self.error(node, f"{what} must be a list")
            return None
        return list(node.value)

    def check_fields(self, entries: Entries, allowed: Iterable[str], what: str) -> None:
        """Record an error for every key that is not an allowed field."""
        allowed = sorted(set(allowed))
        for key, (key_node, _) in entries.items():
            if key not in allowed:
                self.error(key_node, f"unknown field '{key}' in {what} (allowed: {', '.join(allowed)})")

    def get(self, entries: Entries, key: str, kinds: type | tuple[type, ...], what: str,
            default: Any = _MISSING) -> Any:
        """Return a field's value checked against ``kinds``; record missing or mistyped fields.

        Without a default the field is required. On error the default (or None) is returned.
        """
        kinds = kinds if isinstance(kinds, tuple) else (kinds,)
        if key not in entries:
            if default is _MISSING:
                self.error(entries.node, f"{what} is missing the required field '{key}'")
                return None
            return default
        node = entries[key][1]
        value = self.value(node)
        if not _matches(value, kinds):
            self.error(node, f"field '{key}' of {what} must be {_type_word(kinds)}, got {value!r}")
            return None if default is _MISSING else default
        if float in kinds and isinstance(value, int) and not isinstance(value, bool) and int not in kinds:
            value = float(value)
        return value

    def node_of(self, entries: Entries, key: str) -> Node | None:
        """Return the value node of a field, or None when absent."""
        return entries[key][1] if key in entries else None
