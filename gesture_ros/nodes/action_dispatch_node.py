"""action_dispatch_node: gesture events to OSC, HTTP, mpv, ROS and log actions, safely.

Bad events (unknown type or gesture, non-finite confidence, absurd stamps, oversized fields)
are refused with one throttled sentence per kind and counted in diagnostics; a refused END
still ends its hold. While the map has repeating or time-limited held actions,
``gesture/scores`` is subscribed: scores that rank a held gesture keep its hold alive.
Every parameter is read-only (actions/dispatch_params.py): arm through dispatch/set_armed
or dispatch/armed; a motion map starts disarmed.
"""

from __future__ import annotations

from rclpy.node import Node
from std_msgs.msg import Bool, Empty
from std_srvs.srv import SetBool

from gesture_ros.actions.action_map import load_action_map
from gesture_ros.actions.dispatch_params import PARAMS, READ_ONLY, settings_from
from gesture_ros.actions.dispatcher import Dispatcher
from gesture_ros.actions.event_check import check_event
from gesture_ros.actions.log_action import LogExecutor
from gesture_ros.actions.model import ActionMap
from gesture_ros.actions.result import ActionResult, Outcome
from gesture_ros.actions.vocabulary import Vocabulary, load_vocabulary
from gesture_ros.actions.yaml_reader import ActionMapError
from gesture_ros.common.bad_input import BadInputLog
from gesture_ros.common.paths import resolve_shipped
from gesture_ros.common.safe_text import bounded
from gesture_ros.msg import ActionRecord, GestureEvent, GestureScores
from gesture_ros.ros.action_record_conversion import record_from_result
from gesture_ros.ros.conversions import stamp_to_ns
from gesture_ros.ros.diagnostics import ERROR, OK, WARN, DiagnosticsPublisher
from gesture_ros.ros.event_conversion import event_from_msg
from gesture_ros.ros.node_main import run_node
from gesture_ros.ros.params import declare_table
from gesture_ros.ros.qos import EVENT_QOS
from gesture_ros.ros.ros_action_executor import RosExecutor


class ActionDispatchNode(Node):
    """Subscribe gesture/events, run the mapped actions, publish actions/log and /diagnostics."""

    def __init__(self, **kwargs) -> None:
        super().__init__("action_dispatch_node", **kwargs)
        settings = settings_from(declare_table(self, PARAMS, READ_ONLY))
        self._settings = settings.safety
        self._bad = BadInputLog(self.get_logger().warning)
        self._bad_reported = 0
        self._dispatcher = Dispatcher(
            report=self._on_result, clock_ns=lambda: self.get_clock().now().nanoseconds,
            factories={"ros": lambda target, specs: RosExecutor(self, target, specs),
                       "log": lambda target, specs: LogExecutor(target, specs, sink=self._log_line)},
            settings=self._settings, warn=self.get_logger().warning)
        self._map_error = ""
        self._record_pub = self.create_publisher(ActionRecord, "actions/log", EVENT_QOS)
        try:
            self._install(self._read_map(settings.action_map, self._load_vocabulary(settings.model)))
        except ActionMapError as exc:
            self._map_error = str(exc)
            self.get_logger().error(f"action map {settings.action_map} refused, nothing will fire until it is "
                                    f"fixed and the node restarted:\n{exc}")
        self.create_subscription(GestureEvent, "gesture/events", self._on_event, EVENT_QOS)
        self.create_subscription(Bool, "dispatch/armed", self._on_armed_topic, EVENT_QOS)
        # Disarm only (the venue bridge's; SROS2 grants it this topic and not dispatch/armed).
        self.create_subscription(Empty, "dispatch/disarm", lambda _msg: self._set_armed(False, "dispatch/disarm"),
                                 EVENT_QOS)
        self.create_service(SetBool, "dispatch/set_armed", self._on_set_armed)
        self._diagnostics = DiagnosticsPublisher(self, self._diagnose, settings.diagnostics_period_s)

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
        if action_map.motion and self._settings.armed:
            self._dispatcher.set_armed(False)
            self.get_logger().warning(f"action map {action_map.source} moves things (geometry_msgs/Twist or "
                                      "motion: true): starting DISARMED whatever 'armed' says; arm through "
                                      "dispatch/set_armed once it is safe")
        if any(a.repeat_hz or a.max_hold_s for a in action_map.actions):
            self.create_subscription(GestureScores, "gesture/scores", self._on_scores, EVENT_QOS)
        self.get_logger().info(
            f"action map {action_map.source}: {len(action_map.actions)} actions on {len(action_map.targets)} targets"
            f" ({'armed' if self._settings.armed else 'DISARMED'})")

    def _set_armed(self, armed: bool, via: str) -> None:
        if self._dispatcher.set_armed(armed) or armed:
            self.get_logger().warning(f"ARMED ({via}): actions will fire" if armed
                                      else f"DISARMED ({via}): nothing fires but stops")

    def _on_armed_topic(self, msg: Bool) -> None:
        self._set_armed(bool(msg.data), "dispatch/armed")

    def _on_set_armed(self, request: SetBool.Request, response: SetBool.Response) -> SetBool.Response:
        self._set_armed(bool(request.data), "dispatch/set_armed")
        response.success, response.message = True, "armed" if request.data else "disarmed"
        return response

    def _on_event(self, msg: GestureEvent) -> None:
        try:
            try:
                event = event_from_msg(msg)
            except ValueError:
                self._bad("event type", f"gesture event '{bounded(msg.event_id, 40)}' refused: unknown event_type "
                                        f"{msg.event_type} (TRIGGER 0, START 1, END 2)")
                return
            refusal = check_event(event, self._dispatcher.action_map.gestures, self.get_clock().now().nanoseconds,
                                  self._settings.max_stamp_skew_s)
            if msg.header.stamp.nanosec >= 1_000_000_000:
                refusal = "stamp", (f"gesture event '{bounded(msg.event_id, 40)}' refused: header stamp nanosec "
                                    f"{msg.header.stamp.nanosec} is out of range")
            if refusal is None:
                self._dispatcher.handle(event)
                return
            self._bad(*refusal)
            self._dispatcher.refused_end(event, refusal[0])  # an END ends its hold whatever is wrong with it
        except Exception as exc:  # noqa: BLE001 (one bad event must not end the node)
            self._bad("internal", f"gesture event '{bounded(msg.event_id, 40)}' could not be handled: "
                                  f"{type(exc).__name__}: {bounded(exc)}")

    def _on_scores(self, msg: GestureScores) -> None:
        """Take the classifier's scores: they keep a hold alive while they still rank its gesture."""
        try:
            self._dispatcher.confirm(msg.source_id, msg.person_id, stamp_to_ns(msg.header.stamp),
                                     dict(zip(msg.labels, msg.probabilities, strict=True)))
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
            "stop latched": stats.latched or "no",
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
    run_node(ActionDispatchNode, args)


if __name__ == "__main__":
    main()
