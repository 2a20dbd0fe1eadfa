"""Measure how the extractor's hands hold up when frames are skipped, per recovery strategy.

    python -m tools.bench recovery [--data ../shared/data] [--stills 60]

What chose perception/extraction's recovery (docs/perception.md quotes a run):

1. Reset mechanisms of a tracking Hands (the legacy API has no "reset" call): recreate the
   solution, one blank frame in place, or a spare tracker blanked in the background
   (HandStage with a pool): time of reset + the next frame.
2. Strategies on real clips with deterministic drop patterns (every frame, 30 % and 50 %
   skipped): landmark agreement of each skipped-frames run with the every-frame keypoints
   (hand presence per side, median and p95 wrist-to-landmark error in hand lengths, frames
   whose hand is more than half a hand length off: a wrong hand), and ms per frame.
3. The worst case for a tracker, every frame a jump: real stills of held hand signs in a
   shuffled order (people at different places, two per class). Reference: a fresh detection
   on each still (static_image_mode, which a reset reproduces exactly).
Strategies: ``track`` (no recovery), ``checks`` (re-detect hands failing the checks: the
default), ``checks+skip1`` / ``checks+skip3`` (also re-detect after 1 / 3 skipped frames),
``always`` (re-detect every frame), ``crops`` (static Hands on crops around the pose wrists
for sides the tracker missed or that failed a check: the Holistic way).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from gesture_ros.common.landmarks import Field, HandLandmark, KeypointFrame, Part
from gesture_ros.perception.extraction.options import ExtractorOptions, RecoveryOptions
from gesture_ros.toolkit.drops import keep_pattern
from tools.data_dir import data_dir

CLIPS = ("videos/open_hand_no_gesture.mp4", "videos/swipe2_left_right.gif")
STILLS = ("hand_up_thumbs_up", "hand_emergency_fist", "hand_palm_open_palm")
HANDS = (Part.LEFT_HAND, Part.RIGHT_HAND)
WRONG = 0.5  # hand lengths: a hand this far off is another hand or a wrong shape


def strategies() -> dict[str, ExtractorOptions]:
    base = dict(model="hands_pose")
    return {
        "track": ExtractorOptions(**base, recovery=RecoveryOptions(enabled=False)),
        "checks": ExtractorOptions(**base),
        "checks+skip1": ExtractorOptions(**base, recovery=RecoveryOptions(redetect_after_skipped=1)),
        "checks+skip3": ExtractorOptions(**base, recovery=RecoveryOptions(redetect_after_skipped=3)),
    }


def run(options: ExtractorOptions, images: list[np.ndarray], stamps: list[int], keep: list[bool],
        before: Callable | None = None) -> tuple[list[KeypointFrame | None], float]:
    """Run the extractor on the kept frames (telling it how many were skipped); return frames and ms/frame."""
    from gesture_ros.perception.extractor import KeypointExtractor

    out: list[KeypointFrame | None] = []
    skipped, spent, n = 0, 0.0, 0
    with KeypointExtractor(options) as extractor:
        for image, stamp, kept in zip(images, stamps, keep, strict=True):
            if not kept:
                out.append(None)
                skipped += 1
                continue
            start = time.perf_counter()
            if before is not None:
                before(extractor, image)
            out.append(extractor.process(image, stamp, "bench", skipped=skipped))
            if n:  # the first frame loads the models
                spent += time.perf_counter() - start
            n += 1
            skipped = 0
    return out, 1e3 * spent / max(n - 1, 1)


def always_redetect(extractor, image) -> None:
    extractor.hand_stage.reset()


def agreement(reference: list[KeypointFrame | None], got: list[KeypointFrame | None]) -> dict[str, float]:
    """Compare hands per side on the frames both have: presence, error in hand lengths, wrong hands."""
    same = both = total = wrong = 0
    errors: list[float] = []
    for ref, frame in zip(reference, got, strict=True):
        if ref is None or frame is None:
            continue
        for part in HANDS:
            a, b = ref.part(part), frame.part(part)
            total += 1
            same += (a is None) == (b is None)
            if a is None or b is None:
                continue
            both += 1
            size = np.array([ref.image_width, ref.image_height], dtype=np.float32)
            pa, pb = a[:, [Field.X, Field.Y]] * size, b[:, [Field.X, Field.Y]] * size
            length = max(float(np.linalg.norm(pa[HandLandmark.MIDDLE_FINGER_MCP] - pa[HandLandmark.WRIST])), 1.0)
            err = float(np.linalg.norm(pa - pb, axis=1).mean()) / length
            errors.append(err)
            wrong += err > WRONG
    e = np.asarray(errors) if errors else np.zeros(1)
    return {"presence agrees": same / max(total, 1), "hands compared": both, "median error": float(np.median(e)),
            "p95 error": float(np.percentile(e, 95)), "wrong hands": wrong}


def load_clip(path: Path) -> tuple[list[np.ndarray], list[int]]:
    from gesture_ros.perception.sources import Pace, SourceOptions, open_source

    with open_source(str(path), SourceOptions(pace=Pace.AS_FAST_AS_CONSUMED)) as source:
        frames = list(source)
    return [f.image for f in frames], [f.stamp_ns for f in frames]


def load_stills(root: Path, per_class: int, seed: int = 0) -> tuple[list[np.ndarray], list[int]]:
    """Return stills of every class, shuffled together, stamped 40 ms apart."""
    files = [f for cls in STILLS for f in sorted((root / cls).glob("*.jpg"))[:per_class]]
    random.Random(seed).shuffle(files)
    images = [cv2.imread(str(f)) for f in files]
    return images, [i * 40_000_000 for i in range(len(images))]


def reset_costs(images: list[np.ndarray]) -> dict[str, float]:
    """Return ms of (reset + next frame) for each reset mechanism, against one tracked frame."""
    from concurrent.futures import ThreadPoolExecutor

    import mediapipe as mp

    from gesture_ros.perception.extraction.hand_stage import HandStage
    from gesture_ros.perception.extraction.image import prepare_image

    prepared = [prepare_image(i) for i in images[:40]]
    options = ExtractorOptions(model="hands")
    out: dict[str, float] = {}
    with ThreadPoolExecutor(2) as pool:
        for name, stage_pool in (("blank frame in place", None), ("spare tracker", pool)):
            stage = HandStage(mp, options, stage_pool)
            times, tracked = [], []
            for i, image in enumerate(prepared):
                start = time.perf_counter()
                if i % 2 and i > 4:
                    stage.reset()
                stage.process(image)
                (times if i % 2 and i > 4 else tracked).append(time.perf_counter() - start)
                time.sleep(0.03)  # a camera's frame interval: the spare is blanked meanwhile
            stage.close()
            out[f"{name}: reset + frame ms"] = 1e3 * float(np.median(times))
            out["tracked frame ms"] = 1e3 * float(np.median(tracked[5:]))
    times = []
    for image in prepared[:4]:
        start = time.perf_counter()
        with mp.solutions.hands.Hands(static_image_mode=False, max_num_hands=2) as hands:
            hands.process(image.rgb)
        times.append(time.perf_counter() - start)
    out["recreate: new solution + frame ms"] = 1e3 * float(np.median(times))
    return out


def crops_run(images: list[np.ndarray], stamps: list[int], keep: list[bool]) -> tuple[list, float]:
    """Track hands; for sides missing or failing a check, detect on a crop around the pose wrist."""
    import mediapipe as mp

    from gesture_ros.perception.extraction.hand_regions import hand_regions
    from gesture_ros.perception.extraction.mp_results import hands_from_result
    from gesture_ros.perception.extraction.observations import Person
    from gesture_ros.perception.extractor import KeypointExtractor

    out: list[KeypointFrame | None] = []
    spent, n = 0.0, 0
    options = ExtractorOptions(model="hands_pose", recovery=RecoveryOptions(enabled=False))
    with KeypointExtractor(options) as extractor, mp.solutions.hands.Hands(static_image_mode=True,
                                                                           max_num_hands=1) as crop_hands:
        for image, stamp, kept in zip(images, stamps, keep, strict=True):
            if not kept:
                out.append(None)
                continue
            start = time.perf_counter()
            frame = extractor.process(image, stamp, "bench")
            if frame.pose is not None:
                h, w = image.shape[:2]
                for side, region in hand_regions(Person(frame.pose), w, h).items():
                    if frame.part(side.part) is not None:
                        continue
                    x0, y0, x1, y1 = (int(round(v)) for v in region.box(3.0))
                    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
                    if x1 - x0 < 16 or y1 - y0 < 16:
                        continue
                    crop = np.ascontiguousarray(cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2RGB))
                    found = hands_from_result(crop_hands.process(crop), False)
                    if found:
                        lm = found[0].landmarks.copy()
                        lm[:, Field.X] = (lm[:, Field.X] * (x1 - x0) + x0) / w
                        lm[:, Field.Y] = (lm[:, Field.Y] * (y1 - y0) + y0) / h
                        setattr(frame, side.part.value, lm)
            out.append(frame)
            if n:
                spent += time.perf_counter() - start
            n += 1
    return out, 1e3 * spent / max(n - 1, 1)


def _row(name: str, figures: dict[str, float], ms: float) -> str:
    return (f"  {name:<14}{figures['presence agrees']:>9.3f}{figures['hands compared']:>8}"
            f"{figures['median error']:>9.3f}{figures['p95 error']:>9.3f}{figures['wrong hands']:>7}{ms:>9.1f}")


HEADER = f"  {'strategy':<14}{'presence':>9}{'hands':>8}{'median':>9}{'p95':>9}{'wrong':>7}{'ms/frm':>9}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench recovery", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=data_dir())
    parser.add_argument("--stills", type=int, default=60, help="stills per class in the shuffled set")
    args, _ = parser.parse_known_args(argv)
    if not (args.data / "videos").is_dir():
        print(f"bench recovery: {args.data}/videos is missing (set GESTURE_DATA_DIR or --data)", file=sys.stderr)
        return 2
    sets = {Path(c).name: load_clip(args.data / c) for c in CLIPS}
    print("1. reset mechanisms (hands, open_hand_no_gesture.mp4; median ms, noisy on a shared CPU)")
    for key, value in reset_costs(sets["open_hand_no_gesture.mp4"][0]).items():
        print(f"  {key:<40}{value:>8.1f}")
    print("\n2. real clips, frames skipped by a deterministic pattern; agreement with every-frame 'track' "
          f"keypoints (errors in hand lengths, wrong: > {WRONG})")
    for name, (images, stamps) in sets.items():
        reference, _ = run(strategies()["track"], images, stamps, [True] * len(images))
        for skip in (0.0, 0.3, 0.5):
            keep = keep_pattern(len(images), skip)
            print(f"{name}, {skip:.0%} skipped ({sum(keep)} of {len(keep)} frames)\n{HEADER}")
            for label, options in strategies().items():
                got, ms = run(options, images, stamps, keep)
                print(_row(label, agreement(reference, got), ms))
            got, ms = run(strategies()["checks"], images, stamps, keep, always_redetect)
            print(_row("always", agreement(reference, got), ms))
            got, ms = crops_run(images, stamps, keep)
            print(_row("crops", agreement(reference, got), ms))
    images, stamps = load_stills(args.data / "stills", args.stills)
    keep = [True] * len(images)
    print(f"\n3. {len(images)} shuffled stills ({', '.join(STILLS)}): every frame a jump; reference: a fresh "
          f"detection per still\n{HEADER}")
    reference, _ = run(strategies()["checks"], images, stamps, keep, always_redetect)
    for label, options in strategies().items():
        got, ms = run(options, images, stamps, keep)
        print(_row(label, agreement(reference, got), ms))
    got, ms = crops_run(images, stamps, keep)
    print(_row("crops", agreement(reference, got), ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
