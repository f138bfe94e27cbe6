"""The app as a person uses it at 80x24: empty state, demo data, the search filter, and adding a contact."""

from __future__ import annotations

import threading

from textual.widgets import DataTable, Input, Label, Static

from crm_tui.core import contacts
from crm_tui.ui.app import CrmApp
from crm_tui.ui.screens.contact_form import ContactFormScreen


async def settle(app, pilot) -> None:
    """Let workers finish and their results reach the screen."""
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def table_names(app) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(row)[0]) for row in range(table.row_count)]


def screen_text(app) -> str:
    return "\n".join(str(widget.render()) for widget in app.screen.query(Static) if widget.display)


async def test_empty_database_offers_demo_data_and_add(db):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.query_one("#empty").display
        assert "load demo data" in screen_text(app)
        assert "add a contact" in screen_text(app)
        await pilot.press("d")
        await settle(app, pilot)
        assert not app.screen.query_one("#empty").display
        assert contacts.count() == 500
        assert app.screen.query_one(DataTable).row_count == 100
        assert "500 contacts" in str(app.screen.query_one("#status", Static).render())
        assert "DEMO" in app.sub_title


async def test_list_pages_in_more_rows_when_the_cursor_nears_the_end(db, make_contact):
    for number in range(150):
        make_contact(first_name=f"Person {number:03d}")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 100
        await pilot.press(*["pagedown"] * 6)
        await settle(app, pilot)
        assert table.row_count == 150
        assert table_names(app)[-1] == "Person 149"


async def test_search_filters_as_you_type_with_accents_folded(db, make_contact):
    make_contact(first_name="Jörg", last_name="Müller")
    make_contact(first_name="Anna", last_name="de Vries")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert sorted(table_names(app)) == ["Anna de Vries", "Jörg Müller"]
        await pilot.press("slash", *"mull")
        await settle(app, pilot)
        assert app.screen.query_one("#search", Input).value == "mull"
        assert table_names(app) == ["Jörg Müller"]
        await pilot.press("escape")
        await settle(app, pilot)
        assert sorted(table_names(app)) == ["Anna de Vries", "Jörg Müller"]


async def test_markup_in_a_name_is_shown_as_typed(db, make_contact):
    make_contact(first_name="[bold]x[/]")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert table_names(app) == ["[bold]x[/]"]


async def test_add_contact_shows_errors_next_to_the_field_then_saves(db):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, ContactFormScreen)
        await pilot.press(*"Ada", "tab", *"Lovelace", "tab", *"ada@", "ctrl+s")
        await settle(app, pilot)
        error = app.screen.query_one("#emails-error", Label)
        assert "is not an email address" in str(error.render())
        assert contacts.count() == 0
        app.screen.query_one("#emails", Input).value = "ada@example.org"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ContactFormScreen)
        saved = contacts.list_page().items
        assert [(c.name, c.emails) for c in saved] == [("Ada Lovelace", ["ada@example.org"])]
        assert table_names(app) == ["Ada Lovelace"]


async def test_typing_a_search_before_the_first_page_arrives_keeps_every_key(db, make_contact, monkeypatch):
    """On a big database over a slow link, people type before the list has loaded; no key may go astray."""
    make_contact(first_name="Jörg", last_name="Müller")
    make_contact(first_name="Anna", last_name="de Vries")
    first_page_held = threading.Event()
    real_list_page = contacts.list_page

    def held_list_page(*args, **kwargs):
        first_page_held.wait(timeout=10)
        return real_list_page(*args, **kwargs)

    monkeypatch.setattr(contacts, "list_page", held_list_page)
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"anna")
        first_page_held.set()
        await settle(app, pilot)
        assert not isinstance(app.screen, ContactFormScreen)
        assert app.screen.query_one("#search", Input).value == "anna"
        assert table_names(app) == ["Anna de Vries"]


async def test_status_line_counts_the_filtered_contacts(db, make_contact):
    make_contact(first_name="Jörg", last_name="Müller")
    make_contact(first_name="Anna", last_name="de Vries")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert str(app.screen.query_one("#status", Static).render()) == "2 contacts"
        await pilot.press("slash", *"vries")
        await settle(app, pilot)
        assert str(app.screen.query_one("#status", Static).render()) == "1 contact matching 'vries'"
