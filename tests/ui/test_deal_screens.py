"""The deal detail screen, the lost dialog and the deal lists of contacts and companies, at 80x24."""

from __future__ import annotations

import pytest
from deal_helpers import shown_with
from helpers import list_rows, press, shown, shown_text, title_of
from textual.widgets import Input, Label, OptionList, Static

from crm_tui.core import companies, contacts, deals
from crm_tui.core.deals import pipelines
from crm_tui.core.deals.listing import DealFilter
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.screens.companies.detail import CompanyDetailScreen
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.deals.detail import DealDetailScreen, LinkRow
from crm_tui.ui.screens.deals.dialogs import LostReasonScreen, PipelinePickerScreen
from crm_tui.ui.screens.deals.form import DealFormScreen
from crm_tui.ui.sources import CompanySource, ContactSource, DealSource

BY_VALUE = ListQuery("value")
BY_NAME = ListQuery("name")


def deal_screen(deal_id: int) -> DealDetailScreen:
    return DealDetailScreen(deal_id, DealSource(DealFilter()), BY_VALUE)





@pytest.fixture
def at(monkeypatch):
    """Stamp the stage moves made next with a given UTC time."""

    def stamp(text: str) -> None:
        monkeypatch.setattr(deals.service, "now_text", lambda: text)

    return stamp


@pytest.fixture
def rollout(db, make_contact, at):
    """An open deal with a contact and a company, moved once, long ago."""
    make_contact(first_name="Anna", last_name="de Vries", company="Acme Ltd")
    at("2026-01-05T08:30:00.000000Z")
    deal = deals.create({"title": "Big [b]rollout", "value": "12.500,50", "contact": "Anna de Vries",
                         "company": "Acme Ltd", "expected_close": "2026-02-01", "notes": "Sign-off by the CFO"})
    at("2026-01-20T09:30:00.000000Z")
    return deals.move(deal.id, "Qualified")


async def test_detail_shows_every_field_with_history_and_marks(rollout, tokyo):
    async with shown_with(deal_screen(rollout.id), {"stale_days": 14}) as (app, pilot):
        text = shown_text(app)
        assert title_of(app) == "Big [b]rollout"
        for expected in ("EUR 12,500.50", "EUR 3,125.13  (25% of the value)", "Sales", "Qualified", "open",
                         "2026-02-01", "overdue", "stale: over 14 days", "Anna de Vries", "Acme Ltd",
                         "Sign-off by the CFO", "2026-01-05 17:30  added in Lead\n2026-01-20 18:30  Lead → Qualified",
                         "Next step", "none · t adds a task", "Timeline (2)",
                         "2026-01-20 18:30  stage    Lead → Qualified"):
            assert expected in text
        assert "Lost because" not in text


async def test_a_deal_due_later_in_its_stage_lately_has_no_marks(db):
    fresh = deals.create({"title": "Fresh", "value": "10", "expected_close": "2999-01-01"})
    async with shown(deal_screen(fresh.id)) as (app, pilot):
        text = shown_text(app)
        assert "2999-01-01" in text and "0 days" in text
        assert "overdue" not in text and "stale" not in text
        assert [str(row.query_one(".field-value", Static).visual) for row in app.screen.query("FieldRow")
                if row.label in ("Contact", "Company")] == ["—", "—"]
        assert not app.screen.query(LinkRow)


async def test_w_marks_the_deal_won(rollout):
    async with shown(deal_screen(rollout.id)) as (app, pilot):
        await press(app, pilot, "w")
        assert deals.get(rollout.id).status == "won"
        assert "Marked 'Big [b]rollout' won — u undoes" in app.notices
        assert "won on" in shown_text(app)
        assert "overdue" not in shown_text(app)


async def test_x_then_an_earlier_reason_marks_the_deal_lost(rollout):
    for title, reason in (("Old", "price"), ("Older", "price"), ("Oldest", "timing")):
        deals.lost(deals.create({"title": title}).id, reason)
    async with shown(deal_screen(rollout.id)) as (app, pilot):
        await press(app, pilot, "x")
        assert isinstance(app.screen, LostReasonScreen)
        assert str(app.screen.query_one(".dialog-title", Label).render()) == "Why was 'Big [b]rollout' lost?"
        offered = app.screen.query_one(OptionList)
        assert [str(offered.get_option_at_index(i).prompt) for i in range(offered.option_count)] == [
            "price", "timing"]
        await press(app, pilot, "down", "down", "enter")
        assert isinstance(app.screen, DealDetailScreen)
        stored = deals.get(rollout.id)
        assert (stored.status, stored.lost_reason, stored.stage) == ("lost", "timing", "Lost")
        assert "Lost because" in shown_text(app) and "timing" in shown_text(app)


async def test_a_new_reason_can_be_typed(rollout):
    async with shown(deal_screen(rollout.id)) as (app, pilot):
        await press(app, pilot, "x", *"went with [red]Rival[/]", "enter")
        assert deals.get(rollout.id).lost_reason == "went with [red]Rival[/]"
        assert "went with [red]Rival[/]" in shown_text(app)


async def test_escape_in_the_lost_dialog_changes_nothing(rollout):
    async with shown(deal_screen(rollout.id)) as (app, pilot):
        await press(app, pilot, "x", *"budget", "escape")
        assert isinstance(app.screen, DealDetailScreen)
        assert deals.get(rollout.id) == rollout


async def test_lost_dialog_narrows_the_reasons_as_typed_and_refuses_none(db):
    for title, reason in (("A", "Price too high"), ("B", "timing"), ("C", "no budget")):
        deals.lost(deals.create({"title": title}).id, reason)
    async with shown(LostReasonScreen("Deal")) as (app, pilot):
        offered = app.screen.query_one(OptionList)
        assert offered.option_count == 3 and offered.highlighted is None
        await press(app, pilot, "enter")
        assert "type a reason" in str(app.screen.query_one(".dialog-error", Label).render())
        await press(app, pilot, *"PRI")
        assert [str(offered.get_option_at_index(i).prompt) for i in range(offered.option_count)] == [
            "Price too high"]
        await press(app, pilot, "up", "enter")
        assert app.results == ["Price too high"]


async def test_pipeline_picker_returns_the_chosen_pipeline(db):
    partners = pipelines.create("Partners")
    async with shown(PipelinePickerScreen()) as (app, pilot):
        await press(app, pilot, "down", "enter")
        assert app.results == [partners.id]
    async with shown(PipelinePickerScreen(current=partners.id)) as (app, pilot):
        await press(app, pilot, "escape")
        assert app.results == [None]


async def test_enter_on_the_company_link_opens_the_company(rollout):
    async with shown(deal_screen(rollout.id)) as (app, pilot):
        await press(app, pilot, "tab", "tab")
        assert isinstance(app.screen.focused, LinkRow) and app.screen.focused.target == "company"
        await press(app, pilot, "enter")
        assert isinstance(app.screen, CompanyDetailScreen)
        assert title_of(app) == "Acme Ltd"
        await press(app, pilot, "escape")
        assert isinstance(app.screen, DealDetailScreen)


async def test_o_opens_the_contact(rollout):
    async with shown(deal_screen(rollout.id)) as (app, pilot):
        await press(app, pilot, "o")
        assert isinstance(app.screen, ContactDetailScreen)
        assert title_of(app) == "Anna de Vries"


async def test_e_edits_and_d_trashes(rollout):
    async with shown(deal_screen(rollout.id)) as (app, pilot):
        await press(app, pilot, "e")
        assert isinstance(app.screen, DealFormScreen)
        app.screen.query_one("#value", Input).value = "20000"
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, DealDetailScreen)
        assert "EUR 20,000.00" in shown_text(app)
        await press(app, pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "y")
        assert "Moved 'Big [b]rollout' to the trash — u undoes" in app.notices
        assert deals.get_many([rollout.id])[0].deleted_at is not None


async def test_n_and_p_walk_the_list_in_its_order(db):
    ids = [deals.create({"title": title, "value": amount}).id for title, amount in (("Small", "1"), ("Big", "9"))]
    async with shown(deal_screen(ids[0])) as (app, pilot):
        await press(app, pilot, "p")
        assert title_of(app) == "Big"
        await press(app, pilot, "p")
        assert app.notices[-1] == "This is the first deal"
        await press(app, pilot, "n", "escape")
        assert app.results == [0]


async def test_contact_detail_lists_their_deals_and_enter_opens_one(rollout, make_contact):
    other = make_contact(first_name="Bert")
    deals.create({"title": "Renewal", "value": "900", "contact": "Anna de Vries", "expected_close": "2026-12-31"})
    deals.create({"title": "Not hers", "contact": f"#{other.id}"})
    anna = contacts.get(rollout.contact_id)
    async with shown(ContactDetailScreen(anna.id, ContactSource(), BY_NAME)) as (app, pilot):
        assert "Deals with Anna de Vries" in shown_text(app)
        listed = app.screen.query_one("#deals", RecordList)
        rows = list_rows(listed)
        assert [row.split()[0] for row in rows] == ["Big", "Renewal"]
        assert "EUR 12,500.50" in rows[0]
        await press(app, pilot, "tab")
        assert app.screen.focused is listed
        await press(app, pilot, "down", "enter")
        assert isinstance(app.screen, DealDetailScreen)
        assert title_of(app) == "Renewal"
        await press(app, pilot, "p")
        assert title_of(app) == "Big [b]rollout"
        await press(app, pilot, "w", "escape")
        assert isinstance(app.screen, ContactDetailScreen)
        assert listed.cursor == 0
        assert "Won" in list_rows(listed)[0]


async def test_company_detail_shows_people_and_deals_at_80x24(rollout, make_contact):
    make_contact(first_name="Bert", company="Acme Ltd")
    deals.create({"title": "Renewal", "company": "Acme Ltd", "expected_close": "2026-12-31"})
    acme = companies.get(rollout.company_id)
    async with shown(CompanyDetailScreen(acme.id, CompanySource(), BY_NAME)) as (app, pilot):
        people, listed = app.screen.query_one("#people", RecordList), app.screen.query_one("#deals", RecordList)
        assert [row.split()[0] for row in list_rows(people)] == ["Anna", "Bert"]
        assert [row.split()[0] for row in list_rows(listed)] == ["Big", "Renewal"]
        await press(app, pilot, "tab", "tab")
        assert app.screen.focused is listed
        await press(app, pilot, "enter")
        assert isinstance(app.screen, DealDetailScreen)
        assert title_of(app) == "Big [b]rollout"


async def test_a_adds_a_deal_with_the_contact_filled_in(rollout):
    anna = contacts.get(rollout.contact_id)
    async with shown(ContactDetailScreen(anna.id, ContactSource(), BY_NAME)) as (app, pilot):
        await press(app, pilot, "a")
        assert isinstance(app.screen, DealFormScreen)
        assert app.screen.query_one("#contact", Input).value == "Anna de Vries"
        await press(app, pilot, *"Support", "ctrl+s")
        assert isinstance(app.screen, ContactDetailScreen)
        assert [row.split()[0] for row in list_rows(app.screen.query_one("#deals", RecordList))] == ["Big", "Support"]


def test_every_key_has_an_id_to_remap():
    assert {binding.id for binding in DealDetailScreen.BINDINGS} == {
        "deal_detail.back", "deal_detail.next", "deal_detail.previous", "deal_detail.edit", "deal_detail.delete",
        "deal_detail.won", "deal_detail.lost", "deal_detail.contact", "deal_detail.company", "deal_detail.timeline"}
    assert {binding.id for binding in LinkRow.BINDINGS} == {"deal_detail.open_link"}
    assert {binding.id for binding in LostReasonScreen.BINDINGS} == {
        "lost_reason.next", "lost_reason.previous", "lost_reason.cancel"}
    assert {binding.id for binding in PipelinePickerScreen.BINDINGS} == {"pipeline_picker.cancel"}
