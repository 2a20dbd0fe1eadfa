"""Refuse gesture events no one should act on: broken fields, unknown gestures, absurd stamps.

A refusal is ``(kind, sentence)``: the kind is the throttle key and diagnostics figure, the
sentence names the event with its outside strings bounded.
"""

from __future__ import annotations

import math
from collections.abc import Collection

from gesture_ros.actions.vocabulary import BACKGROUND
from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.common.safe_text import bounded

MAX_FIELD_CHARS = 256  # event ids are UUIDs, gestures and sources short names
Refusal = tuple[str, str]


def _name(event: GestureEventData) -> str:
    return f"event '{bounded(event.event_id, 40)}' ({bounded(event.gesture, 40)} from '{bounded(event.source_id, 40)}')"


def check_event(event: GestureEventData, gestures: Collection[str], clock_ns: int,
                max_skew_s: float) -> Refusal | None:
    """Return why an event must be refused, or None.

    ``gestures``: the names the action map knows (empty: not checked); the background class
    ``none`` never gives events. ``max_skew_s``: how far
    from the clock a stamp may be (0: not checked; nor while the clock reads 0, e.g. sim time
    before the first /clock). Staleness within that bound is the safety gate's business.
    """
    for field in ("event_id", "gesture", "source_id", "frame_id", "handedness", "model_id", "model_version"):
        value = getattr(event, field)
        if len(value) > MAX_FIELD_CHARS:
            return "oversized field", f"{_name(event)} refused: its {field} has {len(value)} characters " \
                                      f"(at most {MAX_FIELD_CHARS})"
    if not event.event_id:
        return "event id", f"{_name(event)} refused: it has no event_id (receivers deduplicate on it)"
    if not math.isfinite(event.confidence) or not 0.0 <= event.confidence <= 1.0:
        return "confidence", f"{_name(event)} refused: confidence {event.confidence} is not in [0, 1]"
    if gestures and (event.gesture not in gestures or event.gesture == BACKGROUND):
        return "unknown gesture", f"{_name(event)} refused: unknown gesture (not in the action map's vocabulary)"
    if event.stamp_ns <= 0:
        return "stamp", f"{_name(event)} refused: it has no header stamp"
    if max_skew_s > 0 and clock_ns > 0 and abs(clock_ns - event.stamp_ns) > max_skew_s * 1e9:
        off = (event.stamp_ns - clock_ns) / 1e9
        return "stamp", f"{_name(event)} refused: stamped {abs(off):.0f} s {'ahead of' if off > 0 else 'behind'} " \
                        f"the node clock (max_stamp_skew_s {max_skew_s:g})"
    return None
