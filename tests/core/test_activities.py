"""Activities in core: logging calls, meetings, emails and notes, tasks and done, the trash, and undo."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm_tui.core import activities, companies, deals, search_index
from crm_tui.core.audit import undo
from crm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from crm_tui.core.models import Activity

JSON_KEYS = {"id", "kind", "subject", "body", "occurred_at", "due_at", "done_at", "contact_id", "company_id",
             "deal_id"}


def fields_of(error: ValidationError) -> list[str]:
    return [item.field for item in error.errors]


def test_a_logged_call_links_a_contact_a_company_and_a_deal_at_once(make_contact):
    ada = make_contact(first_name="Ada", last_name="Lovelace", company="Analytical")
    deal = deals.create({"title": "Engines", "company": "Analytical"})
    call = activities.create({"kind": "call", "subject": "Kick-off", "body": "Went well\nNext: a demo",
                              "contact_id": ada.id, "company_id": f"#{ada.company_id}", "deal_id": deal.id})
    assert (call.kind, call.contact, call.company, call.deal) == ("call", "Ada Lovelace", "Analytical", "Engines")
    assert call.occurred_at is not None and call.due_at is None and call.version == 1
    assert JSON_KEYS <= set(call.as_json())
    assert [hit.id for hit in search_index.search_all("kick") if hit.kind == "activity"] == [call.id]


def test_when_it_happened_is_stored_in_utc(db):
    at = datetime(2026, 11, 27, 15, 0, tzinfo=UTC).astimezone()
    meeting = activities.create({"kind": "meeting", "subject": "Lunch", "occurred_at": at})
    assert meeting.occurred_at == "2026-11-27T15:00:00.000000Z"
    assert activities.create({"subject": "x", "occurred_at": "2026-01-02T03:04:05Z"}).occurred_at == \
        "2026-01-02T03:04:05.000000Z"


def test_bad_input_names_every_field_and_writes_nothing(db):
    with pytest.raises(ValidationError) as error:
        activities.create({"kind": "fax", "subject": "x", "contact_id": "12x", "deal_id": 99,
                           "occurred_at": "yesterday-ish"})
    assert sorted(fields_of(error.value)) == ["contact_id", "deal_id", "kind", "occurred_at"]
    with pytest.raises(ValidationError) as error:
        activities.create({"kind": "note", "subject": " ", "body": ""})
    assert fields_of(error.value) == ["subject"]
    with pytest.raises(ValidationError, match="not an activity field"):
        activities.create({"colour": "red"})
    assert Activity.select().count() == 0


def test_a_task_needs_a_subject_has_no_occurred_at_and_is_done_and_undone(db):
    with pytest.raises(ValidationError, match="a task needs a subject"):
        activities.create({"kind": "task", "body": "just a body"})
    task = activities.create({"kind": "task", "subject": "Send the quote", "due_at": "2026-11-20T09:00:00Z",
                              "occurred_at": "2026-11-01T09:00:00Z"})
    assert task.occurred_at is None and task.is_task
    assert task.is_overdue(datetime(2026, 11, 28, tzinfo=UTC))
    done = activities.set_done(task.id, True)
    assert done.done_at is not None and not done.is_overdue(datetime(2026, 11, 28, tzinfo=UTC))
    assert done.occurred_at == done.done_at
    reopened = activities.set_done(task.id, False)
    assert reopened.done_at is None and reopened.occurred_at is None
    with pytest.raises(ValidationError, match="not a task"):
        activities.set_done(activities.create({"subject": "A note"}).id, True)


def test_a_task_brought_in_done_keeps_when_it_was_done_and_only_a_task_can_be(db):
    task = activities.create({"kind": "task", "subject": "Sent the quote", "done_at": "2026-03-02T10:00:00+01:00"})
    assert (task.done_at, task.occurred_at) == ("2026-03-02T09:00:00.000000Z", "2026-03-02T09:00:00.000000Z")
    with pytest.raises(ValidationError, match="done_at: only a task is done, not a call"):
        activities.create({"kind": "call", "subject": "Rang", "done_at": "2026-03-02T10:00:00Z"})
    with pytest.raises(ValidationError, match="done_at: 'soon' is not a date and time"):
        activities.create({"kind": "task", "subject": "X", "done_at": "soon"})
    assert Activity.select().count() == 1



    note = activities.create({"subject": "First"})
    edited = activities.update(note.id, note.version, subject="Second", body="More")
    assert (edited.subject, edited.body, edited.version) == ("Second", "More", 2)
    with pytest.raises(ConflictError):
        activities.update(note.id, note.version, subject="Stale")
    acme = companies.create({"name": "Acme"})
    companies.delete(acme.id)
    with pytest.raises(ValidationError, match="there is no company"):
        activities.update(note.id, edited.version, company_id=acme.id)


def test_trash_restore_and_purge(db):
    note = activities.create({"subject": "Gone soon"})
    activities.delete(note.id)
    with pytest.raises(NotFoundError):
        activities.get(note.id)
    assert activities.restore_many([note.id]) == 1
    activities.delete(note.id)
    activities.purge(note.id)
    assert activities.get_many([note.id]) == []


def test_undo_takes_back_a_log_an_edit_a_done_and_a_delete(db):
    task = activities.create({"kind": "task", "subject": "Call back"})
    activities.set_done(task.id, True)
    assert undo.undo_last() == "Undid: edited activity 'Call back'"
    assert activities.get(task.id).done_at is None
    edited = activities.update(task.id, activities.get(task.id).version, subject="Call back on Monday")
    assert undo.undo_last() == "Undid: edited activity 'Call back on Monday'"
    assert activities.get(task.id).subject == "Call back"
    activities.delete(task.id)
    assert undo.undo_last() == "Undid: moved activity 'Call back' to the trash"
    assert activities.get(task.id).deleted_at is None
    assert undo.undo_last() == "Undid: added activity 'Call back'"
    assert activities.get(task.id, include_deleted=True).deleted_at is not None
    assert edited.version == 4
