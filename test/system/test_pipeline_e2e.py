"""``make run SOURCE=swipe2_left_right.gif``: the whole demo, real peers, ends by itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.data import shared_data

from tools.peers import mpv_commands

SWIPES = {"swipe_left", "swipe_right"}


def _processes_mentioning(text: str):
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if proc.name.isdigit() and int(proc.name) != os.getpid() and text in cmdline:
            found.append(cmdline)
    return found


def test_media_demo_on_the_swipe_clip(domain, tmp_path):
    clip = shared_data("videos/swipe2_left_right.gif")
    work = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "tools.run_pipeline", "--source", str(clip), "--profile", "media",
         "--workdir", str(work)],
        check=False, env=domain.env(), capture_output=True, text=True, timeout=300)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert _processes_mentioning(str(work)) == []  # mpv, mosquitto, venue_monitor and the pipeline ended

    summary = json.loads((work / "summary.json").read_text())
    assert summary["frames"] == 56  # every frame of the clip, then the run ended by itself
    swipes = [e for e in summary["events"] if e["gesture"] in SWIPES]
    assert swipes, f"no swipe event on the swipe clip: {summary['events']}\n{out[-2000:]}"
    assert all(e["type"] == "TRIGGER" for e in swipes)

    # The venue monitor received every event once, swipes included.
    venue = [json.loads(line) for line in (work / "venue_events.jsonl").read_text().splitlines()]
    assert sorted(r["event"]["event_id"] for r in venue) == sorted(e["event_id"] for e in summary["events"])
    assert [r["event"]["gesture"] for r in venue if r["event"]["gesture"] in SWIPES]

    # mpv ran one seek per swipe action the dispatcher completed (media.yaml: swipes seek -/+10 s).
    done = [a for a in summary["actions"] if a["gesture"] in SWIPES and a["result"] == "DONE"]
    seeks = [c for c in mpv_commands(work / "mpv-commands.log") if c.startswith("seek ")]
    assert done and len(seeks) == len(done), (summary["actions"], seeks)
    assert "mpv received" in out and "venue monitor received" in out
