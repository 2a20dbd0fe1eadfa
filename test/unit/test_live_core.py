"""ROS-free parts of live operation: the replay clock, drop patterns, the frame-flow warnings, keypoint archives."""

from __future__ import annotations

import numpy as np
import pytest

from gesture_ros.common.keypoint_archive import read_archive, write_archive
from gesture_ros.common.landmarks import KeypointFrame, empty_landmarks
from gesture_ros.perception.keeping_up import FlowLimits, FrameFlow
from gesture_ros.perception.replay_clock import ReplayClock
from gesture_ros.toolkit.drops import keep_pattern, skipped_before

MS = 1_000_000


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_replay_clock_in_real_time_is_the_wall_clock_between_frames():
    mono = FakeMonotonic()
    clock = ReplayClock(mono)
    assert clock.now_ns() is None  # nothing replayed yet
    assert clock.frame_out(1000 * MS, next_stamp_ns=1040 * MS) == 1000 * MS
    mono.t += 0.025
    assert clock.now_ns() == 1025 * MS
    mono.t += 0.015  # the next frame is due exactly now
    assert clock.now_ns() == 1040 * MS


def test_replay_clock_waits_for_a_slow_replay_and_jumps_for_a_fast_one():
    mono = FakeMonotonic()
    clock = ReplayClock(mono)
    clock.frame_out(0, next_stamp_ns=40 * MS)
    mono.t += 2.0  # the camera waits 2 s for its consumer: the world waits with it
    assert clock.now_ns() == 40 * MS
    assert clock.frame_out(40 * MS, next_stamp_ns=80 * MS) == 40 * MS
    mono.t += 0.005  # faster than real time: the next frame goes out 5 ms later
    assert clock.frame_out(80 * MS, next_stamp_ns=120 * MS) == 80 * MS  # jumps to the frame's stamp
    assert clock.now_ns() == 80 * MS


def test_replay_clock_never_goes_back_and_stops_after_the_last_frame():
    mono = FakeMonotonic()
    clock = ReplayClock(mono)
    clock.frame_out(500 * MS, next_stamp_ns=540 * MS)
    mono.t += 0.030
    assert clock.now_ns() == 530 * MS
    assert clock.frame_out(520 * MS, next_stamp_ns=560 * MS) == 530 * MS  # an earlier stamp: time stays
    mono.t += 10.0
    assert clock.now_ns() == 560 * MS  # the end of the last frame; then it stops


def test_drop_patterns_are_deterministic_and_spread():
    assert keep_pattern(10, 0.5) == [True, False] * 5
    keep = keep_pattern(100, 0.3)
    assert sum(keep) == 70 and keep[0]
    assert max(len(run) for run in "".join("x" if k else "." for k in keep).split("x")) == 1  # never 2 in a row
    assert keep_pattern(5, 0.0) == [True] * 5
    assert skipped_before([True, False, False, True, True, False, True]) == [0, 0, 1, 2, 0, 0, 1]
    with pytest.raises(ValueError, match="in \\[0, 1\\)"):
        keep_pattern(3, 1.0)


def test_frame_flow_warns_when_falling_behind_and_when_images_stop():
    flow = FrameFlow(FlowLimits(max_drop_fraction=0.25, no_image_s=2.0), span_s=5.0)
    t = 1000.0
    for i in range(30):  # 30 Hz in, every other image dropped
        flow.received(t + i / 30)
        if i % 2:
            flow.dropped(t + i / 30)
        else:
            flow.processed(t + i / 30)
    now = t + 1.0
    figures = flow.figures(now)
    assert figures["input rate hz"] == pytest.approx(30, rel=0.05)
    assert figures["processed rate hz"] == pytest.approx(15, rel=0.1)
    assert figures["dropped fraction"] == pytest.approx(0.5)
    (problem,) = flow.problems(now)
    assert "falling behind the camera: 50% of the images dropped" in problem
    (problem,) = flow.problems(now + 3.0)
    assert problem.startswith("no images for 3.0 s")  # the last image came at t + 29/30 s
    flow.limits.max_drop_fraction = 0.6
    assert flow.problems(now) == []


def test_frame_flow_without_any_image_says_so():
    flow = FrameFlow(FlowLimits(no_image_s=0.0))
    assert "since the start" in flow.problems()[0]


def test_keypoint_archive_round_trip(tmp_path):
    hand = empty_landmarks(21)
    hand[:, 0] = np.linspace(0, 1, 21)
    frames = [KeypointFrame(stamp_ns=20, image_width=64, image_height=48, right_hand=hand),
              KeypointFrame(stamp_ns=10, image_width=64, image_height=48, pose=empty_landmarks(33) + 0.5)]
    write_archive(tmp_path / "k.npz", frames)
    back = read_archive(tmp_path / "k.npz")
    assert [f.stamp_ns for f in back] == [10, 20]
    assert back[0].pose is not None and back[0].right_hand is None and back[0].left_hand is None
    np.testing.assert_array_equal(back[1].right_hand, hand)
    assert (back[1].image_width, back[1].image_height) == (64, 48)
