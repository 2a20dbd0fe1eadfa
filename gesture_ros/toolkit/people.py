"""Group the real stills by person: they are unordered frames of one video per person and class.

The folders hold three people (README of ../shared/data): ``A`` wears a light grey patterned
sweater, ``B`` a black hoodie and glasses, ``C`` black clothes, no glasses; ``body_video_pause``
has all three, each ``hand_*`` folder A and B. Two image cues separate them:

1. clothing: the torso (between the pose's shoulders and hips, arms and hands masked out) of A
   is lighter and textured, B's and C's dark and plain: two clusters per folder;
2. where the camera was: B's and C's body videos were filmed in different parts of the room,
   so a colour thumbnail of the whole image splits the dark body stills in two; B's is the
   one whose mean face (tiny grey crops around the pose's eyes) correlates best with the
   hand folders' dark person's (B wears glasses, C does not).

Stills without a pose take the person of their nearest neighbours in thumbnail space (same
folder). Everything is deterministic (seeded k-means, fixed order); ``gesture people`` writes
contact sheets of each person so that the grouping can be checked by eye.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gesture_ros.common.landmarks import PoseLandmark as P
from gesture_ros.toolkit.data_root import default_data
from gesture_ros.toolkit.stills import STILL_FOLDERS, Still, load_stills

BODY_FOLDER = "body_video_pause"
THUMB = (16, 12)
NEIGHBOURS = 5


def kmeans(x: np.ndarray, k: int, seed: int = 0, restarts: int = 10, iters: int = 100) -> np.ndarray:
    """Return cluster indices of the rows of ``x`` (k-means++, best of ``restarts``), seeded."""
    best, best_cost = None, np.inf
    for r in range(restarts):
        rng = np.random.default_rng([seed, r])
        centres = [x[rng.integers(len(x))]]
        for _ in range(k - 1):
            d = np.min([((x - c) ** 2).sum(1) for c in centres], axis=0)
            centres.append(x[rng.choice(len(x), p=d / d.sum())] if d.sum() > 0 else x[rng.integers(len(x))])
        c = np.array(centres)
        for _ in range(iters):
            lab = np.argmin(((x[:, None] - c[None]) ** 2).sum(2), axis=1)
            new = np.array([x[lab == j].mean(0) if np.any(lab == j) else c[j] for j in range(k)])
            if np.allclose(new, c):
                break
            c = new
        cost = float(((x - c[lab]) ** 2).sum())
        if cost < best_cost - 1e-9:
            best, best_cost = lab, cost
    return best


def _image(data: Path, still: Still) -> np.ndarray:
    import cv2

    img = cv2.imread(str(Path(data) / "stills" / still.folder / still.name))
    if img is None:
        raise OSError(f"cannot read {still.key}")
    return img


def thumbnail(img: np.ndarray) -> np.ndarray:
    """Return a small Lab thumbnail of the whole image, flattened."""
    import cv2

    small = cv2.resize(img, THUMB, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_BGR2LAB).astype(np.float64).ravel()


def torso(img: np.ndarray, still: Still) -> np.ndarray | None:
    """Return (median, interquartile range) of the lightness of the torso's clothing, or None without a pose.

    The box spans the shoulders and hips; the arms, the pose's hand points and the detected
    hands are masked out (a gesture held in front of the chest would otherwise dominate it).
    """
    import cv2

    pose = still.pose[-1]
    if not np.all(np.isfinite(pose[[P.LEFT_SHOULDER, P.RIGHT_SHOULDER, P.LEFT_HIP, P.RIGHT_HIP], :2])):
        return None
    h, w = img.shape[:2]
    pts = pose[:, :2] * np.array([w, h])
    x0, x1 = sorted(pts[[P.LEFT_SHOULDER, P.RIGHT_SHOULDER], 0])
    y0, y1 = pts[[P.LEFT_SHOULDER, P.RIGHT_SHOULDER], 1].min(), pts[[P.LEFT_HIP, P.RIGHT_HIP], 1].max()
    bw, bh = x1 - x0, y1 - y0
    if bw < 4 or bh < 4:
        return None
    mask = np.zeros((h, w), np.uint8)
    cv2.rectangle(mask, (int(x0 + 0.2 * bw), int(y0 + 0.1 * bh)), (int(x1 - 0.2 * bw), int(y0 + 0.9 * bh)), 1, -1)
    r = max(2, int(0.35 * bw))
    for lm in range(P.LEFT_ELBOW, P.RIGHT_THUMB + 1):
        if np.all(np.isfinite(pts[lm])):
            cv2.circle(mask, (int(pts[lm, 0]), int(pts[lm, 1])), r, 0, -1)
    for hand in (still.left_hand[-1], still.right_hand[-1]):
        if np.isfinite(hand[0, 0]):
            hp = hand[:, :2] * np.array([w, h])
            c = hp.mean(0)
            cv2.circle(mask, (int(c[0]), int(c[1])), int(np.ptp(hp, axis=0).max() * 0.8) + r, 0, -1)
    light = cv2.cvtColor(img, cv2.COLOR_BGR2LAB)[..., 0][mask > 0].astype(np.float64)
    if light.size < 20:
        return None
    q25, q50, q75 = np.percentile(light, [25, 50, 75])
    return np.array([q50, q75 - q25])


def face(img: np.ndarray, still: Still) -> np.ndarray | None:
    """Return a tiny normalised grey face (around the pose's eyes, sized by its ears), or None.

    Shrunk to 12x9 pixels first, the size of a face at the far end of the body stills, so
    close-up and distant faces compare; glasses and hair still show in a cluster's mean.
    """
    import cv2

    pose = still.pose[-1]
    if not np.all(np.isfinite(pose[[P.NOSE, P.LEFT_EYE, P.RIGHT_EYE, P.LEFT_EAR, P.RIGHT_EAR], :2])):
        return None
    h, w = img.shape[:2]
    pts = pose[:, :2] * np.array([w, h])
    ears = float(np.linalg.norm(pts[P.LEFT_EAR] - pts[P.RIGHT_EAR]))
    if ears < 4:
        return None
    c = pts[[P.LEFT_EYE, P.RIGHT_EYE]].mean(0)
    x0, y0, x1, y1 = int(c[0] - 0.8 * ears), int(c[1] - 0.6 * ears), int(c[0] + 0.8 * ears), int(c[1] + 0.6 * ears)
    if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
        return None
    grey = cv2.cvtColor(img[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    grey = cv2.resize(cv2.resize(grey, (12, 9), interpolation=cv2.INTER_AREA).astype(np.float64), (24, 18))
    return ((grey - grey.mean()) / (grey.std() + 1e-6)).ravel()


def _mean_face(faces: Sequence[np.ndarray | None]) -> np.ndarray:
    found = [f for f in faces if f is not None]
    return np.mean(found, axis=0) if found else np.zeros(24 * 18)


def _standard(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(0)) / (x.std(0) + 1e-9)


def group_people(data: Path, stills: Sequence[Still]) -> dict[str, str]:
    """Return still key -> person ('A', 'B' or 'C') for the stills of the labelled folders."""
    images = [_image(data, s) for s in stills]
    thumbs = np.array([thumbnail(img) for img in images])
    torsos = [torso(img, s) for img, s in zip(images, stills, strict=True)]
    has = np.array([t is not None for t in torsos])
    tor = np.array([t if t is not None else np.full(2, np.nan) for t in torsos])
    folders = np.array([s.folder for s in stills])
    person = np.full(len(stills), "", dtype=object)
    # 1. clothing, per folder (lighting differs between videos): light and textured (A) or dark and plain
    for folder in sorted(set(folders)):
        idx = np.flatnonzero((folders == folder) & has)
        split = kmeans(_standard(tor[idx]), 2)
        light_id = int(np.argmax([tor[idx[split == j], 0].mean() for j in (0, 1)]))
        person[idx] = np.where(split == light_id, "A", "dark")
    # 2. the dark body stills: two places in the room; B is the one whose mean face is most like the
    #    hand folders' dark person's (glasses)
    body_dark = np.flatnonzero((folders == BODY_FOLDER) & (person == "dark"))
    hand_dark = np.flatnonzero((folders != BODY_FOLDER) & (person == "dark"))
    if len(body_dark) >= 2:
        split = kmeans(_standard(thumbs[body_dark]), 2)
        b_id = 0
        if len(hand_dark):
            ref = _mean_face([face(images[i], stills[i]) for i in hand_dark])
            means = [_mean_face([face(images[i], stills[i]) for i in body_dark[split == j]]) for j in (0, 1)]
            b_id = int(np.argmax([np.corrcoef(m, ref)[0, 1] for m in means]))
        person[body_dark] = np.where(split == b_id, "B", "C")
    person[hand_dark] = "B"
    # 3. stills without a torso: the majority of their nearest neighbours in the same folder
    for i in np.flatnonzero(~has):
        same = np.flatnonzero((folders == folders[i]) & has)
        d = ((thumbs[same] - thumbs[i]) ** 2).sum(1)
        near = [person[j] for j in same[np.argsort(d, kind="stable")[:NEIGHBOURS]]]
        person[i] = max(sorted(set(near)), key=near.count)
    return {s.key: str(p) for s, p in zip(stills, person, strict=True)}


def contact_sheets(data: Path, stills: Sequence[Still], people: dict[str, str], out: Path,
                   per_sheet: int = 60) -> list[Path]:
    """Write one PNG per (folder, person) with up to ``per_sheet`` stills; return the paths."""
    import cv2

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for folder in sorted({s.folder for s in stills}):
        for who in sorted(set(people.values())):
            chosen = [s for s in stills if s.folder == folder and people[s.key] == who]
            if not chosen:
                continue
            step = max(1, len(chosen) // per_sheet)
            tiles = [cv2.resize(_image(data, s)[:, 120:520], (100, 120)) for s in chosen[::step][:per_sheet]]
            while len(tiles) % 10:
                tiles.append(np.zeros((120, 100, 3), np.uint8))
            sheet = np.vstack([np.hstack(tiles[i:i + 10]) for i in range(0, len(tiles), 10)])
            path = out / f"{folder}-{who}-{len(chosen)}.png"
            cv2.imwrite(str(path), sheet)
            paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="gesture people", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=default_data())
    ap.add_argument("--sheets", type=Path, help="write contact sheets (PNG) of each person here")
    args = ap.parse_args(argv)
    stills = load_stills(args.data, list(STILL_FOLDERS))
    people = group_people(args.data, stills)
    for folder in STILL_FOLDERS:
        counts = {p: sum(1 for s in stills if s.folder == folder and people[s.key] == p) for p in "ABC"}
        print(f"{folder:24s} " + "  ".join(f"{p}: {n:3d}" for p, n in counts.items()))
    if args.sheets:
        for path in contact_sheets(args.data, stills, people, args.sheets):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
