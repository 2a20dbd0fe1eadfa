"""Held-out people: train the default recipe three times, each without one person, and test on them.

Fold k (toolkit/real_train) leaves out person A, B or C (their stills) and the hand-sign
performers of fold k (toolkit/sign_rows); its model is then run on exactly what it never saw:
that person's stills (held sequences through the classifier's decider, config/classifier.yaml)
and those performers' rows under the author's definitions (the top class of every window of 20
consecutive rows). Every still and every performer is held out in exactly one fold, so the three
folds together give one held-out figure for all of them. The referee's signals and the shared clips were
never training data for any model; the fold models are run on them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.classify.gesture_decider import DeciderConfig
from gesture_ros.classify.hand_shape import failed_shapes
from gesture_ros.common.landmarks import HandLandmark as H
from gesture_ros.common.model_meta import ModelMetadata
from gesture_ros.toolkit import event_eval as E
from gesture_ros.toolkit.evaluate import onnx_predict
from gesture_ros.toolkit.people import group_people
from gesture_ros.toolkit.real_train import FOLD_PEOPLE
from gesture_ros.toolkit.sign_rows import direction_deg, sign_split
from gesture_ros.toolkit.stills import load_stills
from gesture_ros.toolkit.training_windows import build_windows

HAND_GESTURES = ("thumbs_up", "thumbs_down", "open_palm", "fist")
STILL_LABELS = ("x_cross",) + HAND_GESTURES
SIGN_CLASSES = ("open_palm", "fist", "pointing")
# from image up, in degrees: open_palm is 'fingers up within about 45 degrees' (the Open rows beyond are
# 'unsure' or 'none', toolkit/sign_rows), pointing any direction (the synthetic data holds no pointing down)
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
    """Return true and predicted label indices of the windows of the hand-sign performers of fold
    ``fold`` (each performer's class runs whole), each window's last hand (image x, y) and performer."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    meta = ModelMetadata.from_props(sess.get_modelmeta().custom_metadata_map)
    spec = FeatureSpec.from_dict(meta.feature_spec)
    _, held = sign_split(data, 10 ** 6, fold)
    ys, preds, hands, who = [], [], [], []
    for seq_id, group, arrays, fl in held:
        ws = build_windows([(seq_id, group, spec.sequence_features(arrays), fl)], meta.window, 1, meta.labels,
                           meta.kinds)
        if not len(ws):
            continue
        ys.append(ws.y)
        preds.append(onnx_predict(model, ws.x).argmax(1))
        hands.append(arrays.right_hand[ws.starts, :, :2])  # one sequence: a window's start is its last row
        who.append(np.full(len(ws), group.removeprefix("performer-")))
    hand = np.concatenate(hands)
    pred = np.concatenate(preds)
    return {"y": np.concatenate(ys), "pred": shape_checked(pred, hand, meta.labels, E.decider_config()),
            "model_pred": pred, "labels": np.array(meta.labels), "hand": hand, "performer": np.concatenate(who)}


def shape_checked(pred: np.ndarray, hand: np.ndarray, labels: Sequence[str], config: DeciderConfig) -> np.ndarray:
    """Return the windows' labels as the decider STARTs them: a gesture whose hand-shape check
    (``open_hand_gestures``, ``closed_hand_gestures``) fails on the window's last hand counts as none.
    ``hand`` is (N, 21, 2), x and y in one unit (the hand-sign rows are)."""
    none = labels.index("none")
    failed = [labels[p] in failed_shapes(xy, config.open_hand_gestures, config.closed_hand_gestures)
              for p, xy in zip(pred, hand, strict=True)]
    return np.where(failed, none, pred)


def _recall_by(y: np.ndarray, pred: np.ndarray, i: int, value: np.ndarray, bins: tuple) -> dict:
    out = {}
    for lo, hi in zip(bins[:-1], bins[1:], strict=True):
        sel = (y == i) & (value >= lo) & (value < hi)
        out[f"{lo}-{hi}"] = {"n": int(sel.sum()), "recall": float(np.mean(pred[sel] == i)) if sel.any() else None}
    return out


def _precision_recall(y: np.ndarray, pred: np.ndarray, i: int) -> dict:
    tp = int(np.sum((pred == i) & (y == i)))
    return {"n": int(np.sum(y == i)), "recall": tp / max(1, int(np.sum(y == i))),
            "precision": tp / max(1, int(np.sum(pred == i)))}


def sign_report(y: np.ndarray, pred: np.ndarray, labels: list[str], hand: np.ndarray | None = None,
                performer: np.ndarray | None = None, model_pred: np.ndarray | None = None) -> dict:
    """Return precision and recall of each mapped class and where the none rows (OK sign, hanging Open)
    went; given each window's last hand, also the recall of open_palm by the fingers' direction and of
    pointing by the index's; given each window's performer, the recall of each class per performer;
    given the model's own labels (before the decider's hand-shape checks), its precision and recall."""
    out: dict = {"windows": int(len(y))}
    if model_pred is not None:
        out["model_alone"] = {name: _precision_recall(y, model_pred, labels.index(name)) for name in SIGN_CLASSES}
    for name in SIGN_CLASSES:
        out[name] = _precision_recall(y, pred, labels.index(name))
    none = labels.index("none")
    out["ok_sign_as_none"] = float(np.mean(pred[y == none] == none)) if np.any(y == none) else 1.0
    if hand is not None:
        palm = direction_deg(hand, H.WRIST, H.MIDDLE_FINGER_MCP)
        index = direction_deg(hand, H.INDEX_FINGER_MCP, H.INDEX_FINGER_TIP)
        out["open_palm_by_direction"] = _recall_by(y, pred, labels.index("open_palm"), palm, DIRECTION_BINS)
        out["pointing_by_direction"] = _recall_by(y, pred, labels.index("pointing"), index, DIRECTION_BINS)
    if performer is not None:
        out["per_performer"] = {}
        for p in sorted(set(performer.tolist())):
            sel = performer == p
            row = {name: {"n": int(np.sum(sel & (y == i))),
                          "recall": float(np.mean(pred[sel & (y == i)] == i)) if np.any(sel & (y == i)) else None}
                   for name, i in ((n, labels.index(n)) for n in SIGN_CLASSES + ("none",))}
            out["per_performer"][p] = row
    return out


def run_folds(data: Path, out: Path, reuse: bool = False, folds: list[int] | None = None,
              train_args: Sequence[str] = ()) -> dict:
    """Train and evaluate the folds; return per-fold and pooled held-out figures."""
    stills = load_stills(data)
    people = group_people(data, stills)
    res: dict = {"folds": {}}
    outcomes: list[dict] = []
    ys, preds, model_preds, hands, who, labels = [], [], [], [], [], None
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
        model_preds.append(w["model_pred"])
        hands.append(w["hand"])
        who.append(w["performer"])
        labels = list(w["labels"])
        res["folds"][FOLD_PEOPLE[k]] = {
            "model": str(model), "stills": E.still_table(fold_out, STILL_LABELS, HAND_GESTURES),
            "hand_sign_performers": sign_report(w["y"], w["pred"], labels, w["hand"], w["performer"],
                                                w["model_pred"]),
            "volleyball": E.volleyball(E.decider(model), data),
            "volleyball_4_3": E.volleyball(E.decider(model), data, (640, 480))}
    res["stills"] = E.still_table(outcomes, STILL_LABELS, HAND_GESTURES)
    res["hand_sign"] = sign_report(np.concatenate(ys), np.concatenate(preds), labels, np.concatenate(hands),
                                   np.concatenate(who), np.concatenate(model_preds))
    res["stills_per_person"] = {
        p: E.still_table([o for o in outcomes if o["person"] == p], STILL_LABELS, HAND_GESTURES)
        for p in sorted({o["person"] for o in outcomes})}
    res["outcomes"] = outcomes
    return res
