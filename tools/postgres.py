"""A real PostgreSQL for tests and benchmarks: Debian's initdb/pg_ctl in a temporary folder, 127.0.0.1 only.

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` user
(Debian's package creates it) and every command runs through ``runuser``. Trust authentication
is safe here only because the server listens on loopback and a socket in its private folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tools.peers import PeerError
from tools.ports import free_port


def _bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), "")
    if not found:
        raise PeerError("PostgreSQL is not installed: run 'make peers' (apt-get install postgresql)")
    return found


class Postgres:
    """One PostgreSQL cluster; ``url`` is its psycopg address (database ``postgres``, user ``venue``)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="gesture_ros_pg_"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres")
        self.url = f"postgresql://venue@127.0.0.1:{self.port}/postgres"

    def _run(self, *cmd: str) -> None:
        proc = subprocess.run([*self.as_user, *cmd], capture_output=True, text=True)
        if proc.returncode != 0:
            tail = self.log.read_text()[-1500:] if self.log.exists() else ""
            raise PeerError(f"{' '.join(cmd[:2])} failed: {proc.stderr.strip()[-800:]} {tail}")

    def start(self) -> "Postgres":
        if not self.data.exists():
            self._run(_bin("initdb"), "-D", str(self.data), "-U", "venue", "--auth=trust", "-E", "UTF8",
                      "--no-instructions")
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.log), "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Postgres":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.remove()
