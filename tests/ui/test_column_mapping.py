"""The CSV column mapping screen at 80x24: columns placed from the keyboard, and a preview that follows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import press, screen_text, shown
from textual.app import App
from textual.widgets import DataTable, Static

from crm_tui.core.interop.csv.read import plan
from crm_tui.ui.screens.interop.column_mapping import ColumnMappingScreen

CSV = (
    "First name,Last name,Mail,Shoe size\n"
    "Ada,Lovelace,ada@example.com,38\n"
    "Bob,Bad,not-an-email,44\n"
)
EMAILS_IN_PICKER = 5
"""Where "Emails" is among a contact's fields in the picker (first name is 0)."""


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def mapping_screen(path: Path, entity: str = "contact") -> ColumnMappingScreen:
    fmt, mapping = plan(path, entity)
    return ColumnMappingScreen(path, entity, fmt, mapping)


def preview_of(app: App) -> str:
    return str(app.screen.query_one("#preview", Static).visual)


def table_row(app: App, column: str) -> list[str]:
    table = app.screen.query_one("#columns", DataTable)
    return [str(cell) for cell in table.get_row(column)]


async def test_unknown_columns_are_shown_unmatched_with_a_sample(csv_file):
    async with shown(mapping_screen(csv_file)) as (app, pilot):
        text = screen_text(app)
        assert "Shoe size" in text and "Mail" in text
        assert table_row(app, "Mail") == ["Mail", "ada@example.com", "? unmatched (kept as custom)"]
        assert table_row(app, "Shoe size") == ["Shoe size", "38", "? unmatched (kept as custom)"]
        assert table_row(app, "First name") == ["First name", "Ada", "First name"]
        assert "? unmatched" in text
        assert "line   2  Ada Lovelace" in text


async def test_mapping_mail_to_emails_changes_the_preview(csv_file):
    async with shown(mapping_screen(csv_file)) as (app, pilot):
        assert "ada@example.com" not in preview_of(app)
        await press(app, pilot, "j", "j", "enter")
        assert "Where does “Mail” go?" in screen_text(app)
        await press(app, pilot, *["down"] * EMAILS_IN_PICKER, "enter")
        assert table_row(app, "Mail")[2] == "Emails (columns add up)"
        assert "line   2  Ada Lovelace · ada@example.com" in preview_of(app)
        assert "line   3  emails: 'not-an-email' is not an email address" in preview_of(app)
        await press(app, pilot, "ctrl+s")
    mapping = app.results[0]
    assert mapping.columns["Mail"] == "emails"
    assert mapping.columns["Shoe size"] == "custom:Shoe size" and mapping.unmatched == ()  # left unplaced: kept


async def test_space_opens_the_picker_and_escape_leaves_the_column_as_it_was(csv_file):
    async with shown(mapping_screen(csv_file)) as (app, pilot):
        await press(app, pilot, "j", "j", "space")
        assert "Where does “Mail” go?" in screen_text(app)
        await press(app, pilot, "escape")
        assert table_row(app, "Mail")[2] == "? unmatched (kept as custom)"
        assert app.results == []


async def test_custom_and_ignore_keys_and_the_mapping_they_give(csv_file):
    async with shown(mapping_screen(csv_file)) as (app, pilot):
        await press(app, pilot, "j", "j", "j", "c")
        assert table_row(app, "Shoe size")[2] == "custom:Shoe size"
        await press(app, pilot, "k", "x")
        assert table_row(app, "Mail")[2] == "ignored"
        await press(app, pilot, "ctrl+s")
    mapping = app.results[0]
    assert mapping.columns == {"First name": "first_name", "Last name": "last_name", "Mail": None,
                               "Shoe size": "custom:Shoe size"}
    assert mapping.unmatched == ()


async def test_the_import_button_accepts_the_mapping(csv_file):
    async with shown(mapping_screen(csv_file)) as (app, pilot):
        await press(app, pilot, "c", "tab", "enter")
    assert app.results[0].columns["First name"] == "custom:First name"


async def test_escape_gives_none(csv_file):
    async with shown(mapping_screen(csv_file)) as (app, pilot):
        await press(app, pilot, "c", "escape")
    assert app.results == [None]


async def test_a_row_that_cannot_be_imported_shows_its_problem(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Name,Email,Shoe size\nAda Lovelace,ada@example.com,38\nNobody,broken@,40\n,,1\n,x@example.com,2\n",
                    encoding="utf-8")
    async with shown(mapping_screen(path)) as (app, pilot):
        preview = preview_of(app)
        assert "line   2  Ada Lovelace · ada@example.com" in preview
        assert "line   3  emails: 'broken@' is not an email address" in preview
        assert "line   4  first_name: a contact needs a name or an email" in preview
        assert "line   5  x@example.com · x@example.com" in preview  # known by the email alone
        assert "line   3  emails: 'broken@' is not an email address" in screen_text(app)


async def test_a_company_file_has_no_custom_fields(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text("Name,Shoe size\nAcme,38\n", encoding="utf-8")
    async with shown(mapping_screen(path, "company")) as (app, pilot):
        assert "line   2  Acme" in preview_of(app)
        await press(app, pilot, "j", "c")
        assert table_row(app, "Shoe size")[2] == "? unmatched (ignored)"
        assert any("only contacts have custom fields" in notice for notice in app.notices)
        await press(app, pilot, "enter")
        assert "custom field" not in screen_text(app)
        assert "ignore" in screen_text(app)


async def test_user_data_is_shown_as_typed(tmp_path):
    path = tmp_path / "markup.csv"
    path.write_text("First name,[b]Odd\n[red]Ada,x\n", encoding="utf-8")
    async with shown(mapping_screen(path)) as (app, pilot):
        text = screen_text(app)
        assert "[b]Odd" in text
        assert "[red]Ada" in text
