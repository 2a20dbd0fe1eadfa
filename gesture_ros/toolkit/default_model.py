"""Rebuild models/gesture_default.onnx from synthetic and real data: one command, seeded.

    gesture train-default [--per-class 300] [--seed 0] [--data ../shared/data] [--fold K]
                          [--synthetic-only] [--out models/gesture_default.onnx]

Generates kinematic hand/body sequences (toolkit/synth) and adds the real people of
``--data`` (toolkit/real_train: the stills as held sequences, the hand-sign rows; ``--fold K``
leaves out person K and the hand-sign performers of fold K, for the held-out evaluation),
plus ``none`` sequences of hands moving without a gesture (synth/moving.py),
holds out 20% of the synthetic people for validation, trains a GRU, exports ONNX with
metadata and writes <out stem>.report.json next to it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import DEFAULT_POSE_LANDMARKS, FeatureSpec
from gesture_ros.common.gestures import default_kinds, default_labels
from gesture_ros.toolkit import backend
from gesture_ros.toolkit.checkpoint import Checkpoint
from gesture_ros.toolkit.data_root import default_data
from gesture_ros.toolkit.evaluate import classification_report, summary_lines, write_report
from gesture_ros.toolkit.export import export_onnx
from gesture_ros.toolkit.nets import NetConfig
from gesture_ros.toolkit.real_train import SIGN_REPEAT, real_items
from gesture_ros.toolkit.splits import group_split
from gesture_ros.toolkit.synth.generator import SYNTH_VERSION, generate_one, plan
from gesture_ros.toolkit.synth.moving import MOVING
from gesture_ros.toolkit.trainer import TrainConfig, predict, train, windows_of

DEFAULT_SPEC = FeatureSpec(pose_landmarks=DEFAULT_POSE_LANDMARKS + ("LEFT_HIP", "RIGHT_HIP"), arm_geometry=True,
                           finger_geometry=True)
MODEL_VERSION = "1.5.1"
NONE_FACTOR = 2  # 'none' covers many behaviours: give it more sequences
MOVING_FACTOR = 1  # and moving hands that are no gesture (synth/moving.py), per_class times this, also 'none'
MOVING_SEED_BASE = 900_000  # past plan()'s label blocks (100_000 apart, 9 labels)


def _one(job):
    label, seed = job
    s = generate_one(label, seed)
    return s.person, s.rendered.arrays, s.rendered.frame_labels, s.rendered.fps


def synth_items(per_class: int, seed: int, workers: int = 2) -> list:
    """Return (seq_id, person, arrays, frame_labels) for the default vocabulary."""
    from tqdm import tqdm

    counts = {lab: per_class * (NONE_FACTOR if lab == "none" else 1) for lab in default_labels()}
    jobs = plan(counts, seed) + moving_jobs(per_class * MOVING_FACTOR, seed)
    if workers > 1:
        with get_context("spawn").Pool(workers) as pool:
            results = list(tqdm(pool.imap(_one, jobs, chunksize=16), total=len(jobs), desc="synth", unit="seq"))
    else:
        results = [_one(j) for j in tqdm(jobs, desc="synth", unit="seq")]
    return [(f"{lab}-{s}", person, arrays, fl) for (lab, s), (person, arrays, fl, _) in zip(jobs, results, strict=True)]


def moving_jobs(n: int, seed: int) -> list[tuple[str, int]]:
    """Return (scene, seed) jobs of moving hands that are no gesture (their frames are all 'none')."""
    return [(MOVING, int(seed) * 1_000_003 + MOVING_SEED_BASE + i) for i in range(n)]


def data_hash(items: list) -> str:
    """Return the sha256 of the training sequences (ids, keypoints, stamps, labels)."""
    h = hashlib.sha256(f"synth-v{SYNTH_VERSION}".encode())
    for seq_id, _group, arrays, fl in items:
        h.update(seq_id.encode())
        for a in (arrays.stamps_ns, arrays.pose, arrays.left_hand, arrays.right_hand):
            h.update(np.ascontiguousarray(a).tobytes())
        h.update("|".join(fl).encode())
    return h.hexdigest()


def _describe(info: dict) -> str:
    if not info.get("used"):
        return "none (synthetic only)"
    held = f"; held out: person {info['held_out_person']}, hand-sign performers of fold {info['held_out_performer_fold']}" \
        if info.get("held_out_person") else ""
    return (f"../shared/data stills of people {','.join(info['people'])} ({info['stills']}), "
            f"{info['hand_sign_sequences']} hand-sign sequences{held}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="gesture train-default", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-class", type=int, default=300, help="sequences per gesture ('none' gets 2x)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--window", type=int, default=20)
    ap.add_argument("--arch", default="gru", choices=("gru", "lstm", "tcn"))
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--windows-per-epoch", type=int, default=30000, help="random training windows per epoch")
    ap.add_argument("--workers", type=int, default=2, help="processes generating synthetic data")
    ap.add_argument("--max-minutes", type=float, default=0.0,
                    help="stop training after this long (0: never; a limit makes the result depend on the machine)")
    ap.add_argument("--out", type=Path, default=Path("models/gesture_default.onnx"),
                    help="ONNX file to write (default: models/ of the current directory, the repository root)")
    ap.add_argument("--checkpoint", type=Path, help="also save the PyTorch checkpoint here")
    ap.add_argument("--data", type=Path, default=default_data(), help="the shared real-data folder")
    ap.add_argument("--fold", type=int, choices=(0, 1, 2), help="leave out person A/B/C and the hand-sign "
                    "performers of that fold (the held-out evaluation's models)")
    ap.add_argument("--synthetic-only", action="store_true", help="train without real data (not the shipped model)")
    ap.add_argument("--no-finger-geometry", action="store_true", help="leave the fingers' bends and reach out of "
                    "the features (with --sign-repeat 4: the 1.3.0 recipe, models/MODEL_CARD.md)")
    ap.add_argument("--sign-repeat", type=int, default=SIGN_REPEAT, help="times each hand-sign block is listed")
    ap.add_argument("--hand-tilt", type=float, default=0.0, help="augmentation: turn hands out of the image "
                    "plane by up to this many degrees (a candidate recipe; 0: off)")
    ap.add_argument("--report-dir", type=Path, help="synthetic validation report folder (default: <out dir>/eval/synthetic)")
    backend.add_option(ap)
    args = ap.parse_args(argv)
    backend.apply(args)
    if not args.synthetic_only and not (args.data / "README.md").exists():
        print(f"gesture train-default: real data folder {args.data} not found; the shipped model learns from it "
              f"(set --data or GESTURE_DATA_DIR, or pass --synthetic-only for a synthetic-only model)",
              file=sys.stderr)
        return 2

    t0 = time.monotonic()
    labels, kinds = default_labels(), default_kinds()
    spec = replace(DEFAULT_SPEC, finger_geometry=False) if args.no_finger_geometry else DEFAULT_SPEC
    items = synth_items(args.per_class, args.seed, args.workers)
    groups = np.array([it[1] for it in items])
    train_mask, val_mask = group_split(groups, 0.2, args.seed)
    train_items = [it for it, m in zip(items, train_mask, strict=False) if m]
    val_items = [it for it, m in zip(items, val_mask, strict=False) if m]
    real_info: dict = {"used": False}
    if not args.synthetic_only:
        real, real_info = real_items(args.data, args.fold, sign_repeat=args.sign_repeat)
        real_info["used"], real_info["sequences"] = True, len(real)
        train_items += real
        print(f"real data: {len(real)} sequences ({real_info})")
    cfg = TrainConfig(net=NetConfig(arch=args.arch, hidden=args.hidden), window=args.window,
                      epochs=args.epochs, seed=args.seed, max_seconds=args.max_minutes * 60,
                      stride=3, max_windows=args.windows_per_epoch, hand_tilt_deg=args.hand_tilt)
    val = windows_of(val_items, spec, labels, kinds, cfg.window, 3)
    print(f"{len(train_items)} training / {len(val_items)} validation sequences "
          f"({len(set(groups[train_mask]))} / {len(set(groups[val_mask]))} synthetic people), {len(val)} validation windows")
    net, history = train(train_items, val, spec, labels, kinds, cfg)
    probs = predict(net, val)
    report = classification_report(val.y, probs.argmax(1), labels)
    metrics = {"synthetic_val_accuracy": round(report["accuracy"], 4),
               "synthetic_val_macro_f1": round(report["macro_f1"], 4), "split": "synthetic people held out",
               "real_data": _describe(real_info)}
    ckpt = Checkpoint(net=cfg.net, spec=spec, labels=labels, kinds=kinds, window=cfg.window, fps=25.0,
                      state_dict=net.state_dict(), data_hash=data_hash(train_items), metrics=metrics,
                      model_id="gesture_default", version=MODEL_VERSION)
    diff = export_onnx(ckpt.build(), ckpt.metadata(), args.out, val.batch(np.arange(min(len(val), 512))))
    print(f"wrote {args.out}; max |onnxruntime - torch| = {diff:.2e} on real validation windows")
    if args.checkpoint:
        ckpt.save(args.checkpoint)
    full = {"model": str(args.out.name), "version": MODEL_VERSION, "seed": args.seed, "per_class": args.per_class,
            "train": cfg.to_dict(), "history": history, "validation": report, "data_hash": ckpt.data_hash,
            "feature_spec": spec.to_dict(), "export_max_abs_diff": diff, "real_data": real_info,
            "minutes": round((time.monotonic() - t0) / 60, 2)}
    args.out.with_suffix(".report.json").write_text(json.dumps(full, indent=1))
    write_report(report, args.report_dir or args.out.parent / "eval" / "synthetic",
                 "synthetic validation (held-out people)")
    print("\n".join(summary_lines(report, "synthetic validation (held-out people)")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
