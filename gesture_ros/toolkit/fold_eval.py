"""Held-out people: train the default recipe three times, each without one person, and test on them.

Fold k (toolkit/real_train) leaves out person A, B or C (their stills) and the k-th third of
every hand-sign class; its model is then run on exactly what it never saw: that person's
stills (held sequences through the classifier's decider, config/classifier.yaml) and that
third of the hand-sign rows (the top class of every window of 20 consecutive rows). Every
still and every hand-sign row is held out in exactly one fold, so the three folds together
give one held-out figure for all of them. The referee's signals and the shared clips were
never training data for any model; the fold models are run on them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.common.landmarks import HandLandmark as H
from gesture_ros.common.model_meta import ModelMetadata
from gesture_ros.toolkit import event_eval as E
from gesture_ros.toolkit.evaluate import onnx_predict
from gesture_ros.toolkit.import_csv import hand_sign_items, read_labels
from gesture_ros.toolkit.people import group_people
from gesture_ros.toolkit.real_train import FOLD_PEOPLE, HAND_SIGN_MAP, sign_fold
from gesture_ros.toolkit.stills import load_stills
from gesture_ros.toolkit.training_windows import build_windows

HAND_GESTURES = ("thumbs_up", "thumbs_down", "open_palm", "fist")
STILL_LABELS = ("x_cross",) + HAND_GESTURES
SIGN_CLASSES = ("open_palm", "fist", "pointing")
# from image up, in degrees: open_palm is 'fingers up within about 45 degrees', pointing 'up, sideways or
# toward the camera' (common/gestures.py); the synthetic training data holds neither pointing down
DIRECTION_BINS = (0, 45, 100, 181)


def fold_model(data: Path, k: int, out: Path, reuse: bool, train_args: Sequence[str] = ()) -> Path:
    """Train (or reuse) the model of fold ``k``; return its path."""
    import tempfile

    from gesture_ros.toolkit.default_model import main as train_default  # torch: only when a fold is trained

    path = out / f"fold{k}.onnx"
    if not (reuse and path.exists()):
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:  # its synthetic validation report is the shipped model's twin
            code = train_default(["--fold", str(k), "--data", str(data), "--out", str(path), "--report-dir", tmp,
                                  *train_args])
        if code:
            raise RuntimeError(f"training fold {k} failed with exit code {code}")
    return path


def hand_sign_windows(model: Path, data: Path, fold: int) -> dict[str, np.ndarray]:
    """Return true and predicted label indices of the windows of the hand-sign third ``fold``, and
    each window's last hand (image x, y)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    meta = ModelMetadata.from_props(sess.get_modelmeta().custom_metadata_map)
    spec = FeatureSpec.from_dict(meta.feature_spec)
    lm = Path(data) / "landmarks"
    items = hand_sign_items(lm / "hand_sign_keypoints.csv", read_labels(lm / "hand_sign_labels.csv", 4), block=10 ** 6)
    ys, preds, hands = [], [], []
    for seq_id, _g, arrays, fl in items:  # one item per class run: cut out its third
        n = len(fl)
        rows = np.array([sign_fold(n, i, i + 1) == fold for i in range(n)])
        idx = np.flatnonzero(rows)
        sub = type(arrays)(arrays.stamps_ns[idx], arrays.pose[idx], arrays.left_hand[idx], arrays.right_hand[idx],
                           arrays.image_size)
        third = (seq_id, seq_id, spec.sequence_features(sub), np.array([HAND_SIGN_MAP[x] for x in fl[idx]]))
        ws = build_windows([third], meta.window, 1, meta.labels, meta.kinds)
        ys.append(ws.y)
        preds.append(onnx_predict(model, ws.x).argmax(1))
        hands.append(sub.right_hand[ws.starts, :, :2])  # one sequence: a window's start is its last row
    return {"y": np.concatenate(ys), "pred": np.concatenate(preds), "labels": np.array(meta.labels),
            "hand": np.concatenate(hands)}


def direction_deg(hand_xy: np.ndarray, base: int, tip: int) -> np.ndarray:
    """Return how far the ``base`` to ``tip`` joints of (N, 21, 2) image hands point from image up, in
    degrees: 0 up, 90 sideways, 180 down."""
    v = hand_xy[:, tip] - hand_xy[:, base]
    return np.degrees(np.arctan2(np.abs(v[:, 0]), -v[:, 1]))


def _recall_by(y: np.ndarray, pred: np.ndarray, i: int, value: np.ndarray, bins: tuple) -> dict:
    out = {}
    for lo, hi in zip(bins[:-1], bins[1:], strict=True):
        sel = (y == i) & (value >= lo) & (value < hi)
        out[f"{lo}-{hi}"] = {"n": int(sel.sum()), "recall": float(np.mean(pred[sel] == i)) if sel.any() else None}
    return out


def sign_report(y: np.ndarray, pred: np.ndarray, labels: list[str], hand: np.ndarray | None = None) -> dict:
    """Return precision and recall of each mapped class and where the OK sign went; given each window's
    last hand, also the recall of open_palm by the fingers' direction and of pointing by the index's."""
    out: dict = {"windows": int(len(y))}
    for name in SIGN_CLASSES:
        i = labels.index(name)
        tp = int(np.sum((pred == i) & (y == i)))
        out[name] = {"n": int(np.sum(y == i)), "recall": tp / max(1, int(np.sum(y == i))),
                     "precision": tp / max(1, int(np.sum(pred == i)))}
    none = labels.index("none")
    out["ok_sign_as_none"] = float(np.mean(pred[y == none] == none)) if np.any(y == none) else 1.0
    if hand is not None:
        palm = direction_deg(hand, H.WRIST, H.MIDDLE_FINGER_MCP)
        index = direction_deg(hand, H.INDEX_FINGER_MCP, H.INDEX_FINGER_TIP)
        out["open_palm_by_direction"] = _recall_by(y, pred, labels.index("open_palm"), palm, DIRECTION_BINS)
        out["pointing_by_direction"] = _recall_by(y, pred, labels.index("pointing"), index, DIRECTION_BINS)
    return out


def run_folds(data: Path, out: Path, reuse: bool = False, folds: list[int] | None = None,
              train_args: Sequence[str] = ()) -> dict:
    """Train and evaluate the folds; return per-fold and pooled held-out figures."""
    stills = load_stills(data)
    people = group_people(data, stills)
    res: dict = {"folds": {}}
    outcomes: list[dict] = []
    ys, preds, hands, labels = [], [], [], None
    for k in folds if folds is not None else range(len(FOLD_PEOPLE)):
        model = fold_model(data, k, out, reuse, train_args)
        held = [s for s in stills if people[s.key] == FOLD_PEOPLE[k]]
        fold_out = E.still_outcomes(E.decider(model), held)
        for o in fold_out:
            o["person"] = FOLD_PEOPLE[k]
        outcomes += fold_out
        w = hand_sign_windows(model, data, k)
        ys.append(w["y"])
        preds.append(w["pred"])
        hands.append(w["hand"])
        labels = list(w["labels"])
        res["folds"][FOLD_PEOPLE[k]] = {
            "model": str(model), "stills": E.still_table(fold_out, STILL_LABELS, HAND_GESTURES),
            "hand_sign_third": sign_report(w["y"], w["pred"], labels, w["hand"]),
            "volleyball": E.volleyball(E.decider(model), data),
            "volleyball_4_3": E.volleyball(E.decider(model), data, (640, 480))}
    res["stills"] = E.still_table(outcomes, STILL_LABELS, HAND_GESTURES)
    res["hand_sign"] = sign_report(np.concatenate(ys), np.concatenate(preds), labels, np.concatenate(hands))
    res["stills_per_person"] = {
        p: E.still_table([o for o in outcomes if o["person"] == p], STILL_LABELS, HAND_GESTURES)
        for p in sorted({o["person"] for o in outcomes})}
    res["outcomes"] = outcomes
    return res
