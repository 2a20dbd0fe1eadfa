"""Log throttling, bounded text and bad-input counting (ROS-free; rclpy's logger: test_rclpy_logging.py)."""

from gesture_ros.common.bad_input import BadInputLog
from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.safe_text import bounded


def test_each_key_is_said_once_per_period_with_the_repeats_counted():
    lines = []
    throttle = LogThrottle(lines.append, 5.0)
    assert throttle("layout broken", key="layout", now=0.0)
    assert not throttle("layout broken again", key="layout", now=1.0)
    assert throttle("stamp bad", key="stamp", now=1.5)
    assert throttle("layout broken", key="layout", now=6.0)
    assert lines == ["layout broken", "stamp bad", "layout broken (repeated 1 more times)"]


def test_outside_text_is_cut_and_escaped():
    assert bounded("plain") == "plain"
    assert bounded("a\x00b\nc\x1b[2J") == "a\\x00b\\nc\\x1b[2J"
    long = bounded("x" * 100_000, 20)
    assert long == "x" * 20 + "... (100000 characters)"
    lines = []
    LogThrottle(lines.append)("id " + "y" * 100_000)
    assert len(lines[0]) < 1100


def test_bad_input_is_counted_per_kind_and_logged_once_per_kind():
    lines = []
    bad = BadInputLog(lines.append, period_s=60.0)
    for i in range(500):
        bad("layout" if i % 2 else "stamp", f"message {i} refused")
    assert lines == ["message 0 refused", "message 1 refused"]
    assert bad.total == 500 and bad.figures("refused:") == {"refused: layout": 250, "refused: stamp": 250}


def test_ready_counts_every_occurrence_since_the_key_was_last_logged():
    throttle = LogThrottle(period_s=10.0)  # no logger: the caller formats and logs itself
    assert throttle.ready("full", now=0.0) == 1
    assert [throttle.ready("full", now=t) for t in (1.0, 2.0, 3.0)] == [0, 0, 0]
    assert throttle.ready("other", now=3.0) == 1
    assert throttle.ready("full", now=10.5) == 4  # three quiet ones plus this one
