"""Every shipped launch file under the real ``ros2 launch``, as a user runs it in a terminal.

One launch per file (a module-scoped fixture) serves all assertions about it: the nodes that come
up, the topics and their types, each node's parameters against the documented layering
(``ros2 param dump``), the events of the swipe GIF on gesture/events (and in ``ros2 topic echo``),
and Ctrl-C: SIGINT to the launch's process group ends every node with exit code 0 and no
traceback. Each launch runs on a DDS domain of its own, loopback only. The test's own
``params_file:=`` layer replays the clip frame by frame (pace as_fast_as_consumed), so the events
do not depend on how busy the machine is, and holds the clip until the test listens.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from support.data import shared_data
from support.launch_run import (
    LaunchProcess,
    evaluate_launch,
    flatten,
    layered,
    node_fqn,
    param_files,
    require_ros2_launch,
)
from support.mqtt_subscriber import Subscriber
from support.ros_env import DomainLease

from gesture_ros.common.paths import share_dir
from gesture_ros.ros.empty_lists import EMPTY, empty_list_overrides
from tools.mosquitto import Mosquitto

CLIP = "videos/swipe2_left_right.gif"
CLIP_FRAMES = 56
BASE_NODES = ("camera_node", "keypoint_node", "classifier_node", "action_dispatch_node")
TOPIC_TYPES = {
    "image_raw": "sensor_msgs/msg/Image", "camera_info": "sensor_msgs/msg/CameraInfo",
    "keypoints": "gesture_ros/msg/Keypoints", "keypoints/markers": "visualization_msgs/msg/MarkerArray",
    "gesture/events": "gesture_ros/msg/GestureEvent", "gesture/scores": "gesture_ros/msg/GestureScores",
    "gesture/markers": "visualization_msgs/msg/MarkerArray", "actions/log": "gesture_ros/msg/ActionRecord",
    "dispatch/armed": "std_msgs/msg/Bool", "/diagnostics": "diagnostic_msgs/msg/DiagnosticArray",
}


@dataclass(frozen=True)
class Case:
    launch_file: str
    profile: str
    args: dict[str, str]  # besides source and params_file; {tmp} and {broker} are filled in
    nodes: tuple[str, ...]
    swipes: tuple[str, ...]  # the TRIGGERs the clip gives, in order
    namespace: str = ""


CASES = {c.launch_file: c for c in (
    Case("gesture.launch.py", "media", {"record": "true", "record_dir": "{tmp}/recordings"},
         BASE_NODES + ("recorder_node",), ("swipe_right", "swipe_left")),
    Case("media.launch.xml", "media", {"namespace": "cam0"}, BASE_NODES, ("swipe_right", "swipe_left"),
         namespace="cam0"),
    Case("concert.launch.xml", "concert", {"venue_port": "{broker}"}, BASE_NODES + ("bridge_node",),
         ("swipe_right", "swipe_left")),
    # robot.yaml allows held gestures only: the clip's swipes must not move the robot.
    Case("robot.launch.xml", "robot", {}, BASE_NODES, ()),
)}

OWN_LAYER = """\
/**/camera_node:
  ros__parameters:
    pace: as_fast_as_consumed   # every frame, whatever the load
    consumer_timeout_s: 10.0
    wait_for_subscribers: 2     # keypoint_node and the test: the clip starts when the test listens
    loop: true                  # the camera is still running at Ctrl-C
/**/classifier_node:
  ros__parameters:
    providers: [cpu]
    thresholds: {{x_cross: 0.9}}  # the user's layer over config/classifier.yaml and the profile
/**/bridge_node:
  ros__parameters:
    outbox_path: {tmp}/outbox.sqlite3
"""


@dataclass
class LaunchRun:
    case: Case
    files: dict[str, Path]
    args: dict[str, str]
    nodes: set[str] = field(default_factory=set)
    topics: dict[str, list[str]] = field(default_factory=dict)
    dumps: dict[str, dict] = field(default_factory=dict)
    events: list = field(default_factory=list)
    frames: int = 0
    echo: str = ""
    venue: list[bytes] = field(default_factory=list)
    exit_code: int | None = None
    log: str = ""

    def name(self, relative: str) -> str:
        return relative if relative.startswith("/") else "/" + "/".join(
            p for p in (self.case.namespace, relative) if p)


def _cli(cmd: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _param_dump(node: str, env: dict, attempts: int = 3) -> dict:
    """Run ``ros2 param dump NODE``; return its parameters flattened.

    A fresh ros2 CLI node can send its request before the node's service has matched its reply
    reader; the reply is then lost and ``ros2 param dump`` waits forever (seen under load): retry.
    """
    out = ""
    for _ in range(attempts):
        try:
            out = subprocess.run(["ros2", "param", "dump", node, "--no-daemon", "--timeout", "30"], env=env,
                                 capture_output=True, text=True, timeout=45).stdout
        except subprocess.TimeoutExpired:
            continue
        doc = yaml.safe_load(out)
        if isinstance(doc, dict) and node in doc:
            return flatten(doc[node]["ros__parameters"])
    raise AssertionError(f"ros2 param dump {node} failed {attempts} times; last output: {out[-1000:]}")


@pytest.fixture(scope="module", params=sorted(CASES))
def launched(request, tmp_path_factory):
    """Run one launch file through a whole session and record what a user would see."""
    require_ros2_launch()
    rclpy = pytest.importorskip("rclpy")
    from gesture_ros.msg import GestureEvent
    from sensor_msgs.msg import Image

    from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS

    case = CASES[request.param]
    tmp = tmp_path_factory.mktemp(request.param.replace(".", "_"))
    clip = shared_data(CLIP)
    lease = DomainLease()
    broker = Mosquitto(tmp / "broker").start() if "bridge_node" in case.nodes else None
    own = tmp / "own.yaml"
    own.write_text(OWN_LAYER.format(tmp=tmp))
    fill = {"tmp": str(tmp), "broker": str(broker.port if broker else 0)}
    args = {"source": str(clip), "params_file": str(own), **{k: v.format(**fill) for k, v in case.args.items()}}
    share = share_dir()
    run = LaunchRun(case, {"own": own, "profile": share / "config" / "profiles" / f"{case.profile}.yaml"}, args)
    venue = Subscriber(broker) if broker else None
    env = lease.env()
    # As a user with a second terminal: echo listens before the launch, so it misses no event. With
    # no publisher to copy the QoS from, echo would subscribe best effort: ask for reliable.
    events_topic = run.name("gesture/events")
    echo = _cli(["ros2", "topic", "echo", events_topic, "gesture_ros/msg/GestureEvent", "--qos-reliability",
                 "reliable", "--no-daemon"], env)
    launch = LaunchProcess(case.launch_file, args, env, tmp / "launch.log")
    context = rclpy.context.Context()
    rclpy.init(context=context, domain_id=lease.domain_id)
    probe = rclpy.create_node("launch_test_probe", context=context)
    executor = rclpy.executors.SingleThreadedExecutor(context=context)
    executor.add_node(probe)

    def spin_until(done, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end and launch.proc.poll() is None:
            if done():
                return True
            executor.spin_once(timeout_sec=0.1)
        return done()

    def graph_nodes() -> set[str]:
        return {f"{ns.rstrip('/')}/{n}" for n, ns in probe.get_node_names_and_namespaces()
                if not n.startswith("_") and n != "launch_test_probe"}  # _ros2cli_*: ros2 topic echo

    try:
        expected = {run.name(n) for n in case.nodes}
        spin_until(lambda: expected <= graph_nodes(), 120)
        run.nodes = graph_nodes()
        assert expected <= run.nodes, f"nodes up: {sorted(run.nodes)}\n{launch.log()[-3000:]}"
        spin_until(lambda: {run.name(t) for t in TOPIC_TYPES} <= dict(probe.get_topic_names_and_types()).keys(), 20)
        run.topics = dict(probe.get_topic_names_and_types())

        for node in case.nodes:
            run.dumps[node] = _param_dump(run.name(node), env)

        probe.create_subscription(GestureEvent, events_topic, run.events.append, EVENT_QOS)

        def on_image(msg) -> None:
            run.frames += 1

        probe.create_subscription(Image, run.name("image_raw"), on_image, SENSOR_QOS)  # releases the clip
        want = len(case.swipes)
        spin_until(lambda: run.frames >= CLIP_FRAMES and len(run.events) >= want, 180)
        spin_until(lambda: False, 1.5)  # settle: anything more would show up now
        if venue is not None:
            venue.wait_for(lambda s: len(s.payloads(b'"gesture"')) >= want, 20)
            run.venue = venue.payloads(b'"gesture"')
        echo.send_signal(signal.SIGINT)
        run.echo = echo.communicate(timeout=30)[0]
    finally:
        run.exit_code = launch.interrupt()
        run.log = launch.log()
        if echo.poll() is None:
            echo.kill()
            echo.wait()
        if launch.proc.poll() is None:
            launch.kill()
        executor.shutdown()
        probe.destroy_node()
        rclpy.try_shutdown(context=context)
        if venue is not None:
            venue.client.loop_stop()
            venue.client.disconnect()
        if broker is not None:
            broker.stop()
        lease.release()
    return run


def test_the_launch_starts_its_nodes(launched):
    assert {launched.name(n) for n in launched.case.nodes} == launched.nodes


def test_topics_have_their_types(launched):
    for topic, kind in TOPIC_TYPES.items():
        assert launched.topics.get(launched.name(topic)) == [kind], topic


def test_param_dump_shows_the_layered_parameters(launched):
    """config/<node>.yaml < profile < params_file < launch arguments, key by key for maps."""
    share = share_dir()
    clip = launched.args["source"]
    from_args = {"camera_node": {"source": clip}, "keypoint_node": {"model": "hands_pose"},
                 "classifier_node": {"model_path": "models/gesture_default.onnx"},
                 "action_dispatch_node": {"model": "models/gesture_default.onnx"},
                 "bridge_node": {"broker_host": "127.0.0.1", "broker_port": int(launched.args.get("venue_port", 1883))},
                 "recorder_node": {"output_dir": launched.args.get("record_dir", "recordings")}}
    for node in launched.case.nodes:
        own_config = share / "config" / f"{node.removesuffix('_node')}.yaml"
        files = [f for f in (own_config, launched.files["profile"], launched.files["own"]) if f.is_file()]
        # a file's [] reaches the node as [""] (gesture_ros/ros/empty_lists.py: rclpy cannot declare a typed [])
        expected = {k: EMPTY if v == [] else v for k, v in layered(node, files, from_args[node]).items()}
        dump = launched.dumps[node]
        wrong = {k: (v, dump.get(k, "<not a parameter of the node>")) for k, v in expected.items() if dump.get(k) != v}
        assert not wrong, f"{node}: (expected, ros2 param dump) {wrong}"


def test_maps_layer_key_by_key(launched):
    thresholds = {k: v for k, v in launched.dumps["classifier_node"].items() if k.startswith("thresholds.")}
    assert thresholds["thresholds.swipe_left"] == 0.45 and thresholds["thresholds.swipe_right"] == 0.45  # classifier.yaml
    assert thresholds["thresholds.x_cross"] == 0.9  # the own layer beats concert.yaml's 0.85


def test_the_swipe_clip_gives_the_expected_events(launched):
    """The events on gesture/events; with the bridge, the same ones at the venue's broker."""
    assert launched.frames >= CLIP_FRAMES
    got = [(e.event_type, e.gesture) for e in launched.events]
    swipes = [g for t, g in got if g.startswith("swipe_")]
    assert tuple(swipes[:len(launched.case.swipes)]) == launched.case.swipes, got
    if not launched.case.swipes:
        assert swipes == [], got
    if "bridge_node" in launched.case.nodes:
        at_venue = [json.loads(p)["gesture"] for p in launched.venue]
        assert at_venue[:len(launched.case.swipes)] == list(launched.case.swipes), launched.venue


def test_topic_echo_prints_the_events(launched):
    echoed = re.findall(r"^gesture: (\S+)$", launched.echo, re.MULTILINE)
    assert echoed == [e.gesture for e in launched.events][:len(echoed)] and len(echoed) >= len(launched.case.swipes), \
        launched.echo[-2000:]
    if launched.case.swipes:
        assert re.search(r"^header:\n  stamp:\n    sec: \d+", launched.echo, re.MULTILINE), launched.echo[:500]


def test_ctrl_c_ends_every_node_cleanly(launched):
    log = launched.log
    assert launched.exit_code == 0, log[-3000:]
    for node in launched.case.nodes:
        assert re.search(rf"\[{node}-\d+\]: process has finished cleanly", log), f"{node}:\n{log[-3000:]}"
    for bad in ("Traceback", "KeyboardInterrupt", "process has died", "exit code"):
        assert bad not in log, f"{bad!r} in the launch log:\n{log[-3000:]}"


@pytest.mark.parametrize("arg,sentence", [
    ("profile:=nosuch", r"profile 'nosuch' does not exist: there is no .*/config/profiles/nosuch\.yaml"),
    ("rviz:=true", r"rviz:=true needs rviz2, which is not installed here"),
    ("sorce:=/dev/video1", r"'sorce' is not a launch argument of gesture_ros \(did you mean source\?\)"),
    ("start_camera:=yes", r"launch argument start_camera:=yes is neither true nor false"),
])
def test_wrong_arguments_stop_the_launch_before_anything_starts(arg, sentence, domain, tmp_path):
    require_ros2_launch()
    if arg == "rviz:=true" and shutil.which("rviz2"):
        pytest.skip("rviz2 is installed here: rviz:=true starts it")
    result = subprocess.run(["ros2", "launch", "gesture_ros", "media.launch.xml", arg], env=domain.env(),
                            capture_output=True, text=True, timeout=60)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    errors = [line for line in out.splitlines() if "[ERROR]" in line]
    assert len(errors) == 1 and re.search(sentence, errors[0]), out
    assert "process started" not in out and "Traceback" not in out, out


@pytest.mark.parametrize("launch_file,args,profile,bridge", [
    ("concert.launch.xml", {}, "concert", True),
    ("concert.launch.xml", {"profile": "robot", "start_bridge": "false"}, "robot", False),
    ("media.launch.xml", {"profile": "concert", "start_bridge": "true"}, "concert", True),
    ("robot.launch.xml", {"profile": "media"}, "media", False),
])
def test_profile_launch_files_let_every_argument_through(launch_file, args, profile, bridge):
    require_ros2_launch()
    share = share_dir()
    nodes = {node_fqn(n): n for n in evaluate_launch(share / "launch" / launch_file, args)}
    assert ("/bridge_node" in nodes) == bridge
    files = param_files(nodes["/classifier_node"])
    assert share / "config" / "profiles" / f"{profile}.yaml" in files


def _every_argument(tmp_path: Path) -> dict[str, str]:
    own = tmp_path / "own.yaml"
    own.write_text("/**:\n  ros__parameters: {}\n")
    return {"profile": "concert", "params_file": str(own), "namespace": "stage/cam1", "source": "0",
            "image_topic": "/usb_cam/image_raw", "keypoint_model": "holistic", "gesture_model": "/opt/m.onnx",
            "action_map": "config/actions/eos.yaml", "venue_host": "10.9.9.9", "venue_port": "8883",
            "record_dir": str(tmp_path), "start_camera": "true", "start_keypoints": "true",
            "start_classifier": "true", "start_dispatch": "true", "start_bridge": "true", "record": "true",
            "rviz": "false"}


@pytest.mark.parametrize("launch_file", ["gesture.launch.py", "media.launch.xml", "concert.launch.xml",
                                         "robot.launch.xml"])
def test_the_pipeline_gets_what_the_launch_starts(launch_file, tmp_path):
    """make run's one-process pipeline: same nodes, names, files in the same order, same values."""
    require_ros2_launch()
    from gesture_ros.launching.runner import load_specs, node_kwargs

    share = share_dir()
    for args in ({"source": "clip.mp4"}, _every_argument(tmp_path)):
        launched = {node_fqn(n): n for n in evaluate_launch(share / "launch" / launch_file, args)}
        # the wrappers' own defaults (profile, concert's start_bridge) are launch arguments too
        given = {"profile": {"media.launch.xml": "media", "concert.launch.xml": "concert",
                             "robot.launch.xml": "robot"}.get(launch_file, "media"), **args}
        if launch_file == "concert.launch.xml":
            given.setdefault("start_bridge", "true")
        specs = load_specs(given)
        assert {f"/{s.namespace}/{s.name}".replace("//", "/") for s in specs} == set(launched), args
        for spec in specs:
            node = launched[f"/{spec.namespace}/{spec.name}".replace("//", "/")]
            kwargs = node_kwargs(spec)
            cli = kwargs["cli_args"]
            files = [Path(cli[i + 1]) for i, a in enumerate(cli) if a == "--params-file"]
            given_files = param_files(node)
            assert files == given_files[:len(files)], spec.name  # the launch adds its inline values file last
            inline = {}
            for extra in given_files[len(files):]:
                for body in yaml.safe_load(extra.read_text()).values():
                    inline.update(body["ros__parameters"])
            # plus the files' empty lists as [""], which run_node hands a launched node the same way
            empties = {p.name: p.value for p in empty_list_overrides(cli, spec.name)}
            assert {p.name: p.value for p in kwargs["parameter_overrides"]} == {**empties, **inline}, spec.name
            remaps = [tuple(cli[i + 1].split(":=")) for i, a in enumerate(cli) if a == "-r"][1:]
            assert remaps == list(node.expanded_remapping_rules or []), spec.name


def test_hri_msgs_is_built_beside_the_package(domain):
    """The REP-155 messages (hri_msgs/Gesture) are built and importable; gesture_ros does not depend on them."""
    require_ros2_launch()
    try:
        from hri_msgs.msg import Gesture
    except ImportError:
        pytest.skip("hri_msgs is not built: place ../shared/ros2-extra beside the repository (make build builds it)")
    assert Gesture(gesture=Gesture.ARMS_CROSSED).gesture == 2
    shown = subprocess.run(["ros2", "interface", "show", "hri_msgs/msg/Gesture"], env=domain.env(),
                           capture_output=True, text=True, timeout=60)
    assert "uint8 ARMS_CROSSED = 2" in shown.stdout, shown.stdout + shown.stderr
    assert "hri_msgs" not in (share_dir() / "package.xml").read_text()


@pytest.mark.parametrize("distro, variable, value", [("humble", "ROS_LOCALHOST_ONLY", "1"),
                                                    ("jazzy", "ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")])
def test_every_launched_node_gets_the_setting(monkeypatch, distro, variable, value):
    """Issue 26 item 7: Humble reads ROS_LOCALHOST_ONLY, Iron and later ROS_AUTOMATIC_DISCOVERY_RANGE."""
    require_ros2_launch()
    from launch import LaunchContext
    from launch.utilities import perform_substitutions

    monkeypatch.setenv("ROS_DISTRO", distro)
    nodes = evaluate_launch(share_dir() / "launch" / "concert.launch.xml", {"domain_id": "17"})
    assert {node_fqn(n) for n in nodes} >= {"/camera_node", "/classifier_node", "/bridge_node"}
    context = LaunchContext()
    for node in nodes:
        env = {perform_substitutions(context, k): perform_substitutions(context, v)
               for k, v in node.process_description.additional_env}
        assert env == {variable: value, "ROS_DOMAIN_ID": "17"}, node_fqn(node)
