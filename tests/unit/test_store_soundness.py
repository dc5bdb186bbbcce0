"""store/soundness.py: SQLite's whole-file check runs once after each change of the cache, not at every open."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

from console.store import Cache, soundness
from console.store.schema import DatabaseError
from tests.unit.test_store_cache import SYNCED, sub

HOUR = 3600


def settle(path):
    """As if the file was last written an hour ago (a stamp is never taken of a file written seconds ago)."""
    old = time.time() - HOUR
    os.utime(path, (old, old))


def made(tmp_path, n=300):
    path = tmp_path / "c.sqlite3"
    cache = Cache(path)
    cache.upsert_subscriptions([sub(f"sub_{i:05d}", comment="x" * 300) for i in range(n)], synced_at=SYNCED)
    cache.close()
    settle(path)
    return path


def test_a_cache_that_passed_the_check_is_not_checked_again_until_it_changes(tmp_path):
    path = made(tmp_path)
    first = Cache(path, check=False)
    assert first.unchecked and len(first.read_checked(lambda: first.queue())) == 300
    first.close()
    assert soundness.record(path).exists() and soundness.known_sound(path)
    again = Cache(path, check=False)
    assert not again.unchecked  # unchanged since it passed: read at once, no second pass over the file
    again.upsert_subscriptions([sub("sub_new")], synced_at=SYNCED)
    again.close()
    assert not soundness.known_sound(path)  # written: its next open checks it again
    changed = Cache(path, check=False)
    assert changed.unchecked
    changed.close()


def test_a_file_written_moments_ago_gets_no_stamp_and_a_stamp_taken_before_a_write_does_not_hold(tmp_path):
    path = made(tmp_path)
    os.utime(path)  # written now: a second write within the clock tick would leave its time as it is
    assert soundness.stamp(path) is None
    Cache(path, check=False).verify()
    assert not soundness.record(path).exists()
    settle(path)
    before = soundness.stamp(path)
    with sqlite3.connect(path) as db:  # a write while the check reads (another console's sync)
        db.execute("UPDATE subscriptions SET comment = 'changed' WHERE id = 'sub_00001'")
    settle(path)
    soundness.remember_sound(path, before)
    assert not soundness.known_sound(path)


@pytest.mark.parametrize("how", ["overwritten", "replaced"])
def test_damage_after_a_passed_check_is_found_and_the_file_set_aside(tmp_path, how):
    """Eight pages overwritten in place (the same size, the same inode) or the file replaced by a damaged copy:
    either changes its stamp, so the next read is checked, and damage is never an answer."""
    path = made(tmp_path, 3000)
    Cache(path, check=False).verify()
    assert soundness.known_sound(path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 8 * 4096] = b"\xa5" * (8 * 4096)
    if how == "overwritten":
        with path.open("r+b") as f:
            f.write(bytes(data))
    else:
        copy = tmp_path / "copy"
        copy.write_bytes(bytes(data))
        copy.replace(path)
    damaged = Cache(path, check=False)
    assert damaged.unchecked
    with pytest.raises(DatabaseError, match="moved aside"):
        damaged.read_checked(lambda: damaged.queue_spool(SYNCED))
    assert not soundness.record(path).exists()  # what was said of the file went with it
    damaged.close()


def test_a_stamp_that_cannot_be_kept_or_read_means_the_file_is_checked_again(tmp_path):
    path = made(tmp_path)
    soundness.record(path).mkdir()  # unwritable and unreadable as a file (a read-only folder does the same)
    cache = Cache(path, check=False)
    assert cache.verify() and not soundness.known_sound(path)
    cache.close()
    assert Cache(path, check=False).unchecked
    soundness.record(path).rmdir()
    soundness.record(path).write_bytes(b"\xff\xfe not a stamp")
    assert Cache(path, check=False).unchecked


def test_a_checked_open_skips_the_check_of_an_unchanged_file_and_records_a_passed_one(tmp_path, monkeypatch):
    path = made(tmp_path)
    checks = []
    real = sqlite3.connect

    def counting(*args, **kwargs):
        conn = real(*args, **kwargs)
        conn.set_trace_callback(lambda sql: checks.append(sql) if "quick_check" in sql else None)
        return conn

    monkeypatch.setattr(sqlite3, "connect", counting)
    Cache(path).close()  # settled and never checked: checked as it opens, and recorded
    assert len(checks) == 1 and soundness.known_sound(path)
    Cache(path).close()
    assert len(checks) == 1  # unchanged since: not read through again
