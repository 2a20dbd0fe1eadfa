"""Where events, status and control messages go: a configurable MQTT topic layout.

Templates use ``{venue}``, ``{device}`` and (events only) ``{source}``. A value put into a
topic level has the MQTT separators and wildcards (``/ + #``) replaced by ``_``, so a
source id such as ``jetson-07/cam0`` stays one level: ``jetson-07_cam0``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_EVENTS = "venues/{venue}/devices/{source}/gestures"
DEFAULT_STATUS = "venues/{venue}/devices/{device}/status"
DEFAULT_CONTROL = "venues/{venue}/devices/{device}/control"
_UNSAFE = re.compile(r"[/+#\x00]")
_FIELD = re.compile(r"{([^{}]*)}")


def level(value: str) -> str:
    """Return ``value`` made safe as one topic level."""
    return _UNSAFE.sub("_", value) or "_"


def _check(template: str, allowed: set, what: str) -> None:
    names = set(_FIELD.findall(template))
    if not template or names - allowed or "+" in template or "#" in template:
        raise ValueError(f"{what} topic template '{template}' is invalid: use only the placeholders "
                         f"{sorted('{' + n + '}' for n in allowed)} and no MQTT wildcards")


@dataclass(frozen=True)
class TopicLayout:
    venue: str
    device: str
    events: str = DEFAULT_EVENTS
    status: str = DEFAULT_STATUS
    control: str = DEFAULT_CONTROL  # "" disables the control topic

    def __post_init__(self) -> None:
        _check(self.events, {"venue", "device", "source"}, "event")
        _check(self.status, {"venue", "device"}, "status")
        if self.control:
            _check(self.control, {"venue", "device"}, "control")

    def event_topic(self, source_id: str) -> str:
        return self.events.format(venue=level(self.venue), device=level(self.device), source=level(source_id))

    def status_topic(self) -> str:
        return self.status.format(venue=level(self.venue), device=level(self.device))

    def control_topic(self) -> str | None:
        if not self.control:
            return None
        return self.control.format(venue=level(self.venue), device=level(self.device))


def subscription(template: str = DEFAULT_EVENTS, venue: str = "+") -> str:
    """Return the filter matching every device's topics of a template, e.g. venues/+/devices/+/gestures."""
    venue_level = venue if venue == "+" else level(venue)
    return template.format(venue=venue_level, device="+", source="+")
