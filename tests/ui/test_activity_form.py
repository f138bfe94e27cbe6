"""The log and task forms at 80x24: the fastest path (`c`, a subject, ctrl+s), times read back as typed and stored
in UTC, links pre-set from a record or typed by name, edits that undo, and a form that fits without scrolling."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers import press, screen_text, settle, shown
from textual.app import App
from textual.widgets import Input, Label, Static, TextArea

from crm_tui.core import activities, deals
from crm_tui.core.audit import undo
from crm_tui.core.models import format_timestamp
from crm_tui.ui import sources
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.screens.activities.form import KindRow, LogFormScreen, TaskFormScreen, edit_screen

NOW = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)  # a Thursday


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setattr(sources, "current_time", lambda: NOW)


async def type_into(app: App, pilot, field: str, text: str) -> None:
    """Focus a field and type at its end, key by key, as a person would."""
    app.screen.query_one(f"#{field}").focus()
    await pilot.pause()
    await pilot.press("end", *text)


def line(app: App, field: str, kind: str = "error") -> str:
    """The error (or note) line under a field, as shown; "" while it is hidden."""
    label = app.screen.query_one(f"#{field}-{kind}", Label)
    return str(label.render()) if label.display else ""


def value(app: App, field: str) -> str:
    widget = app.screen.query_one(f"#{field}")
    return widget.text if isinstance(widget, TextArea) else widget.value


def kind_shown(app: App) -> str:
    return app.screen.query_one(KindRow).kind


def stored_activities() -> list[activities.ActivityData]:
    return activities.get_many(range(1, 20))


async def test_c_a_subject_and_ctrl_s_log_a_call_linked_to_the_contact_and_its_company(db, make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee", company="Acme")
    async with shown(LogFormScreen(contact_id=ann.id)) as (app, pilot):
        assert isinstance(app.screen.focused, KindRow)
        assert (value(app, "contact_id"), value(app, "company_id"), value(app, "deal_id")) == ("Ann Lee", "Acme", "")
        await press(app, pilot, "c")
        assert app.screen.focused is app.screen.query_one("#subject", Input)
        await pilot.press(*"Checked the new menu")  # c, m, e and n are text here
        await press(app, pilot, "ctrl+s")
        assert len(app.results) == 1
    call = activities.get(app.results[0])
    assert (call.kind, call.subject, call.body) == ("call", "Checked the new menu", "")
    assert (call.contact_id, call.company_id, call.deal_id) == (ann.id, ann.company_id, None)
    assert call.occurred_at == format_timestamp(NOW)


async def test_the_kind_row_reads_its_letters_arrows_and_clicks(db):
    async with shown(LogFormScreen()) as (app, pilot):
        assert kind_shown(app) == "call"
        assert " c call    m meeting    e email    n note " in screen_text(app)
        await press(app, pilot, "right", "right")
        assert kind_shown(app) == "email"
        assert isinstance(app.screen.focused, KindRow), "arrows change the kind without leaving the row"
        await press(app, pilot, "left", "left", "left")
        assert kind_shown(app) == "note"
        await pilot.click(KindRow, offset=(12, 0))
        assert kind_shown(app) == "meeting"
        await press(app, pilot, "shift+tab")
        await press(app, pilot, "escape")
        assert app.results == [None], "a new form with only a kind picked closes without asking"


async def test_yesterday_at_15_is_stored_as_that_tokyo_time_in_utc(db, tokyo):
    async with shown(LogFormScreen()) as (app, pilot):
        await press(app, pilot, "n")
        await type_into(app, pilot, "subject", "Lunch")
        await type_into(app, pilot, "body", "Long one.")
        await type_into(app, pilot, "occurred_at", "yesterday 15:00")
        await settle(app, pilot)
        assert line(app, "occurred_at", "note") == "yesterday, Wed 2 Dec 15:00"
        assert line(app, "occurred_at") == ""
        await press(app, pilot, "ctrl+s")
    note = activities.get(app.results[0])
    assert (note.kind, note.subject, note.body) == ("note", "Lunch", "Long one.")
    assert note.occurred_at == "2026-12-02T06:00:00.000000Z"  # 15:00 in Tokyo (UTC+9) on Wed 2 Dec


async def test_a_future_time_is_refused_under_when_and_everything_typed_stays(db):
    async with shown(LogFormScreen()) as (app, pilot):
        await press(app, pilot, "e")
        await type_into(app, pilot, "subject", "Sent the offer")
        await type_into(app, pilot, "body", "with prices")
        await type_into(app, pilot, "occurred_at", "tomorrow 10:00")
        await settle(app, pilot)
        assert '"tomorrow 10:00" is in the future' in line(app, "occurred_at")
        assert line(app, "occurred_at", "note") == ""
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, LogFormScreen) and app.results == []
        assert '"tomorrow 10:00" is in the future' in line(app, "occurred_at")
        assert app.screen.focused is app.screen.query_one("#occurred_at", Input)
        assert (value(app, "subject"), value(app, "body"), value(app, "occurred_at")) == (
            "Sent the offer", "with prices", "tomorrow 10:00")
        assert kind_shown(app) == "email"
        assert stored_activities() == []


async def test_due_fri_reads_back_the_coming_friday_and_saves_its_end(db, amsterdam, monkeypatch):
    monkeypatch.setattr(sources, "current_time", lambda: datetime(2026, 11, 30, 9, tzinfo=UTC))  # a Monday
    async with shown(TaskFormScreen()) as (app, pilot):
        assert app.screen.focused is app.screen.query_one("#subject", Input)
        await pilot.press(*"Send the contract")
        await type_into(app, pilot, "due_at", "fri")
        await settle(app, pilot)
        assert line(app, "due_at", "note") == "Fri 4 Dec, end of day"
        assert "Fri 4 Dec, end of day" in screen_text(app)
        await press(app, pilot, "ctrl+s")
    task = activities.get(app.results[0])
    assert (task.kind, task.subject, task.occurred_at) == ("task", "Send the contract", None)
    assert task.due_at == "2026-12-04T22:59:00.000000Z"  # 23:59 in Amsterdam (UTC+1 in December)


async def test_an_unreadable_due_date_is_refused_and_a_blank_one_means_none(db):
    async with shown(TaskFormScreen()) as (app, pilot):
        await pilot.press(*"Call back")
        await type_into(app, pilot, "due_at", "31/02")
        await settle(app, pilot)
        assert '"31/02" is ambiguous' in line(app, "due_at")
        await press(app, pilot, "ctrl+s")
        assert app.results == [] and stored_activities() == []
        assert '"31/02" is ambiguous' in line(app, "due_at")
        await press(app, pilot, *["backspace"] * 5)
        assert line(app, "due_at") == "" and line(app, "due_at", "note") == ""
        await press(app, pilot, "ctrl+s")
    assert activities.get(app.results[0]).due_at is None


async def test_a_task_from_a_deal_links_the_deal_its_contact_and_its_company(db, make_contact):
    ann = make_contact(first_name="Ann", company="Acme")
    make_contact(first_name="Ann")  # a namesake: the preset still saves the right one
    deal = deals.create({"title": "Rollout", "contact": f"#{ann.id}", "company": "Acme"})
    async with shown(TaskFormScreen(deal_id=deal.id)) as (app, pilot):
        assert (value(app, "contact_id"), value(app, "company_id"), value(app, "deal_id")) == ("Ann", "Acme", "Rollout")
        await pilot.press(*"Chase")
        await type_into(app, pilot, "due_at", "2026-12-10 14:00")
        await press(app, pilot, "ctrl+s")
    task = activities.get(app.results[0])
    assert (task.contact_id, task.company_id, task.deal_id) == (ann.id, ann.company_id, deal.id)


async def test_typed_links_that_name_nothing_or_several_are_refused_under_their_fields(db, make_contact):
    first = make_contact(first_name="Ann", last_name="Lee")
    second = make_contact(first_name="Ann", last_name="Lee")
    async with shown(LogFormScreen()) as (app, pilot):
        await press(app, pilot, "c")
        await pilot.press(*"Intro")
        await type_into(app, pilot, "contact_id", "ann lee")
        await type_into(app, pilot, "company_id", "Nowhere Ltd")
        await press(app, pilot, "ctrl+s")
        assert app.results == []
        assert line(app, "contact_id") == f'2 contacts are called "ann lee" (#{first.id}, #{second.id}); type #id'
        assert line(app, "company_id").startswith('no company is called "Nowhere Ltd"')
        app.screen.query_one("#contact_id", Input).value = f"#{second.id}"
        app.screen.query_one("#company_id", Input).value = ""
        await press(app, pilot, "ctrl+s")
    assert activities.get(app.results[0]).contact_id == second.id


async def test_editing_changes_the_activity_and_undo_puts_it_back(db, make_contact):
    ann = make_contact(first_name="Ann", company="Acme")
    call = activities.create({"kind": "call", "subject": "Intro", "contact_id": ann.id,
                              "occurred_at": "2026-12-01T09:00:00Z"})
    async with shown(edit_screen(call)) as (app, pilot):
        assert str(app.screen.query_one("#form-title", Label).render()) == "Edit Intro"
        assert (kind_shown(app), value(app, "subject"), value(app, "contact_id")) == ("call", "Intro", "Ann")
        assert value(app, "occurred_at") == datetime(2026, 12, 1, 9, tzinfo=UTC).astimezone().strftime(
            "%Y-%m-%d %H:%M")
        await press(app, pilot, "m")
        await pilot.press("end", *" and demo")
        await type_into(app, pilot, "company_id", "Acme")
        await press(app, pilot, "ctrl+s")
        assert app.results == [call.id]
    edited = activities.get(call.id)
    assert (edited.kind, edited.subject, edited.company_id) == ("meeting", "Intro and demo", ann.company_id)
    assert edited.occurred_at == call.occurred_at, "an untouched When is not sent, so it keeps its seconds"
    undo.undo_last()
    restored = activities.get(call.id)
    assert (restored.kind, restored.subject, restored.company_id) == ("call", "Intro", None)


async def test_changing_only_the_kind_of_a_stored_activity_is_an_edit(db):
    note = activities.create({"kind": "note", "subject": "Idea"})
    async with shown(edit_screen(note)) as (app, pilot):
        await press(app, pilot, "e")
        await press(app, pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen), "a changed kind is not thrown away unasked"
        await press(app, pilot, "escape")
        await press(app, pilot, "ctrl+s")
    assert activities.get(note.id).kind == "email"


async def test_a_task_opens_in_the_task_form_and_its_due_time_reads_back(db):
    task = activities.create({"kind": "task", "subject": "Renew", "due_at": "2026-12-07T16:00:00Z"})
    async with shown(edit_screen(task)) as (app, pilot):
        assert isinstance(app.screen, TaskFormScreen)
        shown_due = datetime(2026, 12, 7, 16, tzinfo=UTC).astimezone()
        assert line(app, "due_at", "note") == f"Mon 7 Dec {shown_due:%H:%M}"
        await type_into(app, pilot, "body", "ask about seats")
        await press(app, pilot, "ctrl+s")
    edited = activities.get(task.id)
    assert (edited.body, edited.due_at) == ("ask about seats", "2026-12-07T16:00:00.000000Z")


async def test_escape_asks_before_throwing_away_typed_text(db):
    async with shown(LogFormScreen()) as (app, pilot):
        await press(app, pilot, "c")
        await pilot.press(*"Half a thought")
        await press(app, pilot, "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "escape")
        assert value(app, "subject") == "Half a thought"
        await press(app, pilot, "escape", "enter")
        assert app.results == [None]
    assert stored_activities() == []


async def test_an_activity_changed_elsewhere_is_not_overwritten(db):
    call = activities.create({"kind": "call", "subject": "Intro"})
    async with shown(edit_screen(call)) as (app, pilot):
        activities.update(call.id, call.version, body="notes from elsewhere")
        await type_into(app, pilot, "subject", "!")
        await press(app, pilot, "ctrl+s")
        panel = app.screen.query_one("#form-panel", Static)
        assert panel.display and "Body: notes from elsewhere" in str(panel.render())
        assert app.results == []
        await press(app, pilot, "ctrl+s")
    stored = activities.get(call.id)
    assert (stored.subject, stored.body) == ("Intro!", "notes from elsewhere")


async def test_the_whole_log_form_fits_80x24(db, make_contact, tokyo):
    ann = make_contact(first_name="Ann", company="Acme")
    async with shown(LogFormScreen(contact_id=ann.id)) as (app, pilot):
        await type_into(app, pilot, "occurred_at", "2h ago")
        await settle(app, pilot)
        text = screen_text(app)
        for part in ("Log an activity", "Kind", " c call ", "Subject", "Body", "When", "today, Thu 3 Dec 17:30",
                     "Contact", "Company", "Deal", "empty is none", "ctrl+s save · esc cancel"):
            assert part in text
        assert app.screen.query_one("#form").max_scroll_y == 0


def test_every_key_has_an_id_to_remap():
    assert {binding.id for binding in LogFormScreen.BINDINGS} == {"log_form.save", "log_form.cancel", "log_form.reload"}
    assert {binding.id for binding in TaskFormScreen.BINDINGS} == {
        "task_form.save", "task_form.cancel", "task_form.reload"}
    assert {binding.id for binding in KindRow.BINDINGS} == {
        "log_form.kind_call", "log_form.kind_meeting", "log_form.kind_email", "log_form.kind_note",
        "log_form.kind_previous", "log_form.kind_next"}
