"""Train a sequence model on a dataset folder and export it to ONNX.

    gesture train --data DIR --out model.onnx [--arch gru|lstm|tcn] [--window 20] [--stride 2]
                  [--parts pose,left_hand,right_hand] [--spec spec.json] [--group-by person]

Holds out whole groups (person, session or sequence) for validation and early stopping, writes
the ONNX model (metadata: labels, window, feature spec, data hash, metrics), a checkpoint
(<out>.pt) and an evaluation of the validation groups (<out stem>_eval/).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from gesture_ros.classify.features import FeatureSpec


def _spec(args: argparse.Namespace) -> FeatureSpec:
    if args.spec:
        return FeatureSpec.from_dict(json.loads(Path(args.spec).read_text()))
    return FeatureSpec(parts=tuple(p.strip() for p in args.parts.split(",")), hand_mode=args.hand_mode,
                       motion=not args.no_motion, hand_z=args.hand_z, finger_geometry=args.finger_geometry)


def main(argv: list[str] | None = None) -> int:
    from gesture_ros.common.gestures import kinds_for
    from gesture_ros.toolkit.checkpoint import Checkpoint
    from gesture_ros.toolkit.dataset import Dataset, DatasetError
    from gesture_ros.toolkit.evaluate import classification_report, summary_lines, write_report
    from gesture_ros.toolkit.export import export_onnx
    from gesture_ros.toolkit.nets import ARCHS, NetConfig
    from gesture_ros.toolkit.splits import group_split
    from gesture_ros.toolkit.trainer import TrainConfig, predict, train, windows_of

    ap = argparse.ArgumentParser(prog="gesture train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True, help="ONNX file to write")
    ap.add_argument("--arch", default="gru", choices=ARCHS)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--window", type=int, default=20)
    ap.add_argument("--stride", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--patience", type=int, default=5)
    ap.add_argument("--augment", type=float, default=0.5, help="probability of augmenting a sequence per epoch")
    ap.add_argument("--parts", default="pose,left_hand,right_hand")
    ap.add_argument("--hand-mode", default="dominant", choices=("dominant", "both"))
    ap.add_argument("--hand-z", action="store_true")
    ap.add_argument("--no-motion", action="store_true")
    ap.add_argument("--finger-geometry", action="store_true",
                    help="add the fingers' bends and reach (hand signs held at any tilt; docs/toolkit.md)")
    ap.add_argument("--spec", help="feature spec JSON (FeatureSpec.to_dict()); overrides --parts etc.")
    ap.add_argument("--group-by", default="person", choices=("person", "session", "sequence"))
    ap.add_argument("--val-fraction", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model-id", default="gesture_model")
    ap.add_argument("--version", default="0.1.0")
    args = ap.parse_args(argv)

    spec = _spec(args)
    try:
        ds = Dataset(args.data)
        items = [(rec.id, rec.id if args.group_by == "sequence" else getattr(rec, args.group_by), arrays, fl)
                 for rec, arrays, fl in ds]
    except DatasetError as exc:
        print(f"gesture train: {exc}", file=sys.stderr)
        return 2
    labels = sorted({str(lab) for it in items for lab in it[3]} | {"none"})
    labels = ["none"] + [lab for lab in labels if lab != "none"]
    kinds = kinds_for(labels)
    groups = np.array([it[1] for it in items])
    tr, va = group_split(groups, args.val_fraction, args.seed)
    train_items = [it for it, m in zip(items, tr, strict=False) if m]
    val = windows_of([it for it, m in zip(items, va, strict=False) if m], spec, labels, kinds, args.window, 1)
    print(f"{len(train_items)} training sequences, {int(va.sum())} validation sequences in "
          f"{len(set(groups[va]))} held-out {args.group_by} group(s); labels {labels}")
    cfg = TrainConfig(net=NetConfig(arch=args.arch, hidden=args.hidden, layers=args.layers), window=args.window,
                      stride=args.stride, epochs=args.epochs, batch=args.batch, lr=args.lr, patience=args.patience,
                      augment_prob=args.augment, seed=args.seed)
    net, history = train(train_items, val, spec, labels, kinds, cfg)
    report = classification_report(val.y, predict(net, val).argmax(1), labels)
    ckpt = Checkpoint(net=cfg.net, spec=spec, labels=labels, kinds=kinds, window=args.window, fps=25.0,
                      state_dict=net.state_dict(), data_hash=ds.content_hash(),
                      metrics={"val_accuracy": round(report["accuracy"], 4), "val_macro_f1": round(report["macro_f1"], 4),
                               "split": f"by {args.group_by}"},
                      model_id=args.model_id, version=args.version)
    ckpt.save(args.out.with_suffix(".pt"))
    diff = export_onnx(ckpt.build(), ckpt.metadata(), args.out, val.batch(np.arange(min(len(val), 512))))
    out_dir = args.out.with_name(args.out.stem + "_eval")
    report["history"] = history
    write_report(report, out_dir, f"{args.out.name}: held-out {args.group_by}s")
    print("\n".join(summary_lines(report, f"validation (held-out {args.group_by}s)")))
    print(f"wrote {args.out} (max |onnxruntime - torch| = {diff:.2e}), checkpoint {args.out.with_suffix('.pt')}, "
          f"report in {out_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
