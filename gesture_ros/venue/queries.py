"""What the page, the API and the export read from the store (plain SQL both backends run).

Times are the server's: ``stored_ns`` (wall clock when committed). An END closes a START that
was already counted, so counts and the crowd meter skip ENDs. A person is (source, person id);
person id 0 (a single-person extractor) is one person per source.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from gesture_ros.venue.store import Store
from gesture_ros.venue.store.base import COLUMNS

_NS = 1_000_000_000
BINS = 10  # confidence histogram: [0, 0.1), ..., [0.9, 1.0]


def _since(window_s: float) -> int:
    return time.time_ns() - int(window_s * _NS)


def totals(store: Store) -> dict:
    """Return counts per gesture, per source and per person, and the number of stored events."""
    n = store.query("SELECT count(*) FROM events")[0][0]
    gestures = store.query("SELECT gesture, count(*) FROM events WHERE type <> 'end' GROUP BY gesture")
    sources = store.query("SELECT source_id, count(*) FROM events GROUP BY source_id")
    people = store.query("SELECT source_id, person_id, count(*) FROM events WHERE type <> 'end' "
                         "GROUP BY source_id, person_id")
    return {"events": n, "gestures": dict(sorted(gestures)), "sources": dict(sorted(sources)),
            "people": {f"{s}#{p}": c for s, p, c in sorted(people)}}


def crowd(store: Store, window_s: float = 5.0) -> dict[str, int]:
    """Return, per gesture, how many people did it in the last ``window_s`` seconds."""
    rows = store.query("SELECT gesture, count(*) FROM (SELECT DISTINCT gesture, source_id, person_id FROM events "
                       "WHERE stored_ns >= ? AND type <> 'end') AS recent GROUP BY gesture", (_since(window_s),))
    return dict(sorted(rows, key=lambda r: -r[1]))


def rate(store: Store, window_s: float = 10.0) -> float:
    """Return stored events per second over the last ``window_s`` seconds."""
    return store.query("SELECT count(*) FROM events WHERE stored_ns >= ?", (_since(window_s),))[0][0] / window_s


def latency(store: Store, limit: int = 300) -> list[list]:
    """Return [stored_ns, camera stamp -> stored in ms] for the last ``limit`` events, oldest first."""
    rows = store.query("SELECT stored_ns, stored_ns - stamp_ns FROM events ORDER BY stored_ns DESC LIMIT ?", (limit,))
    return [[s, round(d / 1e6, 3)] for s, d in reversed(rows)]


def recent(store: Store, limit: int = 20) -> list[dict]:
    rows = store.query(f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY stored_ns DESC, event_id LIMIT ?", (limit,))
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows]


def devices(store: Store) -> list[dict]:
    """Return the devices' last status: online/offline, last heartbeat (ns), outbox depth."""
    rows = store.query("SELECT device, state, last_heartbeat_ns, outbox_depth FROM devices ORDER BY device")
    return [{"device": d, "state": s, "last_heartbeat_ns": h, "outbox_depth": o} for d, s, h, o in rows]


def sources(store: Store) -> list[dict]:
    """Return per source: events, last sequence, missing sequence numbers (gaps), its latest model."""
    rows = store.query("SELECT source_id, count(*), max(sequence), max(sequence) - min(sequence) + 1 - "
                       "count(DISTINCT sequence), max(stored_ns) FROM events GROUP BY source_id ORDER BY source_id")
    latest: dict[str, tuple] = {}  # source -> (last stored, model id, version): one query, not one per source
    for source, model_id, version, seen in store.query("SELECT source_id, model_id, model_version, max(stored_ns) "
                                                       "FROM events GROUP BY source_id, model_id, model_version"):
        if source not in latest or seen > latest[source][0]:
            latest[source] = (seen, model_id, version)
    return [{"source": source, "events": n, "last_sequence": last, "missing": missing, "last_stored_ns": seen,
             "model_id": latest[source][1], "model_version": latest[source][2]}
            for source, n, last, missing, seen in rows]


def models(store: Store, window_s: float = 600.0, low: float = 0.6) -> list[dict]:
    """Return per source and model version over the last ``window_s``: events/min, confidence histogram,
    and the share of events below ``low``."""
    bins = ", ".join(f"sum(CASE WHEN confidence >= {i / BINS} AND (confidence < {(i + 1) / BINS} OR {i} = {BINS - 1}) "
                     "THEN 1 ELSE 0 END)" for i in range(BINS))
    rows = store.query(f"SELECT source_id, model_id, model_version, count(*), "
                       f"sum(CASE WHEN confidence < ? THEN 1 ELSE 0 END), avg(confidence), {bins} FROM events "
                       "WHERE stored_ns >= ? AND type <> 'end' GROUP BY source_id, model_id, model_version "
                       "ORDER BY source_id, model_id, model_version", (low, _since(window_s)))
    return [{"source": s, "model_id": m, "model_version": v, "events": n,
             "events_per_min": round(n / (window_s / 60.0), 3), "low_confidence_share": round(lo / n, 4),
             "low_threshold": low, "mean_confidence": round(mean, 4), "confidence_histogram": list(hist)}
            for s, m, v, n, lo, mean, *hist in rows]


def export(store: Store, since_ns: int = 0, until_ns: int = 2**63 - 1, batch: int = 1000) -> Iterator[dict]:
    """Yield the stored events whose camera stamp is in [since_ns, until_ns), oldest first."""
    after = ("", -1)
    while True:
        rows = store.query(f"SELECT {', '.join(COLUMNS)} FROM events WHERE stamp_ns >= ? AND stamp_ns < ? AND "
                           "(stamp_ns > ? OR (stamp_ns = ? AND event_id > ?)) ORDER BY stamp_ns, event_id LIMIT ?",
                           (since_ns, until_ns, after[1], after[1], after[0], batch))
        for row in rows:
            yield dict(zip(COLUMNS, row, strict=True))
        if len(rows) < batch:
            return
        after = (rows[-1][0], rows[-1][7])
