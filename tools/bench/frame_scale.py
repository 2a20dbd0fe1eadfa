"""Does scaling large frames down before MediaPipe save time, and what does it lose? (decides ``max_image_side``)

    python -m tools.bench frame_scale [--data ../shared/data] [--frames 60]

1. Time: the extractor (Hands+Pose) on the open-hand clip scaled up to 1280x720, 1920x1080 and
   3840x2160, each at full size and scaled down to a longer side of 1280 and 640 first: ms per
   frame, and landmark agreement with the full-size run (scaled-up footage holds no detail the
   640x360 original lacks, so this part shows the cost, not the loss).
2. Loss: real 640x480 stills of people at a distance (hands 20-60 px), full size against scaled
   down to 480 and 320: hands found and landmark error against the full-size run.
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from gesture_ros.perception.extraction.options import ExtractorOptions
from tools.bench.hand_recovery import agreement
from tools.data_dir import data_dir

SIZES = ((1280, 720), (1920, 1080), (3840, 2160))
STILLS = ("hand_up_thumbs_up", "hand_palm_open_palm")


def _run(images: list[np.ndarray], max_side: int, fresh: bool = False) -> tuple[list, float]:
    """Extract every image (``fresh``: hands detected afresh on each, for unrelated stills)."""
    from gesture_ros.perception.extractor import KeypointExtractor

    out, spent = [], 0.0
    with KeypointExtractor(ExtractorOptions(model="hands_pose", max_image_side=max_side)) as extractor:
        for i, image in enumerate(images):
            if fresh:
                extractor.hand_stage.reset()
            start = time.perf_counter()
            out.append(extractor.process(image, i * 40_000_000, "bench"))
            if i:
                spent += time.perf_counter() - start
    return out, 1e3 * spent / max(len(images) - 1, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench frame_scale", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=data_dir())
    parser.add_argument("--frames", type=int, default=60)
    args, _ = parser.parse_known_args(argv)
    video = args.data / "videos" / "open_hand_no_gesture.mp4"
    if not video.exists():
        print(f"bench frame_scale: {video} is missing (set GESTURE_DATA_DIR or --data)", file=sys.stderr)
        return 2
    cap = cv2.VideoCapture(str(video))
    base = [cap.read()[1] for _ in range(args.frames)]
    cap.release()
    print("1. time (Hands+Pose, ms/frame; noisy on a shared CPU) and agreement with the full-size run")
    print(f"  {'camera image':<14}{'scaled to':>10}{'ms/frame':>10}{'presence':>10}{'median err':>12}{'wrong':>7}")
    for size in SIZES:
        images = [cv2.resize(f, size, interpolation=cv2.INTER_CUBIC) for f in base]
        full, ms = _run(images, 0)
        print(f"  {size[0]}x{size[1]:<9}{'-':>10}{ms:>10.1f}")
        for side in (1280, 640):
            if side >= max(size):
                continue
            got, ms = _run(images, side)
            a = agreement(full, got)
            print(f"  {size[0]}x{size[1]:<9}{side:>10}{ms:>10.1f}{a['presence agrees']:>10.3f}"
                  f"{a['median error']:>12.3f}{a['wrong hands']:>7}")
    files = [f for c in STILLS for f in sorted(glob.glob(str(args.data / "stills" / c / "*.jpg")))[:args.frames // 2]]
    stills = [cv2.imread(f) for f in files]
    if stills:
        full, _ = _run(stills, 0, fresh=True)
        found = sum(k.has_hand for k in full)
        print(f"\n2. {len(stills)} real 640x480 stills, people at a distance: hands in {found} at full size")
        for side in (480, 320):
            got, _ = _run(stills, side, fresh=True)
            a = agreement(full, got)
            print(f"  scaled to {side}: hands in {sum(k.has_hand for k in got)}, presence agrees "
                  f"{a['presence agrees']:.3f}, median error {a['median error']:.3f} hand lengths, wrong {a['wrong hands']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
