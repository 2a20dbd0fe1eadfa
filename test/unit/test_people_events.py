"""Per-person gesture state, person ids through messages, payload, venue tally and rviz markers."""

import dataclasses

import pytest
from support import hand_frames as hf
from support.tiny_onnx import write_model

from gesture_ros.bridge.payload import decode, encode
from gesture_ros.bridge.tally import CrowdTally
from gesture_ros.classify.event_config import EventConfig
from gesture_ros.classify.gesture_decider import DeciderConfig, GestureDecider
from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
from gesture_ros.common.gesture_event import EventType, GestureEventData
from gesture_ros.common.landmarks import KeypointFrame

CPU = RuntimeOptions(providers=["cpu"], warmup_runs=1)


@pytest.fixture
def decider(tmp_path):
    model = load_model(write_model(tmp_path / "tiny.onnx", window=8, model_id="tiny", version="1"), CPU)
    config = DeciderConfig(events=EventConfig(min_duration_s=0.2, cooldown_s=0.5), keypoint_timeout_s=0.5, min_fill=1.0)
    return GestureDecider(model, config)


def person(frame: KeypointFrame, person_id: int) -> KeypointFrame:
    return dataclasses.replace(frame, person_id=person_id)


def test_two_people_of_one_camera_keep_their_own_windows_and_events(decider):
    events = []
    holding = list(hf.still(40, x=0.3))  # person 1 holds an open palm
    idle = list(hf.empty(40))  # person 2 stands there, hands down
    for a, b in zip(holding, idle, strict=True):
        events += decider.push("cam", person(a, 1)).events + decider.push("cam", person(b, 2)).events
    assert [(e.person_id, e.event_type, e.gesture) for e in events] == [(1, EventType.START, "open_palm")]
    assert set(decider.window_fill()) == {"cam#1", "cam#2"}
    assert decider.window("cam", 1).fill == 8 and decider.window("cam") is None


def test_a_person_who_leaves_has_their_hold_ended_on_the_other_peoples_frames(decider):
    events = []
    for f in hf.still(30, x=0.3):
        events += decider.push("cam", person(f, 1)).events + decider.push("cam", person(hf.frame(f.stamp_ns), 2)).events
    last_1 = f.stamp_ns
    for f in hf.empty(20, start=30):  # person 1 gone: only person 2's frames arrive
        events += decider.push("cam", person(f, 2)).events
    start, end = events
    assert (start.person_id, start.event_type) == (1, EventType.START)
    assert (end.person_id, end.event_type, end.gesture) == (1, EventType.END, "open_palm")
    assert end.end_ns == last_1 and end.stamp_ns - last_1 >= 0.5e9 > end.stamp_ns - last_1 - hf.STEP_NS
    assert (start.sequence, end.sequence) == (1, 2)  # one sequence per camera, shared by its people


def test_nobody_in_view_frames_end_the_last_persons_hold(decider):
    events = []
    for f in hf.still(30, x=0.3):
        events += decider.push("cam", person(f, 3)).events
    for f in hf.empty(20, start=30):
        events += decider.push("cam", f).events  # person_id 0: the extractor tracks nobody
    assert [(e.person_id, e.event_type) for e in events] == [(3, EventType.START), (3, EventType.END)]


def test_max_sources_counts_cameras_not_people(decider):
    decider.config.max_sources = 1
    for pid in (1, 2, 3):
        assert decider.push("cam", person(hf.frame(hf.T0_NS), pid)).notes == []
    (note,) = decider.push("other", hf.frame(hf.T0_NS)).notes
    assert note.kind == "sources"


def event(person_id: int, gesture: str = "thumbs_up", kind=EventType.START, seq: int = 1) -> GestureEventData:
    return GestureEventData(event_id=f"e{person_id}-{seq}", gesture=gesture, event_type=kind, stamp_ns=10**18,
                            sequence=seq, source_id="dev/cam0", person_id=person_id)


def test_payload_carries_the_person_and_reads_an_older_payload_as_person_0():
    assert decode(encode(event(7))).person_id == 7
    old = encode(event(7)).replace(b'"person_id":7,', b"")
    assert b"person_id" not in old and decode(old).person_id == 0


def test_the_venue_tally_counts_per_person_as_well_as_per_device():
    tally = CrowdTally()
    for e in (event(1, seq=1), event(2, "open_palm", seq=2), event(1, kind=EventType.END, seq=3),
              event(1, "x_cross", EventType.TRIGGER, seq=4)):
        tally.add(e)
    summary = tally.summary()
    assert summary["sources"] == {"dev/cam0": 4}
    assert summary["people"] == {"dev/cam0#1": 2, "dev/cam0#2": 1}
    table = tally.table()
    assert "dev/cam0#1" in table and "x_cross" in table.split("person (source#id)")[1]
