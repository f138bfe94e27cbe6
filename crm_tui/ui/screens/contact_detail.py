"""One contact with every field, stepping through the list it was opened from."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget

from crm_tui.core import contacts
from crm_tui.core.contacts import ContactData
from crm_tui.ui.screens.contact_form import ContactFormScreen
from crm_tui.ui.screens.modals import TagEditScreen
from crm_tui.ui.sources import CompanySource, ContactSource
from crm_tui.ui.widgets.detail import (
    DetailScreen,
    FieldRow,
    Section,
    detail_bindings,
    paragraph,
    time_rows,
)
from crm_tui.ui.widgets.record_source import ListQuery

TIMELINE_NOTE = "Deals and activities with this contact will be listed here once crm-tui tracks them."


def custom_lines(custom: dict[str, str]) -> Text:
    """`key: value` a line, keys in bold, both shown exactly as typed."""
    return Text("\n").join(Text.assemble((f"{key}: ", "bold"), value) for key, value in custom.items())


class ContactDetailScreen(DetailScreen):
    """Everything about one contact: keys step through the list, edit, tag, trash, or open the company."""

    BINDINGS = [
        *detail_bindings("contact_detail"),
        Binding("t", "tags", "Tags", id="contact_detail.tags"),
        Binding("c", "company", "Company", id="contact_detail.company"),
    ]
    service = contacts
    form_type = ContactFormScreen
    noun = "contact"

    def __init__(self, contact_id: int, source: ContactSource, query: ListQuery) -> None:
        super().__init__(contact_id, source, query)

    def sections(self, record: ContactData) -> Iterable[Widget]:
        address = ("Street", "City", "Region", "Postal code", "Country")
        yield Section("Contact", FieldRow("Emails", record.emails), FieldRow("Phones", record.phones))
        yield Section("Work", FieldRow("Title", record.title), FieldRow("Company", record.company or ""))
        yield Section("Address", *(FieldRow(label, getattr(record, name))
                                   for label, name in zip(address, contacts.ADDRESS_FIELDS)))
        yield Section("Personal", FieldRow("Birthday", record.birthday), FieldRow("Tags", ", ".join(record.tags)))
        yield Section("Notes", paragraph(record.notes))
        yield Section("Custom fields", paragraph(custom_lines(record.custom)))
        yield Section("Timeline", paragraph(TIMELINE_NOTE, muted=True))
        yield Section("Record", *time_rows(record))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
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
        from crm_tui.ui.screens.company_detail import (
            CompanyDetailScreen,  # imports this module in turn
        )

        if self.record is not None and self.record.company_id is not None:
            screen = CompanyDetailScreen(self.record.company_id, CompanySource(), ListQuery(CompanySource.sorts[0]))
            self.app.push_screen(screen, lambda _steps: self.reload())
