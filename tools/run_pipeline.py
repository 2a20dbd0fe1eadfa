"""What ``make run`` starts: the whole pipeline on one source, with the demo's peers.

    python -m tools.run_pipeline --source clip.mp4 --profile media [NAME:=VALUE ...]

Runs the one-process pipeline (launching/runner.py): the nodes of ``ros2 launch gesture_ros
gesture.launch.py profile:=PROFILE`` with the same parameters (launching/plan.py). For a
self-contained demo it starts, on this machine only: a headless mpv (IPC socket in a temporary
folder) when the action map drives mpv and none answers on the map's socket, and a mosquitto
broker on 127.0.0.1 plus ``venue_monitor`` so every event also goes through the venue bridge
(``--no-venue``: neither; ``venue_host:=...``: your broker). A file source ends the run by
itself; Ctrl-C ends a camera. A file source runs on a replay clock (``use_sim_time:=true``:
camera_node publishes /clock, the other nodes read their time from it), so the dispatcher judges
an event's age on the replay's time whether the replay is faster or slower than real time. At
the end it prints what happened: the events, what the venue monitor received and the commands
mpv ran.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import yaml

from gesture_ros.common.paths import resolve_shipped, share_dir
from gesture_ros.launching.plan import PlanError, profile_file
from gesture_ros.perception.sources import (
    SourceError,
    SourceKind,
    no_camera_message,
    parse_source,
)
from tools.mosquitto import Mosquitto
from tools.peers import (
    Mpv,
    PeerError,
    VenueMonitor,
    mpv_listening,
)


def source_problem(source: str) -> str | None:
    """Return one sentence when the source cannot work here, else None."""
    try:
        kind, target = parse_source(source)
    except SourceError as exc:
        return str(exc)
    if kind == SourceKind.DEVICE and not Path(target).exists():
        return no_camera_message(target)
    if kind in (SourceKind.VIDEO_FILE, SourceKind.GIF) and not Path(target).is_file():
        return f"No video file at {target}: pass an existing file, e.g. make run SOURCE=path/to/video.mp4"
    return None


def is_recorded(source: str) -> bool:
    return parse_source(source)[0] not in (SourceKind.DEVICE, SourceKind.GSTREAMER, SourceKind.STREAM)


def profile_action_map(profile: str, override: str | None) -> Path:
    """Return the action map the profile (or an ``action_map:=`` argument) names."""
    if override:
        return resolve_shipped(override)
    doc = yaml.safe_load(profile_file(profile, share_dir()).read_text()) or {}
    params = next((v.get("ros__parameters") or {} for k, v in doc.items()
                   if str(k).endswith("action_dispatch_node") and isinstance(v, dict)), {})
    return resolve_shipped(params.get("action_map", "config/actions/default.yaml"))


def with_local_mpv(action_map: Path, folder: Path) -> Path | None:
    """Start an mpv for the map's mpv targets that nobody serves; return the rewritten map (or None)."""
    doc = yaml.safe_load(action_map.read_text()) or {}
    targets = {k: t for k, t in (doc.get("targets") or {}).items() if isinstance(t, dict) and t.get("type") == "mpv"}
    missing = {k: t for k, t in targets.items() if not mpv_listening(str(t.get("socket", "")))}
    if not missing:
        return None
    clip = write_test_clip(folder / "demo_clip.avi")
    mpv = Mpv(folder, media=clip)
    _PEERS.append(mpv)
    for target in missing.values():
        target["socket"] = str(mpv.socket)
    _use_demo_clip(doc, action_map.parent, clip)
    path = folder / action_map.name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    print(f"run: started mpv (headless) on {mpv.socket} for the action map's player", flush=True)
    return path


def _use_demo_clip(doc: dict, map_dir: Path, clip: Path) -> None:
    """Point loadfile actions whose media file does not exist at the demo's test clip."""
    for by_type in (doc.get("actions") or {}).values():
        for action in (a for actions in (by_type or {}).values() for a in actions or []):
            if action.get("command") != "loadfile" or "://" in str(action.get("file", "")):
                continue
            if not (map_dir / Path(str(action["file"])).expanduser()).exists():
                print(f"run: {action['file']} does not exist; the demo plays {clip} instead", flush=True)
                action["file"] = str(clip)


def write_test_clip(path: Path, seconds: float = 60.0, fps: int = 2) -> Path:
    """Write a small colour-bar video (MJPG) that mpv can play."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (160, 90))
    bars = np.repeat(np.repeat(np.array([[[255, 255, 255], [0, 255, 255], [255, 255, 0], [0, 255, 0],
                                          [255, 0, 255], [0, 0, 255], [255, 0, 0], [0, 0, 0]]],
                                        dtype=np.uint8), 20, axis=1), 90, axis=0)
    for _ in range(int(seconds * fps)):
        writer.write(bars)
    writer.release()
    return path


_PEERS: list = []


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run_pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="/dev/video0", help="device, video file, image folder or GStreamer pipeline")
    parser.add_argument("--profile", default="media", help="media, concert or robot")
    parser.add_argument("--no-venue", action="store_true", help="no bridge, broker or venue monitor")
    parser.add_argument("--realtime", action="store_true", help="replay files at their own rate (default: "
                        "every frame, as fast as the keypoint node takes them)")
    parser.add_argument("--workdir", type=Path, help="keep the peers' files (monitor events, mpv log, "
                        "summary.json) in this folder instead of a temporary one")
    parser.add_argument("launch_args", nargs="*", metavar="NAME:=VALUE", help="more launch file arguments")
    return parser.parse_args(argv)


def _print_summary(summary: dict, monitor: VenueMonitor | None, mpv: Mpv | None) -> None:
    events = summary.get("events", [])
    print(f"\n=== summary: {summary.get('frames')} frames, {len(events)} gesture events ===")
    for e in events:
        print(f"  {e['type']:<7} {e['gesture']:<12} confidence {e['confidence']:.2f}  stamp {e['stamp_ns']}")
    results = Counter(f"{a['action']} {a['result']}" for a in summary.get("actions", []))
    print("actions: " + (", ".join(f"{k} x{v}" for k, v in sorted(results.items())) or "none"))
    if monitor is not None:
        seen = monitor.events()
        counts = Counter(f"{r['event']['gesture']} {r['event']['type']}" for r in seen)
        print(f"venue monitor received {len(seen)} events: " + (", ".join(f"{k} x{v}" for k, v in
                                                                        sorted(counts.items())) or "none"))
    if mpv is not None:
        commands = mpv.commands()
        print(f"mpv received {len(commands)} commands" + (": " + "; ".join(commands) if commands else ""))


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(list(sys.argv[1:] if argv is None else argv))
    problem = source_problem(opts.source)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    given: dict[str, str] = dict(a.split(":=", 1) for a in opts.launch_args if ":=" in a)
    args = {"profile": opts.profile, "source": opts.source, **given}
    extra: list[str] = []
    monitor: VenueMonitor | None = None
    with tempfile.TemporaryDirectory(prefix="gesture_run_") as tmp:
        folder = opts.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            action_map = with_local_mpv(profile_action_map(opts.profile, given.get("action_map")), folder)
            if action_map is not None:
                args["action_map"] = str(action_map)
            if not opts.no_venue and "venue_host" not in given:
                broker = Mosquitto(folder / "mosquitto").start()
                _PEERS.append(broker)
                monitor = VenueMonitor(folder, broker.port)
                _PEERS.append(monitor)
                args.update(start_bridge="true", venue_host="127.0.0.1", venue_port=str(broker.port))
                extra += ["--set", f"bridge_node.outbox_path:={folder / 'outbox.sqlite3'}"]
                print(f"run: started mosquitto on 127.0.0.1:{broker.port} and venue_monitor", flush=True)
            if is_recorded(opts.source):
                # A replay clock, so that actions are judged on the replay's time at any pace.
                args.setdefault("use_sim_time", "true")
                if not opts.realtime:
                    extra += ["--set", "camera_node.pace:=as_fast_as_consumed"]
            summary_path = folder / "summary.json"
            cmd = [sys.executable, "-m", "gesture_ros.launching.runner", *[f"{k}:={v}" for k, v in args.items()],
                   *extra, "--summary-json", str(summary_path)]
            child = subprocess.Popen(cmd)
            try:
                code = child.wait()
            except KeyboardInterrupt:
                child.send_signal(signal.SIGINT)
                code = child.wait()
            summary = yaml.safe_load(summary_path.read_text()) if summary_path.exists() else {}
            if monitor is not None:  # the broker acknowledged them all; let the monitor catch up
                monitor.wait_for(summary.get("bridge", {}).get("delivered", 0), timeout=5.0)
            mpv = next((p for p in _PEERS if isinstance(p, Mpv)), None)
            _print_summary(summary, monitor, mpv)
            return code
        except (PeerError, PlanError, OSError, yaml.YAMLError) as exc:
            print(f"run: {exc}", file=sys.stderr)
            return 1
        finally:
            for peer in reversed(_PEERS):
                peer.stop()
            _PEERS.clear()


if __name__ == "__main__":
    sys.exit(main())
