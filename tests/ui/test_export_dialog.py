"""Export from the app at 80x24: the palette's "Export records", the format and what to export, the file written
as `crm-tui export` writes it, errors under the path, and a stopped export that leaves no half file."""

from __future__ import annotations

import csv
import threading
from datetime import date

from helpers import press, screen_text, settle, shown
from textual.widgets import Input, Label

from crm_tui.core import contacts, demo
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.screens.interop import export_dialog
from crm_tui.ui.screens.interop.export_dialog import ExportScreen

TODAY = date(2026, 11, 28)


def set_path(app, path) -> None:
    app.screen.query_one("#export-path", Input).value = str(path)


async def test_the_palette_opens_the_export_and_a_csv_of_contacts_is_written(db, make_contact, tmp_path):
    make_contact(first_name="Ann", last_name="Lee", emails=["ann@x.org"], notes="=not a formula")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "ctrl+p")
        await press(app, pilot, *"export records")  # as a person would: the commands found, then enter
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ExportScreen)
        assert "CSV for a spreadsheet · contacts" in screen_text(app)
        target = tmp_path / "people.csv"
        set_path(app, target)
        await press(app, pilot, "enter")
        assert not isinstance(app.screen, ExportScreen)
        assert f"Exported 1 record to {target}" in [str(n.message) for n in app._notifications]
    [row] = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert (row["first_name"], row["emails"], row["notes"]) == ("Ann", "ann@x.org", "'=not a formula")


async def test_ctrl_f_and_ctrl_t_choose_what_is_written_and_the_suggested_name_follows(db, make_contact, tmp_path):
    make_contact(first_name="Ann")
    async with shown(ExportScreen(TODAY)) as (app, pilot):
        path = app.screen.query_one("#export-path", Input)
        assert path.value == "~/crm-tui-contacts-2026-11-28.csv"
        await press(app, pilot, "ctrl+t")
        assert path.value == "~/crm-tui-companies-2026-11-28.csv"
        assert "companies" in screen_text(app)
        await press(app, pilot, "ctrl+f")
        assert path.value == "~/crm-tui-companies-2026-11-28.vcf" and "vCard 4.0 (contacts) · contacts" in \
            screen_text(app)
        await press(app, pilot, "ctrl+f")
        assert path.value == "~/crm-tui-backup-2026-11-28.json"
        set_path(app, tmp_path / "backup.json")
        await press(app, pilot, "enter")
    assert app.results == [str(tmp_path / "backup.json")]
    assert (tmp_path / "backup.json").read_text(encoding="utf-8").startswith('{"format":"crm-tui-backup"')


async def test_a_path_in_no_folder_is_an_error_under_it_and_nothing_is_written(db, tmp_path):
    async with shown(ExportScreen(TODAY)) as (app, pilot):
        set_path(app, tmp_path / "nowhere" / "people.csv")
        await press(app, pilot, "enter")
        error = app.screen.query_one(".dialog-error", Label)
        assert error.display and str(error.render()) == f"there is no folder {tmp_path / 'nowhere'}"
        assert isinstance(app.screen, ExportScreen)


async def test_esc_stops_an_export_over_an_existing_file_and_the_file_is_kept_as_it_was(db, tmp_path, monkeypatch):
    demo.fill(300)
    target = tmp_path / "people.vcf"
    target.write_text("BEGIN:VCARD\r\nFN:The export of yesterday\r\nEND:VCARD\r\n", encoding="utf-8")
    yesterday = target.read_bytes()
    halfway, pressed = threading.Event(), threading.Event()
    written = []

    def paused_write(fmt, entity, out, tick):
        """The real records, with a pause halfway for the person to press esc."""
        for _ in contacts.iterate():
            out.write("BEGIN:VCARD\r\n")
            written.append(1)
            tick(1)
            if len(written) == 100:
                halfway.set()
                pressed.wait(10)

    monkeypatch.setattr(export_dialog, "write_export", paused_write)
    async with shown(ExportScreen(TODAY)) as (app, pilot):
        await press(app, pilot, "ctrl+f")
        set_path(app, target)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ConfirmScreen) and "people.vcf? It is replaced only once" in screen_text(app)
        await pilot.press("y")
        while not halfway.is_set():
            await pilot.pause(0.01)
        await pilot.press("escape")
        pressed.set()
        await settle(app, pilot)
        assert "stopped; nothing was written" in screen_text(app)
        assert isinstance(app.screen, ExportScreen)
    assert target.read_bytes() == yesterday and len(written) == 101
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".people.vcf")] == []


async def test_an_existing_file_is_replaced_only_after_a_yes_and_the_export_is_yours_only(db, tmp_path):
    contacts.create(contacts.ContactDraft(first_name="Ann", last_name="Lee"))
    target = tmp_path / "people.csv"
    target.write_text("kept\n", encoding="utf-8")
    async with shown(ExportScreen(TODAY)) as (app, pilot):
        set_path(app, target)
        await press(app, pilot, "enter")
        await press(app, pilot, "n")
        assert isinstance(app.screen, ExportScreen) and target.read_text(encoding="utf-8") == "kept\n"
        await press(app, pilot, "enter", "y")
        while not app.results:
            await pilot.pause(0.01)
    assert app.results == [str(target)] and "1,Ann,Lee," in target.read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o777 == 0o600
