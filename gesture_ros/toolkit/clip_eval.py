"""Run a model over real keypoint frames the way the classifier does: one window per frame.

Gives per-window probabilities (for setting the classifier's thresholds) and a plot of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.common.landmarks import KeypointFrame, Part
from gesture_ros.common.model_meta import ModelMetadata


@dataclass
class ClipScores:
    stamps_s: np.ndarray  # (N,) end stamp of each full window, seconds from the clip start
    probs: np.ndarray  # (N, n_classes)
    labels: list[str]
    wrist_x: np.ndarray  # (N,) image x of the dominant wrist at the window end (NaN if none)
    start_s: np.ndarray = None  # (N,) stamp of each window's first frame (defaults to stamps_s)

    def __post_init__(self) -> None:
        if self.start_s is None:
            self.start_s = self.stamps_s

    @property
    def top(self) -> list[str]:
        return [self.labels[i] for i in self.probs.argmax(1)]

    def counts(self) -> dict:
        tops = self.top
        return {lab: tops.count(lab) for lab in self.labels if tops.count(lab)}

    def max_prob(self, label: str) -> float:
        return float(self.probs[:, self.labels.index(label)].max()) if len(self.probs) else 0.0


def _wrist_x(frame: KeypointFrame) -> float:
    xs = [(frame.part(p)[0, 0], frame.part(p)[0, 1]) for p in (Part.LEFT_HAND, Part.RIGHT_HAND)
          if frame.part(p) is not None]
    return float(min(xs, key=lambda v: v[1])[0]) if xs else float("nan")


def score_frames(model_path: Path, frames: Sequence[KeypointFrame]) -> ClipScores:
    """Return the model's probabilities for every full window of ``frames``."""
    import onnxruntime as ort

    from gesture_ros.common.model_meta import INPUT_NAME

    sess = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    meta = ModelMetadata.from_props(sess.get_modelmeta().custom_metadata_map)
    spec = FeatureSpec.from_dict(meta.feature_spec)
    feats = spec.window_features(frames)
    w = meta.window
    if len(frames) < w:
        return ClipScores(np.zeros(0), np.zeros((0, meta.n_classes)), meta.labels, np.zeros(0))
    x = np.stack([feats[t - w + 1:t + 1] for t in range(w - 1, len(frames))])
    probs = sess.run(None, {INPUT_NAME: x})[0]
    t0 = frames[0].stamp_ns
    stamps = np.array([(f.stamp_ns - t0) / 1e9 for f in frames[w - 1:]])
    starts = np.array([(f.stamp_ns - t0) / 1e9 for f in frames[:len(frames) - w + 1]])
    return ClipScores(stamps, probs, meta.labels, np.array([_wrist_x(f) for f in frames[w - 1:]]), starts)


def write_csv(scores: ClipScores, path: Path) -> None:
    header = "t_s,wrist_x,top," + ",".join(scores.labels)
    lines = [header] + [
        f"{t:.3f},{wx:.3f},{top}," + ",".join(f"{p:.4f}" for p in row)
        for t, wx, top, row in zip(scores.stamps_s, scores.wrist_x, scores.top, scores.probs, strict=False)
    ]
    Path(path).write_text("\n".join(lines) + "\n")


def plot(scores: ClipScores, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    for i, lab in enumerate(scores.labels):
        if scores.probs[:, i].max() > 0.1:
            ax1.plot(scores.stamps_s, scores.probs[:, i], label=lab)
    ax1.set_ylim(0, 1)
    ax1.set_ylabel("probability")
    ax1.legend(fontsize=7, ncol=3)
    ax1.set_title(title)
    ax2.plot(scores.stamps_s, scores.wrist_x, "k.-", ms=3)
    ax2.set_ylabel("wrist x")
    ax2.set_xlabel("window end (s)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
