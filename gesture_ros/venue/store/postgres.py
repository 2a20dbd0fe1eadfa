"""The shared store: PostgreSQL through psycopg 3 (several venue servers may write to one database)."""

from __future__ import annotations

import psycopg

from gesture_ros.venue.store.base import Store


def _redacted(url: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    return f"postgresql {info.get('host', '')}:{info.get('port', '')}/{info.get('dbname', '')}"


class PostgresStore(Store):
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        conn = psycopg.connect(url, connect_timeout=10)
        with conn.cursor() as cur:  # two servers starting together must not both migrate
            cur.execute("SELECT pg_advisory_lock(2929)")
        try:
            super().__init__(conn, _redacted(url))
        finally:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(2929)")
            conn.commit()
