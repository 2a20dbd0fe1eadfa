"""Fill ``{placeholders}`` in action arguments from the gesture event.

Only the event's named fields can be used, with an optional format spec
(``{confidence:.2f}``); attribute and index lookups are not templates, so a map cannot
reach into Python objects. A string that is exactly one placeholder keeps the field's
type (``"{confidence}"`` sends a float, ``"{sequence}"`` an int); anything else is text.
``{{`` and ``}}`` are literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from gesture_ros.common.gesture_event import EventType, GestureEventData

FIELDS: dict[str, Callable[[GestureEventData], Any]] = {
    "gesture": lambda e: e.gesture,
    "confidence": lambda e: float(e.confidence),
    "sequence": lambda e: int(e.sequence),
    "event_type": lambda e: e.event_type.name,
    "event_type_id": lambda e: int(e.event_type),
    "source_id": lambda e: e.source_id,
    "event_id": lambda e: e.event_id,
    "handedness": lambda e: e.handedness,
    "frame_id": lambda e: e.frame_id,
    "model_id": lambda e: e.model_id,
    "model_version": lambda e: e.model_version,
    "stamp": lambda e: e.stamp_ns * 1e-9,
    "stamp_ns": lambda e: int(e.stamp_ns),
    "duration_s": lambda e: e.duration_s,
}
_SAMPLE = GestureEventData(event_id="sample", gesture="sample", event_type=EventType.TRIGGER, stamp_ns=0)
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}:]*)(?::([^{}]*))?\}")


def _field(name: str, event: GestureEventData) -> Any:
    return FIELDS[name](event)


def render_text(text: str, event: GestureEventData) -> Any:
    """Fill one string; a lone placeholder without a spec returns the field's own type."""
    whole = _TOKEN.fullmatch(text)
    if whole and whole.group(1) is not None and whole.group(2) is None:
        return _field(whole.group(1), event)

    def substitute(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return format(_field(match.group(1), event), match.group(2) or "")

    return _TOKEN.sub(substitute, text)


def render(value: Any, event: GestureEventData) -> Any:
    """Fill every string inside a value (lists and mappings too); other values pass through."""
    if isinstance(value, str):
        return render_text(value, event)
    if isinstance(value, list):
        return [render(v, event) for v in value]
    if isinstance(value, dict):
        return {k: render(v, event) for k, v in value.items()}
    return value


def has_placeholder(value: Any) -> bool:
    """Return whether a value (strings, lists, mappings) takes anything from the event."""
    if isinstance(value, (list, tuple)):
        return any(has_placeholder(v) for v in value)
    if isinstance(value, dict):
        return any(has_placeholder(v) for v in value.values())
    return isinstance(value, str) and any(m.group(1) is not None for m in _TOKEN.finditer(value))


def template_problems(value: Any) -> list[str]:
    """Return a reason for every bad placeholder inside a value (empty when all are fine)."""
    if isinstance(value, list):
        return [p for v in value for p in template_problems(v)]
    if isinstance(value, dict):
        return [p for v in value.values() for p in template_problems(v)]
    if not isinstance(value, str):
        return []
    problems = []
    for match in _TOKEN.finditer(value):
        name, spec = match.group(1), match.group(2)
        if name is None:
            continue
        if name not in FIELDS:
            problems.append(f"unknown placeholder '{{{name}}}' (known: {', '.join(sorted(FIELDS))})")
            continue
        try:
            format(_field(name, _SAMPLE), spec or "")
        except (ValueError, TypeError) as exc:
            problems.append(f"bad format '{{{name}:{spec}}}': {exc}")
    leftover = _TOKEN.sub("", value)
    if "{" in leftover or "}" in leftover:
        problems.append(f"unbalanced brace in '{value}' (write '{{{{' or '}}}}' for a literal brace)")
    return problems
