"""Bench: bare MediaPipe Hands loop vs camera_node -> keypoint_node over DDS, in one run.

Both arms decode the same video as fast as they can. The ROS arm runs the real node
executables on a domain id of its own (loopback discovery); camera_node uses
``pace: as_fast_as_consumed`` (next frame once keypoints for the frames in flight came
back), so neither arm waits for the wall clock and no frame is dropped. Order: bare, ROS,
bare again; the bare figure is the mean of both bare runs, to even out load drift.

Latency: for each frame, keypoints arrival minus image_raw arrival at this process (same
stamp). Stamps of a replayed file advance at the file's rate, not the wall clock, so
"now - stamp" would drift when replaying faster than real time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

from gesture_ros.core.stats import LatencyStats
from gesture_ros.tools.child_process import BENCH_DOMAINS, DomainLease, node_command, stop_processes

DATA = Path(os.environ.get("GESTURE_DATA_DIR", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
DEFAULT_VIDEO = DATA / "videos" / "open_hand_no_gesture.mp4"


def bare_loop(video: Path, model_complexity: int) -> dict[str, float]:
    """Decode and run MediaPipe Hands on every frame, no ROS; return fps and stage times."""
    import mediapipe as mp

    decode, infer = LatencyStats(5000), LatencyStats(5000)
    cap = cv2.VideoCapture(str(video))
    frames = 0
    with mp.solutions.hands.Hands(static_image_mode=False, max_num_hands=2, model_complexity=model_complexity) as hands:
        start = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            ok, bgr = cap.read()
            if not ok:
                break
            t1 = time.perf_counter()
            hands.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            t2 = time.perf_counter()
            decode.add(t1 - t0)
            infer.add(t2 - t1)
            frames += 1
        elapsed = time.perf_counter() - start
    cap.release()
    return {"frames": frames, "fps": frames / elapsed, "decode p50 ms": decode.percentile_ms(50),
            "infer p50 ms": infer.percentile_ms(50), "infer p95 ms": infer.percentile_ms(95)}


def ros_arm(video: Path, model_complexity: int, domain: int, log_dir: Path) -> dict[str, float]:
    """Run camera_node -> keypoint_node on ``video``; return fps, latency and node figures."""
    os.environ.update(ROS_DOMAIN_ID=str(domain), ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST")
    import rclpy

    from gesture_ros.ros.keypoint_probe import KeypointProbe

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    context = rclpy.context.Context()
    rclpy.init(context=context, domain_id=domain)
    probe = KeypointProbe(context, name="bench_keypoints_probe")
    procs: list[subprocess.Popen] = []
    kp_log = open(log_dir / "keypoint_node.log", "wb")  # noqa: SIM115 (open while the node runs)
    cam_log = open(log_dir / "camera_node.log", "wb")  # noqa: SIM115
    try:
        procs.append(subprocess.Popen(node_command("keypoint_node", {"model": "hands",
                                                                     "model_complexity": model_complexity}),
                                      stdout=kp_log, stderr=subprocess.STDOUT, env=env, start_new_session=True))
        camera = subprocess.Popen(node_command("camera_node", {"source": str(video), "pace": "as_fast_as_consumed",
                                                               "wait_for_subscribers": 2, "linger_s": 1.5}),
                                  stdout=cam_log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        procs.append(camera)
        deadline = time.monotonic() + 600
        while camera.poll() is None and time.monotonic() < deadline:
            probe.spin_for(0.2)
        probe.spin_for(1.0)
        images, keypoints = probe.image_at, probe.keypoints_at
        if not keypoints:
            raise RuntimeError(f"no keypoints arrived; see the logs in {log_dir}")
        latency = LatencyStats(10000)
        for stamp, (arrived, _) in keypoints.items():
            if stamp in images:
                latency.add(arrived - images[stamp])
        first = min(images.values())
        last = max(t for t, _ in keypoints.values())
        figures: dict[str, float] = {
            "frames": len(keypoints), "images": len(images), "fps": (len(keypoints) - 1) / (last - first),
            "with hand": sum(p for _, p in keypoints.values()) / len(keypoints),
            "latency p50 ms": latency.percentile_ms(50), "latency p95 ms": latency.percentile_ms(95),
        }
        for node, diag in probe.diagnostics.items():
            for key, value in diag.items():
                if key.endswith(" ms") or "dropped" in key:
                    figures[f"{node}: {key}"] = value
        return figures
    finally:
        stop_processes(procs)
        probe.close()
        rclpy.try_shutdown(context=context)
        kp_log.close()
        cam_log.close()


def _print(title: str, figures: dict[str, object]) -> None:
    print(title)
    for key, value in figures.items():
        print(f"  {key:<48} {value:.2f}" if isinstance(value, float) else f"  {key:<48} {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench keypoints", description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--model-complexity", type=int, default=1, choices=(0, 1))
    args, _ = parser.parse_known_args(argv)
    if not args.video.exists():
        print(f"bench keypoints: the video {args.video} is missing (set GESTURE_DATA_DIR or pass --video)",
              file=sys.stderr)
        return 2
    lease = DomainLease(BENCH_DOMAINS)
    domain = lease.domain_id
    log_dir = Path(tempfile.mkdtemp(prefix="bench_keypoints_"))
    try:
        bare1 = bare_loop(args.video, args.model_complexity)
        ros = ros_arm(args.video, args.model_complexity, domain, log_dir)
        bare2 = bare_loop(args.video, args.model_complexity)
    finally:
        lease.release()
    bare = {k: (bare1[k] + bare2[k]) / 2 for k in bare1}
    print(f"video {args.video} ({bare1['frames']} frames), model hands (complexity {args.model_complexity}), "
          f"ROS domain {domain}, node logs in {log_dir}")
    _print("(a) bare MediaPipe Hands loop (mean of the runs before and after (b))", {**bare, "fps runs": f"{bare1['fps']:.2f}, {bare2['fps']:.2f}"})
    _print("(b) camera_node -> keypoint_node over DDS (pace as_fast_as_consumed)", ros)
    ratio = ros["fps"] / bare["fps"]
    print(f"ratio (b)/(a) frames/s: {ratio:.3f} (goal >= 0.95)")
    return 0
