"""The automatic backups: one a day on the first start, one a week, rotated to the newest 7 and 4 (or as set), and
nothing else in the folder touched; and a copy made while another connection writes holds only what was committed."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import date, datetime, timedelta

from crm_tui import config
from crm_tui.core import backups, contacts


def kept(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_the_first_start_of_a_day_makes_a_daily_and_a_weekly_copy_and_later_starts_none(db, make_contact):
    make_contact(first_name="Ann")
    monday = date(2026, 12, 7)
    made = backups.daily_backup(db.path, monday)
    assert made is not None and made.path.name == "daily-2026-12-07.sqlite3"
    assert backups.daily_backup(db.path, monday) is None
    folder = backups.backups_folder(db.path)
    assert kept(folder) == ["daily-2026-12-07.sqlite3", "weekly-2026-W50.sqlite3"]
    with sqlite3.connect(folder / "weekly-2026-W50.sqlite3") as copy:
        assert copy.execute("SELECT first_name FROM contact").fetchall() == [("Ann",)]


def test_rotation_keeps_the_newest_days_and_weeks_and_nothing_else_is_touched(db, make_contact):
    make_contact(first_name="Ann")
    folder = backups.backups_folder(db.path)
    folder.mkdir()
    (folder / "my-notes.txt").write_text("mine")
    (folder / "daily-notes.sqlite3").write_text("not a name of ours")
    start = date(2026, 11, 1)
    for day in range(40):
        backups.daily_backup(db.path, start + timedelta(days=day), keep_daily=7, keep_weekly=4)
    names = kept(folder)
    assert [name for name in names if name.startswith("daily-2")] == [
        f"daily-{start + timedelta(days=day)}.sqlite3" for day in range(33, 40)]
    assert [name for name in names if name.startswith("weekly-")] == [
        "weekly-2026-W47.sqlite3", "weekly-2026-W48.sqlite3", "weekly-2026-W49.sqlite3", "weekly-2026-W50.sqlite3"]
    assert {"my-notes.txt", "daily-notes.sqlite3"} <= set(names)
    assert [backup.kind for backup in backups.list_backups(db.path)] == ["daily"] * 7 + ["weekly"] * 4


def test_keeping_no_daily_backups_turns_them_off(db, make_contact):
    make_contact(first_name="Ann")
    assert backups.daily_backup(db.path, date(2026, 12, 7), keep_daily=0) is None
    assert not backups.backups_folder(db.path).exists()


def test_a_copy_killed_part_way_is_cleared_away_after_an_hour(db, make_contact):
    make_contact(first_name="Ann")
    folder = backups.backups_folder(db.path)
    folder.mkdir()
    old, fresh = folder / ".daily-2026-12-01.sqlite3.abc.partial", folder / ".manual-x.sqlite3.def.partial"
    for partial in (old, fresh):
        partial.write_bytes(b"half a copy")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(old, (two_hours_ago, two_hours_ago))
    backups.daily_backup(db.path, date(2026, 12, 7))
    assert not old.exists() and fresh.exists()  # a fresh one may be another process's copy under way


def test_a_copy_made_while_another_connection_writes_holds_only_what_was_committed(db, make_contact):
    make_contact(first_name="Ann")
    writer = sqlite3.connect(db.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO tag (name, name_key, created_at) VALUES ('uncommitted', 'uncommitted', "
                   "'2026-12-07T09:30:00')")
    try:
        made = backups.make_backup(db.path, datetime(2026, 12, 7, 9, 30))
    finally:
        writer.execute("COMMIT")
        writer.close()
    with sqlite3.connect(made.path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT first_name FROM contact").fetchall() == [("Ann",)]
        assert copy.execute("SELECT count(*) FROM tag").fetchone() == (0,)
    assert contacts.count() == 1


def test_the_settings_name_how_many_backups_to_keep_and_mistakes_are_reported():
    assert config.kept_backups({}) == (7, 4)
    assert config.kept_backups({"backups_daily": 0, "backups_weekly": 12}) == (0, 12)
    settings = {"backups_daily": "seven", "backups_weekly": -1}
    assert config.kept_backups(settings) == (7, 4)
    problems = config.settings_problems(settings)
    assert any("backups_daily = 'seven' is not a whole number of backups" in problem for problem in problems)
    assert any("backups_weekly = -1" in problem for problem in problems)
