"""The activity log at 80x24: newest first, the kind, text, date and record filters, a record's timeline with its
stage changes, trashing, editing and opening what an entry is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import list_rows, press, screen_lines, screen_text, shown, title_of
from textual.widgets import Input, Label, Static

from crm_tui.core import activities, deals
from crm_tui.core.activities import feed
from crm_tui.core.activities.feed import FeedFilter
from crm_tui.core.audit import undo
from crm_tui.core.models import format_timestamp
from crm_tui.ui import sources
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import column_widths
from crm_tui.ui.screens.activities.form import LogFormScreen
from crm_tui.ui.screens.activities.log import FEED_COLUMNS, ActivityLogScreen, DateRangeScreen, read_range
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.deals.detail import DealDetailScreen

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def at(hours: float) -> str:
    return format_timestamp(NOW + timedelta(hours=hours))


@pytest.fixture
def story(db, make_contact, monkeypatch, amsterdam):
    """Anna at Acme, a deal with her moved twice, and activities around it; Amsterdam time (UTC+1), now fixed."""
    monkeypatch.setattr(sources, "current_time", lambda: NOW)
    anna = make_contact(first_name="Anna", last_name="de Vries", company="Acme")
    bob = make_contact(first_name="Bob", last_name="Stone")
    monkeypatch.setattr(deals.service, "now_text", lambda: at(-50))
    rollout = deals.create({"title": "Rollout", "contact": anna.id, "company": "Acme"})
    log = activities.create
    log({"kind": "call", "subject": "Intro call", "occurred_at": at(-49), "contact_id": anna.id})
    monkeypatch.setattr(deals.service, "now_text", lambda: at(-30))
    deals.move(rollout.id, "Qualified")
    log({"kind": "email", "subject": "[b]Quote[/b] for Bob", "body": "Sent the PDF\nand more", "occurred_at": at(-26),
         "contact_id": bob.id})
    log({"kind": "meeting", "subject": "Demo", "occurred_at": at(-20), "contact_id": anna.id, "deal_id": rollout.id})
    log({"kind": "note", "subject": "Pricing notes", "occurred_at": at(-2), "deal_id": rollout.id})
    return {"anna": anna, "bob": bob, "rollout": rollout}


def rows(app) -> list[str]:
    return list_rows(app.screen.query_one(RecordList))


def status(app) -> str:
    return str(app.screen.query_one("#log-status", Static).visual)


def summaries(app) -> list[str]:
    """The Summary column of each row, as wide as the list gives it, after the time and the kind."""
    records = app.screen.query_one(RecordList)
    when, kind, summary, _ = column_widths(FEED_COLUMNS, records.scrollable_content_region.width)
    start = when + kind + 2
    return [row[start:start + summary].rstrip() for row in rows(app)]


async def test_newest_first_in_columns_that_fit_80_columns(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        assert screen_lines(app)[1].split() == ["When", "Kind", "Summary", "With"]
        assert summaries(app) == ["Pricing notes", "Demo", "[b]Quote[/b] for Bob · Sent th…", "Lead → Qualified",
                                  "Intro call", "added in Lead"]
        lines = rows(app)
        assert lines[0].startswith("2026-11-28 08:30 note    Pricing notes") and lines[0].endswith("Rollout")
        assert lines[3].startswith("2026-11-27 04:30 stage   Lead → Qualified")
        assert lines[3].endswith("Rollout · Anna de V…") and lines[1].endswith("Anna de Vries · Rol…")
        assert all(len(line) == 80 for line in screen_lines(app))
        assert "row 1 of 6" in screen_text(app)
        assert status(app) == "f kind: all · r dates: any"


async def test_f_cycles_the_kind_and_the_rows_follow(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        await press(app, pilot, "f")
        assert summaries(app) == ["Intro call"] and "f kind: call" in status(app)
        await press(app, pilot, "f")
        assert summaries(app) == ["Demo"]
        await press(app, pilot, "f", "f", "f", "f")
        assert summaries(app) == ["Lead → Qualified", "added in Lead"] and "kind: stage" in status(app)
        await press(app, pilot, "f")
        assert len(summaries(app)) == 6 and "kind: all" in status(app)


async def test_slash_narrows_by_words_and_escape_clears_them(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        await press(app, pilot, "slash", *"quote")
        assert summaries(app) == ["[b]Quote[/b] for Bob · Sent th…"]
        await press(app, pilot, "escape")
        assert len(summaries(app)) == 6


async def test_the_date_range_narrows_and_says_what_it_understood(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        await press(app, pilot, "r")
        assert isinstance(app.screen, DateRangeScreen)
        await press(app, pilot, *"2026-11-27", "tab", *"yesterday")
        assert str(app.screen.query_one("#since-note", Label).render()) == "→ yesterday"
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ActivityLogScreen)
        assert summaries(app) == ["Demo", "[b]Quote[/b] for Bob · Sent th…", "Lead → Qualified"]
        assert "r dates: from yesterday to yesterday" in status(app)


async def test_a_date_that_cannot_be_read_shows_an_error_under_its_field(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        await press(app, pilot, "r", *"next blursday", "enter")
        assert isinstance(app.screen, DateRangeScreen)
        note = app.screen.query_one("#since-note", Label)
        assert note.has_class("-error") and '"next blursday"' in str(note.render())
        await press(app, pilot, "ctrl+u", *"mon", "tab", *"tomorrow")
        assert "is in the future" in str(app.screen.query_one("#until-note", Label).render())
        await press(app, pilot, "escape")
        assert isinstance(app.screen, ActivityLogScreen) and len(summaries(app)) == 6


def test_a_range_to_a_bare_day_takes_in_the_whole_day(amsterdam):
    picked = read_range("2026-11-20", "2026-11-21", NOW)
    assert (picked.since, picked.until) == ("2026-11-19T23:00:00.000000Z", "2026-11-21T23:00:00.000000Z")
    with pytest.raises(Exception, match="must come after From"):
        read_range("today", "2026-11-01", NOW)


async def test_a_deals_timeline_shows_its_stage_changes_between_its_activities(story):
    async with shown(ActivityLogScreen(FeedFilter(deal_id=story["rollout"].id))) as (app, pilot):
        assert summaries(app) == ["Pricing notes", "Demo", "Lead → Qualified", "added in Lead"]
        assert [row.rsplit("  ", 1)[-1].strip() for row in rows(app)] == [
            "Pricing notes", "Anna de Vries", "Anna de Vries · Acme", "Anna de Vries · Acme"]
        assert status(app).endswith("only Rollout (backspace shows all)")
        await press(app, pilot, "backspace")
        assert len(summaries(app)) == 6 and "only" not in status(app)


async def test_a_contacts_timeline_holds_their_activities_and_their_deals_moves(story):
    async with shown(ActivityLogScreen(FeedFilter(contact_id=story["anna"].id))) as (app, pilot):
        assert summaries(app) == ["Demo", "Lead → Qualified", "Intro call", "added in Lead"]
        await press(app, pilot, "escape")
        assert app.results == [None]


async def test_d_moves_the_activity_to_the_trash_and_passes_over_stage_changes(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        demo = app.screen.query_one(RecordList).record_at(1)
        await press(app, pilot, "j", "d")
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "y")
        assert activities.get(demo.activity_id, include_deleted=True).deleted_at is not None
        assert "Demo" not in summaries(app)
        assert "Moved 1 activity to the trash · u undoes" in app.notices
        await press(app, pilot, "j")
        assert app.screen.query_one(RecordList).current.kind == "stage"
        await press(app, pilot, "d", "e")
        assert isinstance(app.screen, ActivityLogScreen)
        assert feed.count(FeedFilter()) == 5
        undo.undo_last()
        app.screen.reload()
        await press(app, pilot)
        assert "Demo" in summaries(app)


async def test_d_on_marked_entries_trashes_their_activities_and_leaves_stage_changes(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        await press(app, pilot, "j", "j", "space", "space", "d")
        assert str(app.screen.query_one(".dialog-title", Label).render()) == (
            "Move the 2 marked entries to the trash? (Stage changes among them stay.)")
        await press(app, pilot, "y")
        assert summaries(app) == ["Pricing notes", "Demo", "Lead → Qualified", "Intro call", "added in Lead"]
        assert "Moved 1 activity to the trash · u undoes" in app.notices


async def test_enter_opens_the_deal_of_a_stage_change_and_the_contact_of_a_call(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        await press(app, pilot, "j", "j", "j", "enter")
        assert isinstance(app.screen, DealDetailScreen) and title_of(app) == "Rollout"
        await press(app, pilot, "escape")
        await press(app, pilot, "j", "enter")
        assert isinstance(app.screen, ContactDetailScreen) and title_of(app) == "Anna de Vries"


async def test_e_edits_the_stored_activity_in_the_activity_form(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        await press(app, pilot, "j", "e")
        assert isinstance(app.screen, LogFormScreen)
        subject = app.screen.query_one("#subject", Input)
        subject.value = "Demo, edited"
        await press(app, pilot, "ctrl+s")
        assert summaries(app)[1] == "Demo, edited"
        assert "Saved the activity · u undoes" in app.notices


async def test_an_empty_log_says_how_to_fill_it(db):
    async with shown(ActivityLogScreen()) as (app, pilot):
        assert "Nothing logged yet · l on a contact, company or deal logs a call" in screen_text(app)
        assert "no entries" in screen_text(app)


async def test_a_filter_that_matches_nothing_says_how_to_widen_it(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        await press(app, pilot, "slash", *"zebra")
        assert "Nothing matches · esc clears the words" in screen_text(app)
        await press(app, pilot, "escape")
        assert "Nothing matches" not in screen_text(app)


async def test_user_data_is_shown_as_typed_not_as_markup(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        assert "[b]Quote[/b] for Bob" in screen_text(app)


async def test_inputs_of_the_range_keep_what_was_typed_when_reopened(story):
    async with shown(ActivityLogScreen()) as (app, pilot):
        await press(app, pilot, "r", *"-3d", "enter", "r")
        assert app.screen.query_one("#since", Input).value == "-3d"
