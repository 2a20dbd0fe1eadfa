"""Replays that act like live: a replay clock (/clock, use_sim_time), real nodes, real mpv.

A 1280x720 clip at 100 fps (the shared swipe GIF scaled up, each frame shown for its own
duration) is slower to extract than its own frame rate on any CPU MediaPipe runs on, so an
every-frame replay falls further and further behind real time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing

import numpy as np
import pytest
from support.clips import rescaled_clip
from support.data import shared_data
from support.ros_env import NodeProcess, ProbeNode

from tools.peers import mpv_commands

rclpy = pytest.importorskip("rclpy")

from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from gesture_ros.msg import Keypoints  # noqa: E402
from rosgraph_msgs.msg import Clock  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402

from gesture_ros.ros.conversions import stamp_to_ns  # noqa: E402

SWIPES = {"swipe_left", "swipe_right"}
ENV = {"PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}


@pytest.fixture(scope="module")
def hd_clip(tmp_path_factory):
    return rescaled_clip(shared_data("videos/swipe2_left_right.gif"), tmp_path_factory.mktemp("clips") / "hd.avi")


def test_a_replay_slower_than_real_time_still_fires_its_mpv_actions(domain, tmp_path, hd_clip):
    clip, frames = hd_clip
    work = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "tools.run_pipeline", "--source", str(clip), "--profile", "media",
         "--no-venue", "--workdir", str(work)],
        check=False, env=domain.env(), capture_output=True, text=True, timeout=600)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    summary = json.loads((work / "summary.json").read_text())
    assert summary["frames"] == frames  # every frame of the clip, as fast as they were taken
    swipes = [e for e in summary["events"] if e["gesture"] in SWIPES]
    assert swipes, f"no swipe on the 1280x720 clip: {summary['events']}\n{out[-2000:]}"
    # The precondition: by the time its event came out, the replay was behind real time by more
    # than max_event_age_s (1 s); without the replay clock the dispatcher would call it stale.
    behind = max((e["received_ns"] - e["stamp_ns"]) / 1e9 for e in swipes)
    assert behind > 1.0, f"the replay kept up with real time ({behind:.2f} s): the clip does not test this"
    assert not [a for a in summary["actions"] if "stale" in a["detail"] or "skew" in a["detail"]], summary["actions"]
    done = [a for a in summary["actions"] if a["gesture"] in SWIPES and a["result"] == "DONE"]
    seeks = [c for c in mpv_commands(work / "mpv-commands.log") if c.startswith("seek ")]
    assert done and len(seeks) == len(done), (summary["actions"], seeks)


class Probe(ProbeNode):
    """Record /clock, image and keypoints stamps, and keypoint_node's diagnostics."""

    def __init__(self, context) -> None:
        from rclpy.qos import QoSProfile, ReliabilityPolicy

        deep = QoSProfile(depth=500, reliability=ReliabilityPolicy.BEST_EFFORT)
        super().__init__(context, "live_probe")
        self.clock: list[int] = []
        self.images: list[int] = []
        self.keypoints: list[int] = []
        self.diagnostics: list[tuple[int, str, dict[str, str]]] = []
        self.node.create_subscription(Clock, "/clock", lambda m: self.clock.append(stamp_to_ns(m.clock)), deep)
        self.node.create_subscription(Image, "image_raw", lambda m: self.images.append(stamp_to_ns(m.header.stamp)),
                                      deep)
        self.node.create_subscription(Keypoints, "keypoints",
                                      lambda m: self.keypoints.append(stamp_to_ns(m.header.stamp)), deep)
        self.node.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, 50)

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for s in msg.status:
            if s.name.endswith("keypoint_node"):
                self.diagnostics.append((s.level[0], s.message, {kv.key: kv.value for kv in s.values}))


@pytest.fixture
def probe(rclpy_context):
    with closing(Probe(rclpy_context)) as p:
        yield p


def test_replay_clock_leads_every_frame_and_ages_are_measured_on_it(domain, probe, tmp_path):
    """As fast as consumed (faster or slower than real time), /clock never lets a stamp run ahead of it,
    keypoint_node reports ages on it, and its diagnostics go on after the replay's clock stopped."""
    video = shared_data("videos/open_hand_no_gesture.mp4")
    with NodeProcess("keypoint_node", domain, {"model": "hands", "use_sim_time": True, "no_image_warn_s": 1.0},
                     log_dir=tmp_path, env=ENV) as kp:
        camera = NodeProcess("camera_node", domain, {"source": str(video), "pace": "as_fast_as_consumed",
                                                     "publish_clock": True, "wait_for_subscribers": 2},
                             log_dir=tmp_path, env=ENV)
        try:
            assert probe.spin_until(lambda: camera.proc.poll() is not None, 240), camera.log()[-2000:]
            assert camera.proc.poll() == 0, camera.log()[-2000:]
        finally:
            camera.stop()
        ended = len(probe.diagnostics)
        probe.spin_until(lambda: len(probe.diagnostics) >= ended + 3 and probe.diagnostics[-1][0] != 0, 10)
        assert kp.proc.poll() is None, kp.log()
    assert probe.clock == sorted(probe.clock) and len(set(probe.clock)) == len(probe.clock)
    assert len(probe.images) >= 190 and probe.clock[-1] > max(probe.images)
    # The clock reaches each frame's stamp as the frame goes out (a best-effort probe may miss a few).
    on_clock = set(probe.clock)
    assert sum(s in on_clock for s in probe.images) >= 0.95 * len(probe.images)
    # Ages on the replay clock: at most max_in_flight (2) frames are unanswered, so the clock is at most
    # that many frames past the one being processed (on the wall clock a faster-than-real-time replay
    # would give negative ages, a slower one ages that grow with the run).
    period_ms = float(np.median(np.diff(sorted(probe.images)))) / 1e6
    level, message, figures = next(d for d in reversed(probe.diagnostics) if "age at publish p50 ms" in d[2])
    assert 0.0 <= float(figures["age at publish p50 ms"]) <= 3 * period_ms, (figures, period_ms)
    level, message, figures = probe.diagnostics[-1]  # the replay ended: its clock stopped, the timer did not
    assert level == 1 and message.startswith("no images for"), probe.diagnostics[-3:]
    assert int(figures["images processed"]) >= 190


@pytest.fixture(scope="module")
def burst_clip(tmp_path_factory):
    """Half a second at 1000 fps: faster than any camera_node can send, so the camera runs flat out."""
    return rescaled_clip(shared_data("videos/swipe2_left_right.gif"), tmp_path_factory.mktemp("clips") / "burst.avi",
                         fps=1000, max_frames=500)


def test_keypoint_node_says_when_it_falls_behind_the_camera(domain, probe, tmp_path, burst_clip):
    """A camera sending as fast as it can decode and publish, and MediaPipe, which does more per frame than
    that (receive, convert, two models): frames are dropped, WARN, whatever the machine's speed."""
    clip, _ = burst_clip
    with NodeProcess("keypoint_node", domain, {"model": "hands_pose", "use_sim_time": True,
                                               "drop_warn_fraction": 0.25}, log_dir=tmp_path, env=ENV) as kp, \
            NodeProcess("camera_node", domain, {"source": str(clip), "pace": "realtime", "publish_clock": True,
                                                "loop": True, "wait_for_subscribers": 2},
                        log_dir=tmp_path, env=ENV) as cam:
        behind = lambda: any(d[0] == 1 and "falling behind the camera" in d[1] for d in probe.diagnostics)  # noqa: E731
        probe.spin_until(behind, 60)
        assert kp.proc.poll() is None and cam.proc.poll() is None, kp.log()[-2000:] + cam.log()[-2000:]
    assert behind(), probe.diagnostics[-3:]
    level, message, figures = next(d for d in probe.diagnostics if "falling behind the camera" in d[1])
    assert float(figures["input rate hz"]) > float(figures["processed rate hz"]) > 0
    assert 0.25 < float(figures["dropped fraction"]) < 1.0
    assert int(figures["images dropped (backlog)"]) > 0
