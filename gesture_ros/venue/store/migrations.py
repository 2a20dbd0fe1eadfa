"""The schema, as numbered steps; a store runs the steps above its ``schema_version`` once, in order.

Types are the ones both SQLite and PostgreSQL read the same way (TEXT, BIGINT, DOUBLE PRECISION).
Append a step to change the schema; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "events and devices", [
        """CREATE TABLE events (
            event_id TEXT PRIMARY KEY,
            source_id TEXT NOT NULL,
            person_id BIGINT NOT NULL,
            sequence BIGINT NOT NULL,
            gesture TEXT NOT NULL,
            type TEXT NOT NULL,
            confidence DOUBLE PRECISION NOT NULL,
            stamp_ns BIGINT NOT NULL,
            start_ns BIGINT NOT NULL,
            end_ns BIGINT NOT NULL,
            frame_id TEXT NOT NULL,
            handedness TEXT NOT NULL,
            model_id TEXT NOT NULL,
            model_version TEXT NOT NULL,
            topic TEXT NOT NULL,
            received_ns BIGINT NOT NULL,
            stored_ns BIGINT NOT NULL)""",
        "CREATE INDEX events_stored ON events (stored_ns)",
        "CREATE INDEX events_stamp ON events (stamp_ns)",
        """CREATE TABLE devices (
            device TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            last_heartbeat_ns BIGINT NOT NULL,
            outbox_depth BIGINT)""",
    ]),
    (2, "per-source sequence lookups (gaps)", [
        "CREATE INDEX events_source_sequence ON events (source_id, sequence)",
    ]),
]

LATEST = MIGRATIONS[-1][0]
