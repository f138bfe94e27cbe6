"""Migrating a real schema-version-1 database (tests/fixtures/schema_v1.sql) to the current schema."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from crm_tui.core import contacts, search
from crm_tui.core.db import SCHEMA_VERSION, close_database, open_database
from crm_tui.core.models import Change, database

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
    hits = search.search_all("emile")
    assert [(hit.kind, hit.id) for hit in hits] == [("contact", emile.id)]
    assert [c.name for c in contacts.iterate(text="charpentier")] == ["Émile Zola"]
    assert {hit.kind for hit in search.search_all("华信科技有限公司")} == {"contact", "company"}
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
