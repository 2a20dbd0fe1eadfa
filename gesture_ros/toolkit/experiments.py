"""Train-and-evaluate runs of the toolkit on real datasets, split by group (never by frame)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gesture_ros.classify.features import FeatureSpec
from gesture_ros.common.gestures import kinds_for
from gesture_ros.toolkit.evaluate import classification_report
from gesture_ros.toolkit.nets import NetConfig
from gesture_ros.toolkit.splits import group_split
from gesture_ros.toolkit.trainer import Item, TrainConfig, predict, train, windows_of


@dataclass
class Experiment:
    name: str
    spec: FeatureSpec
    window: int
    stride: int
    arch: str = "gru"
    hidden: int = 64
    epochs: int = 30
    test_fraction: float = 0.2
    folds: int = 1  # >1: group k-fold, every group tested once
    augment_prob: float = 0.5
    batch: int = 64


def _fold_masks(groups: np.ndarray, exp: Experiment, seed: int) -> list[np.ndarray]:
    if exp.folds <= 1:
        return [group_split(groups, exp.test_fraction, seed)[1]]
    order = np.random.default_rng(seed).permutation(np.unique(groups))
    return [np.isin(groups, part) for part in np.array_split(order, exp.folds)]


def run(exp: Experiment, items: Sequence[Item], seed: int = 0, progress: bool = True) -> dict:
    """Train on the training groups, report on the held-out groups (pooled over folds)."""
    labels = sorted({str(lab) for it in items for lab in it[3]})
    kinds = kinds_for(labels)
    groups = np.array([it[1] for it in items])
    y_true, y_pred, overlap = [], [], 0
    for k, test_mask in enumerate(_fold_masks(groups, exp, seed)):
        train_items = [it for it, m in zip(items, test_mask, strict=False) if not m]
        test_items = [it for it, m in zip(items, test_mask, strict=False) if m]
        overlap += len(set(groups[test_mask]) & set(groups[~test_mask]))
        # validation for early stopping: a group split of the training part, never the test part
        tr_mask, va_mask = group_split(np.array([it[1] for it in train_items]), 0.15, seed + k)
        fit = [it for it, m in zip(train_items, tr_mask, strict=False) if m]
        val = windows_of([it for it, m in zip(train_items, va_mask, strict=False) if m], exp.spec, labels, kinds, exp.window, exp.stride)
        cfg = TrainConfig(net=NetConfig(arch=exp.arch, hidden=exp.hidden), window=exp.window, stride=exp.stride,
                          epochs=exp.epochs, seed=seed + k, augment_prob=exp.augment_prob, patience=8,
                          batch=exp.batch)
        net, _ = train(fit, val, exp.spec, labels, kinds, cfg, progress=progress)
        test = windows_of(test_items, exp.spec, labels, kinds, exp.window, exp.stride)
        y_true.append(test.y)
        y_pred.append(predict(net, test).argmax(1))
    report = classification_report(np.concatenate(y_true), np.concatenate(y_pred), labels)
    report.update({"experiment": exp.name, "arch": exp.arch, "window": exp.window, "folds": exp.folds,
                   "groups": int(len(np.unique(groups))), "groups_in_train_and_test": overlap,
                   "feature_spec": exp.spec.to_dict()})
    return report
