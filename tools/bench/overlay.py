"""Hands under a drawn skeleton: found and recognised on the hand stills with a demo's overlay, beside the same stills clean.

    python -m tools.bench overlay [--data ../shared/data] [--per-folder 18] [--backends mediapipe,onnx]

A clip recorded from a demo can carry the hand's own skeleton drawn over it (white bones, red
joints, as MediaPipe's drawing utilities and many demos do); an issue's unseen thumbs-up clip was
one. Each still is extracted clean, its hands drawn over it from those landmarks, and extracted
again, each held ``HOLD`` frames as in a video. Counted per backend: hands found (clean, drawn),
and the still's gesture STARTing through the shipped model's decider (config/classifier.yaml),
plus any other hand gesture starting (a confusion).
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path

import cv2
import numpy as np

from gesture_ros.common.landmarks import KeypointFrame
from gesture_ros.common.paths import resolve_shipped
from gesture_ros.perception.extraction.options import ExtractorOptions
from gesture_ros.toolkit.backend import open_extractor
from gesture_ros.toolkit.stills import STILL_FOLDERS
from tools.bench.small_hands import FOLDERS, held_fired
from tools.data_dir import data_dir

HOLD = 3
BONES = ((0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10), (10, 11), (11, 12),
         (9, 13), (13, 14), (14, 15), (15, 16), (13, 17), (17, 18), (18, 19), (19, 20), (0, 17))
HAND_GESTURES = ("thumbs_up", "thumbs_down", "open_palm", "fist", "pointing")


def draw_hands(bgr: np.ndarray, frame: KeypointFrame) -> np.ndarray:
    """Return the image with each hand of ``frame`` drawn over it: white bones, red joints."""
    out = bgr.copy()
    h, w = bgr.shape[:2]
    for hand in (frame.left_hand, frame.right_hand):
        if hand is None:
            continue
        pts = (hand[:, :2] * (w, h)).round().astype(int)
        for a, b in BONES:
            cv2.line(out, tuple(pts[a]), tuple(pts[b]), (255, 255, 255), 2)
        for p in pts:
            cv2.circle(out, tuple(p), 3, (0, 0, 255), -1)
    return out


def extract_held(backend: str, images: list[np.ndarray]) -> list[KeypointFrame]:
    """Return the last keypoints of each image held HOLD frames, one image after another."""
    out = []
    with open_extractor(ExtractorOptions(model="hands_pose"), backend) as ex:
        for i, image in enumerate(images):
            for k in range(HOLD):
                frame = ex.process(image, (i * HOLD + k) * 66_666_667, "bench")
            out.append(frame)
    return out


def hands(frames: list[KeypointFrame]) -> int:
    return sum((f.left_hand is not None) + (f.right_hand is not None) for f in frames)


def outcome(dec, frames: list[KeypointFrame], label: str, key: str) -> tuple[int, int]:
    """Return (stills whose gesture started, stills where another hand gesture started)."""
    right = wrong = 0
    for i, f in enumerate(frames):
        got = held_fired(dec, [f], f"{key}{i}")
        right += label in got
        wrong += any(g in HAND_GESTURES and g != label for g in got)
    return right, wrong


def main(argv: list[str] | None = None) -> int:
    from gesture_ros.toolkit.event_eval import decider

    parser = argparse.ArgumentParser(prog="bench overlay", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=data_dir())
    parser.add_argument("--per-folder", type=int, default=18)
    parser.add_argument("--backends", default="mediapipe,onnx")
    args, _ = parser.parse_known_args(argv)
    dec = decider(resolve_shipped("models/gesture_default.onnx"))
    print(f"{args.per_folder} stills per folder, held {HOLD} frames; hands found and gesture started, clean -> drawn over")
    for backend in args.backends.split(","):
        for folder in FOLDERS:
            files = sorted(glob.glob(str(args.data / "stills" / folder / "*.jpg")))
            files = files[::max(1, len(files) // args.per_folder)][:args.per_folder]
            if not files:
                print(f"bench overlay: no stills in {args.data / 'stills' / folder}", file=sys.stderr)
                return 2
            images = [cv2.imread(f) for f in files]
            clean = extract_held(backend, images)
            drawn = extract_held(backend, [draw_hands(im, f) for im, f in zip(images, clean, strict=True)])
            label = STILL_FOLDERS[folder]
            (c_ok, c_bad), (d_ok, d_bad) = outcome(dec, clean, label, "c"), outcome(dec, drawn, label, "d")
            print(f"  {backend:9s} {label:11s} hands {hands(clean):3d} -> {hands(drawn):3d} "
                  f"({hands(drawn) / max(1, hands(clean)):.2f}x)  started {c_ok:2d} -> {d_ok:2d} of {len(files)}  "
                  f"other gesture {c_bad} -> {d_bad}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
