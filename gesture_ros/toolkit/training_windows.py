"""Cut labelled sequences into fixed-length feature windows for training and evaluation.

A window ending at frame t is labelled from the per-frame labels it covers: 'none' when it
covers no gesture; a TRIGGER label when it covers at least 75% of that gesture's segment (or
of the window, for segments longer than it); a HELD label when at least 60% of the window and
its last frame are in the gesture. Ambiguous windows are left out (label -1 is never kept).
Sequences shorter than the window are left-padded with zero rows (all presence flags 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.common.model_meta import GestureKind

TRIGGER_COVER = 0.75
HELD_COVER = 0.6


@dataclass
class WindowSet:
    """Windows as start offsets into one concatenated feature array (memory stays small)."""

    feats: np.ndarray  # (F, D) float32
    starts: np.ndarray  # (N,) int64
    y: np.ndarray  # (N,) int64
    groups: np.ndarray  # (N,) str: the split unit (person, session, block or sequence)
    seq_ids: np.ndarray  # (N,) str
    window: int
    labels: list[str]

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    def batch(self, idx: np.ndarray) -> np.ndarray:
        """Return (len(idx), window, D) features."""
        return self.feats[self.starts[idx][:, None] + np.arange(self.window)]

    @property
    def x(self) -> np.ndarray:
        return self.batch(np.arange(len(self)))

    def subset(self, mask: np.ndarray) -> WindowSet:
        return WindowSet(self.feats, self.starts[mask], self.y[mask], self.groups[mask], self.seq_ids[mask],
                         self.window, self.labels)


def _segments(frame_labels: np.ndarray) -> list[tuple[int, int, str]]:
    """Return (start, end exclusive, label) runs of equal labels."""
    out, start = [], 0
    for i in range(1, len(frame_labels) + 1):
        if i == len(frame_labels) or frame_labels[i] != frame_labels[start]:
            out.append((start, i, str(frame_labels[start])))
            start = i
    return out


def window_labels(frame_labels: np.ndarray, window: int, kinds: dict[str, GestureKind]) -> np.ndarray:
    """Return, for each window end t (0..T-1), its label name or '' when ambiguous/unknown."""
    t_n = len(frame_labels)
    segs = [s for s in _segments(frame_labels) if s[2] != "none"]
    out = np.empty(t_n, dtype=object)
    for t in range(t_n):
        lo, hi = t - window + 1, t + 1
        ok, touched = [], False
        for s0, s1, lab in segs:
            cover = min(s1, hi) - max(s0, lo)
            if cover <= 0:
                continue
            touched = True
            kind = kinds.get(lab)
            if kind == GestureKind.TRIGGER and cover >= TRIGGER_COVER * min(s1 - s0, window):
                ok.append(lab)
            elif kind == GestureKind.HELD and cover >= HELD_COVER * window and s0 <= t < s1:
                ok.append(lab)
        out[t] = "none" if not touched else (ok[0] if len(ok) == 1 else "")
    return out


def build_windows(items: Iterable[tuple[str, str, np.ndarray, np.ndarray]], window: int, stride: int,
                  labels: Sequence[str], kinds: dict[str, GestureKind]) -> WindowSet:
    """Window (seq_id, group, features (T, D), frame_labels (T,)) items; keep every ``stride``-th end."""
    index = {lab: i for i, lab in enumerate(labels)}
    feats, starts, ys, groups, ids = [], [], [], [], []
    offset, dim = 0, None
    for seq_id, group, f, fl in items:
        dim = f.shape[1]
        padded = np.concatenate([np.zeros((window - 1, dim), np.float32), f.astype(np.float32)])
        wl = window_labels(np.asarray(fl, dtype=str), window, kinds)
        for t in range(len(f) - 1, -1, -stride):
            if wl[t] in index:
                starts.append(offset + t)
                ys.append(index[wl[t]])
                groups.append(group)
                ids.append(seq_id)
        feats.append(padded)
        offset += len(padded)
    if dim is None:
        raise ValueError("no sequences to window")
    return WindowSet(np.concatenate(feats), np.asarray(starts, np.int64), np.asarray(ys, np.int64),
                     np.asarray(groups, dtype=str), np.asarray(ids, dtype=str), window, list(labels))


def load_windows(root: Path, spec: FeatureSpec, window: int, labels: Sequence[str], stride: int = 1,
                 group_by: str = "person", kinds: dict[str, GestureKind] | None = None,
                 limit: int | None = None) -> WindowSet:
    """Read a dataset folder and window it with ``spec`` (group_by: person, session or sequence)."""
    from gesture_ros.common.gestures import kinds_for
    from gesture_ros.toolkit.dataset import Dataset

    kinds = kinds or kinds_for(list(labels))

    def items():
        for rec, arrays, fl in Dataset(root):
            group = rec.id if group_by == "sequence" else getattr(rec, group_by)
            yield rec.id, group, spec.sequence_features(arrays), fl

    ws = build_windows(items(), window, stride, labels, kinds)
    return ws if limit is None else ws.subset(np.arange(len(ws)) < limit)
