"""The agenda as rows: sections in order with their counts, any slice read by offset, tasks done today kept in
their group, pages keyed by row number, and snoozing by a day on the local clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm_tui.core import activities, contacts, deals
from crm_tui.core.activities import agenda as agenda_rows
from crm_tui.core.activities.agenda import AgendaPages, Heading, read_layout, read_rows, row_span, snoozed
from crm_tui.core.activities.listing import ActivityFilter
from crm_tui.core.models import database, format_timestamp
from crm_tui.core.when import instant

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday, 11:00 in Amsterdam


@pytest.fixture(autouse=True)
def done_now(monkeypatch):
    """Tasks are ticked off at NOW, not at the machine's time."""
    monkeypatch.setattr(activities.service, "now_text", lambda: format_timestamp(NOW))


def task(subject: str, due: str | None, **links) -> activities.ActivityData:
    due_at = None if due is None else instant(due, NOW, direction="future")
    return activities.create({"kind": "task", "subject": subject, "due_at": due_at, **links})


def labels(rows) -> list[str]:
    return [row.label if isinstance(row, Heading) else row.name for row in rows]


def test_sections_come_in_order_with_counts_and_empty_ones_are_left_out(db, amsterdam, make_contact):
    task("Call back", "-2d")
    task("Send offer", "today 15:00")
    task("Renewal", "+20d")
    task("Someday", None)
    make_contact(first_name="Ann", keep_in_touch_days=30)
    deals.create({"title": "Stalled"})
    layout = read_layout(NOW)
    assert [(s.heading.label, s.first_row) for s in layout.sections] == [
        ("Overdue (1)", 0), ("Today (1)", 2), ("Later (1)", 4), ("No date (1)", 6), ("Stay in touch (1)", 8),
        ("Deals without a next step (1)", 10)]
    assert layout.total == 12
    assert labels(read_rows(layout, 0, layout.total)) == [
        "Overdue (1)", "Call back", "Today (1)", "Send offer", "Later (1)", "Renewal", "No date (1)", "Someday",
        "Stay in touch (1)", "Ann", "Deals without a next step (1)", "Stalled"]
    assert layout.section_at(5).heading.title == "Later" and layout.section_at(12) is None


def test_any_slice_reads_the_same_rows_as_the_whole(db, amsterdam):
    for number in range(7):
        task(f"Late {number}", f"-{number + 1}d")
    for number in range(5):
        task(f"Undated {number}", None)
    layout = read_layout(NOW)
    whole = labels(read_rows(layout, 0, layout.total))
    assert whole[:3] == ["Overdue (7)", "Late 6", "Late 5"]  # soonest due first: the longest overdue
    assert whole[8:10] == ["No date (5)", "Undated 0"]
    for start in range(layout.total):
        for size in (1, 3, 8):
            assert labels(read_rows(layout, start, start + size)) == whole[start:start + size]


def test_a_task_done_today_stays_ticked_in_its_group_and_one_done_before_today_does_not(db, amsterdam,
                                                                                     monkeypatch):
    first, second, third = task("First", "today 13:00"), task("Second", "today 14:00"), task("Third", "today 15:00")
    activities.set_done(second.id, True)
    layout = read_layout(NOW)
    assert layout.sections[0].heading.label == "Today (2 · 1 done)"
    rows = read_rows(layout, 0, layout.total)
    assert labels(rows) == ["Today (2 · 1 done)", "First", "Second", "Third"]
    assert rows[2].done_at == format_timestamp(NOW) and rows[1].done_at is None
    assert labels(read_rows(layout, 2, 4)) == ["Second", "Third"]
    yesterday = format_timestamp(NOW - timedelta(days=1))
    monkeypatch.setattr(activities.service, "now_text", lambda: yesterday)
    activities.set_done(third.id, True)
    assert labels(read_rows(read_layout(NOW), 0, 10)) == ["Today (1 · 1 done)", "First", "Second"]
    activities.set_done(first.id, True)
    activities.set_done(second.id, False)
    assert read_layout(NOW).sections[0].heading.label == "Today (1)"


def test_the_done_half_is_read_through_the_index_on_when_things_happened(db):
    wanted = ActivityFilter(tasks="open", since="2026-03-04T00:00:00.000000Z", until="2026-03-05T00:00:00.000000Z")
    where, params = agenda_rows._done_today(wanted, "2026-03-04T00:00:00.000000Z")
    plan = " ".join(row[3] for row in database.execute_sql(
        f"EXPLAIN QUERY PLAN SELECT a.id FROM activity a WHERE {where}", params))
    assert "USING INDEX activity_kind_occurred_at_id (kind=? AND occurred_at>?)" in plan  # tasks done since then


def test_row_span_turns_list_cursors_back_into_rows():
    assert row_span(None, False, 0, 50, 120) == (0, 50)
    assert row_span(None, False, 100, 50, 120) == (100, 120)
    assert row_span((49,), False, 0, 50, 120) == (50, 100)
    assert row_span((100,), True, 0, 50, 120) == (50, 100)
    assert row_span((30,), True, 0, 50, 120) == (0, 30)
    assert row_span(None, True, 0, 20, 120) == (100, 120)  # the last rows, read from the end
    assert row_span(None, True, 20, 50, 120) == (50, 100)


def test_pages_are_keyed_by_row_and_counted_once_until_invalidated(db, amsterdam):
    for number in range(5):
        task(f"Late {number}", f"-{number + 1}d")
    pages = AgendaPages(lambda: NOW)
    first = pages.page(None, False, 0, 3)
    assert labels(first.items) == ["Overdue (5)", "Late 4", "Late 3"] and first.keys == [(0,), (1,), (2,)]
    following = pages.page(first.keys[-1], False, 0, 3)
    assert labels(following.items) == ["Late 2", "Late 1", "Late 0"] and following.next_cursor is None
    assert labels(pages.page(following.keys[0], True, 0, 3).items) == labels(first.items)
    task("Later one", "-10d")
    assert pages.layout().total == 6, "counted once per reload"
    pages.invalidate()
    assert pages.layout().total == 7 and pages.last_layout.total == 7


def test_fri_lands_in_today_or_the_next_7_days_as_the_calendar_says(db, amsterdam):
    task("Report", "fri")
    assert read_layout(NOW).sections[0].heading.title == "Next 7 days"  # Wednesday: Friday is ahead
    friday = NOW + timedelta(days=2)
    assert [s.heading.title for s in read_layout(friday).sections] == ["Today"]
    assert [s.heading.title for s in read_layout(friday + timedelta(days=1)).sections] == ["Overdue"]


def test_snoozing_moves_a_day_on_the_local_clock_and_dates_an_undated_task_tomorrow(amsterdam):
    before_dst = datetime(2026, 3, 28, 10, 0, tzinfo=UTC)  # 11:00 CET; clocks go forward that night
    assert snoozed(format_timestamp(before_dst), NOW) == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    assert snoozed(None, NOW) == datetime(2026, 3, 5, 22, 59, tzinfo=UTC)  # tomorrow 23:59 CET
    assert agenda_rows.is_end_of_day(format_timestamp(snoozed(None, NOW)))


def test_snoozing_an_overdue_task_moves_it_to_tomorrow_at_its_time_of_day(amsterdam):
    three_days_late = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # Sunday 10:00 CET; now is Wednesday
    assert snoozed(format_timestamp(three_days_late), NOW) == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    an_hour_late = NOW - timedelta(hours=1)
    assert snoozed(format_timestamp(an_hour_late), NOW) == an_hour_late + timedelta(days=1)
    assert snoozed(format_timestamp(an_hour_late), NOW) > NOW


def test_a_contact_due_for_a_word_leaves_the_agenda_once_something_is_logged(db, make_contact):
    ann = make_contact(first_name="Ann", keep_in_touch_days=30)
    assert labels(read_rows(read_layout(NOW), 0, 5)) == ["Stay in touch (1)", "Ann"]
    activities.create({"kind": "call", "subject": "Caught up", "contact_id": ann.id,
                       "occurred_at": format_timestamp(NOW - timedelta(hours=1))})
    assert read_layout(NOW).total == 0
    assert contacts.get(ann.id).keep_in_touch_days == 30


def test_undated_tasks_keep_the_order_they_were_added_in_done_or_not(db):
    first, second, third = task("First", None), task("Second", None), task("Third", None)
    activities.set_done(second.id, True)
    layout = read_layout(NOW)
    assert labels(read_rows(layout, 0, 4)) == ["No date (2 · 1 done)", "First", "Second", "Third"]
    assert [row.id for row in agenda_rows.task_page(layout.sections[0].tasks, layout.day_start, 1, 2)] == [
        second.id, third.id]
    assert first.id < second.id
