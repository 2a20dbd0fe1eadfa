"""Run one node class as a process: the body of every node's ``main()``.

Init rclpy, build the node, spin until Ctrl-C, SIGTERM, an external shutdown or a node's own
end condition, then close and destroy the node and shut rclpy down. The one-process pipeline,
benchmarks and tests use the same ``close_node``, ``spin_until`` and ``StopSignals``.

Signals never raise here. A terminal's Ctrl-C reaches every process of its group and
``ros2 launch`` forwards another SIGINT to each node: the first signal asks the spin loop to
stop, repeats while the node closes are ignored (an exception raised inside shutdown code
would kill it half-closed, with a traceback and exit code -2). rclpy's own handler is not
installed, so the context stays valid while ``close``/``destroy_node`` run and a node can
still publish on the way out (the classifier's ENDs of held gestures).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import rclpy
from rclpy.executors import Executor, ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

from gesture_ros.ros import dds
from gesture_ros.ros.empty_lists import empty_list_overrides

NodeT = TypeVar("NodeT", bound=Node)
SPIN_PERIOD_S = 0.1  # spin_once returns to Python this often, so a stop request and ``until`` are seen
FORCE_AFTER_S = 4.0  # a signal this long after the first one means closing hangs: exit at once


class StopSignals:
    """SIGINT and SIGTERM as a stop request (an Event), never as an exception."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self._first: float | None = None

    def install(self) -> StopSignals:
        """Handle SIGINT and SIGTERM in this process from now on; return self."""
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        return self

    def _on_signal(self, signum: int, frame) -> None:
        now = time.monotonic()
        if self._first is None:
            self._first = now
        elif now - self._first > FORCE_AFTER_S:
            # ros2 launch escalates to SIGTERM after 5 s: closing is stuck, leave without it.
            print(f"{signal.Signals(signum).name} while still closing after {now - self._first:.0f} s: "
                  "exiting without finishing", file=sys.stderr, flush=True)
            os._exit(128 + signum)
        self.requested.set()

    @staticmethod
    def ignore() -> None:
        """Ignore SIGINT and SIGTERM from now on: the process is closing.

        Python restores the default (deadly) handlers while it finalizes, and a second Ctrl-C
        then would kill the process with -2 after a clean close; an ignored signal stays ignored.
        """
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def run_node(node_class: type[NodeT], args: list[str] | None = None, *,
             startup_errors: tuple[type[Exception], ...] = (), large_frames: bool = False,
             until: Callable[[NodeT], bool] | None = None,
             executor: Callable[[], Executor] = SingleThreadedExecutor) -> None:
    """Run ``node_class()`` until a stop signal, an external shutdown or ``until(node)``; exit 0 if clean.

    ``large_frames``: point Fast DDS at the large-frame profile first (image publishers).
    ``startup_errors``: exceptions of the constructor that mean bad parameters or files; they
    are logged as one sentence and the process exits with status 1, as does a failing close.
    """
    stop = StopSignals().install()
    profile = dds.use_large_frame_profile() if large_frames else None
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    node: NodeT | None = None
    runner = executor()
    failed = False
    try:
        try:
            empties = empty_list_overrides(sys.argv if args is None else args, node_name(node_class))
            node = node_class(**({"parameter_overrides": empties} if empties else {}))
        except startup_errors as exc:
            rclpy.logging.get_logger(node_name(node_class)).fatal(f"cannot start: {exc}")
            failed = True
        if node is not None:
            if profile:
                node.get_logger().debug(f"Fast DDS profile for large images: {profile}")
            runner.add_node(node)
            while rclpy.ok() and not stop.requested.is_set() and not (until is not None and until(node)):
                runner.spin_once(timeout_sec=SPIN_PERIOD_S)
    except ExternalShutdownException:
        pass
    finally:
        runner.shutdown(timeout_sec=2.0)
        if node is not None and not close_quietly(node):
            failed = True
        rclpy.try_shutdown()
        stop.ignore()
    if failed:
        sys.exit(1)


def close_node(node: Node) -> None:
    """Release what the node holds (its ``close()``, where it has one), then destroy it."""
    close = getattr(node, "close", None)
    if callable(close):
        close()
    node.destroy_node()


def close_quietly(node: Node) -> bool:
    """Close and destroy the node as ``close_node``, logging a failure in one line; return success."""
    log = rclpy.logging.get_logger(node.get_name())
    ok = True
    for step in (getattr(node, "close", None), node.destroy_node):
        if not callable(step):
            continue
        try:
            step()
        except Exception as exc:  # noqa: BLE001 (one line, then the next step still runs)
            log.error(f"{step.__name__} failed at shutdown: {exc!r}")
            ok = False
    return ok


def spin_until(executor: Executor, done: Callable[[], bool], timeout_s: float) -> bool:
    """Spin ``executor`` until ``done()`` holds or ``timeout_s`` passes; return ``done()``."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if done():
            return True
        executor.spin_once(timeout_sec=0.05)
    return done()


def node_name(node_class: type) -> str:
    """Return the default node name of a class: ``ActionDispatchNode`` -> ``action_dispatch_node``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", node_class.__name__).lower()
