"""The shipped model on the real clips, per window; and the hand-sign rows whose labels map.

The shipped model learns from the hand-sign rows, so ``hand_signs`` is only meaningful for a
model that did not (the held-out figures come from toolkit/fold_eval).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gesture_ros.toolkit.clip_eval import plot, score_frames, write_csv
from gesture_ros.toolkit.evaluate import classification_report, confusion_png, confusion_text

OPEN_HAND_CLIP = "videos/open_hand_no_gesture.mp4"
SWIPE_CLIP = "videos/swipe2_left_right.gif"
# Measured from MediaPipe's wrist track of the GIF (performer's left hand, image x):
# 0.36 -> 0.71 between 0.93 and 1.6 s, 0.71 -> 0.42 between 2.6 and 3.2 s; the first
# 0.5 s drifts +0.06 slowly (not a swipe). Direction is in image coordinates.
SWIPE_TRUTH = (("swipe_right", 0.9, 1.7), ("swipe_left", 2.6, 3.3))
FORBIDDEN_ON_OPEN_HAND = ("fist", "pointing", "thumbs_up", "thumbs_down", "swipe_left", "swipe_right", "x_cross")
HAND_SIGN_MAP = {"Open": "open_palm", "Close": "fist", "Pointer": "pointing", "OK": "none"}


def open_hand(model: Path, data: Path, out: Path, extractor: str) -> dict:
    from gesture_ros.toolkit.video import extract

    scores = score_frames(model, extract(data / OPEN_HAND_CLIP, extractor))
    name = f"open_hand_{extractor}"
    write_csv(scores, out / f"{name}.csv")
    plot(scores, out / f"{name}.png", f"open_hand_no_gesture.mp4 ({extractor}): per-window probabilities")
    bad = [lab for lab in scores.top if lab in FORBIDDEN_ON_OPEN_HAND]
    return {"windows": len(scores.top), "top_counts": scores.counts(), "forbidden_windows": len(bad),
            "max_forbidden_prob": max(scores.max_prob(lab) for lab in FORBIDDEN_ON_OPEN_HAND),
            "passed": len(bad) == 0}


def swipes(model: Path, data: Path, out: Path, extractor: str) -> dict:
    from gesture_ros.toolkit.video import extract

    scores = score_frames(model, extract(data / SWIPE_CLIP, extractor))
    name = f"swipe_{extractor}"
    write_csv(scores, out / f"{name}.csv")
    plot(scores, out / f"{name}.png", f"swipe2_left_right.gif ({extractor}): per-window probabilities")
    top = np.array(scores.top)
    result: dict = {"windows": len(top), "top_counts": scores.counts(), "swipes": []}
    # A window reports a stroke as long as the stroke overlaps it (a window spans ~1.3 s).
    overlap = {label: np.zeros(len(top), bool) for label in ("swipe_left", "swipe_right")}
    for label, t0, t1 in SWIPE_TRUTH:
        overlap[label] |= (scores.start_s <= t1) & (scores.stamps_s >= t0)
    for label, t0, t1 in SWIPE_TRUTH:
        near = (scores.start_s <= t1) & (scores.stamps_s >= t0)
        p = scores.probs[near, scores.labels.index(label)]
        other = "swipe_left" if label == "swipe_right" else "swipe_right"
        result["swipes"].append({
            "label": label, "t": [t0, t1], "detected": bool(np.any(top[near] == label)),
            "max_prob": float(p.max()) if p.size else 0.0,
            "wrong_direction_windows": int(np.sum(near & (top == other) & ~overlap[other])),
        })
    covered = overlap["swipe_left"] | overlap["swipe_right"]
    is_swipe = np.isin(top, ["swipe_left", "swipe_right"])
    result["false_swipe_windows"] = int(np.sum(is_swipe & ~covered))
    result["passed"] = all(s["detected"] and s["wrong_direction_windows"] == 0 for s in result["swipes"]) and \
        result["false_swipe_windows"] == 0
    return result


def hand_signs(model: Path, data: Path, out: Path) -> dict:
    """Windows of consecutive hand-sign rows (converted to our layout) through the shipped model."""
    import onnxruntime as ort

    from gesture_ros.classify.features import FeatureSpec
    from gesture_ros.common.model_meta import ModelMetadata
    from gesture_ros.toolkit.evaluate import onnx_predict
    from gesture_ros.toolkit.import_csv import hand_sign_items, read_labels
    from gesture_ros.toolkit.training_windows import build_windows

    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    meta = ModelMetadata.from_props(sess.get_modelmeta().custom_metadata_map)
    spec = FeatureSpec.from_dict(meta.feature_spec)
    names = read_labels(data / "landmarks/hand_sign_labels.csv", 4)
    items = hand_sign_items(data / "landmarks/hand_sign_keypoints.csv", names, block=10 ** 6)
    mapped = [(i, g, spec.sequence_features(a), np.array([HAND_SIGN_MAP[x] for x in fl])) for i, g, a, fl in items]
    ws = build_windows(mapped, meta.window, 1, meta.labels, meta.kinds)
    full = ws
    pred = onnx_predict(model, full.x).argmax(1)
    report = classification_report(full.y, pred, meta.labels)
    keep = [i for i, lab in enumerate(meta.labels) if report["per_class"][lab]["support"] or np.any(pred == i)]
    small = {"labels": [meta.labels[i] for i in keep],
             "confusion": np.asarray(report["confusion"])[np.ix_(keep, keep)].tolist(), "accuracy": report["accuracy"]}
    confusion_png(small, out / "hand_sign_default_confusion.png", "hand_sign rows -> default model")
    (out / "hand_sign_default_confusion.txt").write_text(confusion_text(small) + "\n")
    gestures = full.y != meta.labels.index("none")
    report["accuracy_open_close_pointer"] = float(np.mean(pred[gestures] == full.y[gestures]))
    report["ok_sign_as_none"] = float(np.mean(pred[~gestures] == full.y[~gestures]))
    return report


def run_default(model: Path, data: Path, out: Path, extractors: list[str]) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    res: dict = {"model": str(model)}
    for ex in extractors:
        res[f"open_hand[{ex}]"] = open_hand(model, data, out, ex)
        res[f"swipe[{ex}]"] = swipes(model, data, out, ex)
    return res
