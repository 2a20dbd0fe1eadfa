"""venue_server end to end: real mosquitto, real SQLite and PostgreSQL, the server killed with SIGKILL."""

import json
import random
import re
from collections import Counter

import pytest
from support.venue import Devices, VenueServer
from support.venue_fuzz import bad_payloads, good_event

from gesture_ros.bridge.credentials import ENV_PASSWORD, ENV_USERNAME
from gesture_ros.venue.store import open_store
from tools.mosquitto import Mosquitto, make_pki
from tools.postgres import Postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "venue.sqlite3")
        return
    with Postgres() as pg:
        yield pg.url


def _stored_ids(db):
    store = open_store(db)
    try:
        return Counter(r[0] for r in store.query("SELECT event_id FROM events"))
    finally:
        store.close()


def test_every_event_is_stored_once_through_kills_and_redelivery(tmp_path, db):
    with Mosquitto(tmp_path / "broker", persistence=True) as broker:
        server = VenueServer(broker, db, tmp_path).start()
        devices = Devices(broker)
        sent = [good_event("cam1", i + 1, gesture="x_cross" if i % 3 else "swipe_left", person=i % 4 + 1)
                for i in range(120)]
        try:
            for record in sent[:40]:
                devices.event(record)
            server.wait_snapshot(lambda s: s["totals"]["events"] == 40)
            server.kill()
            for record in sent[30:80]:  # 10 again (a device that resends), 40 new while nobody listens
                devices.event(record)
            server.start()
            broker.stop()
            broker.start()
            for record in sent[80:] + sent[:5]:
                devices.event(record)
            snap = server.wait_snapshot(lambda s: s["totals"]["events"] == 120)
            assert server.stop() == 0
        finally:
            devices.close()
            server.stop()
    ids = _stored_ids(db)
    assert set(ids) == {r.event_id for r in sent} and max(ids.values()) == 1
    assert snap["totals"]["gestures"] == {"swipe_left": 40, "x_cross": 80}
    assert snap["totals"]["people"] == {f"cam1#{p}": 30 for p in range(1, 5)}
    assert snap["sources"][0]["missing"] == 0 and snap["sources"][0]["last_sequence"] == 120


def test_1000_malformed_payloads_between_good_events_are_refused_and_counted(tmp_path):
    db = str(tmp_path / "venue.sqlite3")
    rng = random.Random(29)
    bad = list(bad_payloads(rng, 1000, "cam1"))
    with Mosquitto(tmp_path / "broker") as broker:
        server = VenueServer(broker, db, tmp_path).start()
        devices = Devices(broker)
        good = []
        try:
            for i, (_, source, payload) in enumerate(bad):
                if i % 5 == 0:
                    good.append(good_event("cam1", len(good) + 1))
                    devices.event(good[-1])
                devices.send(source, payload)
            status = {"device": "cam1", "state": "online", "outbox_depth": 7}
            devices.send("", json.dumps(status).encode(), topic="venues/hall/devices/cam1/status")
            snap = server.wait_snapshot(lambda s: sum(s["refused"].values()) == 1000 and s["devices"])
            assert server.proc.poll() is None
        finally:
            devices.close()
            server.stop()
    assert snap["totals"]["events"] == len(good) == 200
    assert snap["refused"] == dict(Counter(kind for kind, _, _ in bad))
    assert snap["devices"][0]["outbox_depth"] == 7 and snap["devices"][0]["state"] == "online"
    said = re.findall(r"refused \((\w+)\)", server.text())
    assert sorted(said) == sorted(set(snap["refused"]))  # each kind said once
    assert "\x1b" not in server.text()


def test_over_tls_with_a_client_certificate_and_credentials(tmp_path, monkeypatch):
    pki = make_pki(tmp_path / "pki")
    acl = "user device1\ntopic write venues/hall/devices/cam1/gestures\nuser venue\ntopic read venues/#\n"
    users = {"device1": "s3cret", "venue": "venue-pass"}
    monkeypatch.setenv(ENV_USERNAME, "venue")
    monkeypatch.setenv(ENV_PASSWORD, "venue-pass")
    with Mosquitto(tmp_path / "broker", users=users, acl=acl, pki=pki, require_certificate=True) as broker:
        server = VenueServer(broker, str(tmp_path / "venue.sqlite3"), tmp_path, "--tls-ca", pki.ca_crt,
                             "--tls-cert", pki.client_crt, "--tls-key", pki.client_key).start()
        devices = Devices(broker, user="device1", ca_certs=pki.ca_crt, certfile=pki.client_crt, keyfile=pki.client_key)
        try:
            devices.event(good_event("cam1", 1))
            snap = server.wait_snapshot(lambda s: s["totals"]["events"] == 1)
        finally:
            devices.close()
            server.stop()
    assert snap["totals"]["sources"] == {"cam1": 1}
    assert "venue-pass" not in server.text() and "mqtts://127.0.0.1" in server.text()
