"""Run benchmarks: ``python -m tools.bench [NAME ...] [--option=value ...]``.

With no name the default benchmarks run; ``recovery``, ``replay_clock``, ``frame_scale``, ``people``,
``small_hands``, ``far_body``, ``classifier_replay``, ``engine``, ``overhead``, ``venue_load``, ``compressed``, ``overlay`` and ``soak`` (minutes long)
run when named.
Options go as ``--name=value`` (a bare value would read as a benchmark name).
"""

from __future__ import annotations

import importlib
import sys

BENCHES = {
    "keypoints": "tools.bench.keypoints",    # bare Hands+Pose loops vs camera_node -> keypoint_node
    "classifier": "tools.bench.classifier",  # per-window inference, end-to-end event latency
    "bridge": "tools.bench.bridge",          # durable events/s vs a bare paho publisher
    "pipeline": "tools.bench.pipeline_bench",  # full pipeline vs bare sequential / concurrent loops
    "actions": "tools.bench.actions",        # dispatcher vs a bare python-osc send
    "recovery": "tools.bench.hand_recovery",  # hands under skipped frames, per recovery strategy
    "replay_clock": "tools.bench.replay_clock_bench",  # /clock cost and resolution per rate
    "frame_scale": "tools.bench.frame_scale",  # large frames scaled down first: time saved, detail lost
    "soak": "tools.bench.soak",              # bridge kills and broker restarts: nothing lost
    "people": "tools.bench.people_bench",  # frames/s vs people in view (1, 2, 3), beside single-person
    "small_hands": "tools.bench.small_hands",  # hands found vs palm size: crops vs the single extractor
    "far_body": "tools.bench.far_body_bench",  # a body too small for whole-frame Pose: found, and its cost
    "engine": "tools.bench.engine",  # ONNX keypoint engine vs mediapipe: agreement, frames/s, CPU
    "overhead": "tools.bench.keypoint_overhead",  # keypoint_node (onnx) CPU per frame beside its networks'
    "venue_load": "tools.bench.venue_load",  # N devices into venue_server(s) vs a bare subscriber
    "venue_page": "tools.bench.venue_page",  # event -> the page's live stream, beside the store latency
    "classifier_replay": "tools.bench.classifier_replay",  # post-processing settings tuned offline, no ROS
    "compressed": "tools.bench.compressed",  # JPEG/PNG decode and encode per frame beside the raw conversion
    "overlay": "tools.bench.overlay",  # hands with a demo's skeleton drawn over them, beside the clean stills
}
# recovery, replay_clock, frame_scale, people, small_hands, far_body, classifier_replay, compressed, overlay (design choices) and
# soak (minutes long) run on request.
DEFAULT = ("keypoints", "classifier", "bridge", "pipeline", "actions", "venue_page")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Leading names pick benches; everything from the first option on is passed to each bench.
    first_option = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    names, options = argv[:first_option] or list(DEFAULT), argv[first_option:]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown bench {unknown}; choose from {list(BENCHES)}", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        print(f"\n=== bench {name} ===", flush=True)
        status |= int(importlib.import_module(BENCHES[name]).main(options) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
