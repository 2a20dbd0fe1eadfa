"""Bench: keypoint_node's CPU per frame outside the keypoint networks (backend onnx), in one run.

    python -m tools.bench overhead [--video V] [--model hands_pose]

Arms, in the order engine, node, engine, node, engine (figures: the means of each arm's runs):
- engine: the EngineExtractor loop alone in this process on the video's frames (already decoded):
  CPU ms per frame of the whole loop, and of the ONNX Runtime calls alone (each call timed by its
  own thread's CPU clock).
- node: camera_node (``pace: as_fast_as_consumed``) -> keypoint_node ``backend:=onnx`` over DDS,
  real executables on a domain of their own. keypoint_node's process CPU (/proc, all its threads:
  DDS, receipt, decode, the engine, messages, publish) per keypoints message, from the 10th
  message on (start-up and model loading not counted).

Overhead outside the networks = node CPU per frame - the networks' CPU per frame (issue 25's
goal: <= 5 ms); the rest of the engine (crops, decoding, NMS, smoothing) is counted in it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from tools.bench.engine import DEFAULT_VIDEO, read_frames
from tools.child_process import BENCH_DOMAINS, DomainLease, node_command, stop_processes

SKIP = 10  # keypoints messages before the node is counted


def process_cpu_s(pid: int) -> float:
    """Return a process's user + system CPU seconds (all threads) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def engine_arm(frames: list[np.ndarray], model: str) -> dict[str, float]:
    """Run the engine loop alone; return CPU ms per frame, total and in ONNX Runtime calls."""
    from gesture_ros.perception.engine import models
    from gesture_ros.perception.engine.extractor import EngineExtractor
    from gesture_ros.perception.extraction.options import ExtractorOptions

    spent = [0.0]
    run = models.Network.run

    def timed(self, batch):
        start = time.thread_time()
        try:
            return run(self, batch)
        finally:
            spent[0] += time.thread_time() - start

    models.Network.run = timed
    try:
        with EngineExtractor(ExtractorOptions(model=model)) as engine:
            for i, bgr in enumerate(frames[:SKIP]):
                engine.process(bgr, i * 33_333_333)
            spent[0], cpu0 = 0.0, time.process_time()
            for i, bgr in enumerate(frames[SKIP:], SKIP):
                engine.process(bgr, i * 33_333_333)
            cpu = time.process_time() - cpu0
    finally:
        models.Network.run = run
    n = len(frames) - SKIP
    return {"cpu_ms_per_frame": 1e3 * cpu / n, "network_cpu_ms_per_frame": 1e3 * spent[0] / n}


def node_arm(video: Path, model: str, domain: int, log_dir: Path) -> dict[str, float]:
    """Run camera_node -> keypoint_node (onnx); return keypoint_node's process CPU ms per keypoints message."""
    os.environ.update(ROS_DOMAIN_ID=str(domain), ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST")
    import rclpy

    from tools.bench.keypoint_probe import KeypointProbe

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    context = rclpy.context.Context()
    rclpy.init(context=context, domain_id=domain)
    probe = KeypointProbe(context, name="bench_overhead_probe", images=False)
    procs: list[subprocess.Popen] = []
    logs = [open(log_dir / f"{name}.log", "wb") for name in ("keypoint_node", "camera_node")]  # noqa: SIM115
    try:
        node = subprocess.Popen(node_command("keypoint_node", {"model": model, "backend": "onnx"}),
                                stdout=logs[0], stderr=subprocess.STDOUT, env=env, start_new_session=True)
        procs.append(node)
        camera = subprocess.Popen(node_command("camera_node", {"source": str(video), "pace": "as_fast_as_consumed",
                                                               "wait_for_subscribers": 1, "linger_s": 1.0}),
                                  stdout=logs[1], stderr=subprocess.STDOUT, env=env, start_new_session=True)
        procs.append(camera)
        first: tuple[int, float] | None = None
        last: tuple[int, float] | None = None
        deadline = time.monotonic() + 600
        while camera.poll() is None and time.monotonic() < deadline:
            probe.spin_for(0.1)
            count = len(probe.keypoints_at)
            if node.poll() is not None:
                raise RuntimeError(f"keypoint_node ended; see {log_dir}")
            if count >= SKIP and first is None:
                first = (count, process_cpu_s(node.pid))
            elif first is not None and count > (last or first)[0]:
                last = (count, process_cpu_s(node.pid))
        if first is None or last is None:
            raise RuntimeError(f"too few keypoints arrived; see the logs in {log_dir}")
        return {"frames counted": last[0] - first[0],
                "cpu_ms_per_frame": 1e3 * (last[1] - first[1]) / (last[0] - first[0])}
    finally:
        stop_processes(procs)
        probe.close()
        rclpy.try_shutdown(context=context)
        for log in logs:
            log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench overhead", description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--model", default="hands_pose", choices=("hands", "pose", "hands_pose"))
    args, _ = parser.parse_known_args(argv)
    frames = read_frames(args.video)
    lease = DomainLease(BENCH_DOMAINS)
    log_dir = Path(tempfile.mkdtemp(prefix="bench_overhead_"))
    try:
        engine, nodes = [engine_arm(frames, args.model)], []
        for _ in range(2):
            nodes.append(node_arm(args.video, args.model, lease.domain_id, log_dir))
            engine.append(engine_arm(frames, args.model))
    finally:
        lease.release()
    mean = {k: float(np.mean([e[k] for e in engine])) for k in engine[0]}
    node = {k: float(np.mean([n[k] for n in nodes])) for k in nodes[0]}
    print(f"video {args.video.name}, {len(frames)} frames, model {args.model}; a shared, loaded CPU: "
          f"compare within this run; node logs in {log_dir}")
    runs = ", ".join(f"{e['cpu_ms_per_frame']:.1f}" for e in engine)
    print(f"engine loop alone     {mean['cpu_ms_per_frame']:6.1f} ms CPU/frame (runs {runs})")
    print(f"  of which networks   {mean['network_cpu_ms_per_frame']:6.1f} ms CPU/frame")
    runs = ", ".join(f"{n['cpu_ms_per_frame']:.1f}" for n in nodes)
    print(f"keypoint_node (onnx)  {node['cpu_ms_per_frame']:6.1f} ms CPU/frame (runs {runs}; "
          f"{node['frames counted']:.0f} frames each)")
    print(f"node - engine loop    {node['cpu_ms_per_frame'] - mean['cpu_ms_per_frame']:6.1f} ms CPU/frame")
    print(f"overhead outside the networks (node - networks): "
          f"{node['cpu_ms_per_frame'] - mean['network_cpu_ms_per_frame']:.1f} ms CPU/frame (goal <= 5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
