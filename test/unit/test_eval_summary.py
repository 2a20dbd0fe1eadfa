"""The eval summary's verdict on a stroke and its return stroke: one swipe; a shape held after it is not one."""

from gesture_ros.toolkit.eval_summary import event_lines
from gesture_ros.toolkit.event_eval import HELD_MARK


def verdicts(events: list[str]) -> str:
    line = event_lines({"m": {"clips": {"swipe_left + return after 0.00 s[hands]": events}}})[2]
    return line


def test_one_swipe_is_as_expected_and_a_held_shape_on_the_held_frame_does_not_count():
    assert verdicts(["TRIGGER swipe_left 1.40s"]).endswith("(as expected)")
    assert verdicts(["TRIGGER swipe_left 1.40s", f"START pointing 3.36s {HELD_MARK}"]).endswith("(as expected)")


def test_an_opposite_swipe_a_missing_swipe_or_a_shape_during_the_strokes_is_not():
    assert "**expected" in verdicts(["TRIGGER swipe_right 2.17s"])
    assert "**expected" in verdicts(["TRIGGER swipe_left 1.40s", f"TRIGGER swipe_right 2.45s {HELD_MARK}"])
    assert "**expected" in verdicts(["START pointing 1.96s", "TRIGGER swipe_left 2.45s"])
    assert "**expected" in verdicts(["swipe_left", "pointing"])  # the old, untimed format
