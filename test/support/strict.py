"""CI's strict mode (GESTURE_ROS_STRICT=1): a skipped test is a failure, at run time and at collection.

A module-level ``pytest.importorskip("rclpy")`` skips the whole module while pytest collects it;
without the collection hook those tests would vanish from a CI run without a failure.
"""

from __future__ import annotations

import os

import pytest


def strict() -> bool:
    return os.environ.get("GESTURE_ROS_STRICT") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under GESTURE_ROS_STRICT=1 (CI) a skipped test is a failure, not a pass."""
    outcome = yield
    report = outcome.get_result()
    if strict() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under GESTURE_ROS_STRICT=1 (CI must run every test): {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """Under GESTURE_ROS_STRICT=1 a module skipped while collected is an error, not a silent gap."""
    outcome = yield
    report = outcome.get_result()
    if strict() and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (f"{collector.nodeid} was skipped while collected under GESTURE_ROS_STRICT=1 "
                           f"(CI must run every test): {reason}")
