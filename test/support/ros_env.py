"""Give each test its own DDS domain on loopback, and start real node executables."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from tools import child_process
from tools.child_process import TEST_DOMAINS, ros_args, stop_process

REPO = Path(__file__).resolve().parents[2]
INSTALL_LIB = REPO / "install" / "gesture_ros" / "lib" / "gesture_ros"

__all__ = ["INSTALL_LIB", "REPO", "DomainLease", "NodeProcess", "ros_args"]


class DomainLease(child_process.DomainLease):
    """A ROS_DOMAIN_ID of the tests' range, held exclusively by this process until released."""

    def __init__(self) -> None:
        super().__init__(TEST_DOMAINS)


class NodeProcess:
    """A real node executable from install/, logging to a file the test can read."""

    def __init__(self, exe: str, lease: DomainLease, params: dict[str, object] | None = None,
                 extra_args: list[str] | None = None, log_dir: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
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
        code = stop_process(self.proc, timeout=timeout)
        self._log.close()
        return code

    def __enter__(self) -> NodeProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
