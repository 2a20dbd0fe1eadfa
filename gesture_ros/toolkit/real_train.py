"""Real training sequences for the default model, and the folds that hold people out.

- stills (``stills.py``, grouped by person with ``people.py``): each still becomes a held
  sequence of its extractor frames, labelled with its folder's gesture for every frame; stills
  whose part is not detected at all (no pose for x_cross, no hand for a hand gesture) are left
  out, as nothing could be learnt from them;
- hand-sign rows of every performer (``sign_rows``: kinivi's and those of hand_sign_more/, labelled
  with the author's definitions), cut into sequences of ``SIGN_BLOCK`` consecutive rows, each
  listed ``SIGN_REPEAT`` times (augmented independently) so that they weigh as much as a class.

Fold k (0..2) holds out person ``FOLD_PEOPLE[k]`` and the hand-sign performers of fold k
(``sign_rows.performer_folds``): every performer's rows are scored by a model that never saw them.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import SequenceArrays
from gesture_ros.toolkit.people import group_people
from gesture_ros.toolkit.sign_rows import sign_split
from gesture_ros.toolkit.stills import Still, load_stills

FOLD_PEOPLE = ("A", "B", "C")
SIGN_BLOCK = 40
SIGN_REPEAT = 4  # the rows are few next to the synthetic sequences: each block is trained on 4 times per epoch
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


def hand_sign_split(data: Path, fold: int | None = None) -> tuple[list[Item], list[Item]]:
    """Return (training items, held-out items) of the hand-sign rows; ``fold`` None holds nothing out."""
    return sign_split(data, SIGN_BLOCK, fold)


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
            "hand_sign_sequences": len(signs), "held_out_person": exclude, "held_out_performer_fold": fold}
    return items + signs, info
