"""Migrating a real schema-version-1 database (tests/fixtures/schema_v1.sql) to the current schema."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from schema_versions import make_version_7

from crm_tui.core import contacts, db as core_db, search_index
from crm_tui.core.audit import undo
from crm_tui.core.db import SCHEMA_VERSION, close_database, open_database
from crm_tui.core.models import CONTACT_SORT_KEYS_INDEX, Change, database
from crm_tui.core.records import set_source

FIXTURE = Path(__file__).parent.parent / "fixtures" / "schema_v1.sql"


def load_v1(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE.read_text("utf-8"))
    conn.close()
    return path


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def schema_names() -> set[tuple[str, str]]:
    rows = database.execute_sql("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'index')").fetchall()
    return set(rows)


def schema_columns() -> dict[str, list[tuple]]:
    """Every table's columns (name, type, not null, default, primary key), as SQLite reports them."""
    tables = [row[0] for row in database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {table: [tuple(column[1:]) for column in database.execute_sql(f'PRAGMA table_info("{table}")')]
            for table in tables}


@pytest.fixture
def migrated(tmp_path):
    path = load_v1(tmp_path / "old.sqlite3")
    assert user_version(path) == 1
    opened = open_database(path)
    yield opened
    close_database()


def test_fixture_is_a_version_1_database_without_search_index(tmp_path):
    path = load_v1(tmp_path / "v1.sqlite3")
    conn = sqlite3.connect(path)
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert user_version(path) == 1
    assert "contact" in names and "contact_fts" not in names


def test_migration_brings_schema_to_current_version(migrated):
    assert migrated.schema_version == SCHEMA_VERSION
    assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_migration_leaves_a_private_backup_of_the_old_version(migrated):
    backup = migrated.backup_path
    assert backup is not None and backup.exists()
    assert backup.parent == migrated.path.parent
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert user_version(backup) == 1
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("SELECT count(*) FROM contact").fetchone()[0] == 3
    finally:
        conn.close()


def test_migrated_records_are_kept_and_searchable(migrated):
    names = {c.name: c for c in contacts.iterate()}
    assert set(names) == {"Émile Zola", "秀英 王", "Anna de Vries"}
    emile = names["Émile Zola"]
    assert emile.company == "Éditions Charpentier"
    assert emile.emails == ["emile.zola@charpentier.fr"]
    assert emile.tags == ["Auteur", "VIP"]
    assert names["Anna de Vries"].emails == ["anna.devries@ziggo.nl", "anna@devries.nl"]
    assert Change.select().count() == 5
    hits = search_index.search_all("emile")
    assert [(hit.kind, hit.id) for hit in hits] == [("contact", emile.id)]
    assert [c.name for c in contacts.iterate(text="charpentier")] == ["Émile Zola"]
    assert {hit.kind for hit in search_index.search_all("华信科技有限公司")} == {"contact", "company"}
    assert contacts.count(tag="vip") == 2


def test_migrated_database_can_be_written_and_reopened_without_another_backup(migrated):
    created = contacts.create(contacts.ContactDraft(first_name="Nieuw", tags=["VIP"]))
    assert contacts.count(tag="VIP") == 3
    close_database()
    again = open_database(migrated.path)
    assert again.backup_path is None
    assert contacts.get(created.id).name == "Nieuw"


def test_migrated_schema_has_the_same_tables_and_indexes_as_a_new_one(tmp_path, migrated):
    after_migration = schema_names()
    close_database()
    open_database(tmp_path / "fresh.sqlite3")
    fresh = schema_names()
    assert ("table", "contact_fts") in fresh
    assert after_migration == fresh


def test_migrated_columns_are_those_of_a_new_database(tmp_path, migrated):
    after_migration = schema_columns()
    close_database()
    open_database(tmp_path / "fresh.sqlite3")
    fresh = schema_columns()
    assert ("undoes", "TEXT", 0, None, 0) in fresh["change"]
    assert after_migration == fresh


def test_version_2_database_migrates_to_the_current_version_with_a_backup(tmp_path, monkeypatch):
    path = load_v1(tmp_path / "v2.sqlite3")
    monkeypatch.setattr(core_db, "SCHEMA_VERSION", 2)
    open_database(path)
    close_database()
    monkeypatch.undo()
    assert user_version(path) == 2
    conn = sqlite3.connect(path)
    assert "undoes" not in {row[1] for row in conn.execute("PRAGMA table_info(change)")}
    conn.close()
    opened = open_database(path)
    try:
        assert opened.schema_version == user_version(path) == SCHEMA_VERSION == 8
        assert opened.backup_path is not None and opened.backup_path.name.startswith("v2.sqlite3.v2-")
        assert ("index", "change_undoes") in schema_names()
        assert ("index", CONTACT_SORT_KEYS_INDEX) in schema_names()
        assert Change.select().where(Change.undoes.is_null(False)).count() == 0
        assert contacts.count() == 3
    finally:
        close_database()


def test_changes_logged_before_batches_existed_are_undone_one_at_a_time(migrated):
    assert undo.undo_last() == "Undid: added contact 'Anna de Vries'"
    assert undo.undo_last() == "Undid: added contact '秀英 王'"
    assert {c.name for c in contacts.iterate()} == {"Émile Zola"}


def test_a_schema_7_database_gains_redo_sources_saved_searches_and_dismissals(tmp_path):
    path = tmp_path / "v7.sqlite3"
    open_database(path)
    kept = contacts.create(contacts.ContactDraft(first_name="Kept"))
    close_database()
    conn = sqlite3.connect(path)
    fresh = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    make_version_7(conn)
    conn.commit()
    conn.close()
    opened = open_database(path)
    try:
        assert opened.schema_version == SCHEMA_VERSION and opened.backup_path is not None
        assert {row[0] for row in database.execute_sql("SELECT name FROM sqlite_master")} == fresh
        old = Change.get(Change.entity_id == kept.id)
        assert (old.source, old.redoes) == ("", None)
        set_source("cli")
        contacts.update(kept.id, kept.version, title="CTO")
        assert Change.select().order_by(Change.id.desc()).first().source == "cli"
    finally:
        close_database()
