"""The on-disk dataset: one .npz per sequence plus an appendable manifest.jsonl.

Layout of a dataset folder::

    manifest.jsonl          one JSON object per line (SequenceRecord), appended as sequences arrive
    sequences/<id>.npz      stamps_ns (T,) int64; pose (T,33,5), left_hand (T,21,5),
                            right_hand (T,21,5) float32 in the KeypointFrame layout with NaN rows
                            where a part was not detected; image_size (2,) int (0 when unknown);
                            frame_labels (T,) str: the label of each frame ('none' outside gestures)

A record names its label (the sequence's gesture), person, session, source (synth, camera,
video:<file>, ros:<topic>, csv:<file>), fps, frame count, keypoint model and segments. Splits use
the group given by person, session or sequence id, never single frames.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import SequenceArrays

MANIFEST = "manifest.jsonl"
SEQ_DIR = "sequences"


@dataclass
class SequenceRecord:
    id: str
    label: str
    person: str = "unknown"
    session: str = "unknown"
    source: str = "unknown"
    fps: float = 0.0
    n_frames: int = 0
    model: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def file(self) -> str:
        return f"{SEQ_DIR}/{self.id}.npz"


class DatasetError(ValueError):
    """A dataset folder or file that does not have the documented layout."""


class Dataset:
    """A dataset folder: read records and sequences, append new ones."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def append(self, record: SequenceRecord, arrays: SequenceArrays, frame_labels: np.ndarray | None = None) -> None:
        """Write the sequence's .npz, then its manifest line (so a crash never leaves a dangling line)."""
        (self.root / SEQ_DIR).mkdir(parents=True, exist_ok=True)
        if frame_labels is None:
            frame_labels = np.full(len(arrays), record.label)
        record.n_frames = len(arrays)
        np.savez_compressed(
            self.root / record.file, stamps_ns=arrays.stamps_ns, pose=arrays.pose, left_hand=arrays.left_hand,
            right_hand=arrays.right_hand, image_size=np.asarray(arrays.image_size, dtype=np.int64),
            frame_labels=np.asarray(frame_labels, dtype=str),
        )
        with open(self.root / MANIFEST, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(record), sort_keys=True) + "\n")

    def records(self) -> list[SequenceRecord]:
        path = self.root / MANIFEST
        if not path.exists():
            raise DatasetError(f"{path} does not exist: not a dataset folder")
        out = []
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    out.append(SequenceRecord(**json.loads(line)))
                except (json.JSONDecodeError, TypeError) as exc:
                    raise DatasetError(f"{path}:{n}: not a sequence record ({exc})") from None
        return out

    def load(self, record: SequenceRecord) -> tuple[SequenceArrays, np.ndarray]:
        """Return the arrays and per-frame labels of one record."""
        path = self.root / record.file
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = SequenceArrays(
                    stamps_ns=z["stamps_ns"].astype(np.int64), pose=z["pose"], left_hand=z["left_hand"],
                    right_hand=z["right_hand"], image_size=tuple(int(v) for v in z["image_size"]),
                )
                labels = z["frame_labels"].astype(str)
        except (OSError, KeyError, ValueError) as exc:
            raise DatasetError(f"{path}: cannot read sequence ({exc})") from None
        return arrays, labels

    def __iter__(self) -> Iterator[tuple[SequenceRecord, SequenceArrays, np.ndarray]]:
        for rec in self.records():
            arrays, labels = self.load(rec)
            yield rec, arrays, labels

    def content_hash(self) -> str:
        """Return a sha256 over the manifest and every sequence file (the training-data hash)."""
        h = hashlib.sha256()
        h.update((self.root / MANIFEST).read_bytes())
        for rec in self.records():
            h.update((self.root / rec.file).read_bytes())
        return h.hexdigest()


def new_id(prefix: str = "seq") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
