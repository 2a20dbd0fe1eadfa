"""classifier_node: keypoints in, GestureEvents and GestureScores out.

A thin shell over classify.gesture_decider.GestureDecider: it declares the parameters of
classify.params, converts messages, swaps models live and reports diagnostics.
While someone subscribes to ``gesture/markers`` (rviz), each event also goes out as a text
label above the performing hand.

Fail safe: malformed keypoints are refused with one throttled sentence per kind (counted in
diagnostics); the keypoint watchdog (``keypoint_timeout_s``) ends a held gesture when its
keypoints stop, on a steady-clock timer so it also fires when a replay's /clock stops; the
model topic only loads models inside ``model_dirs``.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from rcl_interfaces.msg import SetParametersResult
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.clock import Clock, ClockType
from rclpy.duration import Duration
from rclpy.node import Node
from rclpy.parameter import Parameter
from std_msgs.msg import String
from visualization_msgs.msg import MarkerArray

from gesture_ros.classify.gesture_decider import GestureDecider
from gesture_ros.classify.keypoint_check import frame_problem
from gesture_ros.classify.model_allow import model_refusal
from gesture_ros.classify.onnx_model import GestureModel, ModelLoadError
from gesture_ros.classify.params import (
    LABEL_MAPS,
    MODEL_PARAMS,
    PARAMS,
    READ_ONLY,
    settings_from,
    source_id_for,
)
from gesture_ros.common.bad_input import BadInputLog
from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.common.landmarks import KeypointError, KeypointFrame
from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.safe_text import bounded
from gesture_ros.common.skeleton import ImagePlane
from gesture_ros.common.stats import RateMeter
from gesture_ros.msg import GestureEvent, GestureScores, Keypoints
from gesture_ros.ros import diagnostics
from gesture_ros.ros.classifier_model import ModelSource
from gesture_ros.ros.conversions import msg_to_keypoints
from gesture_ros.ros.diagnostics import DiagnosticsPublisher
from gesture_ros.ros.event_conversion import event_to_msg, scores_to_msg
from gesture_ros.ros.event_markers import event_markers
from gesture_ros.ros.hri_output import HriOutput, load_hri_msgs
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.params import (
    declare,
    declare_label_maps,
    descriptor,
    initial_value,
    legacy_list,
    map_values,
    refusing_errors,
    settle_empty_list,
    take_overrides,
    values,
)
from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS

EVENT_RATE_SPAN_S = 60.0
BAD_NOTES = ("sources", "order")  # decider notes that refuse a frame: counted as bad input


class ClassifierNode(Node):
    """Decide gestures from the keypoints stream with an ONNX model."""

    def __init__(self, **kwargs) -> None:
        # Undeclared names are allowed so that `ros2 param set ... thresholds.fist 0.9` can add a
        # key to a label map; _apply_parameters refuses every other unknown name. The overrides are
        # declared only to learn their names (take_overrides): the label maps' keys are among them.
        super().__init__(kwargs.pop("node_name", "classifier_node"), allow_undeclared_parameters=True,
                         automatically_declare_parameters_from_overrides=True, **kwargs)
        overrides = take_overrides(self)
        log = self.get_logger()
        for spec in PARAMS:
            settle_empty_list(self, self.declare_parameter(spec.name, initial_value(spec),
                                                           descriptor(spec, spec.name in READ_ONLY)))
        declare_label_maps(self, LABEL_MAPS, overrides)
        want_hri = declare(self, "hri_output", False, "Also publish ROS4HRI (REP-155) humans/bodies/tracked and "
                           "humans/bodies/<id>/gesture (hri_msgs); read at start", read_only=True)
        self._legacy = {m.name: legacy_list(overrides, m) for m in LABEL_MAPS if legacy_list(overrides, m)}
        for name, items in self._legacy.items():
            example = ", ".join(f"{k}: {v}" for k, _, v in (i.rpartition(":") for i in items))
            log.warning(f"parameter {name}: {items} is the old list form, which a later parameter file "
                        f"replaces whole; write it as a map, {name}: {{{example}}}")
        self._warn = LogThrottle(log.warning, 5.0)
        self._info = LogThrottle(log.info, 5.0)
        self._bad = BadInputLog(log.warning, 5.0)
        self._bad_reported = 0
        self._started_s = self._last_keypoints_s = time.monotonic()
        self._heard = False
        self._lock = threading.RLock()  # the decider, against model swaps from other callbacks
        self._decider: GestureDecider | None = None
        self._hri: HriOutput | None = None  # REP-155 output (hri_output)
        self._event_times: deque[float] = deque()
        self._counts = {"frames": 0, "bad frames": 0, "events": 0}
        self._rate = RateMeter(5.0)
        try:
            self._settings = settings_from(self._values())
        except ValueError as exc:
            log.error(f"{exc}; using the default post-processing settings")
            self._settings = settings_from({k: v for k, v in self._values().items() if k in MODEL_PARAMS})
        self._models = ModelSource(self, self._bad)
        try:
            self._swap_model(self._models.load(self._settings))
        except ModelLoadError as exc:
            log.error(f"{exc}; no gesture events until a good model is set (model_path or classifier/model)")
        self._events_pub = self.create_publisher(GestureEvent, "gesture/events", EVENT_QOS)
        self._scores_pub = self.create_publisher(GestureScores, "gesture/scores", EVENT_QOS)
        self._markers_pub = self.create_publisher(MarkerArray, "gesture/markers", EVENT_QOS)
        sub = self.create_subscription(Keypoints, "keypoints", self._on_keypoints, SENSOR_QOS)
        self._keypoints_topic = sub.topic_name
        self.create_subscription(String, "classifier/model", self._on_model_request, 10)
        self.add_on_set_parameters_callback(refusing_errors(self._apply_parameters, self._bad))
        self.create_timer(1.0, self._watch_model_file, callback_group=MutuallyExclusiveCallbackGroup())
        # Steady clock: with use_sim_time a ROS-time timer would stop with a replay's /clock.
        self.create_timer(self._watchdog_period(), self._watchdog, clock=Clock(clock_type=ClockType.STEADY_TIME))
        self._diagnostics = DiagnosticsPublisher(self, self._report, self._settings.diagnostics_period_s)
        if want_hri:
            msgs = load_hri_msgs()
            if msgs is None:
                log.warning("hri_output is true but hri_msgs is not installed (install ros-$ROS_DISTRO-hri-msgs): "
                            "no REP-155 output")
            else:
                self._hri = HriOutput(self, msgs)

    @property
    def frames_received(self) -> int:
        """Return how many keypoints messages arrived (good or bad)."""
        return self._counts["frames"]

    @property
    def model(self) -> GestureModel | None:
        """Return the model in use, or None."""
        return self._decider.model if self._decider else None

    # ---- model ----------------------------------------------------------------------
    def _swap_model(self, model: GestureModel) -> None:
        with self._lock:
            if self._decider is None:
                self._decider = GestureDecider(model, self._settings.decider)
            else:
                self._publish_events(self._decider.set_model(model))
            self._models.watch(model)
        for label in self._settings.decider.events.unknown_labels(model.labels):
            self.get_logger().warning(f"parameters name gesture '{label}', which model {model.path} does not have")

    def _values(self) -> dict[str, object]:
        """Return every parameter the settings are made of (the label maps' keys included)."""
        return {**self._legacy, **values(self, PARAMS), **map_values(self, LABEL_MAPS)}

    def _apply_parameters(self, params: list[Parameter]) -> SetParametersResult:
        for p in params:
            if not self.has_parameter(p.name) and not any(m.label_of(p.name) for m in LABEL_MAPS):
                return SetParametersResult(successful=False, reason=f"{self.get_name()} has no parameter "
                                           f"'{p.name}' (per-gesture maps: thresholds.<gesture>, cooldowns.<gesture>)")
        new = self._values()
        new.update({p.name: p.value for p in params})
        try:
            settings = settings_from(new)
        except ValueError as exc:
            return SetParametersResult(successful=False, reason=str(exc))
        for p in params:  # at run time, as on the classifier/model topic: only models inside model_dirs
            refusal = model_refusal(str(p.value), self._settings.model_dirs) if p.name == "model_path" else None
            if refusal is not None:
                self._model_refused = refusal
                return SetParametersResult(successful=False, reason=f"model_path refused: {refusal}")
        model = None
        if any(p.name in MODEL_PARAMS for p in params):
            try:
                model = self._models.load(settings)
            except ModelLoadError as exc:
                self.get_logger().error(f"{exc}; keeping the current model")
                return SetParametersResult(successful=False, reason=str(exc))
        with self._lock:
            self._settings = settings
            if model is not None:
                self._swap_model(model)
            if self._decider is not None:
                self._publish_events(self._decider.set_config(settings.decider))
        return SetParametersResult(successful=True)

    def _on_model_request(self, msg: String) -> None:
        self._models.request(msg.data, self._settings.model_dirs)

    def _watch_model_file(self) -> None:
        if not self._models.file_changed(self._settings.watch_model_file):
            return
        try:
            self._swap_model(self._models.load(self._settings))
        except ModelLoadError as exc:
            self.get_logger().error(f"{exc}; keeping the model loaded before the change")

    # ---- data -----------------------------------------------------------------------
    def _on_keypoints(self, msg: Keypoints) -> None:
        self._counts["frames"] += 1
        self._rate.tick()
        self._last_keypoints_s, self._heard = time.monotonic(), True
        try:
            self._take(msg)
        except Exception as exc:  # noqa: BLE001 (one bad message must not end gesture recognition)
            self._refuse("internal", f"keypoints from '{bounded(msg.header.frame_id, 60)}' could not be "
                                     f"handled: {type(exc).__name__}: {bounded(exc)}")

    def _refuse(self, kind: str, sentence: str) -> None:
        self._counts["bad frames"] += 1
        self._bad(kind, sentence)

    def _take(self, msg: Keypoints) -> None:
        where = f"keypoints from '{bounded(msg.header.frame_id, 60)}'"
        if msg.header.stamp.nanosec >= 1_000_000_000:
            return self._refuse("stamp", f"{where} refused: stamp nanosec {msg.header.stamp.nanosec} is out of range")
        try:
            frame = msg_to_keypoints(msg)
        except (KeypointError, ValueError, TypeError) as exc:
            return self._refuse("layout", f"{where} refused: bad layout ({bounded(exc, 200)})")
        problem = frame_problem(frame)
        if problem is not None:
            return self._refuse(*problem)
        with self._lock:
            if self._decider is None:
                self._warn("keypoints arrive but no model is loaded: set model_path", key="no model")
                return
            source = source_id_for(self._settings.source_id, self.get_namespace(), frame.frame_id)
            if self._hri is not None:
                self._hri.frame(frame)
            decision = self._decider.push(source, frame, self._last_keypoints_s)
            self._publish_events(decision.events, frame)
            if decision.scores is not None and self._settings.publish_scores:
                model = self._decider.model
                self._scores_pub.publish(scores_to_msg(decision.scores, model.labels, model.meta.model_id))
        for note in decision.notes:
            if note.kind == "gap":
                self._info(note.text, key=note.kind)
            elif note.kind in BAD_NOTES:
                self._refuse(note.kind, note.text)
            else:
                self._counts["bad frames"] += note.kind == "nan"
                self._warn(note.text, key=note.kind)

    # ---- keypoint watchdog ----------------------------------------------------------
    def _watchdog_period(self) -> float:
        timeout = self._settings.decider.keypoint_timeout_s
        return min(max(timeout / 4.0, 0.02), 0.25) if timeout > 0 else 0.25

    def _watchdog(self) -> None:
        """End held gestures of sources whose keypoints stopped (steady clock), stamped now."""
        try:
            with self._lock:
                if self._decider is None:
                    return
                events = self._decider.expire(time.monotonic(), self.get_clock().now().nanoseconds)
                self._publish_events(events)
            for ev in events:
                self.get_logger().warning(f"keypoint watchdog: no keypoints from '{ev.source_id}' for "
                                          f"{self._settings.decider.keypoint_timeout_s:g} s: {ev.gesture} ended")
        except Exception as exc:  # noqa: BLE001
            self._warn(f"keypoint watchdog failed: {type(exc).__name__}: {bounded(exc)}", key="watchdog")

    def _publish_events(self, events: list[GestureEventData], frame: KeypointFrame | None = None) -> None:
        """Publish the events, then their rviz labels (placed at the hands of ``frame``) if anyone looks."""
        now = time.monotonic()
        for ev in events:
            self._events_pub.publish(event_to_msg(ev))
            self._event_times.append(now)
            self._counts["events"] += 1
            who = f" person {ev.person_id}" if ev.person_id else ""
            self.get_logger().info(f"{ev.event_type.name} {ev.gesture} ({ev.confidence:.2f}) "
                                   f"{ev.source_id}{who} #{ev.sequence}")
        if self._hri is not None and events:
            self._hri.events(events)
        try:
            if events and self._markers_pub.get_subscription_count():
                s = self._settings
                plane = ImagePlane(depth_m=s.marker_depth_m, hfov_deg=s.marker_hfov_deg)
                self._markers_pub.publish(event_markers(events, plane, s.marker_lifetime_s, frame))
        except Exception as exc:  # noqa: BLE001 (a display must never keep the events' ENDs from being acked)
            self._warn(f"could not publish the labels of {len(events)} event(s) on gesture/markers: {exc}",
                       key="markers")

    # ---- diagnostics and shutdown ---------------------------------------------------
    def _report(self) -> tuple[int, str, dict[str, object]]:
        now = time.monotonic()
        while self._event_times and now - self._event_times[0] > EVENT_RATE_SPAN_S:
            self._event_times.popleft()
        silent = now - self._last_keypoints_s
        figures: dict[str, object] = {"events per minute": len(self._event_times) * 60.0 / EVENT_RATE_SPAN_S,
                                      "keypoints rate hz": self._rate.rate(), **self._counts,
                                      "keypoints silent s": silent, **self._bad.figures("refused:")}
        if self._models.refused:
            figures["last model request refused"] = self._models.refused
        with self._lock:
            if self._decider is None:
                return diagnostics.ERROR, "no model loaded", figures
            figures.update(self._decider.figures())
        limit = self._settings.decider.keypoint_timeout_s or 1.0
        if silent > limit:
            said = "stopped arriving" if self._heard else "have not arrived yet"
            return diagnostics.WARN, f"keypoints {said}: none for {silent:.1f} s on {self._keypoints_topic}", figures
        refused, self._bad_reported = self._bad.total - self._bad_reported, self._bad.total
        if refused:
            return diagnostics.WARN, f"{refused} bad input(s) refused since the last report (see log)", figures
        return diagnostics.OK, f"{figures['model']} on {figures['provider']}", figures

    def end_all(self) -> None:
        """End every active held gesture (publish the ENDs) and wait for them to be acknowledged."""
        with self._lock:
            if self._decider is None:
                return
            events = self._decider.close()
            self._publish_events(events)
        if events:
            self._events_pub.wait_for_all_acked(Duration(seconds=1.0))

    def destroy_node(self) -> None:
        """Publish the END of any held gesture, then destroy the node."""
        try:
            self.end_all()
        except Exception as exc:  # noqa: BLE001 (the context may already be shut down by rclpy)
            self.get_logger().warning(f"could not publish the END of active gestures at shutdown: {exc}")
        super().destroy_node()


def main(args=None) -> None:
    # run_node keeps the context up until destroy_node has published the ENDs of held gestures.
    run_node(ClassifierNode, args)


if __name__ == "__main__":
    main()
