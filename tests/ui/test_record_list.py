"""RecordList on its own: a failed read is reported and the list goes on reading."""

from __future__ import annotations

import sqlite3

from helpers import settle
from textual.app import App, ComposeResult

from crm_tui.core import contacts
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import Column, column_widths
from crm_tui.ui.sources import ContactSource


class FlakySource(ContactSource):
    """Contacts, except that the first page read fails as a locked database does."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    def fetch(self, *args):
        if self.failures:
            self.failures -= 1
            raise sqlite3.OperationalError("database is locked")
        return super().fetch(*args)


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RecordList(FlakySource())


async def test_a_failed_read_is_reported_and_the_next_reload_shows_the_rows(db, make_contact):
    make_contact(first_name="Ada")
    app = ListApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        records = app.query_one(RecordList)
        assert [n.message for n in app._notifications] == ["database is locked"]
        assert records.current is None
        records.reload()
        await settle(app, pilot)
        assert records.current.name == "Ada"
        assert records.total == contacts.count() == 1


def test_columns_that_all_have_a_fixed_weight_share_a_wide_row_evenly():
    columns = (Column("Name", str, min_width=10, max_width=40, weight=0),
               Column("Since", str, min_width=10, max_width=40, weight=0))
    assert column_widths(columns, 60) == (28, 28)  # 60 cells less the mark (2) and a space after each column
    assert column_widths(columns, 200) == (40, 40)
