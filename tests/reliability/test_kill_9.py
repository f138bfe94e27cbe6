"""kill -9 at random moments during an import, a restore and a schema migration: afterwards the database passes
SQLite's integrity check and holds all of the work or none of it, and a backup beside it is whole."""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from old_schema import FIXTURE_CONTACTS, grow_v1

from crm_tui.core.backups import backups_folder
from crm_tui.core.db import SCHEMA_VERSION, close_database, open_database

IMPORT_ROWS = 20_000
GROWN_CONTACTS = 150_000
GROWN_IN_ALL = GROWN_CONTACTS + FIXTURE_CONTACTS
KILLS = 10


def killed(arguments: list[str], after: float) -> int:
    process = subprocess.Popen([sys.executable, "-m", "crm_tui", *arguments], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=60)


def facts(path: Path) -> tuple[str, int, int]:
    connection = sqlite3.connect(path)
    try:
        return (connection.execute("PRAGMA integrity_check").fetchone()[0],
                connection.execute("SELECT count(*) FROM contact").fetchone()[0],
                connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture(scope="module")
def grown_v1(tmp_path_factory) -> Path:
    """A schema-1 database of 150,003 contacts: its migration takes a second or two, long enough to be killed in."""
    path = tmp_path_factory.mktemp("grown") / "v1.sqlite3"
    assert grow_v1(path, GROWN_CONTACTS) == GROWN_IN_ALL
    return path


def test_kill_9_during_an_import_keeps_all_of_it_or_none(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("first_name,last_name,emails\r\n" + "".join(
        f"Person{n},Lee,p{n}@example.com\r\n" for n in range(IMPORT_ROWS)), encoding="utf-8")
    rng = random.Random(16)
    outcomes = []
    for kill in range(KILLS):
        path = tmp_path / f"crm{kill}.sqlite3"
        assert killed(["--db", str(path), "import", str(people)], rng.uniform(0.4, 2.2)) == -signal.SIGKILL
        if path.exists() and path.stat().st_size:
            integrity, count, _ = facts(path)
            assert integrity == "ok" and count in (0, IMPORT_ROWS), (kill, integrity, count)
            outcomes.append(count)
    assert 0 in outcomes  # at least some kills landed while the import was under way


def test_kill_9_during_a_restore_leaves_the_old_database_or_the_new_one(tmp_path, grown_v1):
    source = tmp_path / "source.sqlite3"
    shutil.copyfile(grown_v1, source)
    open_database(source, backup_first=False)
    close_database()
    rng = random.Random(17)
    stopped = []
    for kill in range(5):
        path = tmp_path / f"live{kill}.sqlite3"
        subprocess.run([sys.executable, "-m", "crm_tui", "--db", str(path), "contacts", "add", "--first", "Ann"],
                       check=True, capture_output=True)
        ended = killed(["--db", str(path), "restore", str(source)], rng.uniform(0.3, 1.5))
        integrity, count, version = facts(path)
        assert (integrity, version) == ("ok", SCHEMA_VERSION), kill
        assert count in ((1, GROWN_IN_ALL) if ended == -signal.SIGKILL else (GROWN_IN_ALL,)), kill
        stopped.append(ended == -signal.SIGKILL)
        for safety in backups_folder(path).glob("before-restore-*.sqlite3"):
            assert facts(safety) == ("ok", 1, SCHEMA_VERSION)
    assert any(stopped)


def test_kill_9_during_a_migration_leaves_the_old_schema_or_the_new_and_a_whole_backup(tmp_path, grown_v1):
    rng = random.Random(18)
    versions = []
    for kill in range(5):
        path = tmp_path / f"old{kill}.sqlite3"
        shutil.copyfile(grown_v1, path)
        assert killed(["--db", str(path), "info"], rng.uniform(0.3, 1.6)) == -signal.SIGKILL
        integrity, count, version = facts(path)
        assert integrity == "ok" and count == GROWN_IN_ALL and version in (1, SCHEMA_VERSION), (kill, version)
        versions.append(version)
        for backup in tmp_path.glob(f"{path.name}.v1-*.bak"):
            assert facts(backup) == ("ok", GROWN_IN_ALL, 1)
    assert 1 in versions
