"""The deal form at 80x24: amounts as people type them, errors under their field, presets, and edits that send only
what changed."""

from __future__ import annotations

from deal_helpers import line, shown_with
from helpers import press, settle, shown
from textual.app import App
from textual.widgets import Input, Label

from crm_tui.core import companies, deals
from crm_tui.core.deals import pipelines
from crm_tui.ui.screens.deals.form import DealFormScreen


async def fill(app: App, pilot, typed: dict[str, str]) -> None:
    """Focus each field in turn and type its text at the end of it, key by key."""
    for field, text in typed.items():
        app.screen.query_one(f"#{field}").focus()
        await pilot.pause()
        await pilot.press("end", *text)


def value(app: App, field: str) -> str:
    return app.screen.query_one(f"#{field}", Input).value


async def test_a_new_deal_saves_the_value_as_typed_in_the_settings_currency(db):
    async with shown_with(DealFormScreen(), {"currency": "usd"}) as (app, pilot):
        assert str(app.screen.query_one("#form-title", Label).render()) == "New deal"
        assert (value(app, "currency"), value(app, "pipeline"), value(app, "stage")) == ("USD", "Sales", "")
        await fill(app, pilot, {"title": "Rollout", "value": "12.500,50"})
        await pilot.press("tab")
        assert line(app, "value") == ""
        assert line(app, "value", "note") == "saved as USD 12,500.50"
        await fill(app, pilot, {"expected_close": "2027-03-01", "notes": "via the fair"})
        await press(app, pilot, "ctrl+s")
        saved = deals.get(app.results[0])
    assert (saved.title, saved.value_minor, saved.currency) == ("Rollout", 1250050, "USD")
    assert (saved.pipeline, saved.stage, saved.status) == ("Sales", "Lead", "open")
    assert (saved.expected_close, saved.notes) == ("2027-03-01", "via the fair")


async def test_a_bad_amount_shows_under_value_at_once_and_saves_nothing(db):
    async with shown(DealFormScreen()) as (app, pilot):
        await fill(app, pilot, {"title": "Rollout", "value": "12,34,5"})
        await pilot.press("tab")
        assert line(app, "value") == ("'12,34,5' is not an amount (digits between thousands separators come in "
                                      "threes, as in 1,234,567)")
        await press(app, pilot, "ctrl+s")
        assert "'12,34,5' is not an amount" in line(app, "value")
        assert app.screen.focused is app.screen.query_one("#value", Input)
        assert app.results == []
        assert deals.get_many([1]) == []


async def test_a_change_of_currency_checks_the_value_again(db):
    async with shown_with(DealFormScreen(), {"currency": "EUR"}) as (app, pilot):
        await fill(app, pilot, {"title": "Rollout", "value": "1200.55"})
        await pilot.press("tab")
        assert line(app, "value") == ""
        app.screen.query_one("#currency", Input).value = "JPY"
        await settle(app, pilot)
        assert line(app, "value") == "JPY has no decimal places; '1200.55' has 2"


async def test_service_errors_show_under_their_fields(db):
    async with shown(DealFormScreen()) as (app, pilot):
        await fill(app, pilot, {"stage": "Nowhere", "contact": "Nobody", "expected_close": "soon"})
        await press(app, pilot, "ctrl+s")
        assert line(app, "title") == "is required"
        assert "has no stage 'Nowhere'" in line(app, "stage")
        assert line(app, "contact") == "there is no contact called 'Nobody'"
        assert "is not a date" in line(app, "expected_close")
        assert app.screen.focused is app.screen.query_one("#title", Input)
        assert app.results == []


async def test_presets_fill_the_form_and_save_by_id(db, make_contact):
    anna = make_contact(first_name="Anna")
    make_contact(first_name="Anna")  # a namesake: the preset must still save the right one
    acme = companies.create({"name": "Acme"})
    partners = pipelines.create("Partners", ["Intro", "Trial"])
    trial = partners.stage("Trial")
    screen = DealFormScreen(pipeline_id=partners.id, stage_id=trial.id, contact_id=anna.id, company_id=acme.id)
    async with shown(screen) as (app, pilot):
        assert [value(app, name) for name in ("pipeline", "stage", "contact", "company")] == [
            "Partners", "Trial", "Anna", "Acme"]
        await fill(app, pilot, {"title": "Pilot"})
        await press(app, pilot, "escape", "y")
        assert app.results == [None], "presets count as unchanged: only the title asks before discarding"
    async with shown(DealFormScreen(stage_id=trial.id, contact_id=anna.id)) as (app, pilot):
        assert (value(app, "pipeline"), value(app, "stage")) == ("Partners", "Trial")
        await fill(app, pilot, {"title": "Pilot"})
        await press(app, pilot, "ctrl+s")
        saved = deals.get(app.results[0])
    assert (saved.pipeline_id, saved.stage_id, saved.contact_id, saved.company_id) == (
        partners.id, trial.id, anna.id, None)


async def test_a_preset_stage_is_not_forced_on_another_pipeline(db):
    partners = pipelines.create("Partners", ["Intro", "Trial"])
    async with shown(DealFormScreen(pipeline_id=partners.id, stage_id=partners.stage("Intro").id)) as (app, pilot):
        await fill(app, pilot, {"title": "Pilot"})
        app.screen.query_one("#pipeline", Input).value = "Sales"
        app.screen.query_one("#stage", Input).value = "Proposal"
        await press(app, pilot, "ctrl+s")
        saved = deals.get(app.results[0])
    assert (saved.pipeline, saved.stage) == ("Sales", "Proposal")


async def test_names_are_completed_from_the_database(db, make_contact):
    make_contact(first_name="Anna", last_name="de Vries")
    companies.create({"name": "Acme Ltd"})
    async with shown(DealFormScreen()) as (app, pilot):
        await fill(app, pilot, {"title": "Rollout", "contact": "ann"})
        await settle(app, pilot)
        await press(app, pilot, "right")
        assert value(app, "contact") == "Anna de Vries"
        await fill(app, pilot, {"company": "ac"})
        await settle(app, pilot)
        await press(app, pilot, "right")
        assert value(app, "company") == "Acme Ltd"
        app.screen.query_one("#stage", Input).focus()
        await pilot.press(*"neg")
        await settle(app, pilot)
        await press(app, pilot, "right")
        assert value(app, "stage") == "Negotiation"
        await press(app, pilot, "ctrl+s")
        saved = deals.get(app.results[0])
    assert (saved.contact, saved.company, saved.stage) == ("Anna de Vries", "Acme Ltd", "Negotiation")


async def test_edit_shows_the_plain_value_and_sends_only_what_changed(db, make_contact, monkeypatch):
    make_contact(first_name="Anna")
    rollout = deals.create({"title": "Rollout", "value": "12500.5", "contact": "Anna", "notes": "n"})
    sent = []
    real_update = deals.update

    def spy(deal_id, version, default_currency, **changes):
        sent.append(changes)
        return real_update(deal_id, version, default_currency, **changes)

    monkeypatch.setattr(deals, "update", spy)
    async with shown(DealFormScreen(rollout)) as (app, pilot):
        assert str(app.screen.query_one("#form-title", Label).render()) == "Edit Rollout"
        assert [value(app, name) for name in ("value", "currency", "pipeline", "stage", "contact")] == [
            "12500.50", "EUR", "Sales", "Lead", "Anna"]
        assert line(app, "value", "note") == ""
        await fill(app, pilot, {"expected_close": "2027-01-31"})
        await press(app, pilot, "ctrl+s")
        assert app.results == [rollout.id]
    assert sent == [{"expected_close": "2027-01-31"}]
    stored = deals.get(rollout.id)
    assert (stored.value_minor, stored.contact, stored.notes, stored.expected_close) == (
        1250050, "Anna", "n", "2027-01-31")


async def test_a_new_currency_keeps_the_value_shown(db):
    rollout = deals.create({"title": "Rollout", "value": "100", "currency": "USD"})
    async with shown(DealFormScreen(rollout)) as (app, pilot):
        app.screen.query_one("#currency", Input).value = "GBP"
        await press(app, pilot, "ctrl+s")
        assert app.results == [rollout.id]
    stored = deals.get(rollout.id)
    assert (stored.value_minor, stored.currency) == (10000, "GBP")


async def test_an_edit_over_a_change_made_elsewhere_is_shown_not_lost(db):
    rollout = deals.create({"title": "Rollout", "value": "100"})
    async with shown(DealFormScreen(rollout)) as (app, pilot):
        deals.update(rollout.id, rollout.version, notes="call Monday")
        await fill(app, pilot, {"title": " II"})
        await press(app, pilot, "ctrl+s")
        assert "Notes: call Monday" in str(app.screen.query_one("#form-panel").render())
        assert deals.get(rollout.id).title == "Rollout"
        await press(app, pilot, "ctrl+s")
        assert app.results == [rollout.id]
    stored = deals.get(rollout.id)
    assert (stored.title, stored.notes) == ("Rollout II", "call Monday")


def test_every_form_key_has_an_id_to_remap():
    assert {binding.id for binding in DealFormScreen.BINDINGS} == {
        "deal_form.save", "deal_form.cancel", "deal_form.reload"}
