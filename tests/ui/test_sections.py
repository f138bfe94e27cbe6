"""Sections 4 and 5 in the app: the start-up notice of overdue tasks, `5` for the agenda and `4` for the activity
log, and a task added with `t` and "fri" landing in the right group of the agenda."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import screen_text, settle

from crm_tui.core import activities
from crm_tui.core.models import format_timestamp
from crm_tui.ui import sources
from crm_tui.ui.app import CrmApp
from crm_tui.ui.screens.activities.agenda import AgendaScreen

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch, amsterdam):
    """The UI's clock and the one activities are stamped with, so a task ticked "now" counts as done today."""
    monkeypatch.setattr(sources, "current_time", lambda: NOW)
    monkeypatch.setattr(activities.service, "now_text", lambda: format_timestamp(NOW))


async def press(app, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


def notices(app) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_start_up_tells_of_overdue_tasks_and_5_shows_them_in_the_agenda(db):
    activities.create({"kind": "task", "subject": "Send the contract", "due_at": NOW - timedelta(days=2)})
    activities.create({"kind": "task", "subject": "Not yet due", "due_at": NOW + timedelta(hours=3)})
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "1 task is overdue · 5 opens the agenda" in notices(app)
        await press(app, pilot, "5")
        assert isinstance(app.screen, AgendaScreen)
        text = screen_text(app)
        assert text.index("Overdue (1)") < text.index("Send the contract") < text.index("Today (1)")
        assert text.index("Today (1)") < text.index("Not yet due")


async def test_no_notice_when_nothing_is_overdue(db):
    activities.create({"kind": "task", "subject": "Later", "due_at": NOW + timedelta(days=3)})
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert not [notice for notice in notices(app) if "overdue" in notice]


async def test_a_task_due_fri_added_with_t_shows_under_next_7_days_and_space_ticks_it(db):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "5", "t")
        await pilot.press(*"Call the printer", "tab", *"fri")
        await press(app, pilot, "ctrl+s")
        [task] = activities.get_many([1])
        assert task.due_at == "2026-12-04T22:59:00.000000Z"  # Friday 23:59 in Amsterdam
        assert "Added the task 'Call the printer', due 2026-12-04 23:59 · u undoes" in notices(app)
        text = screen_text(app)
        assert text.index("Next 7 days (1)") < text.index("Call the printer")
        assert "[ ] Fri 4 Dec        Call the printer" in text  # due at the end of the day: no time shown
        await press(app, pilot, "space")
        assert activities.get(task.id).done_at is not None
        assert "[x]" in screen_text(app)
        await press(app, pilot, "u")
        assert activities.get(task.id).done_at is None
        assert "[ ] " in screen_text(app)
