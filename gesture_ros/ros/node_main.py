"""Run one node class as a process: the body of every node's ``main()``.

Init rclpy, build the node, spin until Ctrl-C, SIGTERM, an external shutdown or a node's own
end condition, then close and destroy the node and shut rclpy down. The one-process pipeline,
benchmarks and tests use the same ``close_node`` and ``spin_until``.
"""

from __future__ import annotations

import re
import signal
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import rclpy
from rclpy.executors import Executor, ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

from gesture_ros.ros import dds

NodeT = TypeVar("NodeT", bound=Node)
SPIN_PERIOD_S = 0.1  # spin_once returns to Python this often, so Ctrl-C and ``until`` are seen


def run_node(node_class: type[NodeT], args: list[str] | None = None, *,
             startup_errors: tuple[type[Exception], ...] = (), large_frames: bool = False,
             own_signals: bool = False, until: Callable[[NodeT], bool] | None = None,
             executor: Callable[[], Executor] = SingleThreadedExecutor) -> None:
    """Run ``node_class()`` until it is interrupted, shut down or ``until(node)`` holds.

    ``large_frames``: point Fast DDS at the large-frame profile first (image publishers).
    ``own_signals``: Ctrl-C and SIGTERM raise KeyboardInterrupt instead of rclpy shutting
    the context down at once, so ``destroy_node`` can still publish (held gestures' ENDs).
    ``startup_errors``: exceptions of the constructor that mean bad parameters or files; they
    are logged as one sentence and the process exits with status 1.
    """
    profile = dds.use_large_frame_profile() if large_frames else None
    if own_signals:
        rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
        interrupt_on_signals()
    else:
        rclpy.init(args=args)
    node: NodeT | None = None
    runner = executor()
    failed = False
    try:
        try:
            node = node_class()
        except startup_errors as exc:
            rclpy.logging.get_logger(node_name(node_class)).fatal(f"cannot start: {exc}")
            failed = True
        if node is not None:
            if profile:
                node.get_logger().debug(f"Fast DDS profile for large images: {profile}")
            runner.add_node(node)
            while rclpy.ok() and not (until is not None and until(node)):
                runner.spin_once(timeout_sec=SPIN_PERIOD_S)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        runner.shutdown(timeout_sec=2.0)
        if node is not None:
            close_node(node)
        rclpy.try_shutdown()
    if failed:
        sys.exit(1)


def close_node(node: Node) -> None:
    """Release what the node holds (its ``close()``, where it has one), then destroy it."""
    close = getattr(node, "close", None)
    if callable(close):
        close()
    node.destroy_node()


def spin_until(executor: Executor, done: Callable[[], bool], timeout_s: float) -> bool:
    """Spin ``executor`` until ``done()`` holds or ``timeout_s`` passes; return ``done()``."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if done():
            return True
        executor.spin_once(timeout_sec=0.05)
    return done()


def interrupt_on_signals() -> None:
    """Make SIGINT and SIGTERM raise KeyboardInterrupt in the main thread."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


def node_name(node_class: type) -> str:
    """Return the default node name of a class: ``ActionDispatchNode`` -> ``action_dispatch_node``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", node_class.__name__).lower()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
