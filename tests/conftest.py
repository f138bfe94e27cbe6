"""Shared fixtures: every test gets its own database in tmp_path and never sees the user's real files."""

from __future__ import annotations

import time

import pytest
from hypothesis import settings

from crm_tui.core import contacts
from crm_tui.core.db import close_database, open_database

# Modest, reproducible property tests: no wall-clock deadline (CI machines vary), no example database on disk.
settings.register_profile("crm-tui", max_examples=200, deadline=None, database=None)
settings.load_profile("crm-tui")


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path, monkeypatch):
    """Point the default database, data and config dirs into tmp_path, so no test can touch a person's CRM."""
    monkeypatch.setenv("CRM_TUI_DB", str(tmp_path / "default-crm.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def db(tmp_path):
    opened = open_database(tmp_path / "crm.sqlite3")
    yield opened
    close_database()


@pytest.fixture
def make_contact(db):
    """Create a contact from keyword arguments (ContactDraft fields); the tags and emails may be lists."""

    def make(**fields) -> contacts.ContactData:
        fields.setdefault("first_name", "Anna")
        return contacts.create(contacts.ContactDraft(**fields))

    return make


@pytest.fixture
def local_zone(monkeypatch):
    """Set the machine's local time zone for one test, `local_zone("Asia/Tokyo")`; put back afterwards."""

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def tokyo(local_zone):
    """Local time is Japan's (UTC+9, no daylight saving), whatever the machine says."""
    local_zone("Asia/Tokyo")


@pytest.fixture
def amsterdam(local_zone):
    """Local time is Amsterdam's (CET/CEST), whatever the machine says."""
    local_zone("Europe/Amsterdam")
