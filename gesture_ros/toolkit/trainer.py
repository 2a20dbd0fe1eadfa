"""The training loop: fresh keypoint augmentation each epoch, class weights, early stopping."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from gesture_ros.classify.features import FeatureSpec, SequenceArrays
from gesture_ros.common.model_meta import GestureKind
from gesture_ros.toolkit.augment import AugmentConfig, augment
from gesture_ros.toolkit.nets import NetConfig, build_net
from gesture_ros.toolkit.training_windows import WindowSet, build_windows

Item = tuple[str, str, SequenceArrays, np.ndarray]  # seq_id, group, arrays, frame labels


@dataclass
class TrainConfig:
    net: NetConfig
    window: int = 20
    stride: int = 2
    epochs: int = 30
    batch: int = 256
    lr: float = 2e-3
    weight_decay: float = 1e-4
    patience: int = 8
    augment_prob: float = 0.5
    seed: int = 0
    threads: int = 1  # 2 threads on 2 busy cores ran 14x slower per step (OpenMP spinning); 1 is also reproducible
    max_seconds: float = 0.0  # 0: no limit
    max_windows: int = 0  # >0: a fresh random subset of this many windows per epoch
    hand_tilt_deg: float = 0.0  # AugmentConfig.hand_tilt_deg

    def to_dict(self) -> dict:
        return asdict(self)


def windows_of(items: Sequence[Item], spec: FeatureSpec, labels: list[str], kinds: dict[str, GestureKind],
               window: int, stride: int, rng: np.random.Generator | None = None, augment_prob: float = 0.0,
               aug: AugmentConfig | None = None, cache: dict[str, np.ndarray] | None = None) -> WindowSet:
    """Compute features (augmenting each sequence with ``augment_prob``) and window them.

    ``cache`` (seq_id -> features) keeps the features of unaugmented sequences between epochs.
    """

    def gen():
        for seq_id, group, arrays, fl in items:
            if rng is not None and rng.random() < augment_prob and len(arrays) > 2:
                arrays, fl = augment(arrays, fl, rng, aug)
                yield seq_id, group, spec.sequence_features(arrays), fl
                continue
            if cache is None:
                yield seq_id, group, spec.sequence_features(arrays), fl
                continue
            if seq_id not in cache:
                cache[seq_id] = spec.sequence_features(arrays)
            yield seq_id, group, cache[seq_id], fl

    return build_windows(gen(), window, stride, labels, kinds)


def _class_weights(y: np.ndarray, n: int) -> torch.Tensor:
    counts = np.bincount(y, minlength=n).astype(np.float64)
    w = np.maximum(counts, 1.0) ** -0.75
    return torch.tensor(w / w[counts > 0].mean(), dtype=torch.float32)


def predict(net: nn.Module, ws: WindowSet, batch: int = 1024) -> np.ndarray:
    """Return (N, n_classes) softmax probabilities."""
    net.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(ws), batch):
            x = torch.from_numpy(ws.batch(np.arange(i, min(i + batch, len(ws)))))
            out.append(torch.softmax(net(x), dim=-1).numpy())
    return np.concatenate(out) if out else np.zeros((0, len(ws.labels)), np.float32)


def train(train_items: Sequence[Item], val: WindowSet, spec: FeatureSpec, labels: list[str],
          kinds: dict[str, GestureKind], cfg: TrainConfig, progress: bool = True) -> tuple[nn.Module, list[dict]]:
    """Train a network; return the best (lowest validation loss) weights and the per-epoch history."""
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    rng = np.random.default_rng(cfg.seed)
    net = build_net(spec.dim, len(labels), cfg.net)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(cfg.epochs, 1))
    history, best, best_state, stale = [], float("inf"), None, 0
    started = time.monotonic()
    bar, cache = None, {}
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=cfg.epochs, desc="train", unit="epoch")
    for epoch in range(cfg.epochs):
        ws = windows_of(train_items, spec, labels, kinds, cfg.window, cfg.stride, rng, cfg.augment_prob,
                        AugmentConfig(hand_tilt_deg=cfg.hand_tilt_deg), cache)
        loss_fn = nn.CrossEntropyLoss(weight=_class_weights(ws.y, len(labels)), label_smoothing=0.05)
        net.train()
        order = rng.permutation(len(ws))
        if cfg.max_windows and len(order) > cfg.max_windows:
            order = order[:cfg.max_windows]
        total = 0.0
        for i in range(0, len(order), cfg.batch):
            idx = order[i:i + cfg.batch]
            x, y = torch.from_numpy(ws.batch(idx)), torch.from_numpy(ws.y[idx])
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            total += float(loss.detach()) * len(idx)
        sched.step()
        probs = predict(net, val)
        val_loss = float(-np.mean(np.log(probs[np.arange(len(val)), val.y] + 1e-7))) if len(val) else 0.0
        val_acc = float(np.mean(probs.argmax(1) == val.y)) if len(val) else 0.0
        history.append({"epoch": epoch + 1, "train_loss": total / max(len(order), 1), "val_loss": val_loss,
                        "val_accuracy": val_acc, "train_windows": len(ws)})
        if bar is not None:
            bar.set_postfix(loss=f"{history[-1]['train_loss']:.3f}", val_loss=f"{val_loss:.3f}", val_acc=f"{val_acc:.3f}")
            bar.update(1)
        if val_loss < best - 1e-4:
            best, stale = val_loss, 0
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            stale += 1
        if stale >= cfg.patience or (cfg.max_seconds and time.monotonic() - started > cfg.max_seconds):
            break
    if bar is not None:
        bar.close()
    if best_state is not None:
        net.load_state_dict(best_state)
    return net.eval(), history
