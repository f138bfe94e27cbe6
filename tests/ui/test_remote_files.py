"""Over SSH ($CRM_TUI_FILES_DIR set by the server) the import flow and the export dialog read and write files in
the user's own folder only: `~` and relative paths are in it, completion lists it, and a path out of it is refused
under the field and never followed."""

from __future__ import annotations

import csv
import stat
from datetime import date

import pytest
from helpers import press, screen_text, settle, shown
from textual.widgets import Input, Label

from crm_tui.core.models import Contact
from crm_tui.ui.screens.interop.export_dialog import ExportScreen
from crm_tui.ui.screens.interop.import_flow import ImportScreen, complete_path

PEOPLE = "first_name,last_name,emails\r\nAnna,Berg,anna@example.com\r\nBram,de Vries,bram@example.com\r\n"
TODAY = date(2026, 11, 28)


@pytest.fixture
def files(tmp_path, monkeypatch):
    """The files folder of the SSH server's user ann (not made yet), the session's working directory elsewhere."""
    folder = tmp_path / "users" / "ann" / "files"
    monkeypatch.setenv("CRM_TUI_FILES_DIR", str(folder))
    elsewhere = tmp_path / "server"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return folder


def refusal(typed: str, folder) -> str:
    return f"{typed} is outside your folder: over SSH, files live in {folder}"


async def type_path(app, pilot, text: str) -> None:
    field = app.screen.query_one("#import-path", Input)
    field.focus()
    await pilot.press(*text)
    await settle(app, pilot)


async def test_a_relative_path_imports_from_the_files_folder_not_the_working_directory(db, files, tmp_path):
    files.mkdir(parents=True)
    (files / "people.csv").write_text(PEOPLE, encoding="utf-8")
    (tmp_path / "server" / "people.csv").write_text("first_name\r\nMallory\r\n", encoding="utf-8")
    async with shown(ImportScreen()) as (app, pilot):
        await type_path(app, pilot, "people.csv")
        assert "CSV, contacts" in screen_text(app)
        await press(app, pilot, "enter", "c")
        assert "Would create 2" in screen_text(app)
        await press(app, pilot, "enter")
        assert "Created 2, updated 0, skipped 0, rejected 0" in screen_text(app)
    assert sorted(contact.first_name for contact in Contact.select()) == ["Anna", "Bram"]


@pytest.mark.parametrize("typed", ["/etc/passwd", "../../bob/files/people.csv", "~/../secret.csv", "elsewhere.csv"])
async def test_a_path_out_of_the_files_folder_is_refused_under_the_field(db, files, tmp_path, typed):
    (tmp_path / "users" / "bob" / "files").mkdir(parents=True)
    (tmp_path / "users" / "bob" / "files" / "people.csv").write_text(PEOPLE, encoding="utf-8")
    (tmp_path / "users" / "ann" / "secret.csv").parent.mkdir(parents=True)
    (tmp_path / "users" / "ann" / "secret.csv").write_text(PEOPLE, encoding="utf-8")
    files.mkdir()
    (files / "elsewhere.csv").symlink_to(tmp_path / "users" / "bob" / "files" / "people.csv")
    async with shown(ImportScreen()) as (app, pilot):
        await type_path(app, pilot, typed)
        assert "CSV, contacts" not in screen_text(app)
        await press(app, pilot, "enter")
        error = app.screen.query_one("#import-error", Label)
        assert error.display and str(error.render()) == refusal(typed, files)
        assert app.screen.query_one("#import-path", Input).display
    assert Contact.select().count() == 0


async def test_a_rejects_file_that_would_lead_out_of_the_files_folder_stops_the_import(db, files, tmp_path):
    files.mkdir(parents=True)
    (files / "people.csv").write_text(PEOPLE + "Dora,Kim,not an email\r\n", encoding="utf-8")
    (files / "people.rejects.csv").symlink_to(tmp_path / "server.conf")
    async with shown(ImportScreen("people.csv")) as (app, pilot):
        await press(app, pilot, "enter", "c")
        assert "The file cannot be imported" in screen_text(app)
        assert refusal("people.rejects.csv", files) in str(app.screen.query_one("#import-body", Label).render())
    assert not (tmp_path / "server.conf").exists()
    assert Contact.select().count() == 0


async def test_completion_lists_the_files_folder_only(db, files, tmp_path):
    files.mkdir(parents=True)
    (files / "people.csv").write_text(PEOPLE, encoding="utf-8")
    (files / "exports").mkdir()
    (files / "out").symlink_to(tmp_path)
    assert complete_path("pe") == "people.csv"
    assert complete_path("~/ex") == "~/exports/"
    assert complete_path("/et") is None
    assert complete_path("../") is None
    assert complete_path("out/us") is None
    async with shown(ImportScreen()) as (app, pilot):
        await type_path(app, pilot, "~/pe")
        await press(app, pilot, "right")
        assert app.screen.query_one("#import-path", Input).value == "~/people.csv"
        assert "CSV, contacts" in screen_text(app)


async def test_the_suggested_export_goes_to_the_files_folder_made_for_its_owner_alone(db, files, make_contact):
    make_contact(first_name="Ann", emails=["ann@x.org"])
    async with shown(ExportScreen(TODAY)) as (app, pilot):
        assert app.screen.query_one("#export-path", Input).value == "~/crm-tui-contacts-2026-11-28.csv"
        await press(app, pilot, "enter")
    written = files / "crm-tui-contacts-2026-11-28.csv"
    assert app.results == [str(written)]
    assert f"Exported 1 record to {written}" in app.notices
    assert stat.S_IMODE(files.stat().st_mode) == 0o700
    [row] = list(csv.DictReader(written.open(encoding="utf-8", newline="")))
    assert row["emails"] == "ann@x.org"


@pytest.mark.parametrize("typed", ["{tmp}/people.csv", "../people.csv", "~/../../bob/files/people.csv"])
async def test_an_export_out_of_the_files_folder_is_refused_and_nothing_is_written(db, files, tmp_path, typed):
    typed = typed.format(tmp=tmp_path)
    async with shown(ExportScreen(TODAY)) as (app, pilot):
        app.screen.query_one("#export-path", Input).value = typed
        await press(app, pilot, "enter")
        error = app.screen.query_one(".dialog-error", Label)
        assert error.display and str(error.render()) == refusal(typed, files)
        assert isinstance(app.screen, ExportScreen)
    assert app.results == []
    assert list(tmp_path.rglob("people.csv")) == []
