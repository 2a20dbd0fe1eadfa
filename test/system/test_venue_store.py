"""The venue store on real SQLite and a real PostgreSQL: migrations, idempotent inserts, export."""

import json
import subprocess
import sys

import pytest
from support.venue_fuzz import good_event

from gesture_ros.venue import queries
from gesture_ros.venue.store import StoredEvent, open_store
from gesture_ros.venue.store.migrations import LATEST
from tools.postgres import Postgres

S = 1_000_000_000


@pytest.fixture(scope="module")
def postgres():
    with Postgres() as pg:
        yield pg


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "venue.sqlite3")
    pg = request.getfixturevalue("postgres")
    import psycopg

    name = f"t{abs(hash(str(tmp_path))) % 10**9}"
    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg.url.rsplit("/", 1)[0] + "/" + name


def _events(n, stamp0=100 * S):
    return [StoredEvent(good_event(f"cam{i % 2 + 1}", i // 2 + 1, stamp_ns=stamp0 + i * S, person=i % 3 + 1,
                                   model_version=str(i % 2 + 1)), f"venues/hall/devices/cam{i % 2 + 1}/gestures", i)
            for i in range(n)]


def test_an_insert_is_idempotent_across_reopening(url):
    events = _events(10)
    store = open_store(url)
    assert store.schema_version() == LATEST
    assert store.insert(events[:6]) == [True] * 6
    store.close()
    store = open_store(url)  # a restarted server: the migrations do not run twice, the ids are still known
    assert store.schema_version() == LATEST
    assert store.insert(events[4:]) == [False, False, True, True, True, True]
    assert store.query("SELECT count(*), count(DISTINCT event_id) FROM events")[0] == (10, 10)
    assert store.query("SELECT count(*) FROM schema_version")[0][0] == LATEST
    store.close()


def test_gaps_devices_and_bounded_keep(url):
    store = open_store(url)
    store.insert([e for i, e in enumerate(_events(12)) if i not in (4, 6)])  # cam1 misses sequences 3 and 4
    store.set_device("jetson1", "online", 5, 3)
    store.set_device("jetson1", "offline", 9, None)
    by_source = {s["source"]: s for s in queries.sources(store)}
    assert by_source["cam1"]["missing"] == 2 and by_source["cam2"]["missing"] == 0
    assert queries.devices(store) == [{"device": "jetson1", "state": "offline", "last_heartbeat_ns": 9,
                                       "outbox_depth": None}]
    store.keep_newest(4)
    assert sorted(r[0] for r in store.query("SELECT received_ns FROM events")) == [8, 9, 10, 11]
    store.close()


def test_export_a_time_range_for_labelling(url, tmp_path):
    store = open_store(url)
    store.insert(_events(2500))
    store.close()
    out = tmp_path / "show.jsonl"
    since, until = "1970-01-01T00:01:50Z", str(2100 * S)  # camera stamps 110 s .. 2100 s (exclusive)
    proc = subprocess.run([sys.executable, "-m", "gesture_ros.venue", "export", "--db", url, "--since", since,
                           "--until", until, "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1990 and "exported 1990 events" in proc.stderr
    assert [r["stamp_ns"] for r in rows] == sorted(r["stamp_ns"] for r in rows)
    assert rows[0]["stamp_ns"] == 110 * S and rows[-1]["stamp_ns"] == 2099 * S
    assert {k for k in rows[0]} >= {"source_id", "person_id", "model_id", "model_version", "gesture", "stamp_iso"}
    toolkit = subprocess.run([sys.executable, "-m", "gesture_ros.toolkit.cli", "venue-export", "--db", url, "--since", since,
                              "--until", until], capture_output=True, text=True, timeout=120)
    assert toolkit.returncode == 0 and toolkit.stdout == out.read_text()  # gesture venue-export: the same lines
