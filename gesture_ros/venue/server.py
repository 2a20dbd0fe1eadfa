"""venue_server: ingest (MQTT 5 -> store, exactly once) and the live page, in one process."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import signal
import ssl
import threading

import uvicorn

from gesture_ros.bridge.connection import ConnectionConfigError
from gesture_ros.venue.broker_args import broker_from_args
from gesture_ros.venue.ingest import Ingest, IngestConfig
from gesture_ros.venue.refusals import RefusalLog
from gesture_ros.venue.store import open_store
from gesture_ros.venue.web.app import create_app
from gesture_ros.venue.web.snapshot import Snapshots

_log = logging.getLogger("gesture_ros.venue_server")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(args: argparse.Namespace) -> int:
    """Run until SIGINT/SIGTERM; return 0, 1 when the broker or database cannot be used, 2 for bad options."""
    token = open(args.token_file, encoding="utf-8").read().strip() if args.token_file else ""
    if not args.no_web and not token and not _loopback(args.http_host):
        _log.error("the page on %s would be open to the network: give --token-file, or bind to 127.0.0.1",
                   args.http_host)
        return 2
    try:
        broker = broker_from_args(args)
    except ValueError as exc:
        _log.error("%s", exc)
        return 2
    store = open_store(args.db)
    _log.info("storing in %s (schema version %d)", store.where, store.schema_version())
    refusals = RefusalLog(logging.getLogger("gesture_ros.venue.intake"))
    cfg = IngestConfig(venue=args.venue, events_template=args.events_template, status_template=args.status_template,
                       client_id=args.client_id, share_group=args.share_group, batch=args.batch)
    ingest = Ingest(store, cfg, refusals)
    try:
        ingest.start(broker)
    except (ssl.SSLError, ConnectionConfigError, OSError) as exc:
        _log.error("cannot use broker %s: %s", broker.address, exc)
        return 1
    try:
        if args.no_web:
            _wait_for_signal()
        else:
            page_store = open_store(args.db)  # its own connection: reads never wait for the writer's lock
            app = create_app(Snapshots(page_store, refusals=refusals, crowd_s=args.crowd_s), token)
            _log.info("live page on http://%s:%d/", args.http_host, args.http_port)
            _Server(uvicorn.Config(app, host=args.http_host, port=args.http_port, log_level="warning",
                                          access_log=False)).run()
    finally:
        ingest.stop()
        store.close()
        _log.info("stopped: %d stored, %d duplicates dropped, refused %s", ingest.stats.stored,
                  ingest.stats.duplicates, refusals.snapshot() or "none")
    return 0


class _Server(uvicorn.Server):
    """uvicorn, but a SIGTERM ends in our ``finally`` (ingest stopped, summary logged), not in a re-raise."""

    @contextlib.contextmanager
    def capture_signals(self):
        original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def _wait_for_signal() -> None:
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
