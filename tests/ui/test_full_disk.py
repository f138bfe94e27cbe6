"""The app on a full disk (simulated with SQLite's max_page_count): a save that does not fit says so in the form,
keeps what was typed, loses nothing saved before, and goes through once there is room."""

from __future__ import annotations

import sqlite3

from helpers import press, screen_text, settle
from test_forms import fill

from crm_tui.core import contacts, db
from crm_tui.core.errors import DiskFullError
from crm_tui.ui.app import CrmApp
from crm_tui.ui.screens.contacts.form import ContactFormScreen


def fill_to_the_brim(path) -> int:
    """A database whose every page is in use, with the size limit set where it stands: the next write fails."""
    db.open_database(path)
    contacts.create(contacts.ContactDraft(first_name="Ann", last_name="Lee"))
    db.close_database()
    connection = sqlite3.connect(path)
    (pages,) = connection.execute("PRAGMA page_count").fetchone()
    connection.close()
    db.PRAGMAS["max_page_count"] = pages + 4
    db.open_database(path)
    stored = 1
    try:
        while True:
            contacts.create(contacts.ContactDraft(first_name=f"Filler{stored}", notes="words " * 40))
            stored += 1
    except DiskFullError:
        return stored


async def test_a_save_on_a_full_disk_is_refused_in_the_form_and_succeeds_once_there_is_room(tmp_path, monkeypatch):
    monkeypatch.setitem(db.PRAGMAS, "max_page_count", 0)
    path = tmp_path / "crm.sqlite3"
    stored = fill_to_the_brim(path)
    app = CrmApp(db.open_database(path, cache_kib=2048))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await press(app, pilot, "a")
            assert isinstance(app.screen, ContactFormScreen)
            await fill(app, pilot, {"first_name": "Zed", "last_name": "Okafor"})
            app.screen.query_one("#notes").load_text("met at the fair " * 20)  # more than the pages have room for
            await press(app, pilot, "ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, ContactFormScreen)
            assert "the disk is full" in screen_text(app)
            assert app.screen.query_one("#first_name").value == "Zed"
            assert contacts.count() == stored

            db.database.pragma("max_page_count", 1_000_000, permanent=True)  # room made: every connection sees it
            await press(app, pilot, "ctrl+s")
            await settle(app, pilot)
            assert not isinstance(app.screen, ContactFormScreen)
        assert contacts.count() == stored + 1
        (zed,) = contacts.list_page(text="Okafor", limit=5).items
        assert (zed.name, contacts.get(zed.id).notes.count("met at the fair")) == ("Zed Okafor", 20)
        assert db.database.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close_database()
