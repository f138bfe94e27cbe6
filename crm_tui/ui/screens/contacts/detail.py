"""One contact with every field, stepping through the list it was opened from, and the deals with them below."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from crm_tui.core import contacts
from crm_tui.core.contacts.service import ContactData
from crm_tui.core.deals.listing import DealFilter
from crm_tui.core.text import plural
from crm_tui.ui.kit.detail import DetailScreen, FieldRow, Section, detail_bindings, paragraph, time_rows
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.navigation import detail_screen
from crm_tui.ui.screens.activities.timeline import TimelineDetail, timeline_binding
from crm_tui.ui.screens.contacts.form import ContactFormScreen
from crm_tui.ui.screens.contacts.tags import TagEditScreen
from crm_tui.ui.screens.deals.detail import DealDetailScreen
from crm_tui.ui.screens.deals.form import DealFormScreen
from crm_tui.ui.sources import ContactSource, DealSource

DEAL_SORTS = ("close", "value", "stage", "age")
LISTS_CSS = """
& > #card { height: auto; max-height: 45%; border-left: outer $background; padding: 0 1 0 0; }
& > #card:focus { border-left: outer $accent; }
& > .list-title { height: 1; padding: 0 1; margin: 1 0 0 0; text-style: bold; color: $text-accent; }
& > RecordList { height: 1fr; min-height: 4; }
"""
"""The layout of a detail screen with lists under its card: the card takes at most 45% and the lists share the rest."""


def deal_source(contact_id: int | None = None, company_id: int | None = None) -> DealSource:
    """A contact's or a company's deals, every status, soonest expected close first."""
    return DealSource(DealFilter(contact_id=contact_id, company_id=company_id), sorts=DEAL_SORTS)


def open_deal_from(screen: DetailScreen, deals: RecordList, deal_id: int) -> None:
    """Open a deal of a detail screen's list; n/p there walk that list, and the cursor follows on the way back."""

    def back(steps: int | None) -> None:
        if steps:
            deals.move_to(deals.cursor + steps)
        screen.reload()

    screen.app.push_screen(DealDetailScreen(deal_id, deals.source, deals.list_query), back)


def custom_lines(custom: dict[str, str]) -> Text:
    """`key: value` a line, keys in bold, both shown exactly as typed."""
    return Text("\n").join(Text.assemble((f"{key}: ", "bold"), value) for key, value in custom.items())


class ContactDetailScreen(TimelineDetail):
    """Everything about one contact and their deals: keys step through the list, edit, tag, trash, open the company,
    or add a deal with this contact; enter on a deal opens it."""

    BINDINGS = [
        *detail_bindings("contact_detail"),
        Binding("T", "tags", "Tags", id="contact_detail.tags"),
        Binding("c", "company", "Company", id="contact_detail.company"),
        Binding("a", "add_deal", "New deal", id="contact_detail.add_deal"),
        timeline_binding("contact_detail"),
    ]
    DEFAULT_CSS = f"ContactDetailScreen {{ {LISTS_CSS} & > #card {{ max-height: 55%; }} }}"
    service = contacts
    form_type = ContactFormScreen
    noun = "contact"
    link_field = "contact_id"

    def __init__(self, contact_id: int, source: ContactSource, query: ListQuery) -> None:
        super().__init__(contact_id, source, query)

    def compose_extra(self) -> ComposeResult:
        yield Static("Deals", id="deals-title", classes="list-title")
        yield RecordList(deal_source(contact_id=self.record_id), id="deals")

    @property
    def deals(self) -> RecordList:
        return self.query_one("#deals", RecordList)

    def sections(self, record: ContactData) -> Iterable[Widget]:
        address = ("Street", "City", "Region", "Postal code", "Country")
        yield Section("Contact", FieldRow("Emails", record.emails), FieldRow("Phones", record.phones))
        yield Section("Work", FieldRow("Title", record.title), FieldRow("Company", record.company or ""))
        yield Section("Address", *(FieldRow(label, getattr(record, name))
                                   for label, name in zip(address, contacts.ADDRESS_FIELDS, strict=False)))
        every = record.keep_in_touch_days
        yield Section("Personal", FieldRow("Birthday", record.birthday), FieldRow("Tags", ", ".join(record.tags)),
                      FieldRow("Keep in touch", "" if every is None else f"every {plural(every, 'day')}"))
        yield Section("Notes", paragraph(record.notes))
        yield Section("Custom fields", paragraph(custom_lines(record.custom)))
        yield from self.timeline_sections(record)
        yield Section("Record", *time_rows(record))

    def show(self, record: ContactData) -> None:
        super().show(record)
        if record.id != self.record_id:
            return
        self.query_one("#deals-title", Static).update(
            Text.assemble("Deals with ", record.name, ("   tab: details ↔ deals · a: new deal", "not bold dim")))
        deals = self.deals
        if deals.source.wanted.contact_id != record.id:
            deals.source = deal_source(contact_id=record.id)
            deals.reload(keep_cursor=False)

    def reload(self) -> None:
        """Read the contact and their deals again."""
        super().reload()
        if self.deals.loaded:
            self.deals.reload()

    @on(RecordList.Opened, "#deals")
    def open_deal(self, event: RecordList.Opened) -> None:
        open_deal_from(self, event.record_list, event.record.id)

    def action_add_deal(self) -> None:
        if self.record is not None:
            self.app.push_screen(DealFormScreen(contact_id=self.record.id), lambda _saved: self.reload())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if action == "add_deal":
            return self.record is not None and self.record.deleted_at is None
        if action == "company":
            return bool(allowed) and self.record.company_id is not None
        return allowed

    def action_tags(self) -> None:
        contact = self.record
        if contact is None:
            return

        def chosen(names: list[str] | None) -> None:
            if names is not None and names != contact.tags:
                self.run_change(lambda: contacts.update(contact.id, contact.version, tags=names), self.tags_saved)

        self.app.push_screen(TagEditScreen(f"Tags of {contact.name}", list(contact.tags)), chosen)

    def tags_saved(self) -> None:
        self.notify("Tags saved")
        self.reload()

    def action_company(self) -> None:
        if self.record is not None and self.record.company_id is not None:
            self.app.push_screen(detail_screen("company", self.record.company_id), lambda _steps: self.reload())
