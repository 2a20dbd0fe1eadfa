"""What the far-body search costs and finds (decides ``far_body_scan_every``), beside the extractor without it.

    python -m tools.bench far_body [--data ../shared/data] [--stills 12] [--frames 30]

Arms, each the Hands+Pose extractor on the same frames, search off (``far_body_scan_every`` 0)
and on (the default); ms/frame leaves out each hold's first frame (a fresh extractor, where
the search runs and its Pose is made), shown apart:
1. far: real 640x480 stills of person C ~5 m away in which whole-frame Pose finds no body, each
   held ``--frames`` frames (a person standing still): frames with a body, ms/frame;
2. close-up: the open-hand clip (a hand held to the camera, the body often out of view): ms/frame;
   the search runs once, on the first frame, before a near hand is seen;
3. empty: the clip's frames with the person blanked out (nobody in view): ms/frame, the search
   scanning every ``far_body_scan_every`` frames.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from gesture_ros.perception.extraction.far_body import FarBodyOptions
from gesture_ros.perception.extraction.options import ExtractorOptions
from tools.data_dir import data_dir

FAR = ["0b42d29c", "0d36c43f", "11a0c37c", "1a6a2987", "1b4c9952", "2560fc70", "25fb6ba2", "281a27f2",
       "2df8b9a3", "2eaca484", "3541326b", "37e52f3b"]  # C stills whose whole frame gives Pose no body


def _run(frames: list[np.ndarray], on: bool, restart_every: int = 0) -> tuple[int, float, float]:
    """Return (frames with a body, ms/frame, ms on each hold's first frame) of the extractor over ``frames``.

    With ``restart_every`` a fresh extractor starts every that many frames (one still held);
    its first frame is where the search runs, the rest follow: they are timed apart.
    """
    from gesture_ros.perception.extractor import KeypointExtractor

    options = ExtractorOptions(model="hands_pose", far_body=FarBodyOptions() if on else FarBodyOptions(scan_every=0))
    found, spent, first, firsts, ex = 0, 0.0, 0.0, 0, None
    try:
        for i, frame in enumerate(frames):
            starts = ex is None or (restart_every and i % restart_every == 0)
            if starts:
                if ex is not None:
                    ex.close()
                ex = KeypointExtractor(options)
            start = time.perf_counter()
            found += ex.process(frame, i * 33_333_333, "bench").pose is not None
            took = time.perf_counter() - start
            if starts:
                first, firsts = first + took, firsts + 1
            else:
                spent += took
    finally:
        if ex is not None:
            ex.close()
    return found, 1e3 * spent / max(1, len(frames) - firsts), 1e3 * first / firsts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench far_body", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=data_dir())
    parser.add_argument("--stills", type=int, default=len(FAR))
    parser.add_argument("--frames", type=int, default=30)
    args, _ = parser.parse_known_args(argv)
    root, video = args.data / "stills" / "body_video_pause", args.data / "videos" / "open_hand_no_gesture.mp4"
    if not root.exists() or not video.exists():
        print(f"bench far_body: {root} or {video} is missing (set GESTURE_DATA_DIR or --data)", file=sys.stderr)
        return 2
    far = [cv2.imread(str(next(root.glob(f"{p}*.jpg")))) for p in FAR[:args.stills]]
    held = [img for img in far for _ in range(args.frames)]
    cap = cv2.VideoCapture(str(video))
    clip = []
    while len(clip) < 150:
        ok, frame = cap.read()
        if not ok:
            break
        clip.append(frame)
    cap.release()
    empty = [np.full_like(f, 96) for f in clip]  # a plain grey wall: nobody in view
    print(f"Hands+Pose extractor, far-body search off (far_body_scan_every 0) and on ({FarBodyOptions().scan_every}); "
          "one run on a possibly shared CPU: compare the arms, not absolutes")
    print(f"  {'frames':<50}{'n':>6}{'search':>8}{'with body':>11}{'ms/frame':>10}{'1st frame ms':>14}")
    for name, frames, restart in ((f"far: {len(far)} stills of C ~5 m away, each held {args.frames}", held, args.frames),
                                  ("close-up: open_hand_no_gesture.mp4", clip, 0),
                                  ("empty: grey frames (nobody in view)", empty, 0)):
        base = None
        for on in (False, True):
            found, ms, first = _run(frames, on, restart)
            ratio = f"  ({ms / base:.2f}x off)" if base else ""
            base = base or ms
            print(f"  {name:<50}{len(frames):>6}{'on' if on else 'off':>8}{found / len(frames):>11.2f}{ms:>10.1f}"
                  f"{first:>14.1f}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
