"""action_dispatch_node: gesture events to OSC, HTTP, mpv, ROS and log actions, safely.

Bad events (unknown type or gesture, non-finite confidence, absurd stamps, oversized fields)
are refused with one throttled sentence per kind and counted in diagnostics. While the map
has repeating held actions, ``gesture/scores`` is subscribed as the classifier's sign of life.
"""

from __future__ import annotations

from rcl_interfaces.msg import SetParametersResult
from rclpy.node import Node
from rclpy.parameter import Parameter
from std_msgs.msg import Bool, Empty
from std_srvs.srv import SetBool

from gesture_ros.actions.action_map import load_action_map
from gesture_ros.actions.dispatcher import Dispatcher
from gesture_ros.actions.event_check import check_event
from gesture_ros.actions.log_action import LogExecutor
from gesture_ros.actions.model import ActionMap
from gesture_ros.actions.result import ActionResult, Outcome
from gesture_ros.actions.safety import SafetySettings
from gesture_ros.actions.vocabulary import Vocabulary, load_vocabulary
from gesture_ros.actions.yaml_reader import ActionMapError
from gesture_ros.core.bad_input import BadInputLog
from gesture_ros.core.paths import DEFAULT_MODEL, resolve_shipped
from gesture_ros.core.safe_text import bounded
from gesture_ros.msg import ActionRecord, GestureEvent, GestureScores
from gesture_ros.ros.action_record_conversion import record_from_result
from gesture_ros.ros.conversions import stamp_to_ns
from gesture_ros.ros.diagnostics import ERROR, OK, WARN, DiagnosticsPublisher
from gesture_ros.ros.event_conversion import event_from_msg
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.params import declare, refusing_errors
from gesture_ros.ros.qos import EVENT_QOS
from gesture_ros.ros.ros_action_executor import RosExecutor

DEFAULT_MAP = "config/actions/default.yaml"


class ActionDispatchNode(Node):
    """Subscribe gesture/events, run the mapped actions, publish actions/log and /diagnostics."""

    def __init__(self, **kwargs) -> None:
        super().__init__("action_dispatch_node", **kwargs)
        self._declare_parameters()
        self._settings = SafetySettings(
            armed=self.get_parameter("armed").value,
            max_event_age_s=self.get_parameter("max_event_age_s").value,
            rate_limit_count=self.get_parameter("global_rate_limit").value,
            rate_limit_window_s=self.get_parameter("global_rate_window_s").value,
            hold_timeout_s=self.get_parameter("hold_timeout_s").value,
            max_stamp_skew_s=self.get_parameter("max_stamp_skew_s").value,
        )
        self._bad = BadInputLog(self.get_logger().warning)
        self._bad_reported = 0
        self._scores_sub = None
        self._dispatcher = Dispatcher(
            report=self._on_result, clock_ns=lambda: self.get_clock().now().nanoseconds,
            factories={"ros": lambda target, specs: RosExecutor(self, target, specs),
                       "log": lambda target, specs: LogExecutor(target, specs, sink=self._log_line)},
            settings=self._settings, warn=self.get_logger().warning)
        self._vocabulary = self._load_vocabulary(self.get_parameter("model").value)
        self._map_error = ""
        self._record_pub = self.create_publisher(ActionRecord, "actions/log", EVENT_QOS)
        path = self.get_parameter("action_map").value
        try:
            self._install(self._read_map(path, self._vocabulary))
        except ActionMapError as exc:
            self._map_error = str(exc)
            self.get_logger().error(f"action map {path} refused, nothing will fire until it is fixed:\n{exc}")
        self.add_on_set_parameters_callback(refusing_errors(self._apply_parameters, self._bad))
        self.create_subscription(GestureEvent, "gesture/events", self._on_event, EVENT_QOS)
        self.create_subscription(Bool, "dispatch/armed", self._on_armed_topic, EVENT_QOS)
        # Disarm only (the venue bridge's; SROS2 grants it this topic and not dispatch/armed).
        self.create_subscription(Empty, "dispatch/disarm", lambda _msg: self._set_armed(False), EVENT_QOS)
        self.create_service(SetBool, "dispatch/set_armed", self._on_set_armed)
        self._diagnostics = DiagnosticsPublisher(self, self._diagnose,
                                                 self.get_parameter("diagnostics_period_s").value)

    def _declare_parameters(self) -> None:
        declare(self, "action_map", DEFAULT_MAP, "Action map YAML (absolute, or relative to the package share "
                "directory); setting it (even to the same path) reloads the map; a bad file is refused")
        declare(self, "model", DEFAULT_MODEL, "ONNX gesture model whose labels are the gesture names a map may "
                "use; the documented default vocabulary when it cannot be read")
        declare(self, "armed", True, "When false nothing fires but stops (END actions, stop: true); also set by "
                "dispatch/set_armed and dispatch/armed; disarming runs the END actions of held gestures")
        declare(self, "max_event_age_s", 1.0, "Events whose header stamp is older than this (node clock) are not "
                "acted on; 0: off", (0.0, 3600.0))
        declare(self, "global_rate_limit", 10, "Most events acted on per global_rate_window_s, all gestures "
                "together; 0: no limit", (0, 10000))
        declare(self, "global_rate_window_s", 1.0, "Window of the global rate limit, seconds", (0.01, 3600.0))
        declare(self, "hold_timeout_s", 0.5, "A held gesture with repeat_hz actions is released (its END actions "
                "run) when its source has no gesture/scores for this long: a dead classifier stops the robot",
                (0.05, 60.0))
        declare(self, "max_stamp_skew_s", 3600.0, "Events stamped further than this from the node clock are "
                "refused as bad input; 0: off", (0.0, 1e9))
        declare(self, "diagnostics_period_s", 1.0, "Period of /diagnostics, seconds", (0.1, 60.0), read_only=True)

    def _load_vocabulary(self, model: str) -> Vocabulary:
        vocabulary, note = load_vocabulary(resolve_shipped(model) if model else None)
        self.get_logger().info(note)
        return vocabulary

    def _read_map(self, path: str, vocabulary: Vocabulary) -> ActionMap:
        action_map = load_action_map(resolve_shipped(path), vocabulary)
        for warning in action_map.warnings:
            self.get_logger().warning(f"action map: {warning}")
        return action_map

    def _install(self, action_map: ActionMap) -> None:
        self._dispatcher.load(action_map)
        self._map_error = ""
        if self._scores_sub is None and any(a.repeat_hz for a in action_map.actions):
            self._scores_sub = self.create_subscription(GestureScores, "gesture/scores", self._on_scores, EVENT_QOS)
        self.get_logger().info(
            f"action map {action_map.source}: {len(action_map.actions)} actions on {len(action_map.targets)} targets"
            f" ({'armed' if self._settings.armed else 'DISARMED'})")

    def _apply_parameters(self, params: list[Parameter]) -> SetParametersResult:
        values: dict[str, object] = {p.name: p.value for p in params}
        vocabulary = self._vocabulary
        if "model" in values:
            vocabulary = self._load_vocabulary(str(values["model"]))
        if "action_map" in values or "model" in values:
            path = str(values.get("action_map", self.get_parameter("action_map").value))
            try:
                self._install(self._read_map(path, vocabulary))
            except (ActionMapError, ValueError) as exc:
                self.get_logger().error(f"action map {path} refused, keeping the previous map:\n{exc}")
                return SetParametersResult(successful=False, reason=str(exc))
            self._vocabulary = vocabulary
        if "armed" in values and values["armed"] != self._settings.armed:
            self._settings.armed = bool(values["armed"])
            self.get_logger().warning("ARMED: actions will fire" if self._settings.armed
                                      else "DISARMED: nothing fires but stops")
            if not self._settings.armed:
                self._dispatcher.release_all("disarmed")
        self._settings.max_event_age_s = float(values.get("max_event_age_s", self._settings.max_event_age_s))
        self._settings.hold_timeout_s = float(values.get("hold_timeout_s", self._settings.hold_timeout_s))
        self._settings.max_stamp_skew_s = float(values.get("max_stamp_skew_s", self._settings.max_stamp_skew_s))
        self._settings.rate_limit_count = int(values.get("global_rate_limit", self._settings.rate_limit_count))
        self._settings.rate_limit_window_s = float(values.get("global_rate_window_s", self._settings.rate_limit_window_s))
        return SetParametersResult(successful=True)

    def _set_armed(self, armed: bool) -> SetParametersResult:
        return self.set_parameters([Parameter("armed", value=armed)])[0]

    def _on_armed_topic(self, msg: Bool) -> None:
        self._set_armed(bool(msg.data))

    def _on_set_armed(self, request: SetBool.Request, response: SetBool.Response) -> SetBool.Response:
        result = self._set_armed(bool(request.data))
        response.success = result.successful
        response.message = ("armed" if request.data else "disarmed") if result.successful else result.reason
        return response

    def _on_event(self, msg: GestureEvent) -> None:
        try:
            try:
                event = event_from_msg(msg)
            except ValueError:
                self._bad("event type", f"gesture event '{bounded(msg.event_id, 40)}' refused: unknown event_type "
                                        f"{msg.event_type} (TRIGGER 0, START 1, END 2)")
                return
            if msg.header.stamp.nanosec >= 1_000_000_000:
                self._bad("stamp", f"gesture event '{bounded(msg.event_id, 40)}' refused: header stamp nanosec "
                                   f"{msg.header.stamp.nanosec} is out of range")
                return
            refusal = check_event(event, self._dispatcher.action_map.gestures, self.get_clock().now().nanoseconds,
                                  self._settings.max_stamp_skew_s)
            if refusal is not None:
                self._bad(*refusal)
                return
            self._dispatcher.handle(event)
        except Exception as exc:  # noqa: BLE001 (one bad event must not end the node)
            self._bad("internal", f"gesture event '{bounded(msg.event_id, 40)}' could not be handled: "
                                  f"{type(exc).__name__}: {bounded(exc)}")

    def _on_scores(self, msg: GestureScores) -> None:
        """Take the classifier's scores as a sign of life of their source (keeps repeats going)."""
        try:
            self._dispatcher.confirm(msg.source_id, stamp_to_ns(msg.header.stamp))
        except Exception as exc:  # noqa: BLE001
            self._bad("scores", f"gesture scores from '{bounded(msg.source_id, 40)}' could not be used: {bounded(exc)}")

    def _on_result(self, result: ActionResult) -> None:
        """Publish a result (called from the worker threads and the executor)."""
        self._record_pub.publish(record_from_result(result))
        line = (f"{result.action_name} ({bounded(result.event.gesture, 40)} {result.event.event_type.name}) -> "
                f"{result.target}: {result.outcome.name} after {result.attempts} attempt(s): {bounded(result.detail, 300)}")
        if result.outcome == Outcome.FAILED or result.detail.startswith("queue full"):
            self.get_logger().warning(line)
        else:
            self.get_logger().debug(line)

    def _log_line(self, level: str, text: str) -> None:
        logger = self.get_logger()
        {"debug": logger.debug, "info": logger.info, "warning": logger.warning, "error": logger.error}[level](text)

    def _diagnose(self):
        stats = self._dispatcher.stats()
        amap = self._dispatcher.action_map
        figures: dict[str, object] = {
            "armed": self._settings.armed, "action map": amap.source or "none",
            "actions": len(amap.actions), "events": stats.events, "events acted": stats.acted,
            "events skipped": stats.skipped, "events unmapped": stats.unmapped,
            "held gestures": stats.holds, "repeats done": stats.repeats, "events refused": self._bad.total,
        }
        figures.update({f"skipped: {reason}": n for reason, n in sorted(stats.skip_reasons.items())})
        figures.update({f"released: {reason}": n for reason, n in sorted(stats.releases.items())})
        figures.update(self._bad.figures("refused:"))
        failing: list[str] = []
        for t in stats.targets:
            figures.update({f"{t.name} state": t.state, f"{t.name} queue": t.queued, f"{t.name} done": t.done,
                            f"{t.name} failed": t.failed, f"{t.name} retries": t.retries,
                            f"{t.name} overflows": t.overflows, f"{t.name} last error": t.last_error})
            if t.state != "ok" or t.overflows:
                failing.append(t.name)
        if self._map_error:
            return ERROR, f"action map refused: {self._map_error.splitlines()[0]}", figures
        if failing:
            return WARN, f"targets failing or overflowing: {', '.join(failing)}", figures
        refused, self._bad_reported = self._bad.total - self._bad_reported, self._bad.total
        if refused:
            return WARN, f"{refused} bad event(s) refused since the last report (see log)", figures
        return OK, "armed" if self._settings.armed else "disarmed: nothing fires but stops", figures

    def destroy_node(self) -> None:
        self._dispatcher.close(timeout_s=2.0)
        super().destroy_node()


def main(args: list[str] | None = None) -> None:
    # Own signal handling: on Ctrl-C/SIGTERM the END actions of held gestures still go out.
    run_node(ActionDispatchNode, args, own_signals=True)


if __name__ == "__main__":
    main()
