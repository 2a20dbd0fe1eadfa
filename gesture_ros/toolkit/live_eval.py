"""Live is the truth: replay real clips the way a camera delivers them to a consumer slower than it.

    gesture eval-real --live [CLIP ...] [--skips 0.3,0.5,0.7] [--slow-consumer 2.7,0.6,20 ...] [--taskset]
                      [--busy-core] [--out models/eval/live]

Each clip (every video in ``DATA/videos`` and any given) is stamped on its own timeline and run
(1) every frame, and (2) with extraction slower than the camera: a deterministic pattern skips
30 %, 50 % and 70 % of the frames (toolkit/drops.py), the extractor sees only the frames a live
keypoint_node would take and is told how many it missed; with ``--taskset`` also (3) the real
one-process pipeline at the clip's own rate on one CPU core (``taskset -c 0``), which drops
what it cannot take; with ``--busy-core`` also (4) that run with a spinning process sharing the
core. Per clip the report sets the events of every run side by side (they must be the same) and
the landmark agreement of each live run with the every-frame keypoints. Each live run is also
decided without the classifier's resampling (``resample: false``, classify/frame_fill), the baseline
it is measured against in the same run. ``--slow-consumer MEAN,SD,RUNS`` adds seeded
random consumers that need MEAN ± SD frame periods per frame (drops.slow_consumer): how many of
the runs give the every-frame events, with the fill and without.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from gesture_ros.common.keypoint_archive import read_archive
from gesture_ros.common.landmarks import Field, HandLandmark, KeypointFrame, Part
from gesture_ros.toolkit.drops import keep_pattern, slow_consumer

WRONG_HAND = 0.5  # hand lengths: a hand this far off the every-frame one is another hand or shape
SKIPS = (0.3, 0.5, 0.7)


@dataclass
class LiveRun:
    """One run of a clip: what it processed, the events it gave, how its keypoints agree."""

    name: str
    frames: int
    processed: int
    events: list[str]
    agreement: dict[str, float] = field(default_factory=dict)
    events_unfilled: list[str] | None = None  # the same keypoints decided with resample false


@dataclass
class ConsumerReport:
    """Seeded slow consumers on one clip: how many runs gave the every-frame events."""

    mean: float
    sd: float
    runs: int
    kept: tuple[int, int]  # fewest and most frames processed
    same: int
    same_unfilled: int


@dataclass
class ClipReport:
    clip: str
    runs: list[LiveRun]
    consumers: list[ConsumerReport] = field(default_factory=list)

    @property
    def same_events(self) -> bool:
        return all(run.events == self.runs[0].events for run in self.runs[1:])


def read_frames(clip: Path):
    """Yield the clip's frames (BGR, stamped on the clip's own timeline), as camera_node reads them."""
    from gesture_ros.perception.sources import Pace, SourceOptions, open_source

    with open_source(str(clip), SourceOptions(pace=Pace.AS_FAST_AS_CONSUMED), clock_ns=lambda: 0) as source:
        yield from source


def extract(clip: Path, keep: list[bool] | None, model: str = "hands_pose") -> list[KeypointFrame | None]:
    """Run the extractor on the kept frames (all when ``keep`` is None), telling it how many it missed.

    Returns one entry per frame of the clip: None where the frame was skipped. The clip is read
    again for each run rather than held in memory.
    """
    from gesture_ros.perception.extractor import ExtractorOptions
    from gesture_ros.toolkit.backend import open_extractor

    out: list[KeypointFrame | None] = []
    skipped = 0
    with open_extractor(ExtractorOptions(model=model)) as extractor:
        for i, frame in enumerate(read_frames(clip)):
            if keep is not None and not keep[i]:
                out.append(None)
                skipped += 1
                continue
            out.append(extractor.process(frame.image, frame.stamp_ns, "camera", skipped=skipped))
            skipped = 0
    return out


def describe(events) -> list[str]:
    """Return events as 'TYPE gesture' strings, in order."""
    return [f"{e.event_type.name} {e.gesture}" for e in events]


def classifier_values(profile: str) -> dict:
    """Return config/classifier.yaml's parameters with the profile's classifier_node section on top, as launched."""
    from gesture_ros.common.param_files import node_params
    from gesture_ros.common.paths import resolve_shipped

    files = [resolve_shipped("config/classifier.yaml")]
    if profile:
        files.append(resolve_shipped(f"config/profiles/{profile}.yaml"))
    return node_params(files, "classifier_node")


def decide(frames: list[KeypointFrame], profile: str = "media", fill: bool = True) -> list:
    """Return the classifier's events on these keypoints (the launch file's settings for the profile, CPU;
    ``fill`` False: not resampled to the model's rate)."""
    from gesture_ros.classify.gesture_decider import GestureDecider
    from gesture_ros.classify.onnx_model import RuntimeOptions, load_model
    from gesture_ros.classify.params import settings_from
    from gesture_ros.common.paths import resolve_shipped

    values = classifier_values(profile)
    if not fill:
        values["resample"] = False
    settings = settings_from(values)
    model = load_model(resolve_shipped(settings.model_path), RuntimeOptions(providers=["cpu"]))
    decider = GestureDecider(model, settings.decider)
    events = []
    for frame in frames:
        events += decider.push("camera", frame).events
    return events + decider.close()


def _hand_error(a: np.ndarray, b: np.ndarray, width: int, height: int) -> float:
    size = np.array([width, height], dtype=np.float32)
    pa, pb = a[:, [Field.X, Field.Y]] * size, b[:, [Field.X, Field.Y]] * size
    length = max(float(np.linalg.norm(pa[HandLandmark.MIDDLE_FINGER_MCP] - pa[HandLandmark.WRIST])), 1.0)
    return float(np.linalg.norm(pa - pb, axis=1).mean()) / length


def agreement(reference: list[KeypointFrame], got: list[KeypointFrame | None]) -> dict[str, float]:
    """Compare a live run's keypoints with the every-frame ones, frame by frame where both exist.

    Hands: the share of (frame, side) pairs where both agree on presence, the median and p95
    error in hand lengths, and how many hands are more than WRONG_HAND off. Pose: the share
    of frames where both agree on presence and the median error in shoulder widths.
    """
    same = total = wrong = pose_same = pose_total = 0
    errors: list[float] = []
    pose_errors: list[float] = []
    for ref, frame in zip(reference, got, strict=True):
        if frame is None:
            continue
        for part in (Part.LEFT_HAND, Part.RIGHT_HAND):
            a, b = ref.part(part), frame.part(part)
            total += 1
            same += (a is None) == (b is None)
            if a is not None and b is not None:
                errors.append(_hand_error(a, b, ref.image_width, ref.image_height))
                wrong += errors[-1] > WRONG_HAND
        pose_total += 1
        pose_same += (ref.pose is None) == (frame.pose is None)
        if ref.pose is not None and frame.pose is not None:
            xy = np.array([ref.image_width, ref.image_height], dtype=np.float32)
            pa, pb = ref.pose[:, :2] * xy, frame.pose[:, :2] * xy
            shoulders = max(float(np.linalg.norm(pa[11] - pa[12])), 1.0)
            pose_errors.append(float(np.median(np.linalg.norm(pa - pb, axis=1))) / shoulders)
    e = np.asarray(errors) if errors else np.full(1, np.nan)
    return {"hand presence agrees": same / max(total, 1), "hands compared": len(errors),
            "hand error median": float(np.median(e)), "hand error p95": float(np.percentile(e, 95)),
            "wrong hands": int(wrong), "pose presence agrees": pose_same / max(pose_total, 1),
            "pose error median": float(np.median(pose_errors)) if pose_errors else float("nan")}


def consumer_runs(clip: Path, every: list[str], n: int, mean: float, sd: float, runs: int,
                  model: str = "hands_pose", profile: str = "media") -> ConsumerReport:
    """Run seeded slow consumers (seeds 0..runs-1); count the runs that give ``every``'s events."""
    kept, same, same_unfilled = [], 0, 0
    for seed in range(runs):
        keep = slow_consumer(n, mean, sd, seed)
        frames = [f for f in extract(clip, keep, model) if f is not None]
        kept.append(sum(keep))
        same += describe(decide(frames, profile)) == every
        same_unfilled += describe(decide(frames, profile, fill=False)) == every
    return ConsumerReport(mean, sd, runs, (min(kept), max(kept)), same, same_unfilled)


def evaluate_clip(clip: Path, skips: tuple[float, ...] = SKIPS, model: str = "hands_pose",
                  taskset: bool = False, profile: str = "media",
                  consumers: tuple[tuple[float, float, int], ...] = (), busy: bool = False) -> ClipReport:
    """Run a clip every frame and live (each skip pattern, and one core if asked, shared with a busy
    process if ``busy``); compare."""
    reference = extract(clip, None, model)
    n = len(reference)
    runs = [LiveRun("every frame", n, n, describe(decide(reference, profile)))]
    for skip in skips:
        keep = keep_pattern(n, skip)
        got = extract(clip, keep, model)
        frames = [f for f in got if f is not None]
        runs.append(LiveRun(f"{skip:.0%} skipped", n, sum(keep), describe(decide(frames, profile)),
                            agreement(reference, got), describe(decide(frames, profile, fill=False))))
    if taskset:
        runs.append(taskset_run(clip, model, reference, profile))
    if busy:
        runs.append(taskset_run(clip, model, reference, profile, busy=True))
    slow = [consumer_runs(clip, runs[0].events, n, mean, sd, k, model, profile) for mean, sd, k in consumers]
    return ClipReport(clip.name, runs, slow)


def taskset_run(clip: Path, model: str, reference: list[KeypointFrame], profile: str = "media",
                busy: bool = False) -> LiveRun:
    """Run the one-process pipeline on one core at the clip's own rate (pace realtime, replay clock);
    ``busy``: a process spinning on the same core takes about half of it (a loaded device)."""
    if shutil.which("taskset") is None:
        raise RuntimeError("taskset is not installed (util-linux)")
    spinner = subprocess.Popen(["taskset", "-c", "0", sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        events, got, unfilled = _pipeline_run(clip, model, reference, profile)
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()
    name = "1 core shared with a busy process, real time" if busy else "1 core, real time"
    return LiveRun(name, len(reference), sum(f is not None for f in got), events, agreement(reference, got), unfilled)


def _pipeline_run(clip: Path, model: str, reference: list[KeypointFrame], profile: str):
    with tempfile.TemporaryDirectory(prefix="gesture_live_") as tmp:
        summary = Path(tmp) / "summary.json"
        keypoints = Path(tmp) / "keypoints.npz"
        cmd = ["taskset", "-c", "0", sys.executable, "-m", "gesture_ros.launching.runner", f"source:={clip}",
               f"keypoint_model:={model}", f"profile:={profile}", "use_sim_time:=true", "start_dispatch:=false",
               "--set", "camera_node.pace:=realtime", "--summary-json", str(summary),
               "--keypoints-npz", str(keypoints)]
        env = dict(os.environ, ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST")
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode or not summary.exists():
            raise RuntimeError(f"the one-core pipeline run failed ({done.returncode}): {done.stderr[-800:]}")
        result = json.loads(summary.read_text())
        got = align(reference, read_archive(keypoints), result["first_stamp_ns"])
    events = [f"{e['type']} {e['gesture']}" for e in result["events"]]
    return events, got, describe(decide([f for f in got if f is not None], profile, fill=False))


def align(reference: list[KeypointFrame], got: list[KeypointFrame], start_ns: int) -> list[KeypointFrame | None]:
    """Line a pipeline run's keypoints up with the every-frame ones: a stamp is the replay's start plus media time."""
    offsets = {f.stamp_ns - reference[0].stamp_ns: i for i, f in enumerate(reference)}
    out: list[KeypointFrame | None] = [None] * len(reference)
    for f in got:
        i = offsets.get(f.stamp_ns - start_ns)
        if i is not None:
            out[i] = f
    return out


def clips_in(data: Path, given: list[Path]) -> list[Path]:
    """Return every video of DATA/videos, then the given clips."""
    videos = sorted(p for p in (data / "videos").glob("*") if p.is_file()) if (data / "videos").is_dir() else []
    return videos + [p for p in given if p not in videos]


def table(reports: list[ClipReport]) -> list[str]:
    """Return the report as Markdown: events side by side, then landmark agreement."""
    lines = ["| clip | run | frames processed | events | same events | not resampled (resample false) |",
             "|---|---|---|---|---|---|"]
    for r in reports:
        for run in r.runs:
            same = "" if run is r.runs[0] else ("yes" if run.events == r.runs[0].events else "**NO**")
            unfilled = "" if run.events_unfilled is None else ", ".join(run.events_unfilled) or "none"
            if run.events_unfilled is not None:
                unfilled += " (same)" if run.events_unfilled == r.runs[0].events else " (**differs**)"
            lines.append(f"| {r.clip} | {run.name} | {run.processed}/{run.frames} | "
                         f"{', '.join(run.events) or 'none'} | {same} | {unfilled} |")
    lines += ["", "| clip | run | hand presence agrees | hands | hand error median / p95 (hand lengths) | "
              f"wrong hands (> {WRONG_HAND}) | pose presence agrees | pose error median (shoulder widths) |",
              "|---|---|---|---|---|---|---|---|"]
    for r in reports:
        for run in r.runs[1:]:
            a = run.agreement
            lines.append(f"| {r.clip} | {run.name} | {a['hand presence agrees']:.3f} | {a['hands compared']} | "
                         f"{a['hand error median']:.3f} / {a['hand error p95']:.3f} | {a['wrong hands']} | "
                         f"{a['pose presence agrees']:.3f} | {a['pose error median']:.3f} |")
    slow = [(r.clip, c) for r in reports for c in r.consumers]
    if slow:
        lines += ["", "Slow consumers (seeded; each frame takes MEAN ± SD frame periods to extract, then the newest "
                  "frame is taken): runs that give the every-frame events.", "",
                  "| clip | frame periods per frame | runs | frames processed | same events | without frame fill |",
                  "|---|---|---|---|---|---|"]
        for clip, c in slow:
            lines.append(f"| {clip} | {c.mean} ± {c.sd} | {c.runs} | {c.kept[0]}-{c.kept[1]} | "
                         f"{c.same}/{c.runs} | {c.same_unfilled}/{c.runs} |")
    return lines


def main(data: Path, clips: list[Path], out: Path, skips: tuple[float, ...], taskset: bool,
         profile: str = "media", consumers: tuple[tuple[float, float, int], ...] = (), busy: bool = False) -> int:
    """Evaluate every clip live; write OUT/live.json and OUT/summary.md; exit 1 if any fixed-pattern or
    one-core run's events differ (slow consumers are reported, not judged)."""
    paths = clips_in(data, clips)
    if not paths:
        print(f"gesture eval-real --live: no clips in {data / 'videos'} and none given", file=sys.stderr)
        return 2
    reports = []
    for path in paths:
        print(f"live evaluation of {path} ...", flush=True)
        reports.append(evaluate_clip(path, skips, taskset=taskset, profile=profile, consumers=consumers, busy=busy))
    out.mkdir(parents=True, exist_ok=True)
    (out / "live.json").write_text(json.dumps([asdict(r) for r in reports], indent=1))
    text = "\n".join(["# Live evaluation: every frame vs a camera faster than the extraction", "",
                      f"Generated by `make eval ARGS=\"--live{' --taskset' if taskset else ''}{' --busy-core' if busy else ''}"
                      f"{''.join(f' --slow-consumer {m},{d},{k}' for m, d, k in consumers)}"
                      f"{''.join(' ' + str(p) for p in clips)}\"` (gesture_ros/toolkit/live_eval.py); frames skipped: "
                      f"{', '.join(f'{x:.0%}' for x in skips)}; keypoint model hands_pose, classifier settings of the "
                      f"'{profile}' profile (as `make run`).", "",
                      *table(reports)]) + "\n"
    (out / "summary.md").write_text(text)
    print(text)
    return 0 if all(r.same_events for r in reports) else 1
