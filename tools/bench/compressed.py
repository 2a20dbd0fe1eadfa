"""What a compressed image costs per frame against a raw one, in one run (issue 27: ``image_transport``).

    python -m tools.bench compressed [--frames 50] [--quality 90] [--rounds 5]

Real frames of ``open_hand_no_gesture.mp4`` (640x360) and the same scaled to 1280x720. Per frame,
the message conversions the nodes run, interleaved frame by frame so that a loaded machine slows
every arm alike: keypoint_node's raw path (sensor_msgs/Image -> BGR: checks and a view) against
its compressed path (CompressedImage -> checks -> one cv2.imdecode), JPEG at ``--quality`` and
PNG; camera_node's side (BGR -> Image, BGR -> JPEG CompressedImage); and the bytes a frame puts
on the wire. Median ms per frame over every frame of every round.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from tools.data import data_dir

SIZES = ((640, 360), (1280, 720))


def _frames(video: Path, n: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(video))
    out = []
    while len(out) < n:
        ok, image = cap.read()
        if not ok:
            break
        out.append(image)
    cap.release()
    return out


def _arms(quality: int) -> dict[str, tuple[Callable, Callable]]:
    """name -> (make the input from a BGR frame, the conversion timed)."""
    from sensor_msgs.msg import CompressedImage

    from gesture_ros.perception import compressed_codec
    from gesture_ros.ros import conversions

    def png(bgr):
        packed = compressed_codec.encode(bgr, compressed_codec.PNG)
        return CompressedImage(format=packed.format, data=packed.data.tobytes())

    return {
        "raw Image -> BGR": (conversions.bgr_to_image, conversions.image_to_bgr),
        f"JPEG q{quality} -> BGR": (lambda bgr: conversions.bgr_to_compressed(bgr, jpeg_quality=quality),
                                    conversions.compressed_to_bgr),
        "PNG -> BGR": (png, conversions.compressed_to_bgr),
        "BGR -> raw Image": (lambda bgr: bgr, conversions.bgr_to_image),
        f"BGR -> JPEG q{quality}": (lambda bgr: bgr,
                                    lambda bgr: conversions.bgr_to_compressed(bgr, jpeg_quality=quality)),
    }


def _wire_bytes(msg) -> int:
    return len(msg.data) if hasattr(msg, "data") else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench compressed", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=data_dir())
    parser.add_argument("--frames", type=int, default=50)
    parser.add_argument("--quality", type=int, default=90)
    parser.add_argument("--rounds", type=int, default=5)
    args, _ = parser.parse_known_args(argv)
    video = args.data / "videos" / "open_hand_no_gesture.mp4"
    if not video.exists():
        print(f"bench compressed: {video} is missing (set GESTURE_DATA_DIR or --data)", file=sys.stderr)
        return 2
    from gesture_ros.ros import conversions

    base = _frames(video, args.frames)
    arms = _arms(args.quality)
    print(f"ms per frame (median of {len(base)} frames x {args.rounds} rounds, arms interleaved; "
          f"image conversion by {conversions.BACKEND}; a shared, loaded CPU: compare within a column)")
    results: dict[str, dict[tuple[int, int], float]] = {name: {} for name in arms}
    sizes: dict[str, dict[tuple[int, int], float]] = {name: {} for name in arms}
    for size in SIZES:
        frames = [f if f.shape[1::-1] == size else cv2.resize(f, size, interpolation=cv2.INTER_CUBIC) for f in base]
        inputs = {name: [make(f) for f in frames] for name, (make, _) in arms.items()}
        spent: dict[str, list[float]] = {name: [] for name in arms}
        for _ in range(args.rounds):
            for i in range(len(frames)):
                for name, (_, convert) in arms.items():
                    start = time.perf_counter()
                    convert(inputs[name][i])
                    spent[name].append(time.perf_counter() - start)
        for name in arms:
            results[name][size] = 1e3 * float(np.median(spent[name]))
            sizes[name][size] = float(np.mean([_wire_bytes(m) for m in inputs[name]]))
    header = "".join(f"{w}x{h:<14}" for w, h in SIZES)
    print(f"  {'conversion':<22}{header}")
    for name in arms:
        cells = "".join(f"{results[name][s]:>8.2f} ms" + " " * 8 for s in SIZES)
        print(f"  {name:<22}{cells}")
    print("  bytes per frame on the wire:")
    for name in list(arms)[:3]:
        cells = "".join(f"{sizes[name][s] / 1e3:>8.1f} kB" + " " * 8 for s in SIZES)
        print(f"  {name.split(' ->')[0]:<22}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
