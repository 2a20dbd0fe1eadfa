"""StampAges: keypoint_node's stamp-to-publish ages, on the wall clock or a replay clock."""

from __future__ import annotations

import math

import pytest

from gesture_ros.perception.stamp_age import StampAges


def test_ages_on_the_wall_clock_are_reported_while_no_image_is_ahead():
    ages = StampAges()
    for age_ms in (10, 20, 30):
        ages.add(age_ms * 1_000_000, replay_clock=False)
    figures = ages.figures(replay_clock=False)
    assert figures == {"age at publish p50 ms": pytest.approx(20.0), "age at publish p95 ms": pytest.approx(29.0)}


def test_images_stamped_ahead_of_the_wall_clock_leave_only_their_count():
    ages = StampAges()
    ages.add(5_000_000, replay_clock=False)
    ages.add(-3_000_000_000, replay_clock=False)  # a file replayed faster than real time, no replay clock
    assert ages.figures(replay_clock=False) == {"images stamped ahead of the clock": 1}


def test_on_a_replay_clock_an_image_ahead_counts_as_age_zero():
    ages = StampAges()
    ages.add(-1_000_000, replay_clock=True)  # its /clock message was still on the way
    ages.add(40_000_000, replay_clock=True)
    figures = ages.figures(replay_clock=True)
    assert figures["images stamped ahead of the clock"] == 1
    assert figures["age at publish p50 ms"] == pytest.approx(20.0) and not math.isnan(figures["age at publish p95 ms"])
