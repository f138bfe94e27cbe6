"""The search screen (ctrl+f), saved searches in it and in the palette, and pinned searches on the contacts list."""

from __future__ import annotations

import asyncio

import pytest
from helpers import list_rows, press, screen_text, settle
from textual.widgets import Input

from crm_tui.core import activities, contacts, deals
from crm_tui.core.search import saved as saved_searches
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.screens.contacts.contacts import ContactsScreen
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.deals.detail import DealDetailScreen
from crm_tui.ui.screens.search.save_search import SaveSearchScreen
from crm_tui.ui.screens.search.search import SearchScreen


@pytest.fixture
def crm(db):
    """A few people in Berlin and Hamburg, some VIPs, at Acme or Globex; a deal, a call and a note."""
    made = {}
    for first, last, company, tags, city in (
        ("Anna", "Zoller", "Acme", ["vip"], "Berlin"), ("Bruno", "Adler", "Acme", [], "Berlin"),
        ("Clara", "Berg", "Globex", ["vip"], "Hamburg"), ("Dora", "Vogel", "Globex", ["vip"], "Berlin"),
    ):
        made[first] = contacts.create(contacts.ContactDraft(first_name=first, last_name=last, company=company,
                                                            tags=tags, notes=f"lives in {city}"))
    made["deal"] = deals.create({"title": "Berlin rollout", "value": "5000", "contact": "Anna Zoller"})
    made["call"] = activities.create({"kind": "call", "subject": "Berlin intro call", "contact_id": made["Bruno"].id})
    made["note"] = activities.create({"kind": "note", "subject": "Berlin office idea", "contact_id": made["Dora"].id})
    return made


async def open_search(app, pilot, query: str = "") -> SearchScreen:
    await settle(app, pilot)
    await press(app, pilot, "ctrl+f")
    assert isinstance(app.screen, SearchScreen)
    if query:
        await pilot.press(*query)
        await settle(app, pilot)
        await asyncio.sleep(0.35)  # the pause after typing, when the query runs without a time budget
        await settle(app, pilot)
    return app.screen


async def run_query(app, pilot, query: str) -> None:
    """Put `query` in the line and wait out the pause after typing, when it runs without a time budget."""
    app.screen.query_one("#query", Input).value = query
    await asyncio.sleep(0.35)
    await settle(app, pilot)


def result_lines(app) -> list[str]:
    return [line.strip() for line in screen_text(app).splitlines()[3:-1] if line.strip()]


async def test_a_query_with_operators_shows_grouped_results_and_what_was_understood(db, crm):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_search(app, pilot, "tag:vip berlin")
        lines = result_lines(app)
        assert lines[0] == "Contacts"
        assert [line.split("  ")[0] for line in lines[1:]] == ["Anna Zoller", "Dora Vogel"]
        assert "contacts: matching berlin; tagged vip" in screen_text(app).splitlines()[2]

        await run_query(app, pilot, "berlin")
        text = screen_text(app)
        for heading in ("Contacts", "Deals", "Activities", "Notes"):
            assert f"\n{heading}" in "\n" + "\n".join(result_lines(app))
        for title in ("Berlin rollout", "Berlin intro call", "Berlin office idea", "Bruno Adler"):
            assert title in text
        assert "Clara Berg" not in text
        assert all(len(line) <= 80 for line in screen_text(app).splitlines())


async def test_enter_opens_a_contact_and_down_then_enter_a_deal(db, crm):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_search(app, pilot, "zoller")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        assert "Anna Zoller" in screen_text(app)
        await press(app, pilot, "escape")
        assert isinstance(app.screen, SearchScreen)

        await run_query(app, pilot, "rollout")
        await press(app, pilot, "down", "enter")
        assert isinstance(app.screen, DealDetailScreen)
        assert "Berlin rollout" in screen_text(app)
        await press(app, pilot, "escape", "escape")
        assert isinstance(app.screen, ContactsScreen)


async def test_a_note_opens_the_contact_it_is_about(db, crm):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_search(app, pilot, "kind:note office")
        heading, note = result_lines(app)[:2]
        assert heading == "Notes" and note.split() == ["Berlin", "office", "idea", "note", "·", "Dora", "Vogel"]
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        assert "Dora Vogel" in screen_text(app)


async def test_a_malformed_query_shows_results_for_its_plain_words(db, crm):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_search(app, pilot, '- "hamb')  # a lone minus, an unclosed quote
        text = screen_text(app)
        assert "everything: matching hamb" in text
        assert "Clara Berg" in text and "error" not in text.lower()
        assert "Anna Zoller" not in text
        await run_query(app, pilot, "is:nonsense")  # not an operator: a plain word
        assert "everything: matching is:nonsense" in screen_text(app)
        await run_query(app, pilot, "zzzz")
        assert "Nothing matches" in screen_text(app)


async def test_saving_a_search_refuses_a_taken_name_then_replaces_it(db, crm):
    saved_searches.save("VIPs", "tag:vip")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_search(app, pilot, "tag:vip berlin")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, SaveSearchScreen)
        await pilot.press(*"vips")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, SaveSearchScreen)
        error = app.screen.query_one(".dialog-error")
        assert error.display and "a saved search named 'VIPs' already exists" in str(error.visual)
        assert "ctrl+s again replaces it" in str(error.visual)
        assert saved_searches.get("VIPs").query == "tag:vip"

        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, SearchScreen)
        assert saved_searches.get("VIPs").query == "tag:vip berlin"

        await press(app, pilot, "ctrl+s", *"Berlin people", "enter")
        assert [search.name for search in saved_searches.list_saved()] == ["Berlin people", "VIPs"]


async def test_the_empty_screen_lists_saved_searches_which_run_pin_and_delete(db, crm):
    saved_searches.save("VIPs in Berlin", "tag:vip berlin")
    saved_searches.save("Acme", "company:acme")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_search(app, pilot)
        text = screen_text(app)
        assert 'tag:vip company:acme stage:proposal kind:call is:overdue -word "exact phrase"' in text
        assert "Acme  company:acme" in text and "VIPs in Berlin  tag:vip berlin" in text

        await press(app, pilot, "down", "down", "p")  # into the list, to the second: VIPs in Berlin
        assert saved_searches.get("VIPs in Berlin").pinned
        assert "VIPs in Berlin  tag:vip berlin  pinned" in screen_text(app)

        await press(app, pilot, "up", "delete")
        await press(app, pilot, "y")
        assert [search.name for search in saved_searches.list_saved()] == ["VIPs in Berlin"]

        await press(app, pilot, "enter")
        assert app.screen.query_one("#query", Input).value == "tag:vip berlin"
        await asyncio.sleep(0.35)
        await settle(app, pilot)
        assert "Anna Zoller" in screen_text(app) and "Clara Berg" not in screen_text(app)


async def test_the_palette_lists_a_saved_search_and_opens_it(db, crm):
    saved_searches.save("VIPs in Berlin", "tag:vip berlin")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "ctrl+p", *"vips in")
        await asyncio.sleep(0.3)
        await settle(app, pilot)
        text = screen_text(app)
        assert "Search: VIPs in Berlin" in text and "tag:vip berlin" in text
        await press(app, pilot, "enter")
        await asyncio.sleep(0.35)
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#query", Input).value == "tag:vip berlin"
        assert [line.split("  ")[0] for line in result_lines(app)[1:]] == ["Anna Zoller", "Dora Vogel"]


async def test_f_cycles_the_contacts_list_through_pinned_searches_and_esc_clears(db, crm):
    saved_searches.save("VIPs in Berlin", "tag:vip berlin")
    saved_searches.save("Acme people", "company:acme")
    saved_searches.save("Not pinned", "hamburg")
    for name in ("VIPs in Berlin", "Acme people"):
        saved_searches.set_pinned(name, True)
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        records = app.screen.query_one(RecordList)

        def names() -> list[str]:
            return [row.split("  ")[0] for row in list_rows(records)]

        assert len(names()) == 4
        await press(app, pilot, "F")
        assert names() == ["Anna Zoller", "Bruno Adler"]
        assert "row 1 of 2 · sort: name · filter: Acme people" in screen_text(app)
        await press(app, pilot, "F")
        assert names() == ["Anna Zoller", "Dora Vogel"]
        assert "filter: VIPs in Berlin" in screen_text(app)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        await press(app, pilot, "escape")
        assert "filter: VIPs in Berlin" in screen_text(app)
        await press(app, pilot, "escape")
        assert len(names()) == 4 and "filter:" not in screen_text(app)

        await press(app, pilot, "F", "F", "F")  # past the last pinned one: no filter
        assert len(names()) == 4 and "filter:" not in screen_text(app)

        await press(app, pilot, "F", "slash", *"clara")  # the typed filter replaces the pinned one
        assert names() == ["Clara Berg"]
        assert "filter: clara" in screen_text(app)
