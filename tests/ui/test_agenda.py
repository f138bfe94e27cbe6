"""The agenda at 80x24: open tasks under Overdue, Today, Next 7 days, Later and No date, contacts to get back to
and deals without a next step; ticking off, snoozing, undo, the forms and records it opens, and paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import list_rows, press, screen_lines, screen_text, settle, shown
from textual.widgets import Input

from crm_tui.core import activities, deals
from crm_tui.core.activities import agenda as agenda_rows
from crm_tui.core.audit import undo
from crm_tui.core.models import format_timestamp
from crm_tui.core.when import instant
from crm_tui.ui import sources
from crm_tui.ui.app import CrmApp
from crm_tui.ui.screens.activities.agenda import AgendaList, AgendaScreen, SnoozeScreen
from crm_tui.ui.screens.activities.form import LogFormScreen, TaskFormScreen
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.deals.detail import DealDetailScreen

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday, 11:00 in Amsterdam


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch, amsterdam):
    monkeypatch.setattr(sources, "current_time", lambda: NOW)
    monkeypatch.setattr(activities.service, "now_text", lambda: format_timestamp(NOW))


def task(subject: str, due: str | None, now: datetime = NOW, **links) -> activities.ActivityData:
    due_at = None if due is None else instant(due, now, direction="future")
    return activities.create({"kind": "task", "subject": subject, "due_at": due_at, **links})


def rows(app) -> list[str]:
    return list_rows(app.screen.query_one(AgendaList))


def headings(app) -> list[str]:
    """The headings on screen, as shown: a heading is drawn one cell in, a row two."""
    records = app.screen.query_one(AgendaList)
    lines = (records.render_line(y).text for y in range(1, records.size.height - 1))
    return [line.strip() for line in lines if line.startswith(" ") and not line.startswith("  ") and line.strip()]


def row_of(app, text: str) -> str:
    return next(line for line in rows(app) if text in line)


def current_subject(app) -> str:
    return app.screen.query_one(AgendaList).current.name


async def test_tasks_land_under_their_headings_in_order_with_counts(db, make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee", company="Acme")
    task("Chase invoice", "-2d", contact_id=ann.id)
    task("Prepare demo", "today 15:00")
    task("Send agenda", "today")
    task("Weekly report", "fri")  # a Wednesday: Friday is in the next 7 days
    task("Renewal", "+20d", company_id=ann.company_id)
    task("Someday", None)
    async with shown(AgendaScreen()) as (app, pilot):
        assert headings(app) == ["Overdue (1)", "Today (2)", "Next 7 days (1)", "Later (1)", "No date (1)"]
        assert "  Agenda · Wednesday 4 March 2026" in screen_text(app)
        assert rows(app)[:4] == ["Overdue (1)", "[ ] overdue 2d       Chase invoice                      Ann Lee",
                                  "Today (2)", "[ ] 15:00            Prepare demo"]
        assert row_of(app, "Send agenda").startswith("[ ] today ")
        assert row_of(app, "Weekly report").startswith("[ ] Fri 6 Mar ")
        assert row_of(app, "Renewal").startswith("[ ] Tue 24 Mar 11:00") and row_of(app, "Renewal").endswith("Acme")
        assert current_subject(app) == "Chase invoice", "the cursor starts on the first task, not a heading"
        assert "Overdue · 1 of 1" in screen_text(app)
        assert all(len(line) == 80 for line in screen_lines(app))
        await press(app, pilot, "j")
        assert current_subject(app) == "Prepare demo", "j steps over the Today heading"
        await press(app, pilot, "j", "j", "k")
        assert current_subject(app) == "Send agenda"
        await press(app, pilot, "k", "k", "k")
        assert current_subject(app) == "Chase invoice"


async def test_a_task_due_fri_added_on_a_friday_is_under_today(db, monkeypatch):
    friday = NOW + timedelta(days=2)
    monkeypatch.setattr(sources, "current_time", lambda: friday)
    async with shown(AgendaScreen()) as (app, pilot):
        assert "Nothing due. t adds a task." in screen_text(app)
        await press(app, pilot, "t")
        assert isinstance(app.screen, TaskFormScreen)
        await pilot.press(*"Weekly report")
        app.screen.query_one("#due_at", Input).focus()
        await pilot.press(*"fri")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, AgendaScreen) and "· u undoes" in app.notices[-1]
        await settle(app, pilot)
        assert headings(app) == ["Today (1)"]
        assert row_of(app, "Weekly report").startswith("[ ] today ")
        assert "Nothing due" not in screen_text(app)


async def test_space_ticks_a_task_off_in_place_and_again_opens_it_and_undo_puts_it_back(db):
    task("Prepare demo", "today 15:00")
    second = task("Send agenda", "today")
    async with shown(AgendaScreen()) as (app, pilot):
        await press(app, pilot, "j", "space")
        assert activities.get(second.id).done_at == format_timestamp(NOW)
        assert app.notices[-1] == "Done: Send agenda · u undoes"
        assert headings(app) == ["Today (1 · 1 done)"]
        assert row_of(app, "Send agenda").startswith("[x]") and current_subject(app) == "Send agenda"
        await press(app, pilot, "x")
        assert activities.get(second.id).done_at is None
        assert row_of(app, "Send agenda").startswith("[ ]") and headings(app) == ["Today (2)"]
        await press(app, pilot, "space")
        assert undo.undo_last().startswith("Undid")
        app.screen.reload()
        await settle(app, pilot)
        assert activities.get(second.id).done_at is None
        assert row_of(app, "Send agenda").startswith("[ ]") and headings(app) == ["Today (2)"]


async def test_u_in_the_app_undoes_ticking_off(db):
    class AgendaApp(CrmApp):
        MODES = {**CrmApp.MODES, "agenda": AgendaScreen}
        DEFAULT_MODE = "agenda"

    done = task("Send agenda", "today")
    app = AgendaApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "space Done" in screen_lines(app)[-1] and "? Help" in screen_lines(app)[-1]
        await press(app, pilot, "space")
        assert activities.get(done.id).done_at is not None
        await press(app, pilot, "u")
        assert activities.get(done.id).done_at is None
        assert row_of(app, "Send agenda").startswith("[ ]")


async def test_z_snoozes_a_day_and_the_task_moves_group(db):
    today = task("Send agenda", "today 15:00")
    undated = task("Someday", None)
    async with shown(AgendaScreen()) as (app, pilot):
        await press(app, pilot, "z")
        assert activities.get(today.id).due_at == format_timestamp(datetime(2026, 3, 5, 14, 0, tzinfo=UTC))
        assert app.notices[-1] == "Due tomorrow 15:00: Send agenda · u undoes"
        assert headings(app) == ["Next 7 days (1)", "No date (1)"]
        assert row_of(app, "Send agenda").startswith("[ ] tomorrow 15:00")
        await press(app, pilot, "G", "z")
        assert activities.get(undated.id).due_at == format_timestamp(instant("tomorrow", NOW, direction="future"))
        assert headings(app) == ["Next 7 days (2)"]


async def test_shift_z_snoozes_to_a_typed_day_and_a_bad_one_changes_nothing(db):
    first = task("Send agenda", "today 15:00")
    async with shown(AgendaScreen()) as (app, pilot):
        await press(app, pilot, "Z")
        assert isinstance(app.screen, SnoozeScreen)
        await press(app, pilot, *"31/02")
        assert '"31/02" is ambiguous' in screen_text(app)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, SnoozeScreen) and activities.get(first.id).version == first.version
        await press(app, pilot, *["backspace"] * 5, *"mon")
        assert "→ Mon 9 Mar" in screen_text(app)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, AgendaScreen)
        assert activities.get(first.id).due_at == format_timestamp(instant("mon", NOW, direction="future"))
        assert row_of(app, "Send agenda").startswith("[ ] Mon 9 Mar ") and headings(app) == ["Next 7 days (1)"]
        await press(app, pilot, "Z", *"fri", "escape")
        assert activities.get(first.id).due_at == format_timestamp(instant("mon", NOW, direction="future"))


async def test_a_contact_to_get_back_to_is_listed_until_something_is_logged_with_them(db, make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee", company="Acme", keep_in_touch_days=30)
    bob = make_contact(first_name="Bob", keep_in_touch_days=30)
    activities.create({"kind": "call", "subject": "Old call", "contact_id": bob.id,
                       "occurred_at": format_timestamp(NOW - timedelta(days=45))})
    async with shown(AgendaScreen()) as (app, pilot):
        assert headings(app) == ["Stay in touch (2)"]
        assert row_of(app, "Ann Lee").split() == "Ann Lee · Acme never in touch · every 30 days".split()
        assert "last contact 45 days ago · every 30 days" in row_of(app, "Bob")
        await press(app, pilot, "l")
        assert isinstance(app.screen, LogFormScreen)
        assert app.screen.query_one("#contact_id", Input).value == "Ann Lee"
        await press(app, pilot, "c", *"Caught up", "ctrl+s")
        assert isinstance(app.screen, AgendaScreen)
        logged = activities.get(2)
        assert (logged.kind, logged.subject, logged.contact_id) == ("call", "Caught up", ann.id)
        assert headings(app) == ["Stay in touch (1)"] and "Ann Lee" not in screen_text(app)
        activities.create({"kind": "note", "subject": "Met at the fair", "contact_id": bob.id,
                           "occurred_at": format_timestamp(NOW)})
        app.screen.reload()
        await settle(app, pilot)
        assert headings(app) == [] and "Nothing due. t adds a task." in screen_text(app)


async def test_an_open_deal_without_a_next_step_is_listed_until_it_gets_one(db, make_contact):
    ann = make_contact(first_name="Ann", company="Acme")
    stalled = deals.create({"title": "Rollout", "value": "12000", "company": "Acme", "contact": f"#{ann.id}"})
    planned = deals.create({"title": "Pilot", "value": "500"})
    task("Call about the pilot", "fri", deal_id=planned.id)
    async with shown(AgendaScreen()) as (app, pilot):
        assert headings(app) == ["Next 7 days (1)", "Deals without a next step (1)"]
        assert row_of(app, "Rollout").split()[:2] == ["Rollout", stalled.stage]
        assert "EUR 12,000.00" in row_of(app, "Rollout") and row_of(app, "Rollout").endswith("Acme")
        await press(app, pilot, "G", "enter")
        assert isinstance(app.screen, DealDetailScreen) and app.screen.record_id == stalled.id
        await press(app, pilot, "escape")
        assert isinstance(app.screen, AgendaScreen)
        await press(app, pilot, "t")
        assert app.screen.query_one("#deal_id", Input).value == "Rollout"
        await press(app, pilot, *"Send the offer", "ctrl+s")
        assert isinstance(app.screen, AgendaScreen)
        await settle(app, pilot)
        assert headings(app) == ["Next 7 days (1)", "No date (1)"]
        assert deals.get(stalled.id).next_step == "Send the offer"


async def test_enter_opens_a_tasks_deal_else_its_contact_and_e_edits_it(db, make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee")
    task("Call Ann", "-1d", contact_id=ann.id)
    async with shown(AgendaScreen()) as (app, pilot):
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ContactDetailScreen) and app.screen.record_id == ann.id
        await press(app, pilot, "escape")
        await press(app, pilot, "e")
        assert isinstance(app.screen, TaskFormScreen)
        subject = app.screen.query_one("#subject", Input)
        subject.value = "Call Ann Lee"
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, AgendaScreen)
        await settle(app, pilot)
        assert "Call Ann Lee" in row_of(app, "overdue 1d")


async def test_three_hundred_overdue_tasks_are_read_a_page_at_a_time_and_g_reaches_the_last_group(db, make_contact,
                                                                                                monkeypatch):
    read: list[int] = []
    task_page = agenda_rows.task_page

    def counted(*args, **kwargs):
        page = task_page(*args, **kwargs)
        read.append(len(page))
        return page

    monkeypatch.setattr(agenda_rows, "task_page", counted)
    for number in range(300):
        activities.create({"kind": "task", "subject": f"Overdue {number:03d}",
                           "due_at": format_timestamp(NOW - timedelta(days=400) + timedelta(hours=number))})
    task("Today's one", "today")
    make_contact(first_name="Zoe", keep_in_touch_days=7)
    async with shown(AgendaScreen()) as (app, pilot):
        records = app.screen.query_one(AgendaList)
        assert headings(app) == ["Overdue (300)"]
        assert records.current.name == "Overdue 000"
        assert max(read) <= 50 and sum(read) < 150, "a page at a time, never every task"
        await press(app, pilot, "G")
        assert records.current.name == "Zoe"
        assert headings(app)[-2:] == ["Today (1)", "Stay in touch (1)"]
        assert "Stay in touch · 1 of 1" in screen_text(app)
        await press(app, pilot, "k", "k")
        assert records.current.name == "Overdue 299"
        await press(app, pilot, "g")
        assert records.current.name == "Overdue 000" and headings(app)[0] == "Overdue (300)"


async def test_an_overdue_task_ticked_off_shows_when_it_was_due_and_cannot_be_snoozed(db):
    late = task("Chase invoice", "-2d")
    async with shown(AgendaScreen()) as (app, pilot):
        await press(app, pilot, "space")
        assert row_of(app, "Chase invoice").startswith("[x] Mon 2 Mar") and headings(app) == ["Overdue (0 · 1 done)"]
        await press(app, pilot, "z")
        assert app.notices[-1] == "That task is done; space opens it again"
        assert activities.get(late.id).due_at == format_timestamp(instant("-2d", NOW, direction="future"))
