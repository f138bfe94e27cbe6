"""The contact and company detail screens at 80x24: every field, stepping through the list, edits and the trash."""

from __future__ import annotations

import threading

from helpers import list_rows, press, settle, shown, shown_text, title_of
from textual.widgets import Input, Static

from crm_tui.core import companies, contacts
from crm_tui.ui.kit.detail import local_time
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.screens.companies.detail import CompanyDetailScreen
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.contacts.form import ContactFormScreen
from crm_tui.ui.screens.contacts.tags import TagEditScreen
from crm_tui.ui.sources import CompanySource, ContactSource

BY_NAME = ListQuery("name")


def contact_screen(contact_id: int, source: ContactSource | None = None) -> ContactDetailScreen:
    return ContactDetailScreen(contact_id, source or ContactSource(), BY_NAME)


def company_screen(company_id: int) -> CompanyDetailScreen:
    return CompanyDetailScreen(company_id, CompanySource(), BY_NAME)





def test_times_are_shown_in_local_time(tokyo):
    assert local_time("2026-11-27T22:05:00.000000Z") == "2026-11-28 07:05"


async def test_contact_detail_shows_every_field(db, make_contact, tokyo):
    anna = make_contact(
        first_name="Anna", last_name="de Vries", title="Head of Sales", company="Acme Ltd",
        emails=["anna@acme.test", "anna.private@example.org"], phones=["+31 20 555 0101", "+31 6 5555 0202"],
        tags=["vip", "newsletter"], street="Keizersgracht 1", city="Amsterdam", region="Noord-Holland",
        postal_code="1015 CJ", country="Netherlands", birthday="1985-04-12",
        notes="Met at the fair.\nPrefers calls after 10.", custom={"Shoe size": "39", "Pet": "Rex"},
    )
    async with shown(contact_screen(anna.id)) as (app, pilot):
        text = shown_text(app)
        assert title_of(app) == "Anna de Vries"
        for value in ("Head of Sales", "Acme Ltd", "anna@acme.test", "anna.private@example.org", "+31 20 555 0101",
                      "+31 6 5555 0202", "newsletter, vip", "Keizersgracht 1", "Amsterdam", "Noord-Holland",
                      "1015 CJ", "Netherlands", "1985-04-12", "Met at the fair.\nPrefers calls after 10.",
                      "Shoe size: 39", "Pet: Rex", local_time(anna.created_at), local_time(anna.updated_at)):
            assert value in text
        assert "Timeline" in text and "Nothing logged yet · l logs a call, meeting, email or note" in text


async def test_empty_fields_show_a_dash_and_markup_shows_as_typed(db, make_contact):
    odd = make_contact(first_name="[red]x[/]", notes="[bold]not bold[/bold]")
    async with shown(contact_screen(odd.id)) as (app, pilot):
        assert title_of(app) == "[red]x[/]"
        assert "[bold]not bold[/bold]" in shown_text(app)
        empty = [str(value.visual) for value in app.screen.query(".field-value.-empty").results(Static)]
        assert len(empty) == 12 and set(empty) == {"—"}  # every field row: only a name and notes were given


async def test_n_and_p_walk_in_name_order_and_stop_at_the_ends(db, make_contact):
    ids = {name: make_contact(first_name=name).id for name in ("Cleo", "Anna", "Bert")}
    async with shown(contact_screen(ids["Anna"])) as (app, pilot):
        await press(app, pilot, "p")
        assert title_of(app) == "Anna"
        assert app.notices[-1] == "This is the first contact"
        await press(app, pilot, "n", "n", "n")
        assert title_of(app) == "Cleo"
        assert app.notices[-1] == "This is the last contact"
        await press(app, pilot, "p", "n", "escape")
        assert app.results == [2]
        assert len(app.screen_stack) == 1


class HeldSource(ContactSource):
    """Contacts whose neighbour lookups wait until the test lets them go, like a slow disk."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def neighbour(self, *args):
        self.release.wait(timeout=10)
        return super().neighbour(*args)


async def test_escape_while_the_next_record_is_being_read_returns_cleanly(db, make_contact):
    ids = [make_contact(first_name=name).id for name in ("Anna", "Bert")]
    source = HeldSource()
    async with shown(contact_screen(ids[0], source)) as (app, pilot):
        await pilot.press("n", "escape")
        source.release.set()
        await settle(app, pilot)
        assert app.results == [0]
        assert len(app.screen_stack) == 1


async def test_delete_asks_then_moves_the_contact_to_the_trash(db, make_contact):
    anna = make_contact(first_name="Anna")
    make_contact(first_name="Bert")
    async with shown(contact_screen(anna.id)) as (app, pilot):
        await press(app, pilot, "n", "d")
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "y")
        assert app.results == [1]
        assert "Moved 'Bert' to the trash — u undoes" in app.notices
        assert [contact.name for contact in contacts.list_page(trash=True).items] == ["Bert"]
        assert contacts.count() == 1


async def test_T_edits_the_tags(db, make_contact):
    anna = make_contact(first_name="Anna", tags=["old"])
    async with shown(contact_screen(anna.id)) as (app, pilot):
        await press(app, pilot, "T")
        assert isinstance(app.screen, TagEditScreen)
        app.screen.query_one("#tags", Input).value = "vip, golf"
        await press(app, pilot, "enter")
        assert contacts.get(anna.id).tags == ["golf", "vip"]
        assert "golf, vip" in shown_text(app)


async def test_tags_over_a_change_made_elsewhere_are_reported_and_the_latest_shown(db, make_contact):
    anna = make_contact(first_name="Anna", tags=["old"])
    async with shown(contact_screen(anna.id)) as (app, pilot):
        contacts.update(anna.id, anna.version, title="Chief Executive")
        await press(app, pilot, "T")
        app.screen.query_one("#tags", Input).value = "vip"
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        assert any("changed elsewhere" in notice for notice in app.notices)
        assert contacts.get(anna.id).tags == ["old"]
        assert "Chief Executive" in shown_text(app)


async def test_an_edit_over_a_change_made_elsewhere_is_reported_not_lost(db, make_contact):
    anna = make_contact(first_name="Anna", title="Engineer")
    async with shown(contact_screen(anna.id)) as (app, pilot):
        contacts.update(anna.id, anna.version, city="Utrecht")
        await press(app, pilot, "e")
        assert isinstance(app.screen, ContactFormScreen)
        app.screen.query_one("#title", Input).value = "Architect"
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, ContactFormScreen)
        assert "Changed elsewhere" in shown_text(app)
        assert contacts.get(anna.id).title == "Engineer"
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, ContactDetailScreen)
        stored = contacts.get(anna.id)
        assert (stored.title, stored.city) == ("Architect", "Utrecht")
        assert "Architect" in shown_text(app) and "Utrecht" in shown_text(app)


async def test_reload_shows_what_another_process_changed(db, make_contact):
    anna = make_contact(first_name="Anna")
    async with shown(contact_screen(anna.id)) as (app, pilot):
        contacts.update(anna.id, anna.version, notes="Called back")
        app.screen.reload()
        await settle(app, pilot)
        assert "Called back" in shown_text(app)
        contacts.delete(anna.id)
        app.screen.reload()
        await settle(app, pilot)
        assert "In the trash since" in shown_text(app)
        await press(app, pilot, "d", "e", "T")
        assert isinstance(app.screen, ContactDetailScreen)


async def test_company_detail_lists_its_people_and_enter_opens_one(db, make_contact):
    for name in ("Bert", "Anna"):
        make_contact(first_name=name, company="Acme Ltd")
    make_contact(first_name="Cleo", company="Other Inc")
    acme = companies.find_by_names(["Acme Ltd"])["acme ltd"][0]
    companies.update(acme, 1, domain="acme.test", phone="+31 20 555 0100", notes="Key account")
    async with shown(company_screen(acme)) as (app, pilot):
        text = shown_text(app)
        for value in ("Acme Ltd", "acme.test", "+31 20 555 0100", "Key account", "People at Acme Ltd"):
            assert value in text
        people = app.screen.query_one("#people", RecordList)
        assert people.render_line(people.size.height - 1).text.strip().startswith("row 1 of 2")
        assert [row.split()[0] for row in list_rows(people)] == ["Anna", "Bert"]
        await pilot.press("tab")
        assert app.screen.focused is people
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen)
        assert title_of(app) == "Anna"
        await press(app, pilot, "n", "n")
        assert title_of(app) == "Bert"
        await press(app, pilot, "escape")
        assert isinstance(app.screen, CompanyDetailScreen)
        assert people.render_line(people.size.height - 1).text.strip().startswith("row 2 of 2")


async def test_c_opens_the_company_and_d_there_trashes_it(db, make_contact):
    anna = make_contact(first_name="Anna", company="Acme Ltd")
    async with shown(contact_screen(anna.id)) as (app, pilot):
        await press(app, pilot, "c")
        assert isinstance(app.screen, CompanyDetailScreen)
        assert title_of(app) == "Acme Ltd"
        await press(app, pilot, "d", "y")
        assert isinstance(app.screen, ContactDetailScreen)
        assert companies.count() == 0
        assert "Moved 'Acme Ltd' to the trash — u undoes" in app.notices
        assert "Acme Ltd" not in shown_text(app)


async def test_n_on_a_company_shows_the_next_company_and_its_people(db, make_contact):
    make_contact(first_name="Anna", company="Acme Ltd")
    make_contact(first_name="Bert", company="Beta BV")
    acme = companies.find_by_names(["Acme Ltd"])["acme ltd"][0]
    async with shown(company_screen(acme)) as (app, pilot):
        await press(app, pilot, "n")
        assert title_of(app) == "Beta BV"
        assert "People at Beta BV" in shown_text(app)
        assert [row.split()[0] for row in list_rows(app.screen.query_one("#people", RecordList))] == ["Bert"]
        await press(app, pilot, "escape")
        assert app.results == [1]
