"""Load and validate an action map YAML file; every problem is reported as file:line: reason.

    gestures: [wave]                 # extra names for a custom model (optional)
    targets:
      eos: {type: osc, host: 10.0.0.5, port: 3032, protocol: tcp, allow: ["/eos/cue/*/*/fire"]}
    actions:
      x_cross:
        TRIGGER:
          - {target: eos, address: /eos/cue/1/5/fire, cooldown_s: 2}
"""

from __future__ import annotations

import re
from pathlib import Path

from gesture_ros.actions import http_action, log_action, mpv_action, osc_action, ros_action
from gesture_ros.actions.model import Action, ActionKind, ActionMap, RetryPolicy, Target, map_dir
from gesture_ros.actions.stop_check import motion_problem, stop_problem
from gesture_ros.actions.vocabulary import BACKGROUND, Vocabulary
from gesture_ros.actions.yaml_reader import ActionMapError, Entries, YamlReader
from gesture_ros.common.file_limits import MAX_MAP_BYTES, FileRefused, read_limited
from gesture_ros.common.gesture_event import EventType
from gesture_ros.common.model_meta import GestureKind

KINDS: dict[str, ActionKind] = {k.name: k for k in (
    osc_action.KIND, http_action.KIND, mpv_action.KIND, ros_action.KIND, log_action.KIND)}
TOP_FIELDS = ("version", "description", "motion", "gestures", "targets", "actions")
TARGET_FIELDS = ("type", "retry", "timeout_s", "queue_size")
ACTION_FIELDS = ("target", "name", "cooldown_s", "min_confidence", "stop", "repeat_hz", "max_hold_s")
RETRY_FIELDS = ("attempts", "backoff_s", "backoff_factor", "max_backoff_s")
MAX_REPEAT_HZ = 100.0
MAX_HOLD_S = 3600.0
_TARGET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _ranged(reader: YamlReader, entries: Entries, key: str, kind: type, what: str, default: float,
            low: float, high: float) -> float:
    value = reader.get(entries, key, kind, what, default)
    if not low <= value <= high:
        reader.error(reader.node_of(entries, key), f"field '{key}' of {what} must be in [{low}, {high}], got {value}")
        return default
    return value


def _retry(reader: YamlReader, entries: Entries, what: str) -> RetryPolicy:
    if "retry" not in entries:
        return RetryPolicy()
    fields = reader.mapping(entries["retry"][1], f"retry of {what}")
    if fields is None:
        return RetryPolicy()
    reader.check_fields(fields, RETRY_FIELDS, f"retry of {what}")
    what = f"retry of {what}"
    return RetryPolicy(
        attempts=int(_ranged(reader, fields, "attempts", int, what, 1, 1, 20)),
        backoff_s=_ranged(reader, fields, "backoff_s", float, what, 0.1, 0.0, 60.0),
        backoff_factor=_ranged(reader, fields, "backoff_factor", float, what, 2.0, 1.0, 10.0),
        max_backoff_s=_ranged(reader, fields, "max_backoff_s", float, what, 2.0, 0.0, 600.0),
    )


def _targets(reader: YamlReader, node, base: Path) -> dict[str, Target]:
    targets: dict[str, Target] = {}
    entries = reader.mapping(node, "'targets'")
    for name, (key_node, value_node) in (entries or {}).items():
        what = f"target '{name}'"
        if not _TARGET_NAME.fullmatch(name):
            reader.error(key_node, f"target name '{name}' must be letters, digits, '_' or '-'")
        fields = reader.mapping(value_node, what)
        if fields is None:
            continue
        type_name = reader.get(fields, "type", str, what)
        if type_name is None:
            continue
        kind = KINDS.get(type_name)
        if kind is None:
            reader.error(reader.node_of(fields, "type"),
                         f"unknown action type '{type_name}' of {what} (known: {', '.join(sorted(KINDS))})")
            continue
        reader.check_fields(fields, set(TARGET_FIELDS) | kind.target_fields, f"{type_name} {what}")
        targets[name] = Target(
            name=name, type=type_name,
            spec=kind.parse_target(reader, fields, name, base),
            retry=_retry(reader, fields, what),
            timeout_s=_ranged(reader, fields, "timeout_s", float, what, 1.0, 0.01, 60.0),
            queue_size=int(_ranged(reader, fields, "queue_size", int, what, 64, 1, 10000)),
            line=key_node.start_mark.line + 1,
        )
    return targets


def _event_type(name: str) -> EventType | None:
    return EventType.__members__.get(name.upper())


def _kind_warning(vocabulary: Vocabulary, gesture: str, event_type: EventType) -> str | None:
    kind = vocabulary.kinds.get(gesture)
    if kind == GestureKind.TRIGGER and event_type != EventType.TRIGGER:
        return f"'{gesture}' is a one-shot gesture in {vocabulary.source}: its {event_type.name} never comes"
    if kind == GestureKind.HELD and event_type == EventType.TRIGGER:
        return f"'{gesture}' is a held gesture in {vocabulary.source}: it sends START/END, never TRIGGER"
    return None


def _actions(reader: YamlReader, node, targets: dict[str, Target], known: frozenset,
             vocabulary: Vocabulary) -> dict[tuple[str, EventType], list[Action]]:
    bindings: dict[tuple[str, EventType], list[Action]] = {}
    names: dict[str, int] = {}
    for gesture, (gesture_node, by_type_node) in (reader.mapping(node, "'actions'") or {}).items():
        if gesture == BACKGROUND:
            reader.error(gesture_node, f"'{BACKGROUND}' is the background class and never produces events")
            continue
        if gesture not in known:
            reader.error(gesture_node, f"unknown gesture '{gesture}' (known from {vocabulary.source}: "
                                       f"{', '.join(sorted(known - {BACKGROUND}))}; declare custom names under 'gestures:')")
            continue
        for type_name, (type_node, list_node) in (reader.mapping(by_type_node, f"gesture '{gesture}'") or {}).items():
            event_type = _event_type(type_name)
            if event_type is None:
                reader.error(type_node, f"unknown event type '{type_name}' for gesture '{gesture}' "
                                        "(known: TRIGGER, START, END)")
                continue
            warning = _kind_warning(vocabulary, gesture, event_type)
            if warning:
                reader.warn(type_node, warning)
            items = reader.sequence(list_node, f"actions of {gesture} {event_type.name}") or []
            for index, item in enumerate(items):
                action = _action(reader, item, gesture, event_type, index, targets)
                if action is None:
                    continue
                if action.name in names:
                    reader.error(item, f"duplicate action name '{action.name}' (first on line {names[action.name]})")
                    continue
                names[action.name] = action.line
                bindings.setdefault((gesture, event_type), []).append(action)
    return bindings


def _action(reader: YamlReader, node, gesture: str, event_type: EventType, index: int,
            targets: dict[str, Target]) -> Action | None:
    default_name = f"{gesture}/{event_type.name}/{index + 1}"
    fields = reader.mapping(node, f"action {default_name}")
    if fields is None:
        return None
    name = reader.get(fields, "name", str, f"action {default_name}", default_name)
    what = f"action '{name}'"
    target_name = reader.get(fields, "target", str, what)
    if target_name is None:
        return None
    target = targets.get(target_name)
    if target is None:
        reader.error(reader.node_of(fields, "target"),
                     f"unknown target '{target_name}' in {what} (defined: {', '.join(sorted(targets)) or 'none'})")
        return None
    kind = KINDS[target.type]
    reader.check_fields(fields, set(ACTION_FIELDS) | kind.action_fields, f"{target.type} {what}")
    repeat_hz = _ranged(reader, fields, "repeat_hz", float, what, 0.0, 0.0, MAX_REPEAT_HZ)
    max_hold_s = _ranged(reader, fields, "max_hold_s", float, what, 0.0, 0.0, MAX_HOLD_S)
    for key, value, why in (("repeat_hz", repeat_hz, "they repeat while the gesture is held"),
                            ("max_hold_s", max_hold_s, "they open a hold of the gesture")):
        if value and event_type != EventType.START:
            reader.error(reader.node_of(fields, key), f"{key} of {what} is only for START actions ({why})")
    spec = kind.parse_action(reader, fields, target, what)
    stop = bool(reader.get(fields, "stop", bool, what, False))
    problem = stop_problem(spec) if stop else motion_problem(spec) if event_type == EventType.END else None
    if problem:
        marked = "is marked stop: true" if stop else "is an END action (a stop)"
        reader.error(reader.node_of(fields, "stop") or node, f"{what} {marked} but {problem}; "
                     "stops run even when disarmed, so they may only make things safe")
    return Action(
        name=name, gesture=gesture, event_type=event_type, target=target_name, spec=spec,
        cooldown_s=_ranged(reader, fields, "cooldown_s", float, what, 0.0, 0.0, 3600.0),
        min_confidence=_ranged(reader, fields, "min_confidence", float, what, 0.0, 0.0, 1.0),
        line=node.start_mark.line + 1, stop=stop, repeat_hz=repeat_hz, max_hold_s=max_hold_s,
    )


def _check_repeats(reader: YamlReader, bindings: dict[tuple[str, EventType], list[Action]]) -> None:
    """Refuse a repeating START whose gesture has no END action: nothing would stop it."""
    for (gesture, _), actions in bindings.items():
        for action in actions:
            if action.repeat_hz and action.event_type == EventType.START and not bindings.get((gesture, EventType.END)):
                reader.errors.append(f"{reader.path}:{action.line}: action '{action.name}' repeats while "
                                     f"'{gesture}' is held but '{gesture}' has no END action to stop it")


def parse_action_map(text: str, source: str, vocabulary: Vocabulary | None = None) -> ActionMap:
    """Validate a map's text; raise ActionMapError listing every problem with its line."""
    vocabulary = vocabulary or Vocabulary.default()
    reader = YamlReader(source)
    root = reader.compose(text)
    if root is None:
        raise ActionMapError(reader.errors or [f"{source}:1: the action map is empty"])
    top = reader.mapping(root, "the action map")
    if top is None:
        raise ActionMapError(reader.errors)
    reader.check_fields(top, TOP_FIELDS, "the action map")
    version = reader.get(top, "version", int, "the action map", 1)
    if version != 1:
        reader.error(reader.node_of(top, "version"), f"version {version} is not supported (this reader knows 1)")
    extra = reader.get(top, "gestures", list, "the action map", [])
    for name in extra:
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]+", name):
            reader.error(reader.node_of(top, "gestures"), f"gesture name {name!r} must be lower-case letters, digits or '_'")
    known = frozenset(vocabulary.labels) | frozenset(n for n in extra if isinstance(n, str))
    targets = _targets(reader, reader.node_of(top, "targets"), map_dir(source)) if "targets" in top else {}
    if "actions" not in top:
        reader.error(root, "the action map has no 'actions' section")
        bindings = {}
    else:
        bindings = _actions(reader, reader.node_of(top, "actions"), targets, known, vocabulary)
    _check_repeats(reader, bindings)
    used = {a.target for actions in bindings.values() for a in actions}
    for name in sorted(set(targets) - used):
        reader.warnings.append(f"{source}:{targets[name].line}: target '{name}' is not used by any action")
    declared = reader.get(top, "motion", bool, "the action map", False)
    if reader.errors:
        raise ActionMapError(reader.errors)
    twist = any(getattr(a.spec, "msg_type", "") == ros_action.TWIST for actions in bindings.values() for a in actions)
    return ActionMap(source=source, targets=targets, bindings=bindings, gestures=known, warnings=reader.warnings,
                     motion=bool(declared) or twist)


def load_action_map(path: Path, vocabulary: Vocabulary | None = None) -> ActionMap:
    """Read and validate an action map file (a regular file of at most 1 MiB); raise ActionMapError."""
    try:
        text = read_limited(Path(path), MAX_MAP_BYTES, "action map").decode("utf-8")
    except FileRefused as exc:
        raise ActionMapError([str(exc)]) from None
    except UnicodeDecodeError as exc:
        raise ActionMapError([f"{path}: the action map is not UTF-8 text ({exc.reason})"]) from None
    return parse_action_map(text, str(path), vocabulary)
