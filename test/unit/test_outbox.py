"""The SQLite outbox: durable order, bounds and policies, counting, refused rows, failures."""

import logging
import os
import sqlite3
import subprocess
from contextlib import contextmanager

import pytest

from gesture_ros.bridge.outbox import (
    Durability,
    Entry,
    FullPolicy,
    Outbox,
    OutboxLimits,
    OutboxWriteError,
)
from gesture_ros.bridge.writer import OutboxWriter


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
    with Outbox(tmp_path / "o.db", OutboxLimits(100, 60.0, FullPolicy.REJECT_NEW), monotonic_ns=clock) as outbox:
        outbox.put_many(_entries(2))
        clock.advance(61)
        assert outbox.oldest_age_s() == pytest.approx(61)
        assert outbox.put_many(_entries(1, 2)) == 0
        assert outbox.counters.rejected_full == 1 and outbox.depth == 2


def test_max_age_expires_old_under_drop_oldest(tmp_path):
    clock = Clock()
    with Outbox(tmp_path / "o.db", OutboxLimits(100, 60.0, FullPolicy.DROP_OLDEST), monotonic_ns=clock) as outbox:
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


@pytest.mark.parametrize("damage", ["not_sqlite", "torn_pages"])
def test_a_corrupt_outbox_is_moved_aside_and_a_fresh_one_started(tmp_path, caplog, damage):
    bad = tmp_path / "o.db"
    if damage == "not_sqlite":
        bad.write_bytes(b"this is not sqlite" * 100)
    else:  # a real outbox whose pages were overwritten (a failing card, a torn write)
        with Outbox(bad) as outbox:
            outbox.put_many(_entries(300))
        data = bytearray(bad.read_bytes())
        data[4096:4096 * 3] = os.urandom(4096 * 2)
        bad.write_bytes(bytes(data))
    original = bad.read_bytes()
    with Outbox(bad) as fresh:
        assert fresh.depth == 0 and fresh.put_many(_entries(2)) == 2
        assert fresh.moved_aside is not None and fresh.moved_aside.read_bytes() == original  # kept for recovery
    assert f"outbox {bad} is unreadable" in caplog.text and str(fresh.moved_aside) in caplog.text
    assert [r.levelno for r in caplog.records if "unreadable" in r.message] == [logging.ERROR]


def test_a_wall_clock_jump_neither_ages_nor_drops_the_backlog(tmp_path):
    wall, mono = Clock(), Clock()
    day = 86400.0
    for policy in FullPolicy:
        path = tmp_path / f"{policy.value}.db"
        with Outbox(path, OutboxLimits(100, day, policy), clock_ns=wall, monotonic_ns=mono) as outbox:
            outbox.put_many(_entries(3))
            mono.advance(10)
            wall.advance(10 + 2 * day)  # NTP steps a clock-less device from its boot time to today
            assert outbox.oldest_age_s() == pytest.approx(10)
            assert outbox.put_many(_entries(1, 3)) == 1  # reject_new still accepts
            assert outbox.expire() == 0 and outbox.depth == 4  # drop_oldest keeps the backlog
            wall.advance(-3 * day)  # and a step back makes nothing younger
            mono.advance(5)
            assert outbox.oldest_age_s() == pytest.approx(15)


def test_ages_survive_a_restart_on_the_outbox_clock(tmp_path):
    mono = Clock()
    path = tmp_path / "o.db"
    with Outbox(path, OutboxLimits(100, 60.0, FullPolicy.DROP_OLDEST), monotonic_ns=mono) as outbox:
        outbox.put_many(_entries(2))
        mono.advance(40)
    reboot = Clock()
    reboot.ns = 7  # the monotonic clock starts again near 0 after a reboot
    with Outbox(path, OutboxLimits(100, 60.0, FullPolicy.DROP_OLDEST), monotonic_ns=reboot) as again:
        assert again.oldest_age_s() == pytest.approx(40)  # time it ran before counts; downtime does not
        reboot.advance(21)
        assert again.expire() == 2 and again.counters.dropped_expired == 2


@contextmanager
def _small_disk(tmp_path, size="192k"):
    """A tmpfs of ``size`` mounted in tmp_path (root only), unmounted afterwards."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.fail("the disk-full tests mount a tmpfs: run them as root (CI does)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(outbox, batch=10):
    """Insert until the disk refuses; return the OutboxWriteError and how many were accepted."""
    accepted = 0
    for i in range(100_000):
        try:
            accepted += outbox.put_many([Entry(f"f{i}-{j}", "t", os.urandom(400)) for j in range(batch)])
        except OutboxWriteError as exc:
            return exc, accepted
    raise AssertionError("the small disk never filled")


def test_disk_full_is_a_counted_refusal_with_one_error(tmp_path, caplog):
    with _small_disk(tmp_path) as disk:
        outbox = Outbox(disk / "o.db")
        try:
            exc, accepted = _fill(outbox)
            assert exc.disk_full and "the disk is full" in str(exc)  # not "cannot rollback"
            assert outbox.counters.rejected_disk_full == 10 and outbox.depth == accepted
            writer = OutboxWriter(outbox)
            writer.start()
            for i in range(30):
                assert writer.submit(Entry(f"w{i}", "t", os.urandom(8000)))
                assert writer.flush()
            writer.stop()
            c = outbox.counters
            assert c.rejected_disk_full >= 30 and c.accepted + c.rejected_disk_full == accepted + 10 + 30
            assert c.rejected_full == 0  # a full disk is not a full outbox
            errors = [r.message for r in caplog.records if r.levelno >= logging.WARNING]
            assert len(errors) == 1 and "the disk is full; they were NOT accepted" in errors[0], errors
            assert [r.event_id for r in outbox.pending(0, 100_000)][-1] == f"f{accepted // 10 - 1}-9"
        finally:
            outbox.close()


def test_durability_is_restored_after_a_failed_delete(tmp_path):
    with _small_disk(tmp_path) as disk:
        outbox = Outbox(disk / "o.db", durability=Durability.FULL)
        try:
            _fill(outbox)
            with pytest.raises(OutboxWriteError):
                for _ in range(200):  # the delete's WAL frames need room the disk no longer has
                    rows = outbox.pending(0, 50)
                    outbox.delete(r.row_id for r in rows)
            assert outbox.synchronous() is Durability.FULL
            assert sqlite3.connect(disk / "o.db").execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            outbox.close()
