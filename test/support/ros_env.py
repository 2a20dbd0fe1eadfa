"""Give each test its own DDS domain on loopback, start real node executables, and a probe node of the test's own."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tools import child_process
from tools.child_process import TEST_DOMAINS, ros_args, stop_process

REPO = Path(__file__).resolve().parents[2]
INSTALL_LIB = REPO / "install" / "gesture_ros" / "lib" / "gesture_ros"

__all__ = ["INSTALL_LIB", "REPO", "DomainLease", "NodeProcess", "ProbeNode", "ros_args"]


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


class ProbeNode:
    """The test's own rclpy node on an executor of its own, spun while the test waits; ``close`` it after.

    A subclass subscribes and publishes on ``self.node`` and keeps what arrives; a fixture hands it out in
    ``contextlib.closing``.
    """

    def __init__(self, context, name: str) -> None:
        import rclpy  # here, not at the top: the plain-Python tests import this module without ROS
        from rclpy.executors import SingleThreadedExecutor

        self.node = rclpy.create_node(name, context=context)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)

    def spin_until(self, done: Callable[[], bool], timeout: float = 30.0) -> bool:
        """Spin until ``done()`` holds or ``timeout`` seconds pass; return ``done()``."""
        from gesture_ros.ros.node_main import spin_until

        return spin_until(self.executor, done, timeout)

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
