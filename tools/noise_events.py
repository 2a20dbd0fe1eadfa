"""Events of a clip through each keypoint backend, without and with +-1 grey level of noise per run.

    python -m tools.noise_events [CLIP ...] [--seeds 5] [--model models/gesture_default.onnx]

Where the two backends disagree on a clip, this tells whether the difference is the engine's or
the clip's: on a body both make up around a close-up hand, one grey level of noise changes the
reference's own events as often (docs/engine.md, "make eval with the engine").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from tools.data_dir import data_dir

CLIPS = ("negatives/grip_drag.gif", "negatives/ok_sign_drag.gif", "videos/open_hand_no_gesture.mp4",
         "videos/swipe2_left_right.gif")


def runs(clip: Path, backend: str, seeds: int, model: Path) -> list[str]:
    """Return the fired gestures of the clean run, then of ``seeds`` noisy runs, each as a string."""
    from gesture_ros.perception.extraction.options import ExtractorOptions
    from gesture_ros.toolkit import event_eval as E
    from gesture_ros.toolkit.backend import open_extractor
    from gesture_ros.toolkit.live_eval import read_frames

    frames = list(read_frames(clip))
    out = []
    for seed in range(seeds + 1):
        rng = np.random.default_rng(seed)
        with open_extractor(ExtractorOptions(model="hands_pose"), backend) as ex:  # as keypoint_node extracts
            kps = [ex.process(f.image if seed == 0 else
                              np.clip(f.image + rng.integers(-1, 2, f.image.shape), 0, 255).astype(np.uint8),
                              f.stamp_ns, "camera") for f in frames]
        out.append(",".join(E.fired(E.run(E.decider(model), kps, "clip"))) or "-")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="noise_events", description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", default=list(CLIPS), help="clips under the shared data folder, or paths")
    ap.add_argument("--seeds", type=int, default=5, help="noisy runs per backend")
    ap.add_argument("--model", type=Path, default=Path("models/gesture_default.onnx"))
    args = ap.parse_args(argv)
    for name in args.clips:
        clip = Path(name) if Path(name).exists() else data_dir() / name
        if not clip.exists():
            print(f"noise_events: {clip} is absent", file=sys.stderr)
            return 2
        for backend in ("mediapipe", "onnx"):
            got = runs(clip, backend, args.seeds, args.model)
            print(f"{clip.name:28s} {backend:9s} clean: {got[0]:24s} +-1 grey: {' | '.join(got[1:])}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
