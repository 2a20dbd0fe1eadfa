"""Write synthetic keypoint sequences into a dataset folder (kinematic hand and body model).

    gesture synth --out data/synth --per-class 50 [--labels none,fist,...] [--seed 0]

Each sequence: one performance of a seeded random person (bone lengths, body size,
handedness), view (upper body 1-3.5 m or a close-up hand), camera (field of view, image
size), speed, frame rate 15-30 fps, detector noise and dropouts. The same arguments always
write the same data.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gesture_ros.common.gestures import default_labels
from gesture_ros.toolkit.dataset import Dataset, SequenceRecord
from gesture_ros.toolkit.synth.generator import SYNTH_VERSION, generate
from gesture_ros.toolkit.synth.scenes import SCENES


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="gesture synth", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="dataset folder (appended to)")
    ap.add_argument("--per-class", type=int, default=50)
    ap.add_argument("--labels", default=",".join(default_labels()), help=f"comma-separated, of {sorted(SCENES)}")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    labels = [lab.strip() for lab in args.labels.split(",") if lab.strip()]
    unknown = [lab for lab in labels if lab not in SCENES]
    if unknown:
        print(f"gesture synth: no synthetic scene for {unknown}; known: {sorted(SCENES)}", file=sys.stderr)
        return 2
    ds = Dataset(args.out)
    n = 0
    for seq in generate({lab: args.per_class for lab in labels}, args.seed, progress="synth"):
        r = seq.rendered
        rec = SequenceRecord(id=f"synth{SYNTH_VERSION}-{seq.label}-{seq.seed}", label=seq.label, person=seq.person,
                             session=f"synth-seed{args.seed}", source="synth", fps=round(r.fps, 2),
                             model=r.model, extra={"view": r.view, "seed": seq.seed})
        ds.append(rec, r.arrays, r.frame_labels)
        n += 1
    print(f"appended {n} synthetic sequences to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
