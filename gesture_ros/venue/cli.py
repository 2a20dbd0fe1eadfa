"""The venue's commands: ``serve`` (venue_server), ``export`` (JSON lines for labelling), ``models``.

    python -m gesture_ros.venue serve --db venue.sqlite3 --host 127.0.0.1 --port 1883
    python -m gesture_ros.venue export --db venue.sqlite3 --since 2026-12-07T20:00 --until 2026-12-07T23:00 -o show.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from gesture_ros.venue import export
from gesture_ros.venue.broker_args import add_broker_args


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="venue", description="The venue server: every gesture stored once, shown live.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="subscribe, store exactly once, serve the live page")
    add_broker_args(s)
    s.add_argument("--db", default="venue.sqlite3", help="SQLite file, or postgresql://user@host:port/db")
    s.add_argument("--share-group", default="", help="MQTT 5 shared subscription group: several servers split "
                   "the events ($share/<group>/...)")
    s.add_argument("--batch", type=int, default=500, help="most events per transaction")
    s.add_argument("--http-host", default="127.0.0.1", help="the page's address (not loopback: --token-file)")
    s.add_argument("--http-port", type=int, default=8080)
    s.add_argument("--token-file", default="", help="file holding the page's access token (?token=...)")
    s.add_argument("--crowd-s", type=float, default=5.0, help="the crowd meter's window, s")
    s.add_argument("--no-web", action="store_true", help="ingest only (e.g. a second server of a share group)")
    export.add_args(sub.add_parser("export", help="stored events of a time range as JSON lines"))
    m = sub.add_parser("models", help="per device and model version: events/min, confidence, low-confidence share")
    m.add_argument("--db", default="venue.sqlite3")
    m.add_argument("--window-s", type=float, default=600.0)
    m.add_argument("--low", type=float, default=0.6, help="confidence below this is low")
    return p.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="venue: %(message)s", stream=sys.stderr)
    from gesture_ros.venue.store import open_store

    if args.command == "serve":
        from gesture_ros.venue.server import serve

        return serve(args)
    if args.command == "export":
        return export.run(args)
    store = open_store(args.db)
    try:
        from gesture_ros.venue import queries

        print(json.dumps(queries.models(store, args.window_s, args.low), indent=1))
    finally:
        store.close()
    return 0


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``venue-server`` and ``python -m gesture_ros.venue``."""
    sys.exit(run(argv))
