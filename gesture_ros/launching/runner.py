"""pipeline: every node of the launch in one process, each spinning in a thread of its own.

    ros2 run gesture_ros pipeline profile:=media source:=clip.mp4 [--summary-json out.json]

Takes the same ``name:=value`` arguments as launch/gesture.launch.py and follows the same plan
(launching/plan.py): the same nodes, names, namespace and remappings, and the same parameter
files in the same order, read by rcl (``--params-file``) as in separate processes, then the
values the arguments set, so one process runs what ``ros2 launch`` would start.
Each node spins its own SingleThreadedExecutor in a thread (ros/executor_threads.py), so the
nodes run in parallel while each node's callbacks stay serialized, as in separate processes;
the camera reads frames in its own thread. A recorded source ends the run: the pipeline lets the events settle, ends held
gestures, waits for the bridge outbox to drain and shuts everything down.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import rclpy
import yaml
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.signals import SignalHandlerOptions

from gesture_ros.common.keypoint_archive import write_archive
from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.common.paths import share_dir
from gesture_ros.launching.plan import PACKAGE, NodeLaunch, PlanError, package_installed, plan
from gesture_ros.msg import ActionRecord, GestureEvent, GestureScores, Keypoints
from gesture_ros.ros import dds
from gesture_ros.ros.conversions import msg_to_keypoints, stamp_to_ns
from gesture_ros.ros.empty_lists import empty_list_overrides
from gesture_ros.ros.executor_threads import ExecutorThreads
from gesture_ros.ros.lifecycle import ConfigureError, ManagedNode
from gesture_ros.ros.node_main import StopSignals, close_quietly
from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS

# executable -> (module, class); the one-process pipeline composes these classes.
NODE_CLASSES = {
    "camera_node": ("gesture_ros.nodes.camera_node", "CameraNode"),
    "keypoint_node": ("gesture_ros.nodes.keypoint_node", "KeypointNode"),
    "classifier_node": ("gesture_ros.nodes.classifier_node", "ClassifierNode"),
    "action_dispatch_node": ("gesture_ros.nodes.action_dispatch_node", "ActionDispatchNode"),
    "bridge_node": ("gesture_ros.nodes.bridge_node", "BridgeNode"),
    "recorder_node": ("gesture_ros.nodes.recorder_node", "RecorderNode"),
}
WATCH_PERIOD_S = 0.05  # the main thread checks end conditions (and Ctrl-C) this often


def to_parameters(values: dict[str, Any]) -> list[Parameter]:
    """Turn resolved YAML/launch values into rclpy parameter overrides."""
    params = []
    for name, value in values.items():
        if isinstance(value, list) and not value:  # [] alone would be typed as a byte array
            params.append(Parameter(name, Parameter.Type.STRING_ARRAY, []))
        else:
            params.append(Parameter(name, value=value))
    return params


def node_kwargs(spec: NodeLaunch, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the Node kwargs that reproduce one launched node: name, namespace, files, values, remaps.

    The parameter files go to rcl as ``--params-file``, in the launch's order; the values from
    launch arguments (and ``extra``) are overrides, which rcl applies after every file, as the
    launch does by passing them last.
    """
    cli = ["--ros-args", "-r", f"__node:={spec.name}"]
    for path in spec.param_files:
        cli += ["--params-file", str(path)]
    for old, new in spec.remappings:
        cli += ["-r", f"{old}:={new}"]
    return {"parameter_overrides": empty_list_overrides(cli, spec.name) + to_parameters({**spec.params, **(extra or {})}),
            "namespace": spec.namespace or None, "cli_args": cli, "use_global_arguments": False}


class EventTap(Node):
    """Count what the pipeline produced (for the summary and the benchmark)."""

    def __init__(self, namespace: str, keep_latency: bool = False, keep_keypoints: bool = False, **kwargs) -> None:
        super().__init__("pipeline_tap", namespace=namespace or None, **kwargs)
        self.keypoints: list[KeypointFrame] = []
        self._keep_keypoints = keep_keypoints
        group = MutuallyExclusiveCallbackGroup()
        self.events: list[dict] = []
        self.actions: list[dict] = []
        self.keypoint_latency_s: list[float] = []
        self.keypoint_age_s: list[float] = []  # on the tap's node clock: the replay clock under use_sim_time
        self.keypoint_received: dict[int, int] = {}  # stamp -> wall-clock receipt (ns): events are timed against it
        self.score_latency_s: list[float] = []
        self.last_activity = time.monotonic()
        self.keypoint_span: list[float] = []  # [first, last] receipt (monotonic s) and process CPU s
        self.create_subscription(GestureEvent, "gesture/events", self._on_event, EVENT_QOS, callback_group=group)
        self.create_subscription(ActionRecord, "actions/log", self._on_action, EVENT_QOS, callback_group=group)
        if keep_latency or keep_keypoints:
            self.create_subscription(Keypoints, "keypoints", self._on_keypoints, SENSOR_QOS, callback_group=group)
            self.create_subscription(GestureScores, "gesture/scores", lambda m: self._lat(m, self.score_latency_s),
                                     EVENT_QOS, callback_group=group)

    def _on_keypoints(self, msg: Keypoints) -> None:
        now = (time.monotonic(), time.process_time())
        self.keypoint_span = [self.keypoint_span[0] if self.keypoint_span else now, now]
        self._lat(msg, self.keypoint_latency_s)
        self.keypoint_received[stamp_to_ns(msg.header.stamp)] = time.time_ns()
        self.keypoint_age_s.append((self.get_clock().now().nanoseconds - stamp_to_ns(msg.header.stamp)) / 1e9)
        if self._keep_keypoints:
            self.keypoints.append(msg_to_keypoints(msg))

    def _lat(self, msg, into: list[float]) -> None:
        into.append((time.time_ns() - stamp_to_ns(msg.header.stamp)) / 1e9)
        self.last_activity = time.monotonic()

    def _on_event(self, msg: GestureEvent) -> None:
        self.last_activity = time.monotonic()
        self.events.append({
            "gesture": msg.gesture, "type": ("TRIGGER", "START", "END")[msg.event_type],
            "confidence": round(float(msg.confidence), 3), "stamp_ns": stamp_to_ns(msg.header.stamp),
            "event_id": msg.event_id, "received_ns": time.time_ns(),
            "keypoints_received_ns": self.keypoint_received.get(stamp_to_ns(msg.header.stamp))})

    def _on_action(self, msg: ActionRecord) -> None:
        self.last_activity = time.monotonic()
        self.actions.append({"gesture": msg.gesture, "action": msg.action_name, "type": msg.action_type,
                             "target": msg.target, "result": ("DONE", "SKIPPED", "FAILED")[msg.result],
                             "detail": msg.detail})


class Pipeline:
    """The launch file's gesture_ros nodes as objects in one rclpy context."""

    def __init__(self, specs: list[NodeLaunch], extra: dict[str, dict[str, Any]] | None = None,
                 context=None, keep_latency: bool = False, keep_keypoints: bool = False) -> None:
        self.nodes: dict[str, Node] = {}
        self.context = context
        self.stop = threading.Event()  # set it (e.g. StopSignals.requested) to end run() early
        self.executor = ExecutorThreads(context=context)
        try:
            autostart: list[ManagedNode] = []
            for spec in specs:
                module, cls = NODE_CLASSES[spec.executable]
                node_cls = getattr(importlib.import_module(module), cls)
                given = {**spec.params, **(extra or {}).get(spec.executable, {})}
                wanted = bool(given.get("autostart", True))
                if issubclass(node_cls, ManagedNode):  # brought up below, once every node exists, as autostart says
                    given["autostart"] = False
                node = node_cls(context=context, **node_kwargs(spec, given))
                self.nodes[spec.executable] = node
                if isinstance(node, ManagedNode) and wanted:
                    autostart.append(node)
            namespace = specs[0].namespace if specs else ""
            # The tap keeps the nodes' time: on the replay clock when they run on it.
            sim = any(bool(getattr(n.get_parameter("use_sim_time"), "value", False)) for n in self.nodes.values())
            self.tap = EventTap(namespace, keep_latency, keep_keypoints, context=context,
                                parameter_overrides=[Parameter("use_sim_time", value=sim)])
            for node in reversed(autostart):  # consumers first: the camera's first frame finds them active
                try:
                    node.bring_up()
                except ConfigureError as exc:
                    raise ConfigureError(f"{node.get_name()}: {exc}") from None
            for node in [*self.nodes.values(), self.tap]:  # spin once all exist: the tap sees the first frame
                self.executor.add_node(node)
        except BaseException:
            self.close()
            raise

    def spin_until(self, done: Callable[[], bool], timeout_s: float) -> bool:
        """Let the nodes spin until ``done()`` holds, ``timeout_s`` passes or a stop is requested."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end and not self.stop.is_set():
            self.executor.check()
            if done():
                return True
            time.sleep(WATCH_PERIOD_S)
        return done()

    def run(self, settle_s: float = 1.5, max_s: float = 0.0) -> None:
        """Spin until the camera's recorded source ends (or ``max_s``, or a stop), then settle and drain.

        After a stop request (Ctrl-C) only the held gestures are ended; nothing waits for quiet.
        """
        camera = self.nodes.get("camera_node")
        finished = getattr(camera, "finished", threading.Event())
        self.spin_until(finished.is_set, max_s if max_s > 0 else float("inf"))
        finished.set()  # at max_s or a stop: stop capturing so the rest can settle
        if self.stop.is_set():
            return

        def quiet() -> bool:
            return time.monotonic() - self.tap.last_activity > settle_s

        self.spin_until(quiet, 30.0)
        classifier = self.nodes.get("classifier_node")
        if classifier is not None and hasattr(classifier, "end_all"):
            threading.Thread(target=classifier.end_all, daemon=True).start()  # its acks need the executor
            self.spin_until(quiet, 10.0)
        bridge = self.nodes.get("bridge_node")
        if bridge is not None:
            self.spin_until(lambda: bridge.service.status().outbox_depth == 0, 15.0)

    def summary(self) -> dict:
        camera = self.nodes.get("camera_node")
        bridge = self.nodes.get("bridge_node")
        keypoint = self.nodes.get("keypoint_node")
        out = {"nodes": sorted(self.nodes), "frames": getattr(camera, "published", None),
               "first_stamp_ns": getattr(getattr(camera, "source", None), "start_stamp_ns", None),
               "events": self.tap.events, "actions": self.tap.actions,
               "keypoint_latency_s": self.tap.keypoint_latency_s, "score_latency_s": self.tap.score_latency_s,
               "keypoint_age_s": self.tap.keypoint_age_s,
               "keypoint_span": self.tap.keypoint_span or getattr(keypoint, "published_span", []),
               "keypoints_published": getattr(keypoint, "processed", None)}
        if bridge is not None:
            s = bridge.service.status()
            out["bridge"] = {"accepted": s.accepted, "delivered": s.delivered, "outbox_depth": s.outbox_depth}
        return out

    def close(self) -> bool:
        """Stop spinning, then close every node (files, sockets, threads), newest first; return success."""
        self.executor.shutdown()
        ok = all([close_quietly(node) for node in reversed(list(self.nodes.values()))])  # every one
        if getattr(self, "tap", None) is not None:
            self.tap.destroy_node()
        return ok


def load_specs(launch_args: dict[str, str]) -> list[NodeLaunch]:
    """Return the launch's gesture_ros nodes for these arguments (others, e.g. rviz2, are left out)."""
    nodes = plan(launch_args, share_dir(), package_installed)
    skipped = [n.executable for n in nodes if n.package != PACKAGE or n.executable not in NODE_CLASSES]
    if skipped:
        print(f"pipeline: not started in this process (run them separately): {skipped}", file=sys.stderr)
    return [n for n in nodes if n.package == PACKAGE and n.executable in NODE_CLASSES]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("launch_args", nargs="*", metavar="NAME:=VALUE", help="launch file arguments")
    parser.add_argument("--set", action="append", default=[], metavar="NODE.PARAM:=VALUE",
                        help="extra parameter for one node, e.g. bridge_node.outbox_path:=/tmp/o.sqlite3")
    parser.add_argument("--summary-json", type=Path, help="write events, actions and counts here at the end")
    parser.add_argument("--settle-s", type=float, default=1.5, help="quiet time before shutting down")
    parser.add_argument("--max-s", type=float, default=0.0, help="stop after this long (0: at the end of a file)")
    parser.add_argument("--latency", action="store_true", help="also record per-frame latencies (benchmark)")
    parser.add_argument("--keypoints-npz", type=Path, help="write every keypoints message seen here at the end "
                        "(common/keypoint_archive.py; the live evaluation compares them)")
    opts = parser.parse_args(argv)
    for item in opts.launch_args + opts.set:
        if ":=" not in item:
            parser.error(f"'{item}' is not NAME:=VALUE")
    return opts


def _extra(items: list[str]) -> dict[str, dict[str, Any]]:
    """Turn ``node.param:=value`` items into per-node values, typed as YAML scalars (as ``-p`` does)."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, value = item.split(":=", 1)
        node, _, param = key.partition(".")
        try:
            typed = yaml.safe_load(value)
        except yaml.YAMLError:
            typed = value
        out.setdefault(node, {})[param] = value if typed is None or isinstance(typed, dict) else typed
    return out


def main(args: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if args is None else args)
    ros_args = argv[argv.index("--ros-args"):] if "--ros-args" in argv else []
    opts = parse_args(argv[:len(argv) - len(ros_args)])
    try:
        specs = load_specs(dict(a.split(":=", 1) for a in opts.launch_args))
    except PlanError as exc:
        print(f"pipeline: {exc}", file=sys.stderr)
        sys.exit(2)
    stop = StopSignals().install()  # Ctrl-C ends the run, the held gestures' ENDs still go out
    dds.use_large_frame_profile()
    rclpy.init(args=["pipeline"] + ros_args, signal_handler_options=SignalHandlerOptions.NO)
    pipeline: Pipeline | None = None
    code = 0
    try:
        pipeline = Pipeline(specs, _extra(opts.set), keep_latency=opts.latency,
                            keep_keypoints=opts.keypoints_npz is not None)
        pipeline.stop = stop.requested
        print(f"pipeline: running {sorted(pipeline.nodes)} in one process", file=sys.stderr, flush=True)
        pipeline.run(settle_s=opts.settle_s, max_s=opts.max_s)
    except ExternalShutdownException:
        pass
    except Exception as exc:  # a node refused its parameters or files: one sentence, no traceback stack  # noqa: BLE001
        print(f"pipeline: cannot run: {exc}", file=sys.stderr)
        code = 1
    finally:
        if pipeline is not None:
            if opts.summary_json:
                opts.summary_json.write_text(json.dumps(pipeline.summary(), indent=1))
            if opts.keypoints_npz:
                write_archive(opts.keypoints_npz, pipeline.tap.keypoints)
            if not pipeline.close():
                code = code or 1
        rclpy.try_shutdown()
        stop.ignore()
    sys.exit(code)


if __name__ == "__main__":
    main()
