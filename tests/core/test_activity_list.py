"""Activity lists in core: the log newest first with its filters, tasks soonest due first, and the agenda."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm_tui.core import activities
from crm_tui.core.activities import listing as activity_list
from crm_tui.core.activities.listing import ActivityFilter
from crm_tui.core.models import format_timestamp

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def at(**delta) -> str:
    return format_timestamp(NOW + timedelta(**delta))


def subjects(items) -> list[str]:
    return [item.subject for item in items]


def test_the_log_is_newest_first_pages_by_keyset_and_filters(make_contact):
    ada = make_contact(first_name="Ada")
    for day in range(7):
        activities.create({"kind": ("call", "email")[day % 2], "subject": f"Day {day}", "occurred_at": at(days=-day),
                           "contact_id": ada.id if day < 3 else None})
    activities.create({"kind": "task", "subject": "Not in the log", "due_at": at(days=1)})
    assert subjects(activity_list.iterate(ActivityFilter())) == [f"Day {day}" for day in range(7)]
    first = activity_list.list_page(ActivityFilter(), limit=3)
    second = activity_list.list_page(ActivityFilter(), after=first.next_cursor, limit=3)
    assert subjects(first.items) + subjects(second.items) == [f"Day {day}" for day in range(6)]
    back = activity_list.list_page(ActivityFilter(), after=second.keys[0], backwards=True, limit=2)
    assert subjects(back.items) == ["Day 1", "Day 2"]
    assert subjects(activity_list.iterate(ActivityFilter(kinds=("email",)))) == ["Day 1", "Day 3", "Day 5"]
    assert subjects(activity_list.iterate(ActivityFilter(contact_id=ada.id))) == ["Day 0", "Day 1", "Day 2"]
    assert subjects(activity_list.iterate(ActivityFilter(since=at(days=-2, hours=-1)))) == ["Day 0", "Day 1", "Day 2"]
    assert subjects(activity_list.iterate(ActivityFilter(text="day 4"))) == ["Day 4"]
    assert activity_list.count(ActivityFilter()) == 7


def test_tasks_are_soonest_due_first_with_undated_ones_last(db):
    for subject, due in (("Later", at(days=9)), ("Undated", None), ("Soon", at(hours=2)), ("Late", at(days=-1))):
        activities.create({"kind": "task", "subject": subject, "due_at": due})
    done = activities.create({"kind": "task", "subject": "Done", "due_at": at(hours=1)})
    activities.set_done(done.id, True)
    assert subjects(activity_list.iterate(ActivityFilter(tasks="open"), sort="due")) == [
        "Late", "Soon", "Later", "Undated"]
    assert subjects(activity_list.iterate(ActivityFilter(tasks="done"), sort="due")) == ["Done"]
    assert activity_list.count(ActivityFilter(tasks="all")) == 5


def test_the_agenda_groups_open_tasks_by_local_day(db, amsterdam):
    """At 10:30 in Amsterdam, "Today" ends at local midnight (23:00 UTC)."""
    cases = {"Overdue": at(hours=-1), "Today": at(hours=13), "Next 7 days": at(hours=15), "Later": at(days=9),
             "No date": None}
    for subject, due in cases.items():
        activities.create({"kind": "task", "subject": subject, "due_at": due})
    groups = activity_list.agenda(NOW)
    assert [group.title for group in groups] == list(activity_list.AGENDA_GROUPS)
    assert [group.count for group in groups] == [1, 1, 1, 1, 1]
    for group in groups:
        assert subjects(activity_list.iterate(group.filter, sort="due")) == [group.title]
