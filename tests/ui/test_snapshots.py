"""Snapshots of the main screens at 80x24, as the text a user sees, on seeded demo data.

A change to what a screen shows fails here with a readable diff. When the change is intended, regenerate with
`CRM_TUI_UPDATE_SNAPSHOTS=1 pytest tests/ui/test_snapshots.py` and review the diff of tests/ui/snapshots/.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import settle

from crm_tui import config
from crm_tui.core import demo
from crm_tui.core.db import close_database, open_database
from crm_tui.ui import sources
from crm_tui.ui.app import CrmApp

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("CRM_TUI_UPDATE_SNAPSHOTS") == "1"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

SCREENS = {
    "contacts": (),
    "contacts-sorted-by-company": ("s",),
    "companies": ("2",),
    "help": ("question_mark",),
    "new-contact-form": ("a",),
    "filtered-by-tag": ("slash", *"tag:vip", "enter"),
    "deals-board": ("3",),
    "deals-table": ("3", "v"),
    "activity-log": ("4",),
    "agenda": ("5",),
}


@pytest.fixture
def demo_db():
    """The demo database in the user data dir, so the header shows its name rather than a temporary path."""
    opened = open_database(config.demo_db_path(config.data_dir() / config.DB_FILENAME))
    demo.fill(200, seed=7, now=NOW)
    yield opened
    close_database()


def screen_text(app) -> str:
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips()) + "\n"


def check(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{path.name} did not exist and was written; review it and run again")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def fixed_now(monkeypatch):
    """Days in stage and overdue marks counted from NOW, whatever day the tests run."""
    monkeypatch.setattr(sources, "current_time", lambda: NOW)


@pytest.mark.parametrize("name", SCREENS)
async def test_screen_matches_its_snapshot(demo_db, fixed_now, name):
    app = CrmApp(demo_db, is_demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key in SCREENS[name]:
            await pilot.press(key)
            await settle(app, pilot)
        app.clear_notifications()  # the start-up notice of overdue tasks, whose timing is the clock's
        await pilot.pause()
        check(name, screen_text(app))


async def test_empty_database_matches_its_snapshot():
    opened = open_database(config.data_dir() / config.DB_FILENAME)
    try:
        app = CrmApp(opened)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            check("empty", screen_text(app))
    finally:
        close_database()
