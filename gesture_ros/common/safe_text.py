"""Outside text made fit for one log line: non-printables escaped, long strings cut."""

from __future__ import annotations

DEFAULT_LIMIT = 120


def _printable(ch: str) -> str:
    return ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")


def bounded(value: object, limit: int = DEFAULT_LIMIT) -> str:
    """Return ``value`` as printable text of at most ``limit`` characters plus a short tail.

    Control and other non-printable characters become ``\\xNN``/``\\uNNNN`` escapes; a longer
    text is cut and says how long it was, so a 100 KB field never reaches a log whole.
    """
    text = value if isinstance(value, str) else str(value)
    escaped = "".join(_printable(ch) for ch in text[:limit])
    if len(text) <= limit and len(escaped) <= limit:
        return escaped
    return f"{escaped[:limit]}... ({len(text)} characters)"
