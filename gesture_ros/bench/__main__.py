"""Run benchmarks: ``python -m gesture_ros.bench [keypoints|classifier|bridge|pipeline|actions|soak ...]``.

With no name every benchmark runs except those only run on request (``soak``: minutes long).
Options go as ``--name=value`` (a bare value would read as a benchmark name).
"""

from __future__ import annotations

import importlib
import sys
from typing import List, Optional

BENCHES = {
    "keypoints": "gesture_ros.bench.keypoints",    # bare MediaPipe vs camera_node -> keypoint_node
    "classifier": "gesture_ros.bench.classifier",  # per-window inference, end-to-end event latency
    "bridge": "gesture_ros.bench.bridge",          # durable events/s vs a bare paho publisher
    "pipeline": "gesture_ros.bench.pipeline",      # full pipeline vs bare MediaPipe loop
    "actions": "gesture_ros.actions.bench",        # dispatcher vs a bare python-osc send
}
ON_REQUEST = {
    "soak": "gesture_ros.bench.soak",              # bridge kills and broker restarts: nothing lost
}


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = [a for a in argv if not a.startswith("-")] or list(BENCHES)
    modules = {**BENCHES, **ON_REQUEST}
    unknown = [n for n in names if n not in modules]
    if unknown:
        print(f"unknown bench {unknown}; choose from {list(modules)}", file=sys.stderr)
        return 2
    options = [a for a in argv if a.startswith("-")]
    status = 0
    for name in names:
        print(f"\n=== bench {name} ===", flush=True)
        status |= int(importlib.import_module(modules[name]).main(options) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
