"""The contacts list on 100,000 contacts: jumping to the end shows the true last record, paging lands on the right
rows, and a filter shows exactly the matching contacts. One database is built for the module (about 20 s)."""

from __future__ import annotations

import pytest
from helpers import settle

from crm_tui.core import contacts
from crm_tui.core.contacts import bulk
from crm_tui.core.db import close_database, open_database
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.record_list import RecordList

SIZE = 100_000
TAGGED_EVERY = 1_000


def person(number: int) -> contacts.ContactDraft:
    return contacts.ContactDraft(
        first_name="Person", last_name=f"{number:06d}", emails=[f"p{number}@example.com"],
        tags=["rare"] if number % TAGGED_EVERY == 0 else [],
    )


@pytest.fixture(scope="module")
def large_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("large") / "crm.sqlite3"
    open_database(path)
    bulk.create_contacts((person(number) for number in range(SIZE)), "load")
    close_database()
    return path


@pytest.fixture
def app(large_db):
    opened = open_database(large_db)
    yield CrmApp(opened)
    close_database()


def screen_rows(app) -> list[str]:
    records = app.screen.query_one(RecordList)
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    top = records.region.y + 1
    return [line.strip() for line in lines[top: top + records.visible_rows]]


async def test_G_shows_the_true_last_record_and_g_the_first(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        records = app.screen.query_one(RecordList)
        assert records.total == SIZE
        await pilot.press("G")
        await settle(app, pilot)
        assert records.current.name == f"Person {SIZE - 1:06d}"
        assert screen_rows(app)[-1].startswith(f"Person {SIZE - 1:06d}")
        assert f"row {SIZE:,} of {SIZE:,}" in "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        await pilot.press("k", "k")
        await settle(app, pilot)
        assert records.current.name == f"Person {SIZE - 3:06d}"
        await pilot.press("g")
        await settle(app, pilot)
        assert screen_rows(app)[0].startswith("Person 000000")


async def test_paging_reads_the_rows_that_belong_there(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        records = app.screen.query_one(RecordList)
        for _ in range(30):
            await pilot.press("pagedown")
        await settle(app, pilot)
        expected_row = 30 * records.visible_rows
        assert records.cursor == expected_row
        assert records.current.name == f"Person {expected_row:06d}"
        records.move_to(54_321)
        await settle(app, pilot)
        assert records.current.name == "Person 054321"
        await pilot.press("pageup")
        await settle(app, pilot)
        assert records.current.name == f"Person {54_321 - records.visible_rows:06d}"
        rows = screen_rows(app)
        numbers = [int(row.split()[1]) for row in rows]
        assert numbers == list(range(numbers[0], numbers[0] + len(rows)))


async def test_filter_shows_exactly_the_matching_contacts(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        records = app.screen.query_one(RecordList)
        await pilot.press("slash", *"tag:rare")
        await settle(app, pilot)
        assert records.total == SIZE // TAGGED_EVERY
        assert screen_rows(app)[:3] == [row for row in screen_rows(app)[:3] if row.startswith("Person ")]
        assert [int(row.split()[1]) for row in screen_rows(app)[:3]] == [0, 1000, 2000]
        await pilot.press("enter", "G")
        await settle(app, pilot)
        assert records.current.name == f"Person {SIZE - TAGGED_EVERY:06d}"
        await pilot.press("slash", "escape")
        await settle(app, pilot)
        await pilot.press("slash", *"p4242@")
        await settle(app, pilot)
        assert records.total == 11
        expected = [4242, *range(42420, 42430)]
        assert [int(row.split()[1]) for row in screen_rows(app)[:11]] == expected
