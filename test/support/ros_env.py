"""Give each test its own DDS domain on loopback, and start real node executables."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, IO, List, Optional

REPO = Path(__file__).resolve().parents[2]
INSTALL_LIB = REPO / "install" / "gesture_ros" / "lib" / "gesture_ros"
_LOCK_DIR = Path(tempfile.gettempdir()) / "gesture_ros_domains"
# Fast DDS maps domain d to ports 7400 + 250*d (+ offsets); ids above 100 stay well inside.
_DOMAIN_RANGE = range(1, 101)


class DomainLease:
    """A ROS_DOMAIN_ID held exclusively by this process until released (or it dies)."""

    def __init__(self) -> None:
        _LOCK_DIR.mkdir(exist_ok=True)
        start = os.getpid() % len(_DOMAIN_RANGE)
        ids = list(_DOMAIN_RANGE)
        for domain in ids[start:] + ids[:start]:
            handle: IO = open(_LOCK_DIR / f"{domain}.lock", "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self.domain_id = domain
            self._handle = handle
            return
        raise RuntimeError(f"all ROS domain ids {_DOMAIN_RANGE} are taken by other test runs")

    def env(self, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        """Return an environment for a child process on this domain, loopback only."""
        env = dict(os.environ)
        # Node scripts start with '#!/usr/bin/env python3': make that this interpreter.
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        env.update(
            ROS_DOMAIN_ID=str(self.domain_id),
            ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST",
            PYTHONUNBUFFERED="1",
            PYTHONSAFEPATH="1",
        )
        env.update(extra or {})
        return env

    def release(self) -> None:
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()


def ros_args(params: Dict[str, object]) -> List[str]:
    """Turn a dict into ``--ros-args -p name:=value`` arguments."""
    args = ["--ros-args"]
    for name, value in params.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = "[" + ",".join(f"'{v}'" if isinstance(v, str) else str(v) for v in value) + "]"
        args += ["-p", f"{name}:={value}"]
    return args


class NodeProcess:
    """A real node executable from install/, logging to a file the test can read."""

    def __init__(self, exe: str, lease: DomainLease, params: Optional[Dict[str, object]] = None,
                 extra_args: Optional[List[str]] = None, log_dir: Optional[Path] = None,
                 env: Optional[Dict[str, str]] = None) -> None:
        path = INSTALL_LIB / exe
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run 'make build' first")
        self.exe = exe
        self.log_path = Path(log_dir or tempfile.mkdtemp()) / f"{exe}-{os.getpid()}-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")
        cmd = [str(path)] + ros_args(params or {}) + (extra_args or [])
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=lease.env(env),
                                     start_new_session=True)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    def stop(self, timeout: float = 10.0) -> int:
        """Send SIGINT (Ctrl-C) and wait; kill if it does not end. Return the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def __enter__(self) -> "NodeProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
