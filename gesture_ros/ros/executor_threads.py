"""One SingleThreadedExecutor per node, each spinning in a thread of its own.

The one-process pipeline runs its nodes in parallel this way instead of on one rclpy
MultiThreadedExecutor: that executor rebuilds a wait set over every entity of every node
(publishers' QoS event handlers, parameter services, timers) in Python on each wake-up, in
the main thread, and held a CPU core busy doing so (bench pipeline: ~40 ms CPU per frame).
Here a wake-up only walks the entities of the node it concerns and a thread with no work
blocks in rcl_wait. Each node's callbacks stay serialized, as with its own process.
"""

from __future__ import annotations

import threading

from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node

IDLE_WAKE_S = 0.5  # an idle spinner checks for stop this often (stop() also wakes it at once)


class ExecutorThreads:
    """Spin each added node in its own thread; re-raise a callback's exception in ``check()``."""

    def __init__(self, context=None) -> None:
        self._context = context
        self._stop = threading.Event()
        self._spinners: list[tuple[SingleThreadedExecutor, threading.Thread]] = []
        self._error: BaseException | None = None

    def add_node(self, node: Node) -> None:
        """Start spinning ``node`` in a new thread named after it."""
        executor = SingleThreadedExecutor(context=self._context)
        executor.add_node(node)
        thread = threading.Thread(target=self._spin, args=(executor,), name=f"spin:{node.get_name()}",
                                  daemon=True)
        self._spinners.append((executor, thread))
        thread.start()

    def _spin(self, executor: SingleThreadedExecutor) -> None:
        try:
            while not self._stop.is_set() and executor.context.ok():
                executor.spin_once(timeout_sec=IDLE_WAKE_S)
        except ExternalShutdownException:
            pass
        except BaseException as exc:  # noqa: BLE001 (handed to the main thread by check())
            self._error = self._error or exc

    def check(self) -> None:
        """Raise the first exception a callback raised in any spinner thread."""
        if self._error is not None:
            raise self._error

    def shutdown(self, timeout_s: float = 2.0) -> None:
        """Stop every spinner, wait for its current callback, release the executors."""
        self._stop.set()
        for executor, _ in self._spinners:
            executor.wake()
        for executor, thread in self._spinners:
            thread.join(timeout=timeout_s)
            executor.shutdown(timeout_sec=0)
        self._spinners.clear()
