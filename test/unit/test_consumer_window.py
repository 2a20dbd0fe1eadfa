"""perception/consumer_window.py on plain threads: the handshake of camera_node's as_fast_as_consumed pace."""

from __future__ import annotations

import threading

from gesture_ros.perception.consumer_window import ConsumerWindow


def test_an_answer_answers_its_frame_and_every_older_one():
    w = ConsumerWindow()
    for stamp in (10, 20, 30):
        w.sent(stamp)
    w.answered(20)
    assert len(w) == 1
    assert w.wait_for_room(2, 0.0, lambda: True) == []


def test_the_sender_waits_for_room_until_a_consumer_thread_answers():
    w = ConsumerWindow()
    w.sent(1)
    w.sent(2)
    waiting = threading.Event()
    result: list = []

    def sender() -> None:
        waiting.set()
        result.append(w.wait_for_room(2, 30.0, lambda: True))

    t = threading.Thread(target=sender)
    t.start()
    assert waiting.wait(10.0)
    w.answered(1)
    t.join(30.0)
    assert not t.is_alive() and result == [[]] and len(w) == 1


def test_a_full_window_is_given_up_after_the_timeout():
    w = ConsumerWindow()
    w.sent(5)
    w.sent(6)
    assert w.wait_for_room(2, 0.05, lambda: True) == [5, 6]
    assert len(w) == 0


def test_a_stop_wakes_the_waiting_sender():
    w = ConsumerWindow()
    w.sent(1)
    stopped = threading.Event()
    result: list = []
    t = threading.Thread(target=lambda: result.append(w.wait_for_room(1, 30.0, lambda: not stopped.is_set())))
    t.start()
    stopped.set()
    w.wake()
    t.join(30.0)
    assert not t.is_alive() and result == [[]] and len(w) == 1


def test_drain_returns_once_every_frame_is_answered_or_done():
    w = ConsumerWindow()
    assert w.drain(0.0, lambda: False)
    w.sent(7)
    assert not w.drain(0.05, lambda: False)
    assert w.drain(0.0, lambda: True)
    threading.Timer(0.05, w.answered, args=(7,)).start()
    assert w.drain(30.0, lambda: False)
    w.sent(8)
    w.clear()
    assert len(w) == 0
