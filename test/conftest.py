"""Fixtures shared by all tests: a DDS domain of each test's own, rclpy contexts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")

from support.ros_env import DomainLease  # noqa: E402


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under GESTURE_ROS_STRICT=1 (CI) a skipped test is a failure, not a pass."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("GESTURE_ROS_STRICT") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under GESTURE_ROS_STRICT=1 (CI must run every test): {report.longrepr}"
