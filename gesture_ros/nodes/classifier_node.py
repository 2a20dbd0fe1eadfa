"""classifier_node: keypoints in, GestureEvents and GestureScores out.

A thin shell over classify.gesture_decider.GestureDecider: it declares the parameters of
classify.params, converts messages and swaps models live. Outputs (events, scores, rviz labels,
REP-155) are ros.event_output's; figures, refusals, notes and /diagnostics ros.classifier_health's.

Fail safe: malformed keypoints are refused with one throttled sentence per kind (counted in
diagnostics); the keypoint watchdog (``keypoint_timeout_s``, ros.keypoint_watchdog) ends a held
gesture when its keypoints stop; the model topic only loads models inside ``model_dirs``.
"""

from __future__ import annotations

import threading

from rcl_interfaces.msg import SetParametersResult
from rclpy.parameter import Parameter

from gesture_ros.classify.classifier_interface import HRI_PARAMS
from gesture_ros.classify.gesture_decider import GestureDecider
from gesture_ros.classify.onnx_model import GestureModel, ModelLoadError
from gesture_ros.classify.params import LABEL_MAPS, PARAMS, READ_ONLY, source_id_for
from gesture_ros.common.bad_input import BadInputLog
from gesture_ros.common.gesture_event import GestureEventData
from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.common.log_throttle import LogThrottle
from gesture_ros.common.node_params import MANAGED_PARAMS
from gesture_ros.common.safe_text import bounded
from gesture_ros.msg import Keypoints
from gesture_ros.ros.classifier_health import ClassifierHealth
from gesture_ros.ros.classifier_model import ModelSource
from gesture_ros.ros.classifier_reconfigure import changed_settings, initial_settings
from gesture_ros.ros.conversions import checked_keypoints
from gesture_ros.ros.empty_lists import accept_empty_lists
from gesture_ros.ros.event_output import EventOutput
from gesture_ros.ros.keypoint_watchdog import KeypointWatchdog
from gesture_ros.ros.lifecycle import ConfigureError, ManagedNode
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.params import declare_with_maps, refusing_errors
from gesture_ros.ros.qos import KEYPOINTS_IN_QOS


class ClassifierNode(ManagedNode):
    """Decide gestures from the keypoints stream with an ONNX model (a managed node: configure loads the
    model, activate subscribes, deactivate ENDs held gestures, cleanup frees the model)."""

    def __init__(self, **kwargs) -> None:
        # Undeclared names are allowed so that `ros2 param set ... thresholds.fist 0.9` can add a
        # key to a label map; _apply_parameters refuses every other unknown name. The overrides are
        # declared only to learn their names (declare_with_maps): the label maps' keys are among them.
        super().__init__(kwargs.pop("node_name", "classifier_node"), allow_undeclared_parameters=True,
                         automatically_declare_parameters_from_overrides=True, **kwargs)
        declare_with_maps(self, PARAMS + HRI_PARAMS + MANAGED_PARAMS, READ_ONLY, LABEL_MAPS)
        accept_empty_lists(self)
        log = self.get_logger()
        self._warn = LogThrottle(log.warning, 5.0)
        self._bad = BadInputLog(log.warning, 5.0)
        self._lock = threading.RLock()  # the decider, against model swaps from other callbacks
        self._decider: GestureDecider | None = None
        self._settings = initial_settings(self, log.error)
        self._out = EventOutput(self, self._warn, self.get_parameter("hri_output").value)
        self._sub = None
        self._watchdog: KeypointWatchdog | None = None
        self._models = ModelSource(self, self._bad)
        topic = f"{self.get_namespace().rstrip('/')}/keypoints"
        self._health = ClassifierHealth(self, self._bad, self._models, topic, self._decider_state,
                                        self._settings.diagnostics_period_s)
        self.add_on_set_parameters_callback(refusing_errors(self._apply_parameters, self._bad))
        self.start_if(self.get_parameter("autostart").value)

    # ---- lifecycle ------------------------------------------------------------------
    def configure(self) -> None:
        try:
            self._swap_model(self._models.load(self._settings))
        except ModelLoadError as exc:
            raise ConfigureError(f"{exc}; set model_path to a good model, then configure again") from None

    def activate(self) -> None:
        self._sub = self.create_subscription(Keypoints, "keypoints", self._on_keypoints, KEYPOINTS_IN_QOS)
        self._models.start(lambda: self._settings, self._swap_model)
        self._watchdog = KeypointWatchdog(self, self._settings.decider.keypoint_timeout_s, self._expire, self._warn)

    def deactivate(self) -> None:
        for entity, destroy in ((self._sub, self.destroy_subscription),
                                (self._watchdog and self._watchdog.timer, self.destroy_timer)):
            if entity is not None:
                destroy(entity)
        self._sub = self._watchdog = None
        self._models.stop()
        self.end_all()

    def cleanup(self) -> None:
        with self._lock:
            self._decider = None

    @property
    def frames_received(self) -> int:
        """Return how many keypoints messages arrived (good or bad)."""
        return self._health.counts["frames"]

    @property
    def model(self) -> GestureModel | None:
        """Return the model in use, or None."""
        return self._decider.model if self._decider else None

    # ---- model and parameters -------------------------------------------------------
    def _swap_model(self, model: GestureModel) -> None:
        with self._lock:
            if self._decider is None:
                self._decider = GestureDecider(model, self._settings.decider)
            else:
                self._publish_events(self._decider.set_model(model))
            self._models.in_use(model, self._settings)

    def _apply_parameters(self, params: list[Parameter]) -> SetParametersResult:
        settings, refusal = changed_settings(self, params, self._settings.model_dirs)
        if settings is None:
            return SetParametersResult(successful=False, reason=refusal)
        try:  # an unconfigured node loads its model at configure
            model = self._models.load_changed(settings, params) if self.configured else None
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

    # ---- data -----------------------------------------------------------------------
    def _on_keypoints(self, msg: Keypoints) -> None:
        arrived_s = self._health.keypoints()
        try:
            self._take(msg, arrived_s)
        except Exception as exc:  # noqa: BLE001 (one bad message must not end gesture recognition)
            self._health.refuse("internal", f"keypoints from '{bounded(msg.header.frame_id, 60)}' could not be "
                                            f"handled: {type(exc).__name__}: {bounded(exc)}")

    def _take(self, msg: Keypoints, arrived_s: float) -> None:
        frame = checked_keypoints(msg)
        if isinstance(frame, tuple):
            return self._health.refuse(*frame)
        with self._lock:
            if self._decider is None:
                self._warn("keypoints arrive but no model is loaded: set model_path", key="no model")
                return
            source = source_id_for(self._settings.source_id, self.get_namespace(), frame.frame_id)
            self._out.frame(frame)
            decision = self._decider.push(source, frame, arrived_s)
            self._publish_events(decision.events, frame)
            if decision.scores is not None and self._settings.publish_scores:
                self._out.scores(decision.scores, self._decider.model)
        self._health.notes(decision.notes, self._warn)

    def _expire(self, now_s: float, stamp_ns: int) -> list[GestureEventData]:
        """End held gestures of sources silent since ``now_s`` - keypoint_timeout_s (the watchdog's call)."""
        with self._lock:
            if self._decider is None:
                return []
            events = self._decider.expire(now_s, stamp_ns)
            self._publish_events(events)
        return events

    def _publish_events(self, events: list[GestureEventData], frame: KeypointFrame | None = None) -> None:
        self._health.events(len(events))
        self._out.events(events, self._settings, frame)

    def _decider_state(self) -> tuple[dict[str, object], float] | None:
        with self._lock:
            return None if self._decider is None else (self._decider.figures(), self._settings.decider.keypoint_timeout_s)

    # ---- shutdown -------------------------------------------------------------------
    def end_all(self) -> None:
        """End every active held gesture (publish the ENDs) and wait for them to be acknowledged."""
        with self._lock:
            if self._decider is None:
                return
            events = self._decider.close()
            self._publish_events(events)
        if events:
            self._out.wait_acked(1.0)

    def destroy_node(self) -> None:
        """Publish the END of any held gesture (deactivate), then destroy the node."""
        try:
            self.wind_down()
        except Exception as exc:  # noqa: BLE001 (the context may already be shut down by rclpy)
            self.get_logger().warning(f"could not publish the END of active gestures at shutdown: {exc}")
        super().destroy_node()


def main(args=None) -> None:
    # run_node keeps the context up until destroy_node has published the ENDs of held gestures.
    run_node(ClassifierNode, args, startup_errors=(ConfigureError,))


if __name__ == "__main__":
    main()
