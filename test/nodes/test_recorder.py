"""recorder_node records real published messages to MCAP; gesture from-mcap turns them into a dataset."""

from __future__ import annotations

import csv
import time
import uuid

import numpy as np
import pytest

rclpy = pytest.importorskip("rclpy")

from gesture_ros.msg import ActionRecord, GestureEvent, GestureScores  # noqa: E402
from mcap.reader import make_reader  # noqa: E402
from mcap_ros2.decoder import DecoderFactory  # noqa: E402
from support.ros_env import NodeProcess  # noqa: E402

from gesture_ros.common.landmarks import HandLandmark, KeypointFrame, empty_landmarks  # noqa: E402
from gesture_ros.ros.conversions import keypoints_to_msg  # noqa: E402
from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS  # noqa: E402
from gesture_ros.toolkit import from_mcap  # noqa: E402
from gesture_ros.toolkit.dataset import Dataset  # noqa: E402

LABELS = ["none", "open_palm", "swipe_left"]
T0 = 1_700_000_000_000_000_000
STEP = 40_000_000  # 25 fps
N = 40
WINDOW = 5
# The classifier's best non-none probability per frame: unsure (0.35..0.7) at frames 10..19.
BEST = [0.9 if i < 10 else 0.5 if i < 20 else 0.1 for i in range(N)]


def _frame(i: int) -> KeypointFrame:
    hand = empty_landmarks(21)
    hand[:, 0] = np.linspace(0.3, 0.5, 21) + 0.01 * i
    hand[:, 1] = 0.5
    return KeypointFrame(stamp_ns=T0 + i * STEP, frame_id="camera_optical_frame", image_width=640,
                         image_height=360, model="test", right_hand=hand, right_hand_score=0.9)


def _wait(pred, timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def recording(tmp_path, domain, rclpy_context):
    """Run a real recorder_node while a real node publishes keypoints, scores, events, actions."""
    rec = NodeProcess("recorder_node", domain, {
        "output_dir": str(tmp_path), "file_prefix": "t", "low_confidence.low": 0.35,
        "low_confidence.high": 0.7, "low_confidence.merge_gap_s": 0.2}, log_dir=tmp_path)
    node = rclpy.create_node("fake_pipeline", context=rclpy_context)
    executor = rclpy.executors.SingleThreadedExecutor(context=rclpy_context)
    executor.add_node(node)
    pubs = {
        "keypoints": node.create_publisher(type(keypoints_to_msg(_frame(0))), "keypoints", SENSOR_QOS),
        "scores": node.create_publisher(GestureScores, "gesture/scores", EVENT_QOS),
        "events": node.create_publisher(GestureEvent, "gesture/events", EVENT_QOS),
        "actions": node.create_publisher(ActionRecord, "actions/log", EVENT_QOS),
    }
    sent_events = []
    try:
        assert _wait(lambda: all(p.get_subscription_count() > 0 for p in pubs.values())), rec.log()
        for i in range(N):
            kp = keypoints_to_msg(_frame(i))
            pubs["keypoints"].publish(kp)
            best = BEST[i]
            pubs["scores"].publish(GestureScores(
                header=kp.header, source_id="cam0", labels=LABELS, probabilities=[1 - best, best, 0.0],
                raw_probabilities=[1 - best, best, 0.0], window_fill=min(i + 1, WINDOW), window_length=WINDOW,
                model_id="m"))
            if i in (5, 25):
                event = GestureEvent(header=kp.header, event_id=str(uuid.uuid4()), source_id="cam0",
                                     sequence=len(sent_events) + 1, gesture="swipe_left", confidence=0.9,
                                     event_type=GestureEvent.TRIGGER)
                pubs["events"].publish(event)
                pubs["actions"].publish(ActionRecord(header=kp.header, event_id=event.event_id,
                                                     gesture="swipe_left", action_name="seek_back"))
                sent_events.append(event)
            executor.spin_once(timeout_sec=0.0)
            time.sleep(0.01)
        time.sleep(1.0)  # let DDS deliver before Ctrl-C
        assert rec.stop() == 0, rec.log()
    finally:
        rec.stop()
        executor.shutdown()
        node.destroy_node()
    files = list(tmp_path.glob("t_*.mcap"))
    assert len(files) == 1, rec.log()
    return files[0], sent_events


def _read(path):
    out = {}
    with open(path, "rb") as fh:
        reader = make_reader(fh, decoder_factories=[DecoderFactory()])
        schemas = {s.name: s.data.decode() for s in reader.get_summary().schemas.values()}
        for schema, channel, message, msg in reader.iter_decoded_messages():
            out.setdefault(channel.topic, []).append((schema.name, message, msg))
    return schemas, out


def test_recorder_writes_decodable_mcap_with_source_stamps(recording):
    path, sent_events = recording
    schemas, topics = _read(path)
    assert set(topics) == {"/keypoints", "/gesture/scores", "/gesture/events", "/actions/log"}
    # Full concatenated definitions: the nested types are inlined for Foxglove / rosbag2.
    assert "MSG: gesture_ros/msg/Landmark" in schemas["gesture_ros/msg/Keypoints"]
    assert "MSG: builtin_interfaces/msg/Time" in schemas["gesture_ros/msg/GestureEvent"]
    events = topics["/gesture/events"]
    assert [m.event_id for _, _, m in events] == [e.event_id for e in sent_events]
    for (_, record, msg), sent in zip(events, sent_events, strict=True):
        stamp = msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec
        assert stamp == sent.header.stamp.sec * 10**9 + sent.header.stamp.nanosec
        assert record.publish_time == stamp  # publish time = camera frame stamp, not the wall clock
        assert msg.gesture == "swipe_left" and msg.header.frame_id == "camera_optical_frame"
    assert len(topics["/gesture/scores"]) == N
    assert len(topics["/actions/log"]) == 2
    keypoints = topics["/keypoints"]
    # best effort QoS, as the live stream: on a loaded 2-core machine 11 of 40 arrived once; the
    # ones recorded must be sent frames, in order, each once
    assert 1 <= len(keypoints) <= N
    times = [record.publish_time for _, record, _ in keypoints]
    assert times == sorted(set(times))
    for _, record, msg in keypoints:
        i = (record.publish_time - T0) // STEP
        assert abs(msg.right_hand[HandLandmark.WRIST].x - _frame(i).right_hand[HandLandmark.WRIST, 0]) < 1e-6
        assert msg.left_hand == []


def test_recorder_lists_unsure_windows_for_labelling(recording):
    path, _ = recording
    rows = list(csv.DictReader(path.with_suffix(".candidates.csv").open()))
    assert len(rows) == 1, rows
    row = rows[0]
    # The unsure run is frames 10..19; its range starts where the first unsure window started.
    assert int(row["end_ns"]) == T0 + 19 * STEP
    assert int(row["start_ns"]) == T0 + (10 - WINDOW + 1) * STEP
    assert row["guess"] == "open_palm" and row["label"] == ""


def test_from_mcap_turns_labelled_ranges_into_sequences(recording, tmp_path):
    path, _ = recording
    labels = tmp_path / "labels.csv"
    labels.write_text("start_s,end_s,label\n0.0,0.38,open_palm\n0.8,1.2,swipe_left\n")
    out = tmp_path / "dataset"
    assert from_mcap.main([str(path), "--labels", str(labels), "--out", str(out), "--person", "p1",
                           "--none-gaps"]) == 0
    records = Dataset(out).records()
    assert [r.label for r in records] == ["open_palm", "none", "swipe_left", "none"]
    first, arrays = records[0], Dataset(out).load(records[0])[0]
    assert first.person == "p1" and first.source.startswith("mcap:") and abs(first.fps - 25.0) < 0.5
    first_recorded = int(from_mcap.read_keypoints(path).arrays.stamps_ns[0])  # best effort may lose the first
    assert arrays.stamps_ns[0] == first_recorded and arrays.stamps_ns[-1] <= first_recorded + int(0.38e9)
    assert np.isnan(arrays.left_hand).all() and not np.isnan(arrays.right_hand[:, :, :2]).any()


def test_from_mcap_refuses_bad_labels_in_one_sentence(recording, tmp_path, capsys):
    path, _ = recording
    labels = tmp_path / "labels.csv"
    labels.write_text("start_s,end_s,label\n1.0,0.5,fist\n")
    assert from_mcap.main([str(path), "--labels", str(labels), "--out", str(tmp_path / "d")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "labels.csv:2: range ends" in err


def test_recorder_diagnostics_count_what_it_wrote(tmp_path, domain, rclpy_context):
    from diagnostic_msgs.msg import DiagnosticArray

    rec = NodeProcess("recorder_node", domain, {"output_dir": str(tmp_path), "file_prefix": "d"}, log_dir=tmp_path)
    node = rclpy.create_node("diagnostics_probe", context=rclpy_context)
    executor = rclpy.executors.SingleThreadedExecutor(context=rclpy_context)
    executor.add_node(node)
    reports = []
    node.create_subscription(DiagnosticArray, "/diagnostics",
                             lambda m: reports.extend(s for s in m.status if s.name == "/recorder_node"), 50)
    keypoints = node.create_publisher(type(keypoints_to_msg(_frame(0))), "keypoints", SENSOR_QOS)
    events = node.create_publisher(GestureEvent, "gesture/events", EVENT_QOS)

    def newest() -> dict:
        return {kv.key: kv.value for kv in reports[-1].values} if reports else {}

    def spin(pred, timeout: float = 20.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end and not pred():
            executor.spin_once(timeout_sec=0.05)
        return pred()

    try:
        assert spin(lambda: keypoints.get_subscription_count() and events.get_subscription_count()), rec.log()
        for i in range(20):
            kp = keypoints_to_msg(_frame(i))
            keypoints.publish(kp)
            if i % 7 == 0:
                events.publish(GestureEvent(header=kp.header, event_id=str(uuid.uuid4()), source_id="cam0",
                                            gesture="swipe_left", confidence=0.9, event_type=GestureEvent.TRIGGER))
            executor.spin_once(timeout_sec=0.0)
            time.sleep(0.01)
        # events are reliable: all 3 are counted; keypoints are best effort on loopback: nearly all
        assert spin(lambda: newest().get("messages /gesture/events") == "3"), (newest(), rec.log())
        values, status = newest(), reports[-1]
    finally:
        rec.stop()
        executor.shutdown()
        node.destroy_node()
    assert status.level == bytes([0]) and status.message == "recording"
    assert values["file"].startswith(str(tmp_path)) and values["file"].endswith(".mcap")
    # keypoints are best effort (a loaded machine loses some on loopback): the count is what the
    # file holds by the time of the report, and the file keeps what came later too
    written = len(_read(values["file"])[1].get("/keypoints", []))
    assert 1 <= int(values["messages /keypoints"]) <= written <= 20, (values, written)
    assert values["dropped"] == "0" and values["write errors"] == "0"


def test_a_recorder_killed_with_sigkill_leaves_a_readable_file(tmp_path, domain, rclpy_context, capsys):
    """kill -9 after N messages: the file holds what was flushed (at least once a second), and
    ``gesture from-mcap`` reads it up to its last whole chunk."""
    n = 1000  # small messages: without a flush they all sit in the first 1 MiB chunk, in memory
    rec = NodeProcess("recorder_node", domain, {"output_dir": str(tmp_path), "file_prefix": "k",
                                                "low_confidence.enabled": False}, log_dir=tmp_path)
    node = rclpy.create_node("fake_keypoints", context=rclpy_context)
    pub = node.create_publisher(type(keypoints_to_msg(_frame(0))), "keypoints", EVENT_QOS)
    try:
        assert _wait(lambda: pub.get_subscription_count() > 0), rec.log()
        for i in range(n):
            pub.publish(keypoints_to_msg(_frame(i)))
            if i % 50 == 49:
                time.sleep(0.05)
        path = next(tmp_path.glob("k_*.mcap"))

        def on_disk() -> int:
            try:
                return len(from_mcap.read_keypoints(path).arrays)
            except from_mcap.FromMcapError:
                return 0

        # What the recorder took is on disk within its flush period: wait until the file stops growing
        # (a loaded machine may lose some of the burst before the recorder takes it: not the claim here).
        seen = {"count": -1, "since": time.monotonic()}

        def settled() -> bool:
            count = on_disk()
            if count != seen["count"]:
                seen.update(count=count, since=time.monotonic())
            return count >= 0.5 * n and time.monotonic() - seen["since"] > 2.5

        assert _wait(settled, 60), (on_disk(), rec.log()[-2000:])
        rec.proc.kill()  # SIGKILL: no close, no summary
        assert rec.proc.wait(10) == -9
    finally:
        rec.stop()
        node.destroy_node()
    recording = from_mcap.read_keypoints(path)
    # Everything flushed before the kill reads back from the cut-short file.
    assert recording.truncated and len(recording.arrays) >= seen["count"] >= 0.5 * n
    labels = tmp_path / "labels.csv"
    labels.write_text(f"start_ns,end_ns,label\n{T0},{T0 + n * STEP},open_palm\n")
    assert from_mcap.main([str(path), "--labels", str(labels), "--out", str(tmp_path / "ds")]) == 0
    assert "is cut short (no summary" in capsys.readouterr().err
    assert len(Dataset(tmp_path / "ds").records()) == 1
