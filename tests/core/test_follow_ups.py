"""Follow-ups: contacts to keep in touch with, each open deal's next step, deals without one, and schema 6."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from schema_versions import V6_INDEXES, index_names, make_version_5

from crm_tui.core import activities, contacts, deals
from crm_tui.core.activities import follow_ups
from crm_tui.core.audit import undo
from crm_tui.core.db import SCHEMA_VERSION, close_database, open_database
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.deals.listing import DealFilter
from crm_tui.core.errors import ValidationError
from crm_tui.core.models import database, format_timestamp

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def days_ago(days: float) -> str:
    return format_timestamp(NOW - timedelta(days=days))


def due_names(now: datetime = NOW) -> list[str]:
    return [contact.name for contact in follow_ups.due_page(now)]


def test_keep_in_touch_is_a_whole_number_of_days_and_can_be_cleared(make_contact):
    ann = make_contact(first_name="Ann", keep_in_touch_days="30")
    assert ann.keep_in_touch_days == 30
    for wrong, message in (("monthly", "not a number of days"), ("0", "from 1 to 3,650"), ("-3", "not a number"),
                           ("5000", "from 1 to 3,650"), ("2.5", "not a number")):
        with pytest.raises(ValidationError, match=message) as raised:
            contacts.update(ann.id, ann.version, keep_in_touch_days=wrong)
        assert raised.value.errors[0].field == "keep_in_touch_days"
    cleared = contacts.update(ann.id, ann.version, keep_in_touch_days="")
    assert cleared.keep_in_touch_days is None
    assert undo.undo_last().startswith("Undid: edited contact")
    assert contacts.get(ann.id).keep_in_touch_days == 30


def test_contacts_are_due_once_their_last_activity_is_older_than_their_interval(make_contact):
    never = make_contact(first_name="Never", keep_in_touch_days=30)
    lapsed = make_contact(first_name="Lapsed", keep_in_touch_days=7, company="Acme")
    recent = make_contact(first_name="Recent", keep_in_touch_days=30)
    make_contact(first_name="Untracked")
    activities.create({"subject": "Lunch", "contact_id": lapsed.id, "occurred_at": days_ago(10)})
    activities.create({"subject": "Call", "contact_id": recent.id, "occurred_at": days_ago(29)})
    activities.create({"subject": "Old call", "contact_id": recent.id, "occurred_at": days_ago(100)})
    due = follow_ups.due_page(NOW)
    assert [contact.name for contact in due] == ["Never", "Lapsed"]  # never in touch first, then longest overdue
    assert due[1].company == "Acme" and due[1].every_days == 7 and due[1].days_since(NOW) == 10
    assert due[1].due_at() == days_ago(3) and due[0].days_since(NOW) is None and due[0].id == never.id
    assert follow_ups.due_count(NOW) == 2
    assert due_names(NOW + timedelta(days=2)) == ["Never", "Lapsed", "Recent"]
    assert [contact.name for contact in follow_ups.due_page(NOW, offset=1, limit=5)] == ["Lapsed"]


def test_logging_anything_or_finishing_a_task_clears_a_contact_and_trashed_activities_do_not_count(make_contact):
    ann = make_contact(first_name="Ann", keep_in_touch_days=14)
    bob = make_contact(first_name="Bob", keep_in_touch_days=14)
    note = activities.create({"subject": "Coffee", "contact_id": ann.id})
    task = activities.create({"kind": "task", "subject": "Call Bob", "contact_id": bob.id})
    assert due_names(datetime.now(UTC)) == ["Bob"]  # an open task is not a contact made
    activities.set_done(task.id, True)
    assert due_names(datetime.now(UTC)) == []
    activities.delete(note.id)
    assert due_names(datetime.now(UTC)) == ["Ann"]
    contacts.delete(ann.id)
    assert due_names(datetime.now(UTC)) == []


def test_each_deal_carries_its_next_step_and_the_agenda_finds_open_deals_without_one(db):
    quiet = deals.create({"title": "Quiet", "value": "100"})
    planned = deals.create({"title": "Planned", "value": "100"})
    won = deals.create({"title": "Won already", "value": "100", "stage": "Won"})
    activities.create({"kind": "task", "subject": "Someday", "deal_id": planned.id})
    activities.create({"kind": "task", "subject": "Send quote", "deal_id": planned.id,
                       "due_at": "2026-12-04T10:00:00Z"})
    done = activities.create({"kind": "task", "subject": "Earlier", "deal_id": planned.id,
                              "due_at": "2026-12-01T10:00:00Z"})
    activities.set_done(done.id, True)
    found = deals.get(planned.id)
    assert (found.next_step, found.next_step_due) == ("Send quote", "2026-12-04T10:00:00.000000Z")
    assert deals.get(quiet.id).next_step is None
    stalled = DealFilter(statuses=("open",), without_next_step=True)
    assert [deal.title for deal in deal_list.iterate(stalled)] == ["Quiet"]
    assert deal_list.count(stalled) == 1 and won.id not in deal_list.ids(stalled)
    activities.create({"kind": "task", "subject": "Follow up", "deal_id": quiet.id})
    assert deal_list.count(stalled) == 0
    assert deals.get(quiet.id).next_step == "Follow up"


def test_a_next_step_is_read_through_the_index_of_open_tasks(db):
    plan = database.execute_sql(f"EXPLAIN QUERY PLAN SELECT {deals.COLUMNS} FROM {deals.SOURCE} WHERE d.id = 1")
    details = " | ".join(row[-1] for row in plan)
    assert "USING INDEX activity_deal_next_step" in details and "TEMP B-TREE" not in details


def test_a_schema_5_database_migrates_keeping_its_contacts(tmp_path):
    path = tmp_path / "v5.sqlite3"
    open_database(path)
    kept = contacts.create(contacts.ContactDraft(first_name="Kept", emails=["kept@example.com"]))
    close_database()
    conn = sqlite3.connect(path)
    fresh = index_names(conn)
    make_version_5(conn)
    conn.commit()
    assert not V6_INDEXES & index_names(conn)
    conn.close()
    opened = open_database(path)
    try:
        assert opened.schema_version == SCHEMA_VERSION and opened.backup_path is not None
        assert index_names(database.connection()) == fresh
        assert contacts.get(kept.id).keep_in_touch_days is None
        assert contacts.update(kept.id, kept.version, keep_in_touch_days=21).keep_in_touch_days == 21
    finally:
        close_database()
