"""Evaluate a model on held-out windows: accuracy, per-class P/R/F1, confusion matrix, latency.

    gesture eval MODEL.onnx --data DATASET [--group-by person|session|sequence] [--out DIR]

Writes DIR/report.json, DIR/confusion.png, DIR/confusion.txt and prints a short summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n: int) -> np.ndarray:
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def classification_report(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> dict:
    """Return accuracy, macro F1, per-class precision/recall/F1/support and the confusion matrix."""
    cm = confusion(np.asarray(y_true), np.asarray(y_pred), len(labels))
    per: dict[str, dict] = {}
    f1s = []
    for i, lab in enumerate(labels):
        tp, fp, fn = cm[i, i], cm[:, i].sum() - cm[i, i], cm[i, :].sum() - cm[i, i]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[lab] = {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
                    "support": int(cm[i].sum())}
        if cm[i].sum():
            f1s.append(f)
    total = int(cm.sum())
    return {"accuracy": float(np.trace(cm) / total) if total else 0.0, "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
            "n": total, "labels": list(labels), "per_class": per, "confusion": cm.tolist()}


def confusion_text(report: dict) -> str:
    labels, cm = report["labels"], np.asarray(report["confusion"])
    w = max(8, max(len(lab) for lab in labels) + 1)
    lines = ["true \\ predicted".ljust(w) + "".join(lab[:w - 1].rjust(w) for lab in labels)]
    lines += [lab.ljust(w) + "".join(str(v).rjust(w) for v in row) for lab, row in zip(labels, cm, strict=False)]
    return "\n".join(lines)


def confusion_png(report: dict, path: Path, title: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, cm = report["labels"], np.asarray(report["confusion"], dtype=float)
    norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * len(labels), 0.8 + 0.6 * len(labels)))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    for (i, j), v in np.ndenumerate(cm):
        ax.text(j, i, int(v), ha="center", va="center", fontsize=8, color="white" if norm[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or f"accuracy {report['accuracy']:.3f}")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def window_latency_ms(model_path: Path, x: np.ndarray, repeats: int = 200) -> dict:
    """Time onnxruntime (CPU) on single windows; return p50/p99 in milliseconds."""
    import onnxruntime as ort

    from gesture_ros.common.model_meta import INPUT_NAME

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])
    samples = []
    for i in range(repeats + 10):
        one = x[i % len(x)][None]
        t = time.perf_counter()
        sess.run(None, {INPUT_NAME: one})
        if i >= 10:
            samples.append((time.perf_counter() - t) * 1e3)
    return {"p50_ms": float(np.percentile(samples, 50)), "p99_ms": float(np.percentile(samples, 99)), "n": repeats}


def onnx_predict(model_path: Path, x: np.ndarray, batch: int = 512) -> np.ndarray:
    import onnxruntime as ort

    from gesture_ros.common.model_meta import INPUT_NAME

    sess = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    out = [sess.run(None, {INPUT_NAME: x[i:i + batch]})[0] for i in range(0, len(x), batch)]
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def summary_lines(report: dict, title: str) -> list[str]:
    lines = [f"{title}: accuracy {report['accuracy']:.3f}, macro F1 {report['macro_f1']:.3f} on {report['n']} windows"]
    for lab, m in report["per_class"].items():
        if m["support"]:
            lines.append(f"  {lab:<14} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  n={m['support']}")
    return lines


def write_report(report: dict, out: Path, title: str) -> None:
    """Write report.json, confusion.txt, confusion.png and summary.txt into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    (out / "confusion.txt").write_text(confusion_text(report) + "\n")
    confusion_png(report, out / "confusion.png", title)
    (out / "summary.txt").write_text("\n".join(summary_lines(report, title)) + "\n")


def main(argv: list[str] | None = None) -> int:
    from gesture_ros.classify.features import FeatureSpec
    from gesture_ros.toolkit.export import read_metadata
    from gesture_ros.toolkit.training_windows import load_windows

    ap = argparse.ArgumentParser(prog="gesture eval", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path, help="ONNX model written by 'gesture export' or 'gesture train'")
    ap.add_argument("--data", type=Path, required=True, help="dataset folder (held-out sequences)")
    ap.add_argument("--group-by", default="person", choices=("person", "session", "sequence"))
    ap.add_argument("--out", type=Path, default=Path("eval_out"))
    args = ap.parse_args(argv)
    meta = read_metadata(args.model)
    spec = FeatureSpec.from_dict(meta.feature_spec)
    ws = load_windows(args.data, spec, meta.window, meta.labels, stride=1, group_by=args.group_by, kinds=meta.kinds)
    probs = onnx_predict(args.model, ws.x)
    report = classification_report(ws.y, probs.argmax(1), meta.labels)
    report["latency"] = window_latency_ms(args.model, ws.x)
    report["groups"] = int(len(np.unique(ws.groups)))
    write_report(report, args.out, f"{args.model.name} on {args.data.name}")
    print("\n".join(summary_lines(report, f"{args.model.name} on {args.data}")))
    print(f"  latency per window (onnxruntime CPU, 1 thread): p50 {report['latency']['p50_ms']:.3f} ms, "
          f"p99 {report['latency']['p99_ms']:.3f} ms; report in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
