"""keypoint_node's newest-image hand-off (ros/newest_image.py): the worker gets the newest image, told how many it missed."""

from __future__ import annotations

import threading

from gesture_ros.perception.keeping_up import FlowLimits, FrameFlow
from gesture_ros.ros.newest_image import NewestImage


def mailbox() -> NewestImage:
    return NewestImage(FrameFlow(FlowLimits(max_drop_fraction=0.5, no_image_s=5.0)))


def test_an_image_arriving_while_one_waits_replaces_it_and_is_counted():
    images = mailbox()
    for name in ("a", "b", "c"):
        images.put(name)
    (msg, _), skipped = images.take()
    assert (msg, skipped) == ("c", 2)
    assert (images.received, images.dropped) == (3, 2)
    assert images.take() == (None, 0)


def test_the_worker_processes_images_and_switches_options_between_them():
    images = mailbox()
    seen: list[tuple[str, int, object]] = []
    state = {"options": "first"}
    done = threading.Event()

    def work(msg, received, skipped):
        seen.append((msg, skipped, state["options"]))
        if msg == "boom":
            raise ValueError("bad frame")
        if len(seen) == 3:
            done.set()
        return None, 0

    failures: list[str] = []
    images.start(work, lambda options: state.update(options=options), lambda msg, exc: failures.append(str(exc)))
    try:
        images.put("boom")  # one failing frame does not end the worker
        assert _wait(lambda: failures == ["bad frame"])
        images.set_options("second")
        images.put("x")
        assert _wait(lambda: len(seen) == 2)
        images.put("y")
        assert done.wait(10.0)
    finally:
        images.stop()
    assert [(m, o) for m, _, o in seen] == [("boom", "first"), ("x", "second"), ("y", "second")]
    assert images.pending_options("none") == "none"


def _wait(condition, timeout: float = 10.0) -> bool:
    event = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return True
        event.wait(0.01)
    return condition()
