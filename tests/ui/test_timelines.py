"""Timelines in the detail screens: open tasks, then activities and stage changes newest first, only the record's
own; and `L`, the whole timeline as a paged list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import list_rows, press, settle, shown, shown_text

from crm_tui.core import activities, deals
from crm_tui.core.activities import listing as activity_list
from crm_tui.core.activities.listing import ActivityFilter
from crm_tui.core.deals.listing import DealFilter
from crm_tui.core.models import format_timestamp
from crm_tui.ui import sources
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.screens.activities.log import ActivityLogScreen
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.deals.detail import DealDetailScreen
from crm_tui.ui.sources import ContactSource, DealSource

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def hours_ago(hours: float) -> str:
    return format_timestamp(NOW - timedelta(hours=hours))


@pytest.fixture
def story(db, make_contact, monkeypatch, amsterdam):
    """A deal with Ann, moved twice between her calls, and a call with someone else that is not hers."""
    monkeypatch.setattr(sources, "current_time", lambda: NOW)
    ann = make_contact(first_name="Ann", last_name="Lee", company="Acme")
    other = make_contact(first_name="Bob", last_name="Stone")
    monkeypatch.setattr(deals.service, "now_text", lambda: hours_ago(50))
    deal = deals.create({"title": "Rollout", "value": "100", "contact": ann.id})
    activities.create({"kind": "call", "subject": "First call", "contact_id": ann.id, "deal_id": deal.id,
                       "occurred_at": hours_ago(40)})
    monkeypatch.setattr(deals.service, "now_text", lambda: hours_ago(30))
    deals.step(deal.id, 1)
    activities.create({"kind": "meeting", "subject": "Demo", "contact_id": ann.id, "occurred_at": hours_ago(20)})
    monkeypatch.setattr(deals.service, "now_text", lambda: hours_ago(10))
    deals.step(deal.id, 1)
    activities.create({"kind": "call", "subject": "Not Ann's", "contact_id": other.id, "occurred_at": hours_ago(5)})
    activities.create({"kind": "task", "subject": "Send the contract", "deal_id": deal.id, "contact_id": ann.id,
                       "due_at": hours_ago(2)})
    return ann, deal


def timeline_lines(app, heading: str) -> list[str]:
    text = shown_text(app)
    section = text[text.index(heading):].split("\n")
    return section[1:section.index("Record")] if "Record" in section else section[1:]


async def test_a_deal_shows_its_open_task_then_activities_and_stage_changes_newest_first(story):
    ann, deal = story
    async with shown(DealDetailScreen(deal.id, DealSource(DealFilter()), ListQuery("value"))) as (app, pilot):
        text = shown_text(app)
        assert "Open tasks (1)" in text and "! 2026-11-28 08:00  Send the contract · Ann Lee" in text
        assert "Next step" in text and "Send the contract · 2026-11-28 08:00" in text
        assert timeline_lines(app, "Timeline (4)") == [
            "2026-11-28 00:00  stage    Qualified → Proposal · Ann Lee",
            "2026-11-27 04:00  stage    Lead → Qualified · Ann Lee", "2026-11-26 18:00  call     First call · Ann Lee",
            "2026-11-26 08:00  stage    added in Lead · Ann Lee",
            "L opens it as a list"]
        assert "Demo" not in text  # a meeting with Ann, not linked to this deal


async def test_a_contact_shows_the_stage_changes_of_their_deals_between_their_activities(story):
    ann, deal = story
    async with shown(ContactDetailScreen(ann.id, ContactSource(), ListQuery("name"))) as (app, pilot):
        lines = timeline_lines(app, "Timeline (5)")
        kinds = [line.split()[2] for line in lines[:5]]
        assert kinds == ["stage", "meeting", "stage", "call", "stage"]
        assert "Not Ann's" not in shown_text(app)
        await press(app, pilot, "L")
        assert isinstance(app.screen, ActivityLogScreen)
        rows = list_rows(app.screen.query_one(RecordList))
        assert [row.split()[2] for row in rows] == kinds
        assert all("Ann Lee" not in row for row in rows)  # the record itself is not named on every row


async def test_l_in_a_timeline_logs_with_its_record_and_the_entry_tops_the_list(story, db):
    ann, deal = story
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "enter", "L")
        assert isinstance(app.screen, ActivityLogScreen)
        await press(app, pilot, "l", "e")
        await pilot.press(*"Sent the slides")
        await press(app, pilot, "ctrl+s")
        [email] = [a for a in activity_list.iterate(ActivityFilter()) if a.subject == "Sent the slides"]
        assert (email.kind, email.contact_id, email.company) == ("email", ann.id, "Acme")
        assert isinstance(app.screen, ActivityLogScreen)
        assert list_rows(app.screen.query_one(RecordList))[0].split()[2:5] == ["email", "Sent", "the"]
