"""classifier_node in-process: real rclpy node, real Keypoints publisher over DDS on loopback."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import pytest

rclpy = pytest.importorskip("rclpy")

from gesture_ros.msg import GestureEvent, GestureScores, Keypoints, Landmark  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from std_msgs.msg import String  # noqa: E402
from support import hand_frames as hf  # noqa: E402
from support.tiny_onnx import write_model  # noqa: E402
from visualization_msgs.msg import Marker, MarkerArray  # noqa: E402

from gesture_ros.common.landmarks import KeypointFrame  # noqa: E402
from gesture_ros.common.skeleton import ImagePlane  # noqa: E402
from gesture_ros.nodes.classifier_node import ClassifierNode  # noqa: E402
from gesture_ros.ros.conversions import keypoints_to_msg, ns_to_stamp, stamp_to_ns  # noqa: E402
from gesture_ros.ros.lifecycle import ConfigureError  # noqa: E402
from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS  # noqa: E402

TRIGGER, START, END = GestureEvent.TRIGGER, GestureEvent.START, GestureEvent.END


class Rig:
    """The classifier node plus a test node that publishes keypoints and records outputs."""

    def __init__(self, context, params: dict) -> None:
        overrides = [Parameter(k, value=v) for k, v in params.items()]
        self.node = ClassifierNode(context=context, parameter_overrides=overrides)
        self.peer = rclpy.create_node("classifier_test_peer", context=context)
        self.kp_pub = self.peer.create_publisher(Keypoints, "keypoints", SENSOR_QOS)
        self.model_pub = self.peer.create_publisher(String, "classifier/model", 10)
        self.events: list[GestureEvent] = []
        self.scores: list[GestureScores] = []
        self.sent_stamps: list[int] = []
        self.peer.create_subscription(GestureEvent, "gesture/events", self.events.append, EVENT_QOS)
        self.peer.create_subscription(GestureScores, "gesture/scores", self.scores.append, EVENT_QOS)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)
        self.executor.add_node(self.peer)
        self.spin_until(lambda: self.kp_pub.get_subscription_count() > 0
                        and self.peer.count_publishers("gesture/events") > 0)

    def spin_until(self, done: Callable[[], bool], timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < end, "timed out waiting on the classifier node"
            self.executor.spin_once(timeout_sec=0.05)

    def send(self, frames: Iterable[KeypointFrame]) -> None:
        """Publish each frame and wait until the node has taken it (no drops, no timing)."""
        for frame in frames:
            self.send_msg(keypoints_to_msg(frame))

    def send_msg(self, msg: Keypoints) -> None:
        before = self.node.frames_received
        self.kp_pub.publish(msg)
        self.sent_stamps.append(stamp_to_ns(msg.header.stamp))
        self.spin_until(lambda: self.node.frames_received > before)

    def settle(self, n_events: int) -> None:
        self.spin_until(lambda: len(self.events) >= n_events)
        for _ in range(5):
            self.executor.spin_once(timeout_sec=0.02)

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        self.peer.destroy_node()


@pytest.fixture
def models(tmp_path):
    (tmp_path / "allowed").mkdir()
    return {"v1": write_model(tmp_path / "v1.onnx", window=8, model_id="tiny", version="1"),
            "v2": write_model(tmp_path / "allowed" / "v2.onnx", window=6, model_id="tiny", version="2")}


@pytest.fixture
def rig(rclpy_context, models, tmp_path):
    r = Rig(rclpy_context, {"model_path": str(models["v1"]), "providers": ["cpu"], "min_duration_s": 0.2,
                            "cooldown_s": 0.5, "refractory_s": 0.0, "watch_model_file": False,
                            "model_dirs": [str(tmp_path / "allowed")]})
    try:
        yield r
    finally:
        r.close()


def kinds(events: list[GestureEvent]):
    return [(e.event_type, e.gesture) for e in events]


def stamp(e) -> int:
    return stamp_to_ns(e.header.stamp)


def test_events_and_scores_carry_the_keypoint_stamps(rig):
    rig.send(list(hf.still(20)) + list(hf.empty(12, 20)) + list(hf.sweep(12, 32)) + list(hf.empty(12, 44)))
    rig.settle(3)
    assert kinds(rig.events) == [(START, "open_palm"), (END, "open_palm"), (TRIGGER, "swipe_right")]
    sent = set(rig.sent_stamps)
    for e in rig.events:
        assert stamp(e) in sent and e.header.frame_id == "cam"
        assert stamp_to_ns(e.end_stamp) == stamp(e)
        assert e.source_id == "cam" and e.model_id == "tiny" and e.model_version == "1"
        assert e.handedness == "right"
    assert [e.sequence for e in rig.events] == [1, 2, 3]
    assert len({e.event_id for e in rig.events}) == 3
    start, end, swipe = rig.events
    assert stamp_to_ns(end.start_stamp) == stamp_to_ns(start.start_stamp) < stamp(end)
    assert stamp_to_ns(swipe.start_stamp) < stamp(swipe)
    assert rig.scores and all(stamp(s) in sent for s in rig.scores)
    last = rig.scores[-1]
    assert last.labels[0] == "none" and len(last.probabilities) == len(last.labels) == len(last.raw_probabilities)
    assert last.window_length == 8 and last.source_id == "cam"


def test_event_markers_carry_the_event_stamp_and_sit_at_the_hand(rig):
    markers: list[MarkerArray] = []
    rig.peer.create_subscription(MarkerArray, "gesture/markers", markers.append, EVENT_QOS)
    (result,) = rig.node.set_parameters([Parameter("marker_lifetime_s", value=3.0)])
    assert result.successful
    rig.spin_until(lambda: rig.node.count_subscribers("gesture/markers") > 0)
    rig.send(list(hf.still(20, x=0.8)) + list(hf.empty(12, 20)))
    rig.settle(2)
    rig.spin_until(lambda: sum(len(a.markers) for a in markers) >= 2)
    labels = [m for a in markers for m in a.markers]
    assert [m.text.split()[:2] for m in labels] == [["open_palm", "START"], ["open_palm", "END"]]
    for marker, event in zip(labels, rig.events, strict=True):
        assert marker.type == Marker.TEXT_VIEW_FACING and marker.action == Marker.ADD
        assert stamp(marker) == stamp(event) and marker.header.frame_id == event.header.frame_id == "cam"
        assert marker.text.endswith(f"{event.confidence:.2f}")
        assert (marker.lifetime.sec, marker.lifetime.nanosec) == (3, 0)
    start, end = labels
    span = ImagePlane().span_m
    assert start.pose.position.x == pytest.approx(0.3 * span, abs=0.05)  # over the hand at x = 0.8
    assert end.pose.position.x == 0.0  # decided on a frame without a hand: the fixed place
    assert end.pose.position.y < start.pose.position.y < 0.0  # both above the image centre


def test_hot_reload_good_model_ends_the_old_ones_gesture(rig, models):
    rig.send(hf.still(20))
    rig.settle(1)
    (result,) = rig.node.set_parameters([Parameter("model_path", value=str(models["v2"]))])
    assert result.successful, result.reason
    rig.settle(2)
    assert kinds(rig.events) == [(START, "open_palm"), (END, "open_palm")]
    assert rig.events[1].model_version == "1"
    rig.send(hf.still(20, start=20))
    rig.settle(3)
    assert rig.events[2].event_type == START and rig.events[2].model_version == "2"
    assert rig.events[2].sequence == 3
    assert rig.scores[-1].window_length == 6


def test_bad_model_is_refused_and_the_old_one_keeps_running(rig, models, tmp_path):
    allowed = tmp_path / "allowed"
    garbled = allowed / "garbled.onnx"
    garbled.write_bytes(b"not a model at all")
    wrong_dim = write_model(allowed / "dim.onnx", input_dim=7)
    for bad in (garbled, wrong_dim, allowed / "missing.onnx"):
        (result,) = rig.node.set_parameters([Parameter("model_path", value=str(bad))])
        assert not result.successful and str(bad) in result.reason
    assert rig.node.get_parameter("model_path").value == str(models["v1"])
    rig.send(hf.still(20))
    rig.settle(1)
    assert rig.events[0].model_version == "1"


def test_model_topic_switches_the_model(rig, models):
    rig.model_pub.publish(String(data=str(models["v2"])))
    rig.spin_until(lambda: rig.node.get_parameter("model_path").value == str(models["v2"]))
    assert rig.node.model.meta.version == "2"


def test_model_topic_refuses_paths_outside_model_dirs_with_the_reason(rig, models, tmp_path):
    from diagnostic_msgs.msg import DiagnosticArray

    reports = []
    rig.peer.create_subscription(DiagnosticArray, "/diagnostics", reports.append, 10)
    allowed = tmp_path / "allowed"
    (allowed / "link.onnx").symlink_to(models["v1"])  # a link out of the folder does not count
    requests = {str(models["v1"]): "is outside the folders of model_dirs",
                f"{allowed}/../v1.onnx": "is outside the folders of model_dirs",
                str(allowed / "link.onnx"): f"(resolved to {models['v1']}) is outside the folders of model_dirs",
                "/etc/passwd": "is not an .onnx file",
                "": "the model path is empty"}

    def figures(report) -> dict:
        return {kv.key: kv.value for kv in report.status[0].values}

    for path, reason in requests.items():
        rig.model_pub.publish(String(data=path))
        rig.spin_until(lambda r=reason: any(r in figures(d).get("last model request refused", "") for d in reports))
    assert rig.node.model.meta.version == "1"
    assert rig.node.get_parameter("model_path").value == str(models["v1"])
    rig.spin_until(lambda: any(figures(d).get("refused: model request") == "5" for d in reports))
    first = f"model '{models['v1']}' (resolved to {models['v1']}) is outside the folders of model_dirs [{allowed}]"
    assert any(figures(d).get("last model request refused") == first for d in reports)


def test_run_time_parameters_cannot_switch_the_safety_off(rig, models, tmp_path):
    # issue 26 item 6: over the real parameter service, as anyone on the DDS domain would
    from rcl_interfaces.srv import SetParameters

    client = rig.peer.create_client(SetParameters, "/classifier_node/set_parameters")
    rig.spin_until(client.service_is_ready)

    def set_remotely(name, value):
        future = client.call_async(SetParameters.Request(parameters=[Parameter(name, value=value).to_parameter_msg()]))
        rig.spin_until(future.done)
        return future.result().results[0]

    result = set_remotely("model_path", str(models["v1"]))  # v1 is outside model_dirs
    assert not result.successful
    assert result.reason == (f"model_path refused: model '{models['v1']}' (resolved to {models['v1']}) is outside "
                             f"the folders of model_dirs [{tmp_path / 'allowed'}]")
    for name, value in [("model_dirs", [str(tmp_path)]), ("keypoint_timeout_s", 0.0)]:
        result = set_remotely(name, value)
        assert not result.successful and "read-only" in result.reason, (name, result.reason)
    assert rig.node.get_parameter("keypoint_timeout_s").value == 1.0
    assert rig.node.get_parameter("model_dirs").value == [str(tmp_path / "allowed")]
    assert set_remotely("model_path", str(models["v2"])).successful  # inside model_dirs: switched
    assert rig.node.model.meta.version == "2"


def test_bad_post_processing_parameters_are_refused(rig):
    for name, value in [("smoothing", "median"), ("thresholds", ["swipe_left=0.9"]), ("threshold", 1.5)]:
        (result,) = rig.node.set_parameters([Parameter(name, value=value)])
        assert not result.successful and result.reason
    (result,) = rig.node.set_parameters([Parameter("deny", value=["open_palm"])])
    assert result.successful
    rig.send(hf.still(20))
    rig.send(hf.sweep(12, 20, 0.5, 0.9))  # starts where the hand was held
    rig.settle(1)
    assert kinds(rig.events) == [(TRIGGER, "swipe_right")]


def test_bad_keypoints_are_survived(rig):
    rig.send(hf.still(10))
    broken = keypoints_to_msg(hf.frame(hf.T0_NS + 10 * hf.STEP_NS, 0.5))
    broken.right_hand = [Landmark(x=0.5, y=0.5)] * 5  # 5 landmarks: not a hand
    rig.send_msg(broken)
    nan = keypoints_to_msg(hf.frame(hf.T0_NS + 11 * hf.STEP_NS, 0.5))
    nan.right_hand[3].x = float("nan")
    rig.send_msg(nan)
    rig.send(hf.still(20, start=12))
    rig.settle(1)
    assert kinds(rig.events) == [(START, "open_palm")]
    assert rig.node.frames_received == 32


def test_destroying_the_node_ends_the_active_gesture(rclpy_context, models):
    r = Rig(rclpy_context, {"model_path": str(models["v1"]), "providers": ["cpu"]})
    try:
        r.send(hf.still(20))
        r.settle(1)
        r.node.end_all()  # what destroy_node does first
        r.settle(2)
        assert kinds(r.events) == [(START, "open_palm"), (END, "open_palm")]
        assert stamp(r.events[1]) == r.sent_stamps[-1]
    finally:
        r.close()


def test_missing_model_leaves_the_node_unconfigured_until_a_good_one(rclpy_context, models, tmp_path):
    """A managed node: configure fails with the file named, the node stays unconfigured (no half-working node);
    a good model_path and configure + activate then give events."""
    absent = tmp_path / "absent.onnx"
    node = ClassifierNode(context=rclpy_context, parameter_overrides=[
        Parameter("model_path", value=str(absent)), Parameter("providers", value=["cpu"]),
        Parameter("model_dirs", value=[str(tmp_path)]), Parameter("autostart", value=False)])
    try:
        node.trigger_configure()
        assert not node.configured and node.model is None
        assert str(absent) in node.failure, node.failure
        (result,) = node.set_parameters([Parameter("model_path", value=str(models["v1"]))])
        assert result.successful
        node.trigger_configure()
        node.trigger_activate()
        assert node.active and node.model.meta.version == "1"
    finally:
        node.destroy_node()
    with pytest.raises(ConfigureError, match="absent.onnx"):  # autostart (the default): the start fails
        ClassifierNode(context=rclpy_context, parameter_overrides=[Parameter("model_path", value=str(absent))])


def test_model_file_replaced_on_disk_is_reloaded(rclpy_context, models, tmp_path):
    live = tmp_path / "live.onnx"
    live.write_bytes(models["v1"].read_bytes())
    r = Rig(rclpy_context, {"model_path": str(live), "providers": ["cpu"], "watch_model_file": True})
    try:
        assert r.node.model.meta.version == "1"
        broken = tmp_path / "broken.onnx"
        broken.write_bytes(b"half a model")
        broken.replace(live)  # a bad new version: refused, the loaded model keeps running
        end = time.monotonic() + 2.5  # the watcher looks once a second
        while time.monotonic() < end:
            r.executor.spin_once(timeout_sec=0.05)
        assert r.node.model.meta.version == "1"
        staged = tmp_path / "staged.onnx"
        staged.write_bytes(models["v2"].read_bytes())
        staged.replace(live)  # atomic replace, as docs/classifier.md recommends
        r.spin_until(lambda: r.node.model.meta.version == "2")
    finally:
        r.close()


def test_diagnostics_report_inference_time_and_model(rig):
    from diagnostic_msgs.msg import DiagnosticArray

    reports = []
    rig.peer.create_subscription(DiagnosticArray, "/diagnostics", reports.append, 10)
    rig.send(hf.still(20))

    def figures(report) -> dict:
        return {kv.key: kv.value for kv in report.status[0].values}

    rig.spin_until(lambda: any(float(figures(r).get("windows", 0)) > 0 for r in reports))
    values = figures(reports[-1])
    assert reports[-1].status[0].name.endswith("classifier_node")
    assert values["model"] == "tiny 1" and values["provider"] == "CPUExecutionProvider"
    assert float(values["inference p50 ms"]) > 0 and float(values["inference p99 ms"]) >= float(values["inference p50 ms"])
    assert float(values["window fill"]) == 1.0 and values["events"] == "1"


def _watchdog_rig(context, models, **params) -> Rig:
    return Rig(context, {"model_path": str(models["v1"]), "providers": ["cpu"], "watch_model_file": False,
                         "keypoint_timeout_s": 0.3, "diagnostics_period_s": 0.2, **params})


def test_watchdog_ends_the_gesture_when_keypoints_stop_and_diagnostics_warn(rclpy_context, models):
    from diagnostic_msgs.msg import DiagnosticArray

    r = _watchdog_rig(rclpy_context, models)
    reports = []
    r.peer.create_subscription(DiagnosticArray, "/diagnostics", reports.append, 10)
    try:
        now = time.time_ns()  # wall-clock stamps, as a live camera gives
        r.send(hf.frame(now - (20 - i) * hf.STEP_NS, 0.5) for i in range(20))
        r.settle(1)
        r.spin_until(lambda: len(r.events) == 2, timeout=10)  # nothing more is sent: the watchdog fires
        start, end = r.events
        assert (start.event_type, end.event_type) == (START, END)
        assert stamp(end) >= r.sent_stamps[-1] + 0.3e9  # stamped when it fired, on the node clock
        assert stamp_to_ns(end.end_stamp) in r.sent_stamps  # the last frame decided on
        r.spin_until(lambda: any(d.status[0].level == b"\x01" and "keypoints stopped arriving" in d.status[0].message
                                 for d in reports if d.status[0].name.endswith("classifier_node")), timeout=10)
    finally:
        r.close()


def test_watchdog_fires_with_sim_time_whose_clock_stopped(rclpy_context, models):
    from rosgraph_msgs.msg import Clock

    r = _watchdog_rig(rclpy_context, models, use_sim_time=True)
    clock = r.peer.create_publisher(Clock, "/clock", 10)
    try:
        for f in hf.still(20):  # a replay: /clock follows the recording's stamps, then stops at its end
            clock.publish(Clock(clock=ns_to_stamp(f.stamp_ns)))
            r.send([f])
        r.settle(1)
        r.spin_until(lambda: len(r.events) == 2, timeout=10)
        end = r.events[1]
        assert end.event_type == END
        assert stamp(end) == r.sent_stamps[-1]  # the clock stopped there: never before the last frame
    finally:
        r.close()


def test_per_gesture_maps_layer_key_by_key_across_parameter_files(rclpy_context, models, tmp_path):
    base, profile = tmp_path / "classifier.yaml", tmp_path / "profile.yaml"
    base.write_text("/**:\n  ros__parameters:\n    thresholds: {open_palm: 0.99, swipe_right: 0.5}\n")
    profile.write_text("/**/classifier_node:\n  ros__parameters:\n    thresholds:\n      swipe_left: 0.85\n")
    node = ClassifierNode(context=rclpy_context, cli_args=["--ros-args", "--params-file", str(base),
                                                           "--params-file", str(profile)],
                          parameter_overrides=[Parameter("model_path", value=str(models["v1"]))])
    try:
        got = {k: p.value for k, p in node.get_parameters_by_prefix("thresholds").items()}
        assert got == {"open_palm": 0.99, "swipe_right": 0.5, "swipe_left": 0.85}
    finally:
        node.destroy_node()


def test_the_list_form_of_a_map_is_refused_at_start_with_one_sentence(rclpy_context, models, tmp_path, capfd):
    old = tmp_path / "old.yaml"
    old.write_text('/**:\n  ros__parameters:\n    thresholds: ["open_palm:0.99"]\n')
    node = ClassifierNode(context=rclpy_context, cli_args=["--ros-args", "--params-file", str(old)],
                          parameter_overrides=[Parameter("model_path", value=str(models["v1"]))])
    try:
        assert not node.has_parameter("thresholds") and node.get_parameters_by_prefix("thresholds") == {}
        said = [line for line in capfd.readouterr().err.splitlines() if "thresholds" in line]
        assert len(said) == 1 and "ERROR" in said[0], said
        assert "parameter thresholds: ['open_palm:0.99'] is refused: give one number per gesture as a map" in said[0]
    finally:
        node.destroy_node()


def test_a_map_key_is_added_at_run_time_and_unknown_names_are_refused(rig):
    (result,) = rig.node.set_parameters([Parameter("thresholds.open_palm", value=0.99)])
    assert result.successful
    rig.send(hf.still(20))  # p(open_palm) ~0.95 stays under its own threshold now
    assert rig.events == []
    for name, value in [("thresholds.open_palm", 1.5), ("cooldowns.open_palm", -1.0), ("treshold", 0.5)]:
        (result,) = rig.node.set_parameters([Parameter(name, value=value)])
        assert not result.successful and result.reason, name
    (result,) = rig.node.set_parameters([Parameter("thresholds.open_palm", value=0.3)])
    assert result.successful
    rig.send(hf.still(10, start=20))
    rig.settle(1)
    assert kinds(rig.events) == [(START, "open_palm")]
