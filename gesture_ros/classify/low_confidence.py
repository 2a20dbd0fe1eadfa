"""Find the windows the classifier was unsure about, so a person can label them.

A window is uncertain when its best non-reject probability lies in [low, high): the model saw
something but did not commit. Consecutive uncertain windows merge into one time range that
starts where the first window started; a range closes on the first certain window or after a
gap. Ranges are written as a labels CSV that ``gesture from-mcap`` reads once labelled.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

LABELS_HEADER = ("start_ns", "end_ns", "label", "guess", "confidence")


@dataclass
class Candidate:
    start_ns: int
    end_ns: int
    guess: str
    confidence: float


@dataclass
class UncertaintyConfig:
    low: float = 0.35
    high: float = 0.7
    reject_labels: Sequence[str] = ("none",)
    merge_gap_ns: int = 500_000_000

    def validate(self) -> None:
        if not 0.0 <= self.low < self.high <= 1.0:
            raise ValueError(f"need 0 <= low < high <= 1, got low={self.low}, high={self.high}")


class UncertainWindows:
    """Feed per-window scores in stamp order; collect merged uncertain ranges."""

    def __init__(self, config: UncertaintyConfig) -> None:
        config.validate()
        self.config = config
        self._stamps: deque[int] = deque(maxlen=4096)
        self._open: Candidate | None = None
        self.closed: list[Candidate] = []

    def add(self, stamp_ns: int, labels: Sequence[str], probabilities: Sequence[float],
            window_fill: int, window_length: int) -> Candidate | None:
        """Add one window's scores; return a range that this window closed, if any."""
        self._stamps.append(stamp_ns)
        best, prob = self._best(labels, probabilities)
        uncertain = window_fill >= window_length > 0 and best is not None \
            and self.config.low <= prob < self.config.high
        done = None
        if self._open and (not uncertain or stamp_ns - self._open.end_ns > self.config.merge_gap_ns):
            done = self._close()
        if uncertain:
            if self._open is None:
                start = self._stamps[-window_length] if len(self._stamps) >= window_length else self._stamps[0]
                self._open = Candidate(start, stamp_ns, best, prob)
            else:
                self._open.end_ns = stamp_ns
                if prob > self._open.confidence:
                    self._open.guess, self._open.confidence = best, prob
        return done

    def finish(self) -> Candidate | None:
        """Close the open range at the end of the stream."""
        return self._close() if self._open else None

    def _close(self) -> Candidate:
        done, self._open = self._open, None
        self.closed.append(done)
        return done

    def _best(self, labels: Sequence[str], probabilities: Sequence[float]):
        # A malformed GestureScores may carry more labels than probabilities: pair what is there.
        pairs = [(p, lab) for lab, p in zip(labels, probabilities, strict=False) if lab not in self.config.reject_labels]
        if not pairs:
            return None, 0.0
        prob, label = max(pairs)
        return label, float(prob)


def append_candidates(path: Path, candidates: Sequence[Candidate]) -> None:
    """Append ranges to a labels CSV (header written once); the label column is left empty."""
    new = not path.exists() or path.stat().st_size == 0
    with open(path, "a", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(LABELS_HEADER)
        for c in candidates:
            writer.writerow((c.start_ns, c.end_ns, "", c.guess, f"{c.confidence:.3f}"))
