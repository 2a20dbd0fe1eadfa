"""GestureDecider: keypoint frames through features, a real ONNX model and the event logic."""

from collections.abc import Iterable

import numpy as np
import pytest
from support import hand_frames as hf
from support.tiny_onnx import write_model

from gesture_ros.classify.event_config import EventConfig
from gesture_ros.classify.gesture_decider import DeciderConfig, GestureDecider
from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.common.landmarks import Field, HandLandmark, KeypointFrame

CPU = RuntimeOptions(providers=["cpu"], warmup_runs=1)


@pytest.fixture
def model(tmp_path):
    return load_model(write_model(tmp_path / "tiny.onnx", window=8, model_id="tiny", version="1"), CPU)


def decider(model, **kw) -> GestureDecider:
    events = EventConfig(**{"min_duration_s": 0.2, "cooldown_s": 0.5, **kw.pop("events", {})})
    return GestureDecider(model, DeciderConfig(events=events, **kw))


def feed(d: GestureDecider, frames: Iterable[KeypointFrame], source: str = "cam0") -> list[GestureEventData]:
    out: list[GestureEventData] = []
    for f in frames:
        out += d.push(source, f).events
    return out


def summary(events: list[GestureEventData]):
    return [(e.event_type, e.gesture) for e in events]


def test_held_hand_starts_and_ends_with_frame_stamps(model):
    d = decider(model, min_fill=1.0)
    frames = list(hf.still(30)) + list(hf.empty(20, 30))
    events = feed(d, frames)
    assert summary(events) == [(EventType.START, "open_palm"), (EventType.END, "open_palm")]
    start, end = events
    stamps = {f.stamp_ns for f in frames}
    assert start.stamp_ns in stamps and end.stamp_ns in stamps
    assert start.frame_id == "cam" and start.handedness == "right"
    assert end.start_ns == start.start_ns and end.end_ns == end.stamp_ns
    # the window needs 8 frames, then min_duration 0.2 s (5 frames) before START
    assert start.stamp_ns == hf.T0_NS + 12 * hf.STEP_NS
    assert [e.sequence for e in events] == [1, 2]
    assert len({e.event_id for e in events}) == 2
    assert all(e.model_id == "tiny" and e.model_version == "1" for e in events)


def test_sweep_right_then_left_gives_direction_following_triggers(model):
    d = decider(model, events={"deny": {"open_palm"}})
    frames = list(hf.empty(8)) + list(hf.sweep(12, 8, 0.2, 0.8)) + list(hf.empty(12, 20)) + \
        list(hf.sweep(12, 32, 0.8, 0.2, side="left")) + list(hf.empty(12, 44))
    events = feed(d, frames)
    assert summary(events) == [(EventType.TRIGGER, "swipe_right"), (EventType.TRIGGER, "swipe_left")]
    assert [e.handedness for e in events] == ["right", "left"]
    first = events[0]
    assert first.start_ns < first.stamp_ns == first.end_ns


def test_gap_ends_the_held_gesture_at_the_last_frame_before_it(model):
    d = decider(model, max_gap_s=0.5)
    events = feed(d, hf.still(20))
    assert summary(events) == [(EventType.START, "open_palm")]
    decision = d.push("cam0", hf.frame(hf.T0_NS + 19 * hf.STEP_NS + 2_000_000_000, 0.5))
    assert summary(decision.events) == [(EventType.END, "open_palm")]
    assert decision.events[0].stamp_ns == hf.T0_NS + 19 * hf.STEP_NS
    assert [n.kind for n in decision.notes] == ["gap"] and "window reset" in decision.notes[0].text
    assert d.window_fill()["cam0"] == pytest.approx(1 / 8)


def test_replay_restart_time_going_backwards_resets(model):
    d = decider(model)
    first = feed(d, hf.still(20, start=1000))
    again = feed(d, hf.still(20))  # the recording starts over: stamps go back
    assert summary(first) == [(EventType.START, "open_palm")]
    assert summary(again) == [(EventType.END, "open_palm"), (EventType.START, "open_palm")]


def test_nan_keypoints_are_reported_and_treated_as_missing(model):
    d = decider(model)
    feed(d, hf.still(10))
    bad = hf.frame(hf.T0_NS + 10 * hf.STEP_NS, 0.5)
    bad.right_hand[HandLandmark.INDEX_FINGER_TIP, Field.X] = np.nan
    decision = d.push("cam0", bad)
    (note,) = decision.notes
    assert note.kind == "nan" and "NaN" in note.text and "right_hand" in note.text
    assert d.window("cam0").view().present[-1] == np.False_


def test_mostly_missing_window_assumes_the_reject_class(model):
    d = decider(model)
    scores = [d.push("cam0", f).scores for f in list(hf.still(2)) + list(hf.empty(8, 2))]
    last = scores[-1]
    assert last is not None and not last.ran_model
    assert last.raw[0] == 1.0 and last.fill == last.length == 8


def test_sources_are_independent_with_own_sequences(model):
    d = decider(model)
    a = feed(d, hf.still(20), source="a")
    b = feed(d, hf.still(20, frame_id="cam_b"), source="b")
    assert [e.sequence for e in a] == [1] and [e.sequence for e in b] == [1]
    ends = d.close()
    assert sorted((e.source_id, e.sequence, e.event_type) for e in ends) == [
        ("a", 2, EventType.END), ("b", 2, EventType.END)]


def test_model_swap_ends_with_the_old_model_and_keeps_sequence(model, tmp_path):
    d = decider(model)
    feed(d, hf.still(20))
    new = load_model(write_model(tmp_path / "v2.onnx", window=6, model_id="tiny", version="2"), CPU)
    (end,) = d.set_model(new)
    assert end.event_type is EventType.END and end.model_version == "1" and end.sequence == 2
    events = feed(d, hf.still(20, start=20))
    assert summary(events) == [(EventType.START, "open_palm")]
    assert events[0].model_version == "2" and events[0].sequence == 3


def test_stride_runs_the_model_every_nth_frame(model):
    d = decider(model, stride=3, min_fill=1.0)
    scored = [d.push("cam0", f).scores is not None for f in hf.still(20)]
    assert sum(scored) == 5  # frames 8, 11, 14, 17, 20 of 20
    assert len(d.infer_stats) == 5


def test_partly_filled_window_is_left_padded_with_absent_rows(model):
    d = decider(model, min_fill=0.25)  # 2 of 8 frames
    decisions = [d.push("cam0", f) for f in hf.still(3)]
    assert decisions[0].scores is None
    first = decisions[1].scores
    assert first is not None and first.fill == 2 and first.length == 8
    # the tiny model averages hand.present over the window: 2 of 8 rows present, 6 zero rows
    padded = model.predict(np.concatenate([np.zeros((6, model.feature_dim), np.float32),
                                           d.window("cam0").view().features[:2]]))
    assert np.allclose(first.raw, padded, atol=1e-6)


def test_no_person_for_the_timeout_ends_the_held_gesture_at_that_frame(model):
    d = decider(model, keypoint_timeout_s=0.1, min_presence=0.0)
    assert summary(feed(d, hf.still(20))) == [(EventType.START, "open_palm")]
    events = feed(d, hf.empty(3, 20))  # 120 ms without the hand, on the frames' own stamps
    assert summary(events) == [(EventType.END, "open_palm")]
    (end,) = events
    assert end.stamp_ns == hf.T0_NS + 22 * hf.STEP_NS  # the frame at which the watchdog fired
    assert end.end_ns == hf.T0_NS + 21 * hf.STEP_NS  # the last frame decided before it
    assert feed(d, hf.empty(10, 23)) == []  # nothing more, no restart without a person
    # the same frames without the watchdog: the gesture lasts longer than 3 frames without the hand
    later = decider(model, keypoint_timeout_s=0.0, min_presence=0.0)
    feed(later, hf.still(20))
    assert feed(later, hf.empty(3, 20)) == []


def test_silent_source_is_ended_by_expire_stamped_with_the_clock(model):
    d = decider(model, keypoint_timeout_s=0.5, max_gap_s=2.0)
    for i, f in enumerate(hf.still(20)):
        d.push("cam0", f, received_s=100.0 + i * 0.04)
    last_ns = hf.T0_NS + 19 * hf.STEP_NS
    assert d.expire(now_s=100.76 + 0.4, clock_ns=last_ns + 5 * 10**9) == []  # 0.4 s of silence: not yet
    (end,) = d.expire(now_s=100.76 + 0.5, clock_ns=last_ns + 5 * 10**9)
    assert (end.event_type, end.gesture) == (EventType.END, "open_palm")
    assert end.stamp_ns == last_ns + 5 * 10**9 and end.end_ns == last_ns and end.sequence == 2
    assert d.expire(now_s=100.76 + 1.0, clock_ns=0) == [] and d.window("cam0") is not None
    assert d.expire(now_s=100.76 + 2.0, clock_ns=0) == [] and d.window("cam0") is None  # forgotten


def test_watchdog_end_is_never_stamped_before_the_last_frame(model):
    d = decider(model, keypoint_timeout_s=0.5)
    for i, f in enumerate(hf.still(20)):
        d.push("cam0", f, received_s=float(i))
    (end,) = d.expire(now_s=30.0, clock_ns=1)  # e.g. sim time whose /clock stopped long ago
    assert end.stamp_ns == hf.T0_NS + 19 * hf.STEP_NS


def test_out_of_order_frames_are_refused_and_change_nothing(model):
    d = decider(model)
    feed(d, hf.still(10))
    fill = d.window_fill()["cam0"]
    decision = d.push("cam0", hf.frame(hf.T0_NS + 5 * hf.STEP_NS, 0.5))
    assert [n.kind for n in decision.notes] == ["order"] and "out of order" in decision.notes[0].text
    assert d.window_fill()["cam0"] == fill and d.window("cam0").last_stamp_ns == hf.T0_NS + 9 * hf.STEP_NS
    assert summary(feed(d, hf.still(10, start=10))) == [(EventType.START, "open_palm")]


def test_sources_beyond_max_sources_are_refused_until_one_is_forgotten(model):
    d = decider(model, max_sources=2, keypoint_timeout_s=0.5, max_gap_s=0.5)
    d.push("a", hf.frame(hf.T0_NS, None), received_s=0.0)
    d.push("b", hf.frame(hf.T0_NS, None), received_s=0.0)
    decision = d.push("c", hf.frame(hf.T0_NS, None), received_s=0.1)
    assert [n.kind for n in decision.notes] == ["sources"] and d.window("c") is None
    d.push("a", hf.frame(hf.T0_NS + hf.STEP_NS, None), received_s=0.6)
    d.expire(now_s=0.6, clock_ns=0)  # b silent 0.6 s: forgotten; a just spoke
    assert d.window("b") is None and d.window("a") is not None
    assert d.push("c", hf.frame(hf.T0_NS, None), received_s=0.7).notes == []


def test_a_slow_stream_is_put_on_the_models_clock_decided_on_each_tick_stamped_with_real_frames(model):
    slow = [hf.frame(hf.T0_NS + i * 100_000_000, 0.2 + 0.1 * i) for i in range(3)]  # 10 fps, the model 25
    resampled, plain = decider(model), decider(model, resample=False)
    scored = [resampled.push("cam0", f).scores for f in slow]
    for f in slow:
        plain.push("cam0", f)
    view = resampled.window("cam0").view()
    assert resampled.window("cam0").fill == 6 and plain.window("cam0").fill == 3  # ticks at 0, 40, ... 200 ms
    assert np.diff(view.stamps_ns).tolist() == [40_000_000] * 5
    assert [s.frame.stamp_ns for s in scored if s is not None] == [f.stamp_ns for f in slow[1:]]  # stamped with the real frames only


def test_a_fast_stream_adds_a_row_per_tick_only_and_a_frame_shown_twice_adds_nothing(model):
    fast = [hf.frame(hf.T0_NS + i * 10_000_000, 0.5) for i in range(13)]  # 100 fps for 120 ms
    d = decider(model)
    for f in fast + fast[-1:]:
        d.push("cam0", f)
    assert d.window("cam0").view().stamps_ns.tolist() == [hf.T0_NS + k * 40_000_000 for k in range(4)]


def test_frames_a_gap_apart_are_not_filled_in_the_window_resets(model):
    d = decider(model, max_gap_s=0.5)
    d.push("cam0", hf.frame(hf.T0_NS, 0.5))
    note = d.push("cam0", hf.frame(hf.T0_NS + 600_000_000, 0.5)).notes
    assert d.window("cam0").fill == 1 and [n.kind for n in note] == ["gap"]
