"""The import flow at 80x24: a person types a path, picks a mode, reads the dry run, imports, and can stop it."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from helpers import press, screen_text, settle, shown
from textual.widgets import Input, Label, ProgressBar

from crm_tui.core.models import Contact, ImportBatch
from crm_tui.ui.screens.interop.import_flow import ImportScreen, complete_path

OWN_EXPORT = (
    "first_name,last_name,emails,phones,tags,company\r\n"
    "Anna,Berg,anna@example.com,+31 6 1234 5678,client,Acme\r\n"
    "Bram,de Vries,bram@example.com,,,\r\n"
    "Chen,Li,chen@example.com,,lead,Globex\r\n"
)
VCARDS = Path("/work/shared/corpus/syncevolution-eds_contact.vcf")


def body(app) -> str:
    return str(app.screen.query_one("#import-body", Label).render())


async def type_path(app, pilot, path: Path) -> None:
    app.screen.query_one("#import-path", Input).focus()
    await pilot.press(*str(path))
    await settle(app, pilot)


async def test_own_export_imports_step_by_step(db, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text(OWN_EXPORT, encoding="utf-8")
    async with shown(ImportScreen()) as (app, pilot):
        await type_path(app, pilot, source)
        assert "CSV, contacts, our own export" in screen_text(app)
        await press(app, pilot, "enter")
        assert "upsert: update the record" in body(app)
        await press(app, pilot, "c")
        assert "Would create 3, update 0, skip 0 and reject 0" in body(app)
        assert Contact.select().count() == 0
        await press(app, pilot, "enter")
        assert "Created 3, updated 0, skipped 0, rejected 0" in body(app)
        assert "u undoes it" in screen_text(app)
        batch = ImportBatch.get()
        await press(app, pilot, "enter")
        assert app.results == [batch.id]
    names = sorted(contact.first_name for contact in Contact.select())
    assert names == ["Anna", "Bram", "Chen"]


async def test_undo_from_the_summary_takes_the_import_back(db, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text(OWN_EXPORT, encoding="utf-8")
    async with shown(ImportScreen(str(source))) as (app, pilot):
        await press(app, pilot, "enter", "c")
        await press(app, pilot, "enter")
        assert Contact.select().where(Contact.deleted_at.is_null()).count() == 3
        await press(app, pilot, "u")
        assert app.results == [None]
    assert Contact.select().where(Contact.deleted_at.is_null()).count() == 0


async def test_dry_run_shows_rejects_and_updates(db, tmp_path, make_contact):
    make_contact(first_name="Anna", last_name="Berg", emails=["anna@example.com"])
    source = tmp_path / "people.csv"
    source.write_text(OWN_EXPORT + "Dora,Kim,not an email,,,\r\n", encoding="utf-8")
    async with shown(ImportScreen(str(source))) as (app, pilot):
        await press(app, pilot, "enter", "u")
        shown_body = body(app)
        assert "Would create 2, update 1, skip 0 and reject 1" in shown_body
        assert "line 2: update 'Anna Berg'" in shown_body
        assert "line 5: reject" in shown_body
        assert "enter imports · esc goes back" in screen_text(app)
        await press(app, pilot, "escape")
        assert "c/u/s choose" in screen_text(app)
    assert Contact.select().count() == 1
    assert ImportBatch.select().count() == 0


async def test_the_summary_names_the_rejected_rows_and_where_they_went(db, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text(OWN_EXPORT + "Dora,Kim,not an email,,,\r\n", encoding="utf-8")
    async with shown(ImportScreen(str(source))) as (app, pilot):
        await press(app, pilot, "enter", "c", "enter")
        shown_body = body(app)
        assert "Created 3, updated 0, skipped 0, rejected 1" in shown_body
        assert "line 5: reject (emails: 'not an email' is not an email address" in shown_body
        assert f"rejected rows went to {tmp_path / 'people.rejects.csv'}" in shown_body
    assert Contact.select().count() == 3


async def test_vcard_file_imports_its_cards(db, tmp_path):
    source = tmp_path / "cards.vcf"
    shutil.copy(VCARDS, source)
    async with shown(ImportScreen()) as (app, pilot):
        await type_path(app, pilot, source)
        assert "vCard, 17 cards" in screen_text(app)
        await press(app, pilot, "enter", "c")
        assert "Would create 17" in body(app)
        await press(app, pilot, "enter")
        assert "Created 17" in body(app)
        await press(app, pilot, "enter")
    assert Contact.select().count() == 17


async def test_stopping_a_slow_import_keeps_nothing(db, tmp_path, monkeypatch):
    source = tmp_path / "many.csv"
    rows = "".join(f"Person{n},Number{n},p{n}@example.com,,,\r\n" for n in range(30_000))
    source.write_text(OWN_EXPORT.splitlines(keepends=True)[0] + rows, encoding="utf-8")
    stopped = threading.Event()
    reading = ImportScreen.rows

    def slow_rows(screen, found, mapping):
        """The real import waits after its first chunk until the person has said stop: a slow disk, always."""
        read, closing = reading(screen, found, mapping)

        def rows():
            for number, row in enumerate(read):
                if number == 2_500 and not stopped.wait(30):
                    raise AssertionError("the test never said stop")
                yield row

        return rows(), closing

    async with shown(ImportScreen(str(source))) as (app, pilot):
        await press(app, pilot, "enter", "c")
        assert "Would create 30,000" in body(app)
        monkeypatch.setattr(ImportScreen, "rows", slow_rows)
        await pilot.press("enter")
        bar = app.screen.query_one("#import-progress", ProgressBar)
        for _ in range(2000):
            if bar.progress:
                break
            await pilot.pause(0.01)
        assert bar.progress == 2_000 and bar.total == 30_000
        assert "2,000 of 30,000 rows" in body(app) and "rows/s" in body(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "Stop the import?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        stopped.set()
        await settle(app, pilot)
        assert "nothing of it was kept" in body(app)
        await press(app, pilot, "enter")
        assert app.results == [None]
    assert Contact.select().count() == 0
    assert ImportBatch.select().count() == 0


async def test_missing_file_shows_the_error_under_the_field(db, tmp_path):
    async with shown(ImportScreen()) as (app, pilot):
        await type_path(app, pilot, tmp_path / "nowhere.csv")
        await press(app, pilot, "enter")
        error = app.screen.query_one("#import-error", Label)
        assert error.display
        assert "there is no file" in str(error.render())
        assert app.screen.query_one("#import-path", Input).display


def test_path_completion_lists_the_folder(tmp_path):
    (tmp_path / "people.csv").write_text("x")
    (tmp_path / "exports").mkdir()
    assert complete_path(f"{tmp_path}/pe") == f"{tmp_path}/people.csv"
    assert complete_path(f"{tmp_path}/ex") == f"{tmp_path}/exports/"
    assert complete_path(f"{tmp_path}/zz") is None


async def test_a_backup_restores_only_into_an_empty_database(db, tmp_path, make_contact):
    from crm_tui.core.interop.backup.write import write_backup

    make_contact(first_name="Anna")
    backup = tmp_path / "backup.json"
    with backup.open("w", encoding="utf-8") as out:
        write_backup(out)
    async with shown(ImportScreen(str(backup))) as (app, pilot):
        assert "JSON backup" in screen_text(app)
        await press(app, pilot, "enter")
        assert "Nothing was restored" in screen_text(app)
        assert "empty database only; this one already holds contacts" in body(app)
        await press(app, pilot, "escape")
        assert app.results == [None]
    assert Contact.select().count() == 1


async def test_ctrl_t_imports_companies_from_csv(db, tmp_path):
    from crm_tui.core.models import Company

    source = tmp_path / "firms.csv"
    source.write_text("name,domain\r\nAcme,acme.example\r\nGlobex,globex.example\r\n", encoding="utf-8")
    async with shown(ImportScreen(str(source))) as (app, pilot):
        await press(app, pilot, "ctrl+t")
        assert "CSV, companies, our own export" in screen_text(app)
        await press(app, pilot, "enter", "c", "enter")
        assert "Created 2" in body(app)
    assert sorted(company.name for company in Company.select()) == ["Acme", "Globex"]


async def test_a_csv_of_100000_columns_is_refused_under_the_field_at_once(db, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(["first_name", *[""] * 99_999]) + "\n" + ",".join(["Ann", *["x"] * 99_999]) + "\n")
    async with shown(ImportScreen()) as (app, pilot):
        await type_path(app, pilot, wide)
        await press(app, pilot, "enter")
        error = app.screen.query_one("#import-error", Label)
        assert error.display
        assert "line 1 has 100,000 columns; crm-tui reads CSV files of up to 1,000 columns" in str(error.render())
    assert Contact.select().count() == 0 and ImportBatch.select().count() == 0
