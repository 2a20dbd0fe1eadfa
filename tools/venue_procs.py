"""The venue end as processes for the soak: venue_server on SQLite and on PostgreSQL, and venue_monitor.

Each runs on a persistent MQTT session (fixed client id), so killing it loses nothing: the
broker keeps what arrives meanwhile and redelivers what was not acknowledged.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tools.child_process import node_executable, stop_process


class VenueProcesses:
    def __init__(self, workdir: Path, port: int, jsonl: Path, dbs: dict[str, str], env: dict) -> None:
        self.workdir, self.port, self.jsonl, self.dbs, self.env = workdir, port, jsonl, dbs, env
        self.monitor_log = workdir / "venue_monitor.log"
        self.procs: list[subprocess.Popen] = []
        self.kills = 0
        self.start_all()

    def _commands(self) -> list[tuple[str, list[str]]]:
        servers = [(f"venue_server_{name}", [sys.executable, "-m", "gesture_ros.venue", "serve", "--db", db,
                                             "--port", str(self.port), "--venue", "soak", "--no-web",
                                             "--client-id", f"soak-server-{name}"])
                   for name, db in self.dbs.items()]
        monitor = ("venue_monitor", [sys.executable, str(node_executable("venue_monitor")), "--port", str(self.port),
                                     "--venue", "soak", "--client-id", "soak-venue", "--jsonl", str(self.jsonl),
                                     "--no-table"])
        return [*servers, monitor]

    def start_all(self) -> None:
        self.procs = []
        for name, cmd in self._commands():
            with open(self.workdir / f"{name}.log", "ab") as log:  # a file, not a pipe: read at the end
                self.procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env))

    def kill_all(self) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        self.kills += 1

    def stop_all(self) -> None:
        for proc in self.procs:
            stop_process(proc, signal.SIGINT, 60)

    def _ids(self, db: str) -> list[str]:
        from gesture_ros.venue.store import open_store

        store = open_store(db)
        try:
            return [r[0] for r in store.query("SELECT event_id FROM events")]
        finally:
            store.close()

    def stored_at_least(self, n: int) -> bool:
        from gesture_ros.venue.store import open_store

        for db in self.dbs.values():
            store = open_store(db)
            try:
                if store.query("SELECT count(*) FROM events")[0][0] < n:
                    return False
            finally:
                store.close()
        return True

    def stored_ids(self) -> dict[str, list[str]]:
        return {name: self._ids(db) for name, db in self.dbs.items()}
