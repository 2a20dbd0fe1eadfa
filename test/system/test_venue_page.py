"""The live page in a real headless chromium: events published after it loaded show up without a reload."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from support.chromium import Chromium
from support.venue import Devices, VenueServer
from support.venue_fuzz import good_event

from gesture_ros.bridge.payload import encode
from gesture_ros.common.gesture_event import EventType
from tools.mosquitto import Mosquitto

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _count(selector: str) -> str:
    return f"document.querySelector('{selector}')?.dataset.count"


def test_the_page_counts_events_published_after_it_loaded(tmp_path):
    with Mosquitto(tmp_path / "broker") as broker:
        server = VenueServer(broker, str(tmp_path / "venue.sqlite3"), tmp_path, "--crowd-s", "30").start()
        devices = Devices(broker)
        browser = Chromium(tmp_path)
        try:
            browser.open(f"http://127.0.0.1:{server.http_port}/")
            browser.wait_for("document.getElementById('link').textContent === 'live'")
            navigation = browser.evaluate("performance.timeOrigin")
            seq = {}
            for i in range(30):  # the chorus: 6 people on two cameras do an X, a few swipe
                source = "cam1" if i % 2 else "cam2"
                seq[source] = seq.get(source, 0) + 1
                gesture = "swipe_left" if i % 10 == 9 else "x_cross"
                devices.event(good_event(source, seq[source], gesture=gesture, person=i % 3 + 1,
                                         stamp_ns=time.time_ns() - 80_000_000, confidence=0.55 + (i % 9) / 20))
            status = {"device": "cam1", "state": "online", "outbox_depth": 2}
            devices.send("", json.dumps(status).encode(), topic="venues/hall/devices/cam1/status")
            sent = time.monotonic()
            browser.wait_for(f"{_count('#gestures tr[data-gesture=x_cross]')} === '27'")
            update_s = time.monotonic() - sent
            assert browser.wait_for(f"{_count('#gestures tr[data-gesture=swipe_left]')}") == "3"
            assert browser.wait_for("document.querySelector('.meter[data-gesture=x_cross]')?.dataset.people") == "6"
            assert browser.wait_for(f"{_count('#sources tr[data-source=cam1]')}") == "15"
            assert browser.wait_for("document.querySelector('#devices tr[data-device=cam1]')?.dataset.state") == "online"
            assert browser.evaluate("performance.timeOrigin") == navigation  # no reload
            print(f"page updated {update_s:.2f} s after the last publish (SSE tick 0.5 s, loaded machine)")
            shot = DOCS / "venue.png" if os.environ.get("GESTURE_ROS_UPDATE_SCREENSHOT") else tmp_path / "venue.png"
            browser.screenshot(shot)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
            devices.close()
            server.stop()


def test_the_page_wants_its_token_and_refuses_the_network_without_one(tmp_path):
    token = tmp_path / "token"
    token.write_text("s3cret\n")
    with Mosquitto(tmp_path / "broker") as broker:
        open_page = subprocess.run([sys.executable, "-m", "gesture_ros.venue", "serve", "--db", str(tmp_path / "a.db"),
                                    "--port", str(broker.port), "--http-host", "0.0.0.0"],
                                   capture_output=True, text=True, timeout=60)
        assert open_page.returncode == 2 and "--token-file" in open_page.stderr
        server = VenueServer(broker, str(tmp_path / "venue.sqlite3"), tmp_path, "--token-file", str(token)).start()
        try:
            with pytest.raises(urllib.error.HTTPError) as refused:
                server.get("/api/snapshot")
            assert refused.value.code == 401
            assert server.get("/api/snapshot", token="s3cret")["totals"]["events"] == 0
            models = server.get("/api/models", token="s3cret")
            assert models["models"] == [] and models["low"] == 0.6
            req = urllib.request.Request(f"http://127.0.0.1:{server.http_port}/api/snapshot?token=s3cret",
                                         method="POST")
            with pytest.raises(urllib.error.HTTPError) as post:
                urllib.request.urlopen(req, timeout=10)
            assert post.value.code == 405  # read-only
        finally:
            server.stop()


def test_model_figures_per_device_and_version(tmp_path):
    with Mosquitto(tmp_path / "broker") as broker:
        server = VenueServer(broker, str(tmp_path / "venue.sqlite3"), tmp_path).start()
        devices = Devices(broker)
        try:
            for i in range(20):
                version = "2" if i >= 10 else "1"
                devices.event(good_event("cam1", i + 1, confidence=0.3 if i % 5 == 0 else 0.95, model_version=version))
            end = good_event("cam1", 21, event_type=EventType.END)
            devices.send("cam1", encode(end))
            server.wait_snapshot(lambda s: s["totals"]["events"] == 21)
            models = server.get("/api/models")["models"]
        finally:
            devices.close()
            server.stop()
    assert [(m["model_version"], m["events"], m["low_confidence_share"]) for m in models] == [("1", 10, 0.2),
                                                                                              ("2", 10, 0.2)]
    assert models[0]["confidence_histogram"] == [0, 0, 0, 2, 0, 0, 0, 0, 0, 8]
    assert models[0]["events_per_min"] == pytest.approx(1.0)
