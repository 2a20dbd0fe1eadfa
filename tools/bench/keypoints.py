"""Bench: camera_node -> keypoint_node over DDS against bare MediaPipe loops, in one run.

    python -m tools.bench keypoints [--video V] [--model hands_pose|hands]

Baselines (bench/bare_mediapipe.py, each a process of its own): a bare sequential loop
(Hands then Pose on each frame) and a bare concurrent one (Hands and Pose at once, two
solution objects), both decoding the same video as fast as they can. The ROS arm runs the
real node executables on a domain id of its own (loopback discovery); camera_node uses
``pace: as_fast_as_consumed`` (next frame once keypoints for the frames in flight came
back), so no arm waits for the wall clock and no frame is dropped. Order: sequential,
concurrent, ROS, concurrent, sequential; each baseline figure is the mean of its two runs,
to even out load drift.

The bench process subscribes keypoints only (receiving every image in Python would take CPU
from the nodes); frames/s counts keypoints arrivals from the first one (model loading not
counted). Latency: keypoint_node's own "receipt to publish" (image received -> keypoints out)
from its diagnostics, which means the same whatever the replay's pace.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.bench.bare_mediapipe import run_arm
from tools.child_process import BENCH_DOMAINS, DomainLease, node_command, stop_processes
from tools.data_dir import data_dir

DATA = data_dir()
DEFAULT_VIDEO = DATA / "videos" / "open_hand_no_gesture.mp4"
GOALS = {"sequential": 1.5, "concurrent": 0.95}  # ROS arm frames/s over each baseline's


def ros_arm(video: Path, model: str, domain: int, log_dir: Path) -> dict[str, float]:
    """Run camera_node -> keypoint_node on ``video``; return fps, latency and node figures."""
    os.environ.update(ROS_DOMAIN_ID=str(domain), ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST")
    import rclpy

    from tools.bench.keypoint_probe import KeypointProbe

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    context = rclpy.context.Context()
    rclpy.init(context=context, domain_id=domain)
    probe = KeypointProbe(context, name="bench_keypoints_probe", images=False)
    procs: list[subprocess.Popen] = []
    kp_log = open(log_dir / "keypoint_node.log", "wb")  # noqa: SIM115 (open while the node runs)
    cam_log = open(log_dir / "camera_node.log", "wb")  # noqa: SIM115
    try:
        procs.append(subprocess.Popen(node_command("keypoint_node", {"model": model}),
                                      stdout=kp_log, stderr=subprocess.STDOUT, env=env, start_new_session=True))
        camera = subprocess.Popen(node_command("camera_node", {"source": str(video), "pace": "as_fast_as_consumed",
                                                               "wait_for_subscribers": 1, "linger_s": 1.5}),
                                  stdout=cam_log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        procs.append(camera)
        deadline = time.monotonic() + 600
        while camera.poll() is None and time.monotonic() < deadline:
            probe.spin_for(0.2)
        probe.spin_for(1.0)
        keypoints = probe.keypoints_at
        if not keypoints:
            raise RuntimeError(f"no keypoints arrived; see the logs in {log_dir}")
        arrivals = sorted(t for t, _ in keypoints.values())  # from the first keypoints: model loading not counted
        figures: dict[str, float] = {
            "frames": len(keypoints), "fps": (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]),
            "with hand": sum(p for _, p in keypoints.values()) / len(keypoints),
        }
        for node, diag in probe.diagnostics.items():
            for key, value in diag.items():
                if key.endswith(" ms") or "dropped" in key or key in ("frames published", "images processed"):
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
    parser.add_argument("--model", default="hands_pose", choices=("hands_pose", "hands"))
    args, _ = parser.parse_known_args(argv)
    if not args.video.exists():
        print(f"bench keypoints: the video {args.video} is missing (set GESTURE_DATA_DIR or pass --video)",
              file=sys.stderr)
        return 2
    lease = DomainLease(BENCH_DOMAINS)
    domain = lease.domain_id
    log_dir = Path(tempfile.mkdtemp(prefix="bench_keypoints_"))
    runs: dict[str, list[dict[str, float]]] = {"sequential": [], "concurrent": []}
    try:
        for mode in ("sequential", "concurrent"):
            runs[mode].append(run_arm(mode, args.video, log_dir / f"{mode}1.json", args.model))
        ros = ros_arm(args.video, args.model, domain, log_dir)
        for mode in ("concurrent", "sequential"):
            runs[mode].append(run_arm(mode, args.video, log_dir / f"{mode}2.json", args.model))
    finally:
        lease.release()
    print(f"video {args.video} ({runs['sequential'][0]['frames']} frames), model {args.model}, ROS domain {domain}, "
          f"node logs in {log_dir}; one run on a possibly shared CPU: compare ratios, not absolutes")
    bare = {}
    for mode, (a, b) in runs.items():
        bare[mode] = {k: (a[k] + b[k]) / 2 for k in a}
        _print(f"bare {mode} MediaPipe loop (mean of the runs before and after the ROS arm)",
               {**bare[mode], "fps runs": f"{a['fps']:.2f}, {b['fps']:.2f}"})
    _print("camera_node -> keypoint_node over DDS (pace as_fast_as_consumed)", ros)
    for mode, goal in GOALS.items():
        if args.model == "hands" and mode == "concurrent":
            continue  # one model: nothing runs concurrently, the two baselines are the same loop
        ratio = ros["fps"] / bare[mode]["fps"]
        print(f"ratio ROS / bare {mode} frames/s: {ratio:.3f} (goal >= {goal})")
    return 0
