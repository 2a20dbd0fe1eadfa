"""Bare MediaPipe loops, the baselines of the keypoint and pipeline benchmarks (no gesture_ros code).

    python -m tools.bench.bare_mediapipe sequential|concurrent VIDEO OUT.json [--model hands_pose]

Each loop decodes the video with OpenCV, converts BGR to RGB and runs the legacy Solutions
(Hands, Pose, or both). ``sequential`` runs Hands then Pose on each frame; ``concurrent``
runs them as two solution objects at once (Pose in a one-thread pool while Hands runs in
the loop's thread), the fastest plain use of the API on several cores. Run each arm in a
process of its own (``run_arm``) so its CPU time and peak RSS come from the kernel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MODES = ("sequential", "concurrent")


def _solutions(model: str) -> list:
    import mediapipe as mp

    out = []
    if model in ("hands", "hands_pose"):
        out.append(mp.solutions.hands.Hands(static_image_mode=False, max_num_hands=2, model_complexity=1))
    if model in ("pose", "hands_pose"):
        out.append(mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1))
    return out


def loop(video: Path, mode: str, model: str = "hands_pose") -> dict[str, float]:
    """Run the bare loop over every frame; return frames, frames/s and CPU ms per frame."""
    import cv2

    solutions = _solutions(model)
    pool = ThreadPoolExecutor(max_workers=1) if mode == "concurrent" and len(solutions) > 1 else None
    cap = cv2.VideoCapture(str(video))
    frames = 0
    start = cpu0 = None
    try:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            if pool is not None:
                later = [pool.submit(s.process, rgb) for s in solutions[1:]]
                solutions[0].process(rgb)
                for future in later:
                    future.result()
            else:
                for solution in solutions:
                    solution.process(rgb)
            frames += 1
            if frames == 1:  # the first frame loads the models: not counted
                start, cpu0 = time.perf_counter(), time.process_time()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu0
    finally:
        cap.release()
        if pool is not None:
            pool.shutdown()
        for solution in solutions:
            solution.close()
    counted = frames - 1
    return {"frames": frames, "fps": counted / elapsed, "cpu_ms_per_frame": 1e3 * cpu / counted}


def run_arm(mode: str, video: Path, out: Path, model: str = "hands_pose", timeout_s: float = 600.0,
            prefix: list[str] | None = None) -> dict[str, float]:
    """Run ``loop`` in a child process (optionally under ``prefix``, e.g. taskset); add its peak RSS in MB."""
    cmd = [*(prefix or []), sys.executable, "-m", "tools.bench.bare_mediapipe", mode, str(video), str(out),
           "--model", model]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            stderr = proc.stderr.read()
            if os.waitstatus_to_exitcode(status):
                raise RuntimeError(f"bare {mode} loop failed: {stderr[-800:]}")
            return {**json.loads(out.read_text()), "rss_mb": usage.ru_maxrss / 1024}
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"bare {mode} loop did not finish within {timeout_s:.0f} s")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="bare_mediapipe", description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("video", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--model", default="hands_pose", choices=("hands", "pose", "hands_pose"))
    args = parser.parse_args(argv)
    args.out.write_text(json.dumps(loop(args.video, args.mode, args.model)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
