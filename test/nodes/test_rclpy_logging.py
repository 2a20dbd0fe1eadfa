"""LogThrottle with rclpy's own logger (needs ROS 2)."""

import pytest

rclpy_logging = pytest.importorskip("rclpy.logging")

from gesture_ros.common.log_throttle import LogThrottle  # noqa: E402


def test_throttles_of_different_severities_share_one_rclpy_logger():
    logger = rclpy_logging.get_logger("gesture_ros_throttle_test")
    warn, info, error = LogThrottle(logger.warning, 0.0), LogThrottle(logger.info, 0.0), LogThrottle(logger.error, 0.0)
    for i in range(3):  # rclpy raised "Logger severity cannot be changed between calls" here before
        assert warn(f"warning {i}") and info(f"info {i}") and error(f"error {i}")
