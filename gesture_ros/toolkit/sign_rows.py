"""The hand-sign rows of every performer, labelled with the author's definitions, and their folds.

Sources: ``landmarks/hand_sign_keypoints.csv`` (kinivi's collector, one performer) and one file
per source repository in ``landmarks/hand_sign_more/`` (other performers). Each source is one
performer; the held-out evaluation scores a performer's rows only with a model that never saw them.

The author's definitions (issue 28, item 4), per row:

- Open: ``open_palm`` when the hand points up (wrist to middle knuckle) within ``PALM_UP_DEG``
  of image up; ``none`` from ``PALM_DOWN_DEG`` on (fingers hanging down); in between
  (a palm held sideways) ``UNSURE``: neither taught nor scored, as "within about 45 degrees"
  leaves that band to judgement. 100 degrees, not 90: a hand held level (90 +- the collector's
  10 degree wobble) is sideways, not hanging;
- Close -> ``fist``; Pointer -> ``pointing`` in any direction; OK -> ``none``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gesture_ros.common.landmarks import HandLandmark as H
from gesture_ros.toolkit.import_csv import Item, hand_sign_items, read_labels

KINIVI = "kinivi"
MORE = "hand_sign_more"
PALM_UP_DEG = 45.0
PALM_DOWN_DEG = 100.0
UNSURE = "unsure"  # not a label of the vocabulary: windows that touch it are left out (training_windows)
CLASS_MAP = {"Close": "fist", "Pointer": "pointing", "OK": "none"}
N_FOLDS = 3


def direction_deg(hand_xy: np.ndarray, base: int, tip: int) -> np.ndarray:
    """Return how far the ``base`` to ``tip`` joints of (N, 21, 2) image hands point from image up, in
    degrees: 0 up, 90 sideways, 180 down."""
    v = hand_xy[:, tip] - hand_xy[:, base]
    return np.degrees(np.arctan2(np.abs(v[:, 0]), -v[:, 1]))


def relabel(classes: np.ndarray, hand_xy: np.ndarray) -> np.ndarray:
    """Return each row's label under the author's definitions (see the module doc)."""
    palm = direction_deg(hand_xy, H.WRIST, H.MIDDLE_FINGER_MCP)
    open_label = np.where(palm <= PALM_UP_DEG, "open_palm", np.where(palm >= PALM_DOWN_DEG, "none", UNSURE))
    out = np.array([CLASS_MAP.get(str(c), "") for c in classes], dtype=object)
    is_open = np.asarray(classes) == "Open"
    out[is_open] = open_label[is_open]
    return out.astype(str)


def sources(data: Path) -> dict[str, Path]:
    """Return performer name -> CSV file, kinivi's first, the others by name."""
    lm = Path(data) / "landmarks"
    out = {KINIVI: lm / "hand_sign_keypoints.csv"}
    out.update({p.stem: p for p in sorted((lm / MORE).glob("*.csv"))})
    return out


def row_counts(data: Path) -> dict[str, int]:
    return {name: sum(1 for ln in path.read_text().splitlines() if ln.strip()) for name, path in sources(data).items()}


def performer_folds(counts: dict[str, int], n_folds: int = N_FOLDS) -> dict[str, int]:
    """Return performer -> fold: largest first, each into the fold with the fewest rows so far (ties: lowest)."""
    load = [0] * n_folds
    out = {}
    for name in sorted(counts, key=lambda n: (-counts[n], n)):
        k = int(np.argmin(load))
        out[name] = k
        load[k] += counts[name]
    return out


def performer_items(data: Path, name: str, block: int) -> list[Item]:
    """Return the rows of one performer as sequences of at most ``block`` rows, relabelled."""
    labels = read_labels(Path(data) / "landmarks" / "hand_sign_labels.csv", 4)
    out = []
    for seq_id, _g, arrays, fl in hand_sign_items(sources(data)[name], labels, block=block):
        out.append((f"{name}-{seq_id}", f"performer-{name}", arrays, relabel(fl, arrays.right_hand[:, :, :2])))
    return out


def sign_split(data: Path, block: int, fold: int | None = None) -> tuple[list[Item], list[Item]]:
    """Return (training items, held-out items): the performers of ``fold`` held out (None: none)."""
    folds = performer_folds(row_counts(data))
    train, held = [], []
    for name, k in folds.items():
        (held if fold is not None and k == fold else train).extend(performer_items(data, name, block))
    return train, held
