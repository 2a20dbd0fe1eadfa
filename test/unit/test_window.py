"""Sliding window: order, fill, gap and time-reversal resets, missing frames."""

import numpy as np
import pytest

from gesture_ros.classify.window import PushResult, SlidingWindow

MS = 1_000_000


def _vec(value: float, dim: int = 3) -> np.ndarray:
    return np.full(dim, value, dtype=np.float32)


def test_fills_then_slides_oldest_first():
    w = SlidingWindow(length=4, feature_dim=3, max_gap_ns=100 * MS)
    for i in range(4):
        assert not w.full
        assert w.push(i * 40 * MS, _vec(i)) is PushResult.ADDED
    assert w.full and w.fill == 4
    for i in range(4, 7):
        w.push(i * 40 * MS, _vec(i))
    view = w.view()
    assert view.features[:, 0].tolist() == [3, 4, 5, 6]
    assert view.stamps_ns.tolist() == [120 * MS, 160 * MS, 200 * MS, 240 * MS]
    assert view.start_ns == 120 * MS and view.end_ns == 240 * MS


def test_view_is_a_copy():
    w = SlidingWindow(2, 3, 100 * MS)
    w.push(0, _vec(1))
    w.push(40 * MS, _vec(2))
    view = w.view()
    w.push(80 * MS, _vec(3))
    assert view.features[:, 0].tolist() == [1, 2]


def test_gap_longer_than_max_resets():
    w = SlidingWindow(3, 3, max_gap_ns=100 * MS)
    for i in range(3):
        w.push(i * 40 * MS, _vec(i))
    assert w.full
    assert w.push(80 * MS + 101 * MS, _vec(9)) is PushResult.GAP
    assert w.fill == 1
    assert w.view().features[:, 0].tolist() == [9]


def test_gap_equal_to_max_is_kept():
    w = SlidingWindow(3, 3, max_gap_ns=100 * MS)
    w.push(0, _vec(0))
    assert w.push(100 * MS, _vec(1)) is PushResult.ADDED
    assert w.fill == 2


def test_time_going_backwards_resets_and_duplicates_are_ignored():
    w = SlidingWindow(3, 3, max_gap_ns=100 * MS)
    w.push(1000 * MS, _vec(0))
    w.push(1040 * MS, _vec(1))
    assert w.push(1040 * MS, _vec(7)) is PushResult.DUPLICATE
    assert w.fill == 2
    assert w.push(0, _vec(2)) is PushResult.BACKWARDS
    assert w.fill == 1 and w.last_stamp_ns == 0


def test_missing_frames_take_their_slot_and_count():
    w = SlidingWindow(4, 3, max_gap_ns=100 * MS)
    for i, present in enumerate([True, False, False, True]):
        w.push(i * 40 * MS, _vec(0 if not present else 1), present)
    view = w.view()
    assert view.present.tolist() == [True, False, False, True]
    assert view.presence == pytest.approx(0.5)


def test_wrong_feature_length_is_refused():
    w = SlidingWindow(4, 3, 100 * MS)
    with pytest.raises(ValueError, match="shape"):
        w.push(0, np.zeros(5, dtype=np.float32))
    assert w.fill == 0


def test_clear_forgets_everything():
    w = SlidingWindow(2, 3, 100 * MS)
    w.push(0, _vec(0))
    w.clear()
    assert w.fill == 0 and w.last_stamp_ns is None
    # after a clear, any stamp is accepted without a gap report
    assert w.push(10_000 * MS, _vec(1)) is PushResult.ADDED
