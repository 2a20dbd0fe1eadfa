"""One store API over SQLite (embedded default) and PostgreSQL (``postgresql://...``)."""

from __future__ import annotations

from gesture_ros.venue.store.base import Store, StoredEvent


def open_store(url: str) -> Store:
    """Open (and migrate) the store at ``url``: a file path, ``sqlite:///path`` or ``postgresql://...``."""
    if url.startswith(("postgresql://", "postgres://")):
        from gesture_ros.venue.store.postgres import PostgresStore

        return PostgresStore(url)
    from gesture_ros.venue.store.sqlite import SqliteStore

    return SqliteStore(url.removeprefix("sqlite:///").removeprefix("sqlite://"))


__all__ = ["Store", "StoredEvent", "open_store"]
