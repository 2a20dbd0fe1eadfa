"""Stored events out as JSON lines: a time range, with device, person and model, for labelling."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import IO

from gesture_ros.bridge.payload import iso8601
from gesture_ros.venue import queries
from gesture_ros.venue.store import Store


def parse_time(text: str) -> int:
    """Return ns since the epoch of an ISO 8601 time (UTC unless it says otherwise) or of integer ns."""
    if text.isdigit():
        return int(text)
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp()) * 1_000_000_000 + when.microsecond * 1000


def write_jsonl(store: Store, out: IO[str], since_ns: int = 0, until_ns: int = 2**63 - 1) -> int:
    """Write each stored event with camera stamp in [since, until) as one line; return how many."""
    n = 0
    for row in queries.export(store, since_ns, until_ns):
        row["stamp_iso"] = iso8601(row["stamp_ns"])
        out.write(json.dumps(row, sort_keys=True) + "\n")
        n += 1
    return n
