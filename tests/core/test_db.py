"""Opening a database: file permissions, pragmas, schema version, and refusing files that are not ours."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from crm_tui.core import db as dbmod
from crm_tui.core.db import SCHEMA_VERSION, close_database, open_database
from crm_tui.core.errors import DatabaseError
from crm_tui.core.models import Stage, database


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_file_is_private_and_its_new_folder_too(tmp_path):
    path = tmp_path / "new" / "nested" / "crm.sqlite3"
    opened = open_database(path)
    try:
        assert opened.path == path
        assert path.is_file()
        assert mode(path) == 0o600
        assert mode(path.parent) == 0o700
        assert opened.backup_path is None
    finally:
        close_database()


def test_wal_and_shm_files_are_as_private_as_the_database(db):
    from crm_tui.core import contacts

    contacts.create(contacts.ContactDraft(first_name="Private"))
    side_files = [db.path.with_name(db.path.name + suffix) for suffix in ("-wal", "-shm")]
    assert any(path.exists() for path in side_files)
    for path in side_files:
        if path.exists():
            assert mode(path) == 0o600, path


def test_pragmas_are_in_effect(db):
    def pragma(name):
        return database.execute_sql(f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") >= 5000
    assert pragma("synchronous") == 1
    assert pragma("temp_store") == 1  # a file


def test_new_database_has_current_schema_version_and_default_pipeline(db):
    assert db.schema_version == SCHEMA_VERSION
    assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    stages = [(s.name, s.outcome) for s in Stage.select().order_by(Stage.position)]
    assert stages[0] == ("Lead", "open")
    assert {outcome for _, outcome in stages} == {"open", "won", "lost"}


def test_reopening_a_current_database_keeps_data_and_makes_no_backup(tmp_path):
    from crm_tui.core import contacts

    path = tmp_path / "crm.sqlite3"
    open_database(path)
    contacts.create(contacts.ContactDraft(first_name="Kept"))
    close_database()
    again = open_database(path)
    try:
        assert again.backup_path is None
        assert [c.name for c in contacts.iterate()] == ["Kept"]
        assert list(tmp_path.glob("*.bak")) == []
    finally:
        close_database()


def test_empty_existing_file_becomes_a_new_database(tmp_path):
    path = tmp_path / "empty.sqlite3"
    path.write_bytes(b"")
    opened = open_database(path)
    try:
        assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert opened.backup_path is None
    finally:
        close_database()


def refused_unchanged(path) -> str:
    """Open `path`, expect DatabaseError, check not a byte changed and no side file appeared; return the message."""
    before = path.read_bytes()
    neighbours = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(DatabaseError) as raised:
        open_database(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == neighbours
    return str(raised.value)


def test_non_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world" * 10)
    path.chmod(0o644)
    message = refused_unchanged(path)
    assert "not a SQLite database" in message
    assert mode(path) == 0o644


def test_file_from_newer_crm_tui_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contact (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO contact (name) VALUES ('from the future')")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    message = refused_unchanged(path)
    assert str(SCHEMA_VERSION + 1) in message


def test_sqlite_database_of_another_program_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org/')")
    conn.commit()
    conn.close()
    message = refused_unchanged(path)
    assert "another program" in message


def test_directory_given_as_database_is_refused(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(DatabaseError):
        open_database(folder)


def test_schema_version_follows_the_migrations_table():
    assert SCHEMA_VERSION == max(dbmod.MIGRATIONS) + 1
    assert sorted(dbmod.MIGRATIONS) == list(range(1, SCHEMA_VERSION))
