"""What the replay clock costs and how well it tells time, in one run (decides ``clock_rate_hz``).

    python -m tools.bench replay_clock [--clip videos/open_hand_no_gesture.mp4]

The one-process pipeline (media profile, Hands+Pose) on a clip, each arm a process of its own:
1. every frame as fast as consumed, without a replay clock and with /clock at 20, 100 and 500
   Hz: frames/s and CPU per frame (what the /clock messages cost every node), and the keypoint
   age on the node clock: wall-clock minus stamp without the replay clock (meaningless: the
   stamps follow the clip, not the wall clock), replay-clock minus stamp with it;
2. at the clip's own rate (pace realtime), where the replay clock is the wall clock: the
   keypoint age on the replay clock against the wall-clock latency of the same messages
   (their difference is the clock's resolution: /clock arrives every 1/rate s).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from tools.bench.pipeline_bench import _data, _pipeline_cmd, _run

RATES = (1.0, 20.0, 100.0)  # 1 Hz: about one /clock per frame only


def _arm(clip: Path, folder: Path, name: str, rate: float | None, pace: str) -> dict:
    out = folder / f"{name}.json"
    sets = [f"camera_node.pace:={pace}"] + ([f"camera_node.clock_rate_hz:={rate}"] if rate else [])
    _run(_pipeline_cmd(clip, out, [], sets, sim_time=bool(rate)),
         dict(os.environ, ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST"), 600)
    s = json.loads(out.read_text())
    n = len(s["keypoint_latency_s"])
    (t0, c0), (t1, c1) = s["keypoint_span"]
    age, wall = np.asarray(s["keypoint_age_s"]) * 1e3, np.asarray(s["keypoint_latency_s"]) * 1e3
    return {"frames": n, "fps": (n - 1) / (t1 - t0), "cpu ms/frame": 1e3 * (c1 - c0) / (n - 1),
            "age p50 ms": float(np.median(age)), "age p95 ms": float(np.percentile(age, 95)),
            "age - wall p50 ms": float(np.median(age - wall)), "|age - wall| p95 ms": float(np.percentile(
                np.abs(age - wall), 95))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench replay_clock", description=__doc__.splitlines()[0])
    parser.add_argument("--clip", default="videos/open_hand_no_gesture.mp4")
    args, _ = parser.parse_known_args(argv)
    clip = _data(args.clip)
    if not clip.exists():
        print(f"bench replay_clock: clip {clip} is absent (set GESTURE_DATA_DIR or pass --clip)", file=sys.stderr)
        return 2
    rows: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="gesture_bench_clock_") as tmp:
        for rate in (None, *RATES):
            rows.append((f"as fast as consumed, {'no clock' if rate is None else f'/clock {rate:g} Hz'}",
                         _arm(clip, Path(tmp), f"fast_{rate}", rate, "as_fast_as_consumed")))
        for rate in RATES:
            rows.append((f"real time, /clock {rate:g} Hz", _arm(clip, Path(tmp), f"rt_{rate}", rate, "realtime")))
    print(f"clip {clip.name}, one-process pipeline (media profile, hands_pose); one run on a possibly shared CPU")
    keys = list(rows[0][1])
    print(f"{'arm':<36}" + "".join(f"{k:>18}" for k in keys))
    for name, r in rows:
        print(f"{name:<36}" + "".join(f"{r[k]:>18.1f}" if isinstance(r[k], float) else f"{r[k]:>18}" for k in keys))
    base = rows[0][1]
    for name, r in rows[1:len(RATES) + 1]:
        print(f"{name}: CPU/frame {r['cpu ms/frame'] / base['cpu ms/frame']:.3f}x, frames/s "
              f"{r['fps'] / base['fps']:.3f}x of no clock")
    return 0


if __name__ == "__main__":
    sys.exit(main())
