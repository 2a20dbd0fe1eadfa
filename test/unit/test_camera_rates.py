"""The shipped model's events do not depend on the camera's frame rate (issue 28: a window in seconds).

The shared swipe GIF (15 fps) through the real extractor, then seen by cameras at 10, 15, 25, 30
and 60 fps (each camera frame shows the GIF frame on screen at its instant, so a 60 fps camera
shows each one four times, a 25 fps one once or twice), with every frame sent twice (same stamp),
and a real 25 fps copy of the GIF extracted frame by frame: the decider puts each stream on the
model's clock (classify/frame_fill), so all give the GIF's two swipes at the same time (within
one model period and one camera period: events carry the stamp of the camera frame that completed
the deciding tick).
"""

from __future__ import annotations

import dataclasses

import pytest
from support.clips import rescaled_clip
from support.data import shared_data

from gesture_ros.common.paths import resolve_shipped
from gesture_ros.toolkit import event_eval as E

MODEL = resolve_shipped("models/gesture_default.onnx")
PREVIOUS = resolve_shipped("models/eval/gesture_default-1.4.0.onnx")  # the last release: the baseline's failure shows on it
RATES = (10, 15, 25, 30, 60)


@pytest.fixture(scope="module")
def gif():
    path = shared_data(E.SWIPE_CLIP)
    return E.clip_frames(path.parents[1], E.SWIPE_CLIP, "hands_pose")


def filmed(frames, fps: float, end_ns: int):
    """Return what a camera at ``fps`` sees of ``frames`` played at their own stamps (each shown until the next)."""
    out, i, k = [], 0, 0
    while (t := frames[0].stamp_ns + round(k * 1e9 / fps)) < end_ns:
        while i + 1 < len(frames) and frames[i + 1].stamp_ns <= t:
            i += 1
        out.append(dataclasses.replace(frames[i], stamp_ns=t))
        k += 1
    return out


def events(frames, model=MODEL, **overrides):
    t0 = frames[0].stamp_ns
    return [(e.gesture, e.event_type.name, (e.stamp_ns - t0) / 1e9)
            for e in E.run(E.decider(model, overrides), frames, "gif")]


def same(got, want, tolerance_s: float) -> bool:
    return ([g[:2] for g in got] == [w[:2] for w in want]
            and all(abs(g[2] - w[2]) <= tolerance_s for g, w in zip(got, want, strict=False)))


def test_every_camera_rate_and_frames_sent_twice_give_the_gifs_two_swipes_at_the_same_time(gif):
    end = gif[-1].stamp_ns + 70_000_000
    want = events(filmed(gif, 25, end))
    assert [w[:2] for w in want] == [("swipe_right", "TRIGGER"), ("swipe_left", "TRIGGER")]
    period = 1 / E.decider(MODEL).model.meta.fps + 1e-6
    for fps in RATES[1:]:
        got = events(filmed(gif, fps, end))
        assert same(got, want, period + 1 / fps), (fps, got, want)  # stamped with the camera's own frames
    assert same(events(gif), want, period + 1 / 15)
    assert events([f for f in gif for _ in range(2)]) == events(gif)  # a frame sent twice adds nothing
    # 10 fps sees the GIF's blurred mid-stroke frames, where the hand detector loses the hand, longer
    got = events(filmed(gif, 10, end))
    assert same(got, want, 0.25 + 1 / 10), (10, got, want)


def test_without_the_models_clock_a_60_fps_camera_reads_a_swipe_into_the_still_hand(gif):
    """The baseline: frames to the window as they come, 20 rows at 60 fps are a third of a second (the
    stroke check off: with it the early read is refused, and the swipe fires when the stroke comes)."""
    filmed60 = filmed(gif, 60, gif[-1].stamp_ns + 70_000_000)
    assert [g[:2] for g in events(filmed60, PREVIOUS)] == [("swipe_right", "TRIGGER"), ("swipe_left", "TRIGGER")]
    assert [g[:2] for g in events(filmed60, PREVIOUS, resample=False)][:1] == [("swipe_right", "TRIGGER")]
    got = events(filmed60, PREVIOUS, resample=False, stroke_gestures=[])
    assert [g[:2] for g in got][:1] == [("swipe_right", "TRIGGER")] and got[0][2] < 0.5


def test_a_real_25_fps_copy_of_the_gif_frames_shown_once_or_twice_gives_the_two_swipes(tmp_path, gif):
    clip, _ = rescaled_clip(shared_data(E.SWIPE_CLIP), tmp_path / "gif25.avi", size=(640, 360), fps=25)
    copy = E.clip_frames(tmp_path, clip.name, "hands_pose")
    got = events(copy)
    assert [g[:2] for g in got] == [("swipe_right", "TRIGGER"), ("swipe_left", "TRIGGER")], got
