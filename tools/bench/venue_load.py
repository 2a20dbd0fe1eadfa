"""Venue load: N simulated devices through a real mosquitto into venue_server (SQLite, PostgreSQL; one or
two processes on an MQTT 5 shared subscription), side by side with a bare paho subscriber.

    python -m tools.bench venue_load [--devices 100 1000] [--rounds 3] [--window-s 2]

Two loads per setting. The chorus: each round, every device sends one event (nine in ten an X)
within ``window_s``; store latency = stored - device stamp, p50/p95. The flood: every device sends
``flood_rounds`` events at once; ingest events/s = events / (last stored - first sent). The bare
subscriber parses and inserts each message in its own transaction (no checks, no batching);
ratio = venue_server's events/s over the bare one's on the same database.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gesture_ros.venue.store import open_store
from tools.child_process import stop_process
from tools.mosquitto import Mosquitto
from tools.postgres import Postgres

PER_PROCESS = 500  # simulated devices per publisher process


def _database(kind: str, workdir: Path, pg: Postgres | None, name: str) -> str:
    if kind == "sqlite":
        return str(workdir / f"{name}.sqlite3")
    import psycopg

    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg.url.rsplit("/", 1)[0] + f"/{name}"


def _ingesters(kind: str, db: str, port: int, workdir: Path, name: str) -> tuple[list[subprocess.Popen], list[str]]:
    py = sys.executable
    if kind == "bare":
        cmds = [("load-bare", [py, "-m", "tools.bench.venue_bare", "--port", str(port), "--db", db])]
    else:
        n = int(kind[0])
        share = ["--share-group", "load"] if n > 1 else []
        cmds = [(f"load-server-{k}", [py, "-m", "gesture_ros.venue", "serve", "--no-web", "--db", db, "--port",
                                      str(port), "--client-id", f"load-server-{k}", *share]) for k in range(n)]
    procs = []
    for cid, cmd in cmds:
        with open(workdir / f"{name}-{cid}.log", "wb") as log:
            procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT))
    return procs, [cid for cid, _ in cmds]


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"venue_load: {what} within {timeout:.0f} s")
        time.sleep(0.1)


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def run_one(kind: str, dbkind: str, devices: int, rounds: int, window_s: float, workdir: Path,
            pg: Postgres | None, name: str) -> dict:
    broker = Mosquitto(workdir / name, log_type="subscribe", max_inflight=1000).start()
    db = _database(dbkind, workdir, pg, name)
    open_store(db).close()  # the schema, for the bare subscriber too
    procs, ids = _ingesters(kind, db, broker.port, workdir, name)
    pubs: list[subprocess.Popen] = []
    try:
        _wait(lambda: all(f"{cid} 1 " in broker.log() for cid in ids), 60, "ingesters did not subscribe")
        start_at = time.time() + 2 + devices / 250
        for first in range(0, devices, PER_PROCESS):
            pubs.append(subprocess.Popen([sys.executable, "-m", "tools.bench.venue_devices", "--port",
                                          str(broker.port), "--first", str(first), "--count",
                                          str(min(PER_PROCESS, devices - first)), "--rounds", str(rounds),
                                          "--window-s", str(window_s), "--start-at", str(start_at)],
                                         stdout=subprocess.PIPE, text=True))
        sent = sum(int(p.communicate(timeout=300)[0].split()[-1]) for p in pubs)
        store = open_store(db)
        try:
            _wait(lambda: store.query("SELECT count(*) FROM events")[0][0] >= sent, 300, "events were not all stored")
            rows = store.query("SELECT stamp_ns, stored_ns FROM events")
        finally:
            store.close()
    finally:
        for p in pubs:
            if p.poll() is None:
                p.kill()
        for p in procs:
            stop_process(p, timeout=20)
        broker.stop()
    latency = sorted((stored - stamp) / 1e6 for stamp, stored in rows)
    span = (max(s for _, s in rows) - min(t for t, _ in rows)) / 1e9
    return {"sent": sent, "stored": len(rows), "events_per_s": len(rows) / span,
            "p50_ms": _pct(latency, 0.5), "p95_ms": _pct(latency, 0.95)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.bench venue_load", description=__doc__.splitlines()[0])
    p.add_argument("--devices", type=int, nargs="+", default=[100, 1000])
    p.add_argument("--dbs", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    p.add_argument("--ingesters", nargs="+", default=["1 server", "2 servers", "bare"])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--window-s", type=float, default=2.0)
    p.add_argument("--flood-rounds", type=int, default=10, help="events per device in the flood")
    a = p.parse_args(argv)
    print(f"venue_load: {a.devices} devices, chorus ({a.rounds} rounds of {a.window_s:g} s) and flood "
          f"({a.flood_rounds} events per device at once); real mosquitto, SQLite and PostgreSQL", flush=True)
    header = f"{'devices':>7} {'db':<10} {'ingest':<10} {'chorus p50/p95 ms':>18} {'flood events/s':>15} {'flood p95 ms':>13} {'ratio':>6}"
    print(header, flush=True)
    with tempfile.TemporaryDirectory(prefix="gesture_venue_load_") as tmp, Postgres() as pg:
        workdir, n = Path(tmp), 0
        for devices in a.devices:
            for dbkind in a.dbs:
                bare_rate = None
                results = {}
                for kind in sorted(a.ingesters, key=lambda k: k != "bare"):  # the baseline first
                    n += 1
                    chorus = run_one(kind, dbkind, devices, a.rounds, a.window_s, workdir, pg, f"c{n}")
                    flood = run_one(kind, dbkind, devices, a.flood_rounds, 0.0, workdir, pg, f"f{n}")
                    if kind == "bare":
                        bare_rate = flood["events_per_s"]
                    results[kind] = (chorus, flood)
                    ratio = f"{flood['events_per_s'] / bare_rate:.2f}" if bare_rate and kind != "bare" else "1.00"
                    print(f"{devices:>7} {dbkind:<10} {kind:<10} {chorus['p50_ms']:>8.1f} / {chorus['p95_ms']:<8.1f}"
                          f"{flood['events_per_s']:>15.0f} {flood['p95_ms']:>13.0f} {ratio:>6}", flush=True)
    print("(timings on a shared, loaded 2-core machine: compare the ratios, not the absolute figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
