"""End-to-end latency: image stamp -> keypoints / scores / events received, in one run.

The real node executables run on a DDS domain of their own, loopback only; the clip is
replayed in real time (looped), so image stamps track the wall clock of capture.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gesture_ros.common.stats import LatencyStats
from tools.child_process import BENCH_DOMAINS, DomainLease, node_command, stop_processes
from tools.data_dir import data_dir

GOAL_EXTRA_MS = 5.0
DEFAULT_VIDEO = "videos/open_hand_no_gesture.mp4"


def _data_dir() -> Path:
    return data_dir()


def _domain() -> tuple[int, DomainLease | None]:
    """Return ROS_DOMAIN_ID if set, else a free id of the benchmarks' range held by a lock file."""
    if os.environ.get("ROS_DOMAIN_ID"):
        return int(os.environ["ROS_DOMAIN_ID"]), None
    lease = DomainLease(BENCH_DOMAINS)
    return lease.domain_id, lease


def _start(exe: str, params: dict[str, str], env: dict[str, str], log_dir: Path) -> subprocess.Popen:
    with open(log_dir / f"{exe}.log", "wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(node_command(exe, params), stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)


def bench_end_to_end(model_path: Path, video: str, seconds: float, keypoint_model: str) -> int:
    """Run the three nodes on a looped clip for ``seconds``; print latency percentiles side by side."""
    import rclpy
    from gesture_ros.msg import GestureEvent, GestureScores, Keypoints
    from rclpy.executors import SingleThreadedExecutor

    from gesture_ros.ros.conversions import stamp_to_ns
    from gesture_ros.ros.qos import EVENT_QOS, SENSOR_QOS

    clip = Path(video) if video else _data_dir() / DEFAULT_VIDEO
    if not clip.exists():
        print(f"end-to-end part skipped: clip {clip} is absent (pass --video or set GESTURE_DATA_DIR)")
        return 0
    domain, lease = _domain()
    # The node scripts start with '#!/usr/bin/env python3': make that this interpreter.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = dict(os.environ, ROS_DOMAIN_ID=str(domain), ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST",
               PYTHONUNBUFFERED="1", PATH=path)
    log_dir = Path(tempfile.mkdtemp(prefix="gesture_bench_"))
    stats = {name: LatencyStats(100_000) for name in ("keypoints", "scores", "events", "classifier stage")}
    kp_arrival: dict[int, int] = {}

    def on_keypoints(msg) -> None:
        now, stamp = time.time_ns(), stamp_to_ns(msg.header.stamp)
        kp_arrival[stamp] = now
        stats["keypoints"].add((now - stamp) / 1e9)

    def on_output(name: str):
        def callback(msg) -> None:
            now, stamp = time.time_ns(), stamp_to_ns(msg.header.stamp)
            stats[name].add((now - stamp) / 1e9)
            if name == "scores" and stamp in kp_arrival:
                stats["classifier stage"].add((now - kp_arrival.pop(stamp)) / 1e9)
        return callback

    context = rclpy.context.Context()
    rclpy.init(context=context, domain_id=domain)
    procs: list[subprocess.Popen] = []
    try:
        node = rclpy.create_node("classifier_bench", context=context)
        node.create_subscription(Keypoints, "keypoints", on_keypoints, SENSOR_QOS)
        node.create_subscription(GestureScores, "gesture/scores", on_output("scores"), EVENT_QOS)
        node.create_subscription(GestureEvent, "gesture/events", on_output("events"), EVENT_QOS)
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        procs.append(_start("classifier_node", {"model_path": str(model_path), "providers": "[cpu]"}, env, log_dir))
        procs.append(_start("keypoint_node", {"model": keypoint_model}, env, log_dir))
        procs.append(_start("camera_node", {"source": str(clip), "loop": "true", "pace": "realtime",
                                            "wait_for_subscribers": "1"}, env, log_dir))
        deadline = time.monotonic() + seconds + 30.0  # start-up (MediaPipe, DDS discovery) not counted
        started: float | None = None
        while time.monotonic() < deadline and (started is None or time.monotonic() - started < seconds):
            executor.spin_once(timeout_sec=0.05)
            if started is None and len(stats["scores"]):
                started = time.monotonic()
                for name in stats:  # drop warm-up samples
                    stats[name] = LatencyStats(100_000)
            if any(p.poll() is not None for p in procs):
                print(f"a node ended early; logs in {log_dir}")
                break
    finally:
        stop_processes(procs)
        rclpy.try_shutdown(context=context)
        if lease is not None:
            lease.release()
    print(f"clip {clip}, {seconds:.0f} s real time, keypoint model {keypoint_model}; logs in {log_dir}")
    print(f"{'image stamp -> received':<30}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}")
    for name, s in stats.items():
        print(f"{name:<30}{len(s):>7}{s.percentile_ms(50):>10.1f}{s.percentile_ms(95):>10.1f}")
    kp95, sc95 = stats["keypoints"].percentile_ms(95), stats["scores"].percentile_ms(95)
    print(f"ratio scores / keypoints p95: {sc95 / kp95:.3f}; extra p95 {sc95 - kp95:.1f} ms "
          f"(goal <= {GOAL_EXTRA_MS} ms: {'met' if sc95 - kp95 <= GOAL_EXTRA_MS else 'NOT met'})")
    print("scores carry the same header as events and come for every window; events are few per clip")
    return 0
