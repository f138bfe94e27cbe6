"""One company: its fields above, the people who work there below; tab moves between the two."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from crm_tui.core import companies
from crm_tui.core.companies import CompanyData
from crm_tui.ui.screens.company_form import CompanyFormScreen
from crm_tui.ui.screens.contact_detail import ContactDetailScreen
from crm_tui.ui.sources import CompanySource, ContactSource
from crm_tui.ui.widgets.detail import (
    DetailScreen,
    FieldRow,
    Section,
    detail_bindings,
    time_rows,
)
from crm_tui.ui.widgets.record_list import RecordList
from crm_tui.ui.widgets.record_source import ListQuery


class CompanyDetailScreen(DetailScreen):
    """A company's fields and a list of its people; enter on a person opens them."""

    BINDINGS = detail_bindings("company_detail")
    DEFAULT_CSS = """
    CompanyDetailScreen {
        & > #card { height: auto; max-height: 45%; border-left: outer $background; padding: 0 1 0 0; }
        & > #card:focus { border-left: outer $accent; }
        & > #people-title { height: 1; padding: 0 1; margin: 1 0 0 0; text-style: bold; color: $text-accent; }
        & > #people { height: 1fr; min-height: 4; }
    }
    """
    service = companies
    form_type = CompanyFormScreen
    noun = "company"

    def __init__(self, company_id: int, source: CompanySource, query: ListQuery) -> None:
        super().__init__(company_id, source, query)

    def compose_extra(self) -> ComposeResult:
        yield Static("People", id="people-title")
        yield RecordList(ContactSource(company_id=self.record_id), id="people")

    @property
    def people(self) -> RecordList:
        return self.query_one("#people", RecordList)

    def sections(self, record: CompanyData) -> Iterable[Widget]:
        yield Section(None, FieldRow("Domain", record.domain), FieldRow("Phone", record.phone),
                      FieldRow("Address", record.address), FieldRow("Notes", record.notes), *time_rows(record))

    def show(self, record: CompanyData) -> None:
        super().show(record)
        if record.id != self.record_id:
            return
        self.query_one("#people-title", Static).update(
            Text.assemble("People at ", record.name, ("   tab: details ↔ people", "not bold dim")))
        people = self.people
        if people.source.company_id != record.id:
            people.source = ContactSource(company_id=record.id)
            people.reload(keep_cursor=False)

    def reload(self) -> None:
        """Read the company and its people again."""
        super().reload()
        if self.people.loaded:
            self.people.reload()

    @on(RecordList.Opened, "#people")
    def open_person(self, event: RecordList.Opened) -> None:
        people = event.record_list

        def back(steps: int | None) -> None:
            if steps:
                people.move_to(people.cursor + steps)
            self.reload()

        self.app.push_screen(ContactDetailScreen(event.record.id, people.source, people.list_query), back)
