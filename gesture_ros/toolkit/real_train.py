"""Real training sequences for the default model, and the folds that hold people out.

- stills (``stills.py``, grouped by person with ``people.py``): each still becomes a held
  sequence of its extractor frames, labelled with its folder's gesture for every frame; stills
  whose part is not detected at all (no pose for x_cross, no hand for a hand gesture) are left
  out, as nothing could be learnt from them;
- hand-sign rows (``import_csv.hand_sign_items``): Open -> open_palm, Close -> fist,
  Pointer -> pointing, OK -> none, cut into sequences of ``SIGN_BLOCK`` consecutive rows, each
  listed ``SIGN_REPEAT`` times (augmented independently) so that they weigh as much as a class.

Fold k (0..2) holds out person ``FOLD_PEOPLE[k]`` and the k-th third of every hand-sign class
(the rows are one recording per class, so contiguous thirds, never interleaved rows).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.toolkit.import_csv import hand_sign_items, read_labels
from gesture_ros.toolkit.people import group_people
from gesture_ros.toolkit.stills import Still, load_stills

FOLD_PEOPLE = ("A", "B", "C")
HAND_SIGN_MAP = {"Open": "open_palm", "Close": "fist", "Pointer": "pointing", "OK": "none"}
SIGN_BLOCK = 40
SIGN_REPEAT = 8  # the rows are few next to the synthetic sequences: each block is trained on 8 times per epoch
STILL_FRAMES = 36
STILL_FPS = (15.0, 20.0, 25.0, 30.0)
Item = tuple[str, str, SequenceArrays, np.ndarray]


def usable(still: Still) -> bool:
    """Return True when the extractor found the part the still's gesture needs."""
    if still.label == "x_cross":
        return bool(np.any(np.isfinite(still.pose[:, 0, 0])))
    return bool(np.any(np.isfinite(still.left_hand[:, 0, 0]) | np.isfinite(still.right_hand[:, 0, 0])))


def still_items(stills: Sequence[Still], people: dict[str, str], exclude: str | None = None) -> list[Item]:
    """Return held sequences of the usable stills of everyone but ``exclude`` (group: the person)."""
    out = []
    for s in stills:
        who = people[s.key]
        if who == exclude or not usable(s):
            continue
        fps = STILL_FPS[zlib.crc32(s.key.encode()) % len(STILL_FPS)]
        arrays = s.held(STILL_FRAMES, fps)
        out.append((f"still-{s.key}", f"person-{who}", arrays, np.full(STILL_FRAMES, s.label)))
    return out


def sign_fold(rows: int, start: int, end: int) -> int:
    """Return the fold (0..2) of a block of rows [start, end) inside one class run of ``rows`` rows."""
    return min(2, int(3 * ((start + end) / 2) / rows))


def hand_sign_split(data: Path, fold: int | None = None) -> tuple[list[Item], list[Item]]:
    """Return (training items, held-out items) of the hand-sign rows; ``fold`` None holds nothing out."""
    lm = Path(data) / "landmarks"
    names = read_labels(lm / "hand_sign_labels.csv", 4)
    items = hand_sign_items(lm / "hand_sign_keypoints.csv", names, block=SIGN_BLOCK)
    runs: dict[str, tuple[int, int]] = {}
    for seq_id, _g, _a, fl in items:
        s, e = (int(v) for v in seq_id.split("rows")[1].split("-"))
        lo, hi = runs.get(str(fl[0]), (s, e))
        runs[str(fl[0])] = (min(lo, s), max(hi, e))
    train, held = [], []
    for seq_id, _group, arrays, fl in items:
        name = str(fl[0])
        s, e = (int(v) for v in seq_id.split("rows")[1].split("-"))
        lo, hi = runs[name]
        k = sign_fold(hi - lo, s - lo, e - lo)
        item = (seq_id, f"hand_sign-{name}-third{k}", arrays, np.array([HAND_SIGN_MAP[x] for x in fl]))
        (held if fold is not None and k == fold else train).append(item)
    return train, held


def real_items(data: Path, fold: int | None = None, progress: bool = True,
               sign_repeat: int = SIGN_REPEAT) -> tuple[list[Item], dict]:
    """Return the real training items (all, or without fold ``fold``) and a description of them."""
    stills = load_stills(data, progress=progress)
    people = group_people(data, stills)
    exclude = FOLD_PEOPLE[fold] if fold is not None else None
    items = still_items(stills, people, exclude)
    signs, _ = hand_sign_split(data, fold)
    signs = [(f"{seq_id}-r{r}", group, arrays, fl) for r in range(sign_repeat) for seq_id, group, arrays, fl in signs]
    counts: dict[str, int] = {}
    for _i, _g, _a, fl in items:
        counts[str(fl[0])] = counts.get(str(fl[0]), 0) + 1
    info = {"stills": counts, "people": sorted(set(people.values()) - {exclude}),
            "hand_sign_sequences": len(signs), "held_out_person": exclude, "held_out_hand_sign_third": fold}
    return items + signs, info
