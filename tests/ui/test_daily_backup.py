"""The app's backup on the first start of each day: made in the background beside the database, silently, and not
made for an empty database or when the settings keep none."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import settle

from crm_tui.core.backups import backups_folder
from crm_tui.ui.app import CrmApp


async def start_and_stop(db, settings=None) -> list[str]:
    app = CrmApp(db, settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await app.workers.wait_for_complete()
        notices = [str(notice.message) for notice in app._notifications]
    return notices


async def test_the_first_start_of_a_day_backs_up_the_database_without_a_word(db, make_contact):
    make_contact(first_name="Ann")
    assert await start_and_stop(db) == []
    folder = backups_folder(db.path)
    assert (folder / f"daily-{date.today().isoformat()}.sqlite3").exists()
    before = sorted(folder.iterdir())
    await start_and_stop(db)
    assert sorted(folder.iterdir()) == before  # one a day


@pytest.mark.parametrize("settings", [None, {"backups_daily": 0}])
async def test_no_backup_of_an_empty_database_nor_when_the_settings_keep_none(db, make_contact, settings):
    if settings:
        make_contact(first_name="Ann")
    await start_and_stop(db, settings)
    assert not backups_folder(db.path).exists()


async def test_the_palette_backs_up_now_and_says_where(db, make_contact):
    make_contact(first_name="Ann")
    app = CrmApp(db, settings={"backups_daily": 0})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Back up the database")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        notices = [str(notice.message) for notice in app._notifications]
    (made,) = backups_folder(db.path).glob("manual-*.sqlite3")
    assert f"Backed up to {made}" in notices
