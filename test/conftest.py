"""Fixtures shared by all tests: a DDS domain of each test's own, rclpy contexts; the rooms' markers.

test/unit: plain Python (no ROS; run under Python 3.10 by make test-core), test/nodes: real rclpy
nodes over DDS, test/system: launches, whole pipelines, real-data evaluations, training.
``make test-fast`` runs ``-m "unit or nodes"``.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
# The tests publish camera-sized images themselves: the same Fast DDS profile as the nodes', set
# before the first participant exists (a 1.4 MB best-effort sample over default UDP gets lost).
from gesture_ros.ros.dds import use_large_frame_profile  # noqa: E402

use_large_frame_profile()
# Tests stop nodes and tools with SIGINT, as Ctrl-C does. A shell without job control starts
# background jobs with SIGINT ignored, and an ignored signal stays ignored across exec: restore
# the default here so that every child started by a test can be interrupted.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from support.ros_env import DomainLease  # noqa: E402
from support.strict import pytest_make_collect_report, pytest_runtest_makereport  # noqa: E402, F401 (hooks)

ROOMS = {"unit": "plain Python, no ROS", "nodes": "real rclpy nodes over DDS on loopback",
         "system": "launches, whole pipelines, real-data evaluations, training"}


def pytest_configure(config):
    for room, what in ROOMS.items():
        config.addinivalue_line("markers", f"{room}: {what} (set by the folder test/{room})")


def pytest_collection_modifyitems(items):
    for item in items:
        room = Path(str(item.fspath)).parent.name
        if room in ROOMS:
            item.add_marker(room)


@pytest.fixture
def domain():
    """A ROS_DOMAIN_ID no other test or test run on this machine uses meanwhile."""
    lease = DomainLease()
    try:
        yield lease
    finally:
        lease.release()


@pytest.fixture
def rclpy_context(domain):
    """An initialised rclpy context on the test's own domain, shut down afterwards."""
    rclpy = pytest.importorskip("rclpy")
    context = rclpy.context.Context()
    rclpy.init(context=context, domain_id=domain.domain_id)
    try:
        yield context
    finally:
        rclpy.try_shutdown(context=context)
