"""Stored events out as JSON lines: a time range, with device, person and model, for labelling."""

from __future__ import annotations

import argparse
import json
import sys
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


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default="venue.sqlite3", help="SQLite file, or postgresql://user@host:port/db")
    p.add_argument("--since", default="0", help="camera stamp from (ISO 8601, UTC if no zone, or ns)")
    p.add_argument("--until", default=str(2**63 - 1), help="camera stamp until (exclusive)")
    p.add_argument("-o", "--out", default="-", help="file (default: stdout)")


def run(args: argparse.Namespace) -> int:
    """Export; return 0 (the count goes to stderr)."""
    from gesture_ros.venue.store import open_store

    store = open_store(args.db)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    try:
        n = write_jsonl(store, out, parse_time(args.since), parse_time(args.until))
    finally:
        if out is not sys.stdout:
            out.close()
        store.close()
    print(f"venue: exported {n} events", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``gesture venue-export``: the same as ``venue-server export``."""
    p = argparse.ArgumentParser(prog="gesture venue-export", description=__doc__.splitlines()[0])
    add_args(p)
    return run(p.parse_args(argv))
