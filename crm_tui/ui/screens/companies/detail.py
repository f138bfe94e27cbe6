"""One company: its fields above, the people who work there and its deals below; tab moves between the three."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from crm_tui.core import companies
from crm_tui.core.companies.service import CompanyData
from crm_tui.ui.kit.detail import FieldRow, Section, detail_bindings, time_rows
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.screens.activities.timeline import TimelineDetail, timeline_binding
from crm_tui.ui.screens.companies.form import CompanyFormScreen
from crm_tui.ui.screens.contacts.detail import LISTS_CSS, ContactDetailScreen, deal_source, open_deal_from
from crm_tui.ui.screens.deals.form import DealFormScreen
from crm_tui.ui.sources import CompanySource, ContactSource


class CompanyDetailScreen(TimelineDetail):
    """A company's fields, its people and its deals; enter on a person or a deal opens it."""

    BINDINGS = [
        *detail_bindings("company_detail"),
        Binding("a", "add_deal", "New deal", id="company_detail.add_deal"),
        timeline_binding("company_detail"),
    ]
    DEFAULT_CSS = f"CompanyDetailScreen {{ {LISTS_CSS} & > #deals-title {{ margin: 0; }} }}"
    service = companies
    form_type = CompanyFormScreen
    noun = "company"
    link_field = "company_id"

    def __init__(self, company_id: int, source: CompanySource, query: ListQuery) -> None:
        super().__init__(company_id, source, query)

    def compose_extra(self) -> ComposeResult:
        yield Static("People", id="people-title", classes="list-title")
        yield RecordList(ContactSource(company_id=self.record_id), id="people")
        yield Static("Deals", id="deals-title", classes="list-title")
        yield RecordList(deal_source(company_id=self.record_id), id="deals")

    @property
    def people(self) -> RecordList:
        return self.query_one("#people", RecordList)

    @property
    def deals(self) -> RecordList:
        return self.query_one("#deals", RecordList)

    def sections(self, record: CompanyData) -> Iterable[Widget]:
        yield Section(None, FieldRow("Domain", record.domain), FieldRow("Phone", record.phone),
                      FieldRow("Address", record.address), FieldRow("Notes", record.notes), *time_rows(record))
        yield from self.timeline_sections(record)

    def show(self, record: CompanyData) -> None:
        super().show(record)
        if record.id != self.record_id:
            return
        self.query_one("#people-title", Static).update(
            Text.assemble("People at ", record.name, ("   tab: details → people → deals", "not bold dim")))
        self.query_one("#deals-title", Static).update(
            Text.assemble("Deals with ", record.name, ("   a: new deal", "not bold dim")))
        people, deals = self.people, self.deals
        if people.source.company_id != record.id:
            people.source = ContactSource(company_id=record.id)
            people.reload(keep_cursor=False)
        if deals.source.wanted.company_id != record.id:
            deals.source = deal_source(company_id=record.id)
            deals.reload(keep_cursor=False)

    def reload(self) -> None:
        """Read the company, its people and its deals again."""
        super().reload()
        for records in (self.people, self.deals):
            if records.loaded:
                records.reload()

    @on(RecordList.Opened, "#deals")
    def open_deal(self, event: RecordList.Opened) -> None:
        open_deal_from(self, event.record_list, event.record.id)

    def action_add_deal(self) -> None:
        if self.record is not None:
            self.app.push_screen(DealFormScreen(company_id=self.record.id), lambda _saved: self.reload())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_deal":
            return self.record is not None and self.record.deleted_at is None
        return super().check_action(action, parameters)

    @on(RecordList.Opened, "#people")
    def open_person(self, event: RecordList.Opened) -> None:
        people = event.record_list

        def back(steps: int | None) -> None:
            if steps:
                people.move_to(people.cursor + steps)
            self.reload()

        self.app.push_screen(ContactDetailScreen(event.record.id, people.source, people.list_query), back)
