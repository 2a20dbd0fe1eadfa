"""The SQLite outbox: durable order, bounds and policies, counting, refused rows."""

import sqlite3

import pytest

from gesture_ros.bridge.outbox import Durability, Entry, FullPolicy, Outbox, OutboxError, OutboxLimits


class Clock:
    def __init__(self) -> None:
        self.ns = 1_000_000_000_000

    def __call__(self) -> int:
        return self.ns

    def advance(self, seconds: float) -> None:
        self.ns += int(seconds * 1e9)


def _entries(n, start=0):
    return [Entry(f"e{i}", "venues/v/devices/cam1/gestures", f'{{"i":{i}}}'.encode()) for i in range(start, start + n)]


def _ids(outbox):
    return [r.event_id for r in outbox.pending(0, 10_000)]


def test_uses_wal_and_survives_reopen_in_order(tmp_path):
    path = tmp_path / "outbox.db"
    with Outbox(path) as outbox:
        assert outbox.put_many(_entries(5)) == 5
    with Outbox(path) as again:
        assert again.depth == 5 and _ids(again) == [f"e{i}" for i in range(5)]
        again.delete([r.row_id for r in again.pending(0, 2)])
    with Outbox(path) as third:
        assert _ids(third) == ["e2", "e3", "e4"]
        assert third.put(_entries(1, 5)[0])
        assert [r.row_id for r in third.pending()] == sorted(r.row_id for r in third.pending())
        assert third.pending()[-1].row_id > 5  # AUTOINCREMENT: ids are never reused
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_committed_rows_are_visible_to_another_connection(tmp_path):
    path = tmp_path / "outbox.db"
    with Outbox(path, durability=Durability.NORMAL) as outbox:
        outbox.put_many(_entries(3))
        other = sqlite3.connect(path)
        assert other.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 3
        other.close()


def test_reject_new_keeps_the_old_and_counts(tmp_path):
    with Outbox(tmp_path / "o.db", OutboxLimits(max_events=3)) as outbox:
        assert outbox.put_many(_entries(5)) == 3
        assert not outbox.put(_entries(1, 9)[0])
        assert _ids(outbox) == ["e0", "e1", "e2"]
        assert outbox.counters.rejected_full == 3 and outbox.counters.accepted == 3


def test_drop_oldest_keeps_the_newest_and_counts(tmp_path):
    with Outbox(tmp_path / "o.db", OutboxLimits(3, 0, FullPolicy.DROP_OLDEST)) as outbox:
        assert outbox.put_many(_entries(2)) == 2
        assert outbox.put_many(_entries(3, 2)) == 3
        assert _ids(outbox) == ["e2", "e3", "e4"]
        assert outbox.counters.dropped_oldest == 2 and outbox.depth == 3


def test_max_age_rejects_new_under_reject_new(tmp_path):
    clock = Clock()
    with Outbox(tmp_path / "o.db", OutboxLimits(100, 60.0, FullPolicy.REJECT_NEW), clock_ns=clock) as outbox:
        outbox.put_many(_entries(2))
        clock.advance(61)
        assert outbox.oldest_age_s() == pytest.approx(61)
        assert outbox.put_many(_entries(1, 2)) == 0
        assert outbox.counters.rejected_full == 1 and outbox.depth == 2


def test_max_age_expires_old_under_drop_oldest(tmp_path):
    clock = Clock()
    with Outbox(tmp_path / "o.db", OutboxLimits(100, 60.0, FullPolicy.DROP_OLDEST), clock_ns=clock) as outbox:
        outbox.put_many(_entries(2))
        clock.advance(30)
        outbox.put_many(_entries(1, 2))
        clock.advance(31)
        assert outbox.expire() == 2
        assert _ids(outbox) == ["e2"] and outbox.counters.dropped_expired == 2


def test_limits_change_at_run_time(tmp_path):
    with Outbox(tmp_path / "o.db", OutboxLimits(10)) as outbox:
        outbox.put_many(_entries(5))
        outbox.set_limits(OutboxLimits(4))
        assert outbox.put_many(_entries(1, 5)) == 0


def test_refused_rows_move_to_their_own_table(tmp_path):
    with Outbox(tmp_path / "o.db") as outbox:
        outbox.put_many(_entries(2))
        row = outbox.pending()[0]
        outbox.refuse(row, "too large")
        assert _ids(outbox) == ["e1"] and outbox.counters.refused == 1
        assert [r.event_id for r in outbox.refused_rows()] == ["e0"]


def test_delete_counts_only_existing_rows(tmp_path):
    with Outbox(tmp_path / "o.db") as outbox:
        outbox.put_many(_entries(2))
        ids = [r.row_id for r in outbox.pending()]
        assert outbox.delete(ids + [999]) == 2
        assert outbox.delete(ids) == 0
        assert outbox.depth == 0 and outbox.counters.delivered == 2


def test_a_file_that_is_not_an_outbox_is_named(tmp_path):
    bad = tmp_path / "not.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(OutboxError, match=str(bad)):
        Outbox(bad)
