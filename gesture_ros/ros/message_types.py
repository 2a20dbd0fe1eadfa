"""Message classes by their ROS type name (``pkg/msg/Type``), for topics whose type is a parameter."""

from __future__ import annotations

import importlib


def message_class(type_name: str) -> type:
    """Return the class of ``pkg/msg/Type``; ValueError naming the type when it cannot be imported."""
    pkg, sep, name = type_name.replace("/msg/", "/").partition("/")
    if not sep or not pkg or not name or "/" in name:
        raise ValueError(f"message type '{type_name}' is not of the form pkg/msg/Type")
    try:
        cls = getattr(importlib.import_module(f"{pkg}.msg"), name)
    except (ImportError, AttributeError):
        raise ValueError(f"message type '{type_name}' is not installed") from None
    return cls
