"""Child processes of benchmarks, demos and tests: node executables on a DDS domain of their own.

``DomainLease`` holds a ROS_DOMAIN_ID through a lock file, so parallel runs on one machine never
share a domain; ``node_command`` builds ``<exe> --ros-args -p name:=value ...`` for an installed
node; ``stop_process`` ends a child the way an operator would, killing it only if it hangs.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from gesture_ros.common.paths import share_dir

REPO_INSTALL_LIB = Path(__file__).resolve().parents[1] / "install" / "gesture_ros" / "lib" / "gesture_ros"
LOCK_DIR = Path(tempfile.gettempdir()) / "gesture_ros_domains"
# Domain ids by user, so benchmarks and tests never wait on each other's locks. Fast DDS maps
# domain d to ports 7400 + 250*d (+ offsets): every id here stays inside the port range.
TEST_DOMAINS = range(1, 101)
BENCH_DOMAINS = range(101, 231)


_NEXT: dict[range, int] = {}  # per range of ids: where this process's next search starts


class DomainLease:
    """A ROS_DOMAIN_ID held exclusively by this process until released (or it dies)."""

    def __init__(self, ids: range = BENCH_DOMAINS) -> None:
        LOCK_DIR.mkdir(exist_ok=True)
        # Parallel runs start their search at different ids; one run goes on after the id it took last,
        # so a domain just given back is not handed out again while the last user's nodes may still be
        # leaving its graph.
        start = _NEXT.get(ids, os.getpid() % len(ids))
        for domain in list(ids[start:]) + list(ids[:start]):
            handle: IO = open(LOCK_DIR / f"{domain}.lock", "w")  # noqa: SIM115 (the lock lives with the handle)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self.domain_id = domain
            self._handle = handle
            _NEXT[ids] = (ids.index(domain) + 1) % len(ids)
            return
        raise RuntimeError(f"every ROS domain id in {ids} is taken by other runs on this machine")

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Return an environment for a child process on this domain, loopback only."""
        env = dict(os.environ)
        # Node scripts start with '#!/usr/bin/env python3': make that this interpreter.
        env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
        env.update(ROS_DOMAIN_ID=str(self.domain_id), ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST",
                   PYTHONUNBUFFERED="1", PYTHONSAFEPATH="1")
        env.update(extra or {})
        return env

    def release(self) -> None:
        """Give the domain id back."""
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()


def node_executable(exe: str) -> Path:
    """Return the installed executable ``exe`` of this package; FileNotFoundError if it is not built."""
    installed = share_dir().parents[1] / "lib" / "gesture_ros" / exe  # share/gesture_ros -> lib/gesture_ros
    built_here = REPO_INSTALL_LIB / exe  # not found through ament: this checkout's own install/
    for path in (installed, built_here):
        if path.exists():
            return path
    raise FileNotFoundError(f"{built_here} is missing: run 'make build' first")


def ros_args(params: Mapping[str, object]) -> list[str]:
    """Turn a dict into ``--ros-args -p name:=value`` arguments (bools, numbers, lists, strings)."""
    args = ["--ros-args"]
    for name, value in params.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = "[" + ",".join(f"'{v}'" if isinstance(v, str) else str(v) for v in value) + "]"
        args += ["-p", f"{name}:={value}"]
    return args


def node_command(exe: str, params: Mapping[str, object] | None = None) -> list[str]:
    """Return the command line that runs node ``exe`` with ``params`` under this interpreter."""
    return [sys.executable, str(node_executable(exe))] + ros_args(params or {})


def stop_process(proc: subprocess.Popen, sig: int = signal.SIGINT, timeout: float = 10.0) -> int:
    """Send ``sig`` if ``proc`` still runs, wait up to ``timeout`` s, then kill it; return its exit code."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def stop_processes(procs: Iterable[subprocess.Popen], sig: int = signal.SIGINT, timeout: float = 10.0) -> None:
    """Signal every process still running at once, newest first, then stop each as ``stop_process``."""
    procs = list(procs)
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.send_signal(sig)
    for proc in procs:
        stop_process(proc, sig, timeout)
