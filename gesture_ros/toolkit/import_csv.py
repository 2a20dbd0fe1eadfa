"""Convert the kinivi/Kazuhito00 keypoint CSVs (and the Holistic .npz) into the dataset format.

    gesture import-csv hand-sign  keypoint.csv      --labels keypoint_classifier_label.csv --out DIR
    gesture import-csv fingertip  point_history.csv --labels point_history_classifier_label.csv --out DIR
    gesture import-csv holistic   sequences.npz     --out DIR

Their normalisation differs from MediaPipe's image coordinates, so rows are converted:
- hand-sign rows are 21 (x, y) offsets from the wrist in a mirrored (selfie) image divided by the
  largest offset: un-mirrored (x negated), placed at the image centre of a square image, as a
  right hand with z = 0. Consecutive rows of one class become sequences of at most ``--block``
  rows (one recording stretch; a split by sequence holds out contiguous blocks of rows).
- fingertip rows are 16 index-fingertip positions relative to the first, divided by the image
  size: each row becomes a 16-frame sequence (30 fps assumed) of a fixed pointing hand whose
  index tip follows the path; group = the block of ``--block`` consecutive rows (rows overlap
  in time, so only a block split is honest).
- the Holistic .npz (pose x,y,z,visibility; hands x,y,z) becomes one sequence per recording.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.common.landmarks import HAND_LENGTH, N_FIELDS, POSE_LENGTH
from gesture_ros.common.landmarks import HandLandmark as H

Item = tuple[str, str, SequenceArrays, np.ndarray]
CSV_FPS = 30.0
SIGN_SPAN = 0.2  # a row's largest offset spans this fraction of the (square) image
SIGN_SPAN_X = SIGN_SPAN  # positive: un-mirror the selfie-view x


def read_labels(path: Path | None, n: int) -> list[str]:
    if path is None:
        return [f"class{i}" for i in range(n)]
    names = [ln.strip().lstrip("\ufeff") for ln in Path(path).read_text(encoding="utf-8-sig").splitlines()]
    return [n for n in names if n]


def _empty(t: int, n: int) -> np.ndarray:
    return np.full((t, n, N_FIELDS), np.nan, dtype=np.float32)


def _stamps(t: int, fps: float = CSV_FPS) -> np.ndarray:
    return (np.arange(t) * 1e9 / fps).astype(np.int64)


def _runs(y: np.ndarray, block: int) -> list[tuple[int, int]]:
    """Return (start, end) of runs of equal class, split into pieces of at most ``block`` rows."""
    out, start = [], 0
    for i in range(1, len(y) + 1):
        if i == len(y) or y[i] != y[start] or i - start >= block:
            out.append((start, i))
            start = i
    return out


def hand_sign_items(csv: Path, labels: list[str], block: int = 50) -> list[Item]:
    rows = np.loadtxt(csv, delimiter=",", dtype=np.float64, ndmin=2)
    y, xy = rows[:, 0].astype(int), rows[:, 1:].reshape(len(rows), HAND_LENGTH, 2)
    items = []
    for s, e in _runs(y, block):
        hand = _empty(e - s, HAND_LENGTH)
        hand[:, :, 0] = 0.5 - SIGN_SPAN_X * xy[s:e, :, 0]
        hand[:, :, 1] = 0.5 + SIGN_SPAN * xy[s:e, :, 1]
        hand[:, :, 2] = 0.0
        arrays = SequenceArrays(_stamps(e - s), _empty(e - s, POSE_LENGTH), _empty(e - s, HAND_LENGTH), hand, (1000, 1000))
        seq_id = f"hand_sign-rows{s:05d}-{e:05d}"
        items.append((seq_id, seq_id, arrays, np.full(e - s, labels[y[s]])))
    return items


def _pointing_template() -> np.ndarray:
    """Return a fixed right pointing hand (21, 2) in image units, index tip at the origin."""
    from gesture_ros.toolkit.synth.hand import HandBones, HandPose, hand_points

    fingers = np.array([[5, 5, 5, 10], [85, 95, 50, 0], [85, 95, 50, -8], [85, 95, 50, -16]], dtype=float)
    pts = hand_points(HandPose(fingers, np.array([20.0, 55.0, 35.0, 30.0])), HandBones(), left=False)
    xy = np.stack([pts[:, 0], -pts[:, 1]], axis=1) * 1.5  # palm facing the camera, ~0.3 image heights tall
    return xy - xy[H.INDEX_FINGER_TIP]


def fingertip_items(csv: Path, labels: list[str], block: int = 50, size: tuple[int, int] = (960, 540)) -> list[Item]:
    rows = np.loadtxt(csv, delimiter=",", dtype=np.float64, ndmin=2)
    y, path = rows[:, 0].astype(int), rows[:, 1:].reshape(len(rows), -1, 2)
    template = _pointing_template()
    aspect = size[0] / size[1]
    items = []
    for r in range(len(rows)):
        t = path.shape[1]
        hand = _empty(t, HAND_LENGTH)
        hand[:, :, 0] = 0.5 + path[r, :, None, 0] + template[None, :, 0] / aspect
        hand[:, :, 1] = 0.5 + path[r, :, None, 1] + template[None, :, 1]
        hand[:, :, 2] = 0.0
        arrays = SequenceArrays(_stamps(t), _empty(t, POSE_LENGTH), _empty(t, HAND_LENGTH), hand, size)
        items.append((f"fingertip-row{r:05d}", f"fingertip-block{r // block:04d}", arrays, np.full(t, labels[y[r]])))
    return items


def holistic_items(npz: Path, fps: float = CSV_FPS) -> list[Item]:
    z = np.load(npz)
    x, y, names, seqs = z["X"], z["y"], [str(n) for n in z["labels"]], z["sequence"]
    items = []
    for i in range(len(x)):
        t = x.shape[1]
        pose = _empty(t, POSE_LENGTH)
        p = x[i, :, :132].reshape(t, POSE_LENGTH, 4)
        pose[:, :, :4] = p
        pose[:, :, 4] = p[:, :, 3]
        hands = []
        for off in (132, 195):
            h = x[i, :, off:off + 63].reshape(t, HAND_LENGTH, 3)
            arr = _empty(t, HAND_LENGTH)
            arr[:, :, :3] = h
            arr[np.all(h == 0, axis=(1, 2))] = np.nan  # that recogniser stored a missing hand as zeros
            hands.append(arr)
        seq_id = f"holistic-{names[y[i]]}-{int(seqs[i]):02d}"
        arrays = SequenceArrays(_stamps(t, fps), pose, hands[0], hands[1], (640, 480))
        items.append((seq_id, seq_id, arrays, np.full(t, names[y[i]])))
    return items


def main(argv: list[str] | None = None) -> int:
    from tqdm import tqdm

    from gesture_ros.toolkit.dataset import Dataset, SequenceRecord

    ap = argparse.ArgumentParser(prog="gesture import-csv", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=("hand-sign", "fingertip", "holistic"))
    ap.add_argument("source", type=Path)
    ap.add_argument("--labels", type=Path, help="the class-name CSV that comes with the data")
    ap.add_argument("--block", type=int, default=50, help="rows per contiguous block (CSV kinds)")
    ap.add_argument("--out", type=Path, required=True, help="dataset folder (appended to)")
    args = ap.parse_args(argv)
    if not args.source.exists():
        print(f"gesture import-csv: {args.source} does not exist", file=sys.stderr)
        return 2
    if args.kind == "holistic":
        items = holistic_items(args.source)
    else:
        n = int(np.loadtxt(args.source, delimiter=",", usecols=0).max()) + 1
        labels = read_labels(args.labels, n)
        fn = hand_sign_items if args.kind == "hand-sign" else fingertip_items
        items = fn(args.source, labels, args.block)
    ds = Dataset(args.out)
    for seq_id, group, arrays, fl in tqdm(items, desc="import", unit="seq"):
        ds.append(SequenceRecord(id=seq_id, label=str(fl[0]), person="unknown", session=group,
                                 source=f"csv:{args.source.name}", fps=CSV_FPS), arrays, fl)
    print(f"appended {len(items)} sequences to {args.out} (split by --group-by session for contiguous blocks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
