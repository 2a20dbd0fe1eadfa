"""Frames per second against the number of people in view, beside the single-person pipeline.

    python -m tools.bench people [--data ../shared/data] [--frames 30] [--rounds 3] [--backend onnx] [--palm-detect-every 1]

640x360 clips (a gently swaying composite of 1, 2 or 3 upper bodies from the stills: A thumbs up,
B open palm, B fist; toolkit/side_by_side.py; far, full-body C is too small at this size to be found)
through, in one process and interleaved round by round so machine load hits every row alike:
the single-person extractor (``hands`` and ``hands_pose``), the people extractor with
``max_people`` 3 on 1, 2 and 3 people, and ``hand_crops`` with one person. Prints ms/frame
(median of the rounds), frames/s, people and hands found, and the ratio to single ``hands_pose``;
also CPU ms/frame (all threads), the steadier figure on a shared machine. ``--backend onnx``: the
keypoint engine's extractors (perception/engine) instead of MediaPipe's; ``--palm-detect-every``
sets that option on every row (the engine's; MediaPipe's Hands always detect by their own rule).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from gesture_ros.perception.engine.backend import BACKENDS, open_backend
from gesture_ros.perception.extraction.options import ExtractorOptions, PeopleOptions
from gesture_ros.perception.people_extractor import extract
from gesture_ros.toolkit.side_by_side import letterbox, side_by_side, swaying
from tools.data_dir import data_dir

SIZE = (640, 360)
ROWS = (  # (name, people in view, options)
    ("single hands", 1, ExtractorOptions(model="hands")),
    ("single hands_pose", 1, ExtractorOptions(model="hands_pose")),
    ("people, hand_crops, 1 in view", 1, ExtractorOptions(people=PeopleOptions(hand_crops=True))),
    ("people max 3, 1 in view", 1, ExtractorOptions(people=PeopleOptions(max_people=3))),
    ("people max 3, 2 in view", 2, ExtractorOptions(people=PeopleOptions(max_people=3))),
    ("people max 3, 3 in view", 3, ExtractorOptions(people=PeopleOptions(max_people=3))),
)
BASELINE = "single hands_pose"


def clip(data: Path, people: int, frames: int) -> list[np.ndarray]:
    image, _ = side_by_side(data, (0, 1, 3)[:people], width_fraction=0.6)
    return swaying(letterbox(image, *SIZE), frames)


def run(options: ExtractorOptions, images: list[np.ndarray], backend: str = "mediapipe"
        ) -> tuple[float, float, float, dict, float]:
    """Return ms/frame (after the first frame), people and hands found per frame, stage times, CPU ms/frame."""
    spent, cpu, people, hands = 0.0, 0.0, 0, 0
    with open_backend(options, backend) as ex:
        for i, image in enumerate(images):
            start, cpu0 = time.perf_counter(), time.process_time()
            frames = extract(ex, image, i * 40_000_000, "bench")
            if i:
                spent += time.perf_counter() - start
                cpu += time.process_time() - cpu0
            people += sum(f.pose is not None or f.has_hand for f in frames)
            hands += sum((f.left_hand is not None) + (f.right_hand is not None) for f in frames)
        stages = ex.timer.summary()
    n = len(images)
    return 1e3 * spent / max(n - 1, 1), people / n, hands / n, stages, 1e3 * cpu / max(n - 1, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench people", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=data_dir())
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", default="mediapipe", choices=BACKENDS)
    parser.add_argument("--palm-detect-every", dest="detect_every", type=int, default=1)
    args, _ = parser.parse_known_args(argv)
    if not (args.data / "stills").exists():
        print(f"bench people: {args.data / 'stills'} is missing (set GESTURE_DATA_DIR or --data)", file=sys.stderr)
        return 2
    clips = {n: clip(args.data, n, args.frames) for n in (1, 2, 3)}
    times: dict[str, list[float]] = {name: [] for name, _, _ in ROWS}
    cpus: dict[str, list[float]] = {name: [] for name, _, _ in ROWS}
    found: dict[str, tuple[float, float]] = {}
    stages: dict[str, dict] = {}
    for _ in range(args.rounds):
        for name, n, options in ROWS:
            ms, people, hands, stage, cpu = run(replace(options, palm_detect_every=args.detect_every), clips[n],
                                                args.backend)
            times[name].append(ms)
            cpus[name].append(cpu)
            found[name], stages[name] = (people, hands), stage
    base, base_cpu = statistics.median(times[BASELINE]), statistics.median(cpus[BASELINE])
    print(f"backend {args.backend}, palm_detect_every {args.detect_every}, {SIZE[0]}x{SIZE[1]}, {args.frames} frames x {args.rounds} rounds, load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (ms/frame: median of the rounds)")
    print(f"  {'pipeline':<32}{'ms/frame':>9}{'frames/s':>9}{'x ' + BASELINE:>22}{'CPU ms':>8}{'x CPU':>7}"
          f"{'people':>8}{'hands':>7}")
    for name, _, _ in ROWS:
        ms, cpu = statistics.median(times[name]), statistics.median(cpus[name])
        people, hands = found[name]
        print(f"  {name:<32}{ms:>9.1f}{1e3 / ms:>9.1f}{ms / base:>22.2f}{cpu:>8.1f}{cpu / base_cpu:>7.2f}"
              f"{people:>8.2f}{hands:>7.2f}")
    print("  stage p50 ms (last round): " + "; ".join(
        f"{name}: " + ", ".join(f"{k.split(' p50')[0]} {v:.0f}" for k, v in stages[name].items() if "p50" in k)
        for name, _, _ in ROWS if name.startswith("people")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
