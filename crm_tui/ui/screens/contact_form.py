"""Add or edit a contact: every field of a ContactDraft, errors under the field, company names completed."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from textual import on, work
from textual.widgets import Input
from textual.worker import get_current_worker

from crm_tui.core import companies, contacts, tags
from crm_tui.core.db import connection
from crm_tui.core.text import fold
from crm_tui.core.validation import clean_birthday, clean_email, clean_keep_in_touch, clean_phone
from crm_tui.ui.widgets.form import Field, RecordFormScreen, form_bindings

COMPANY_CHECK_DELAY = 0.3
NEW_COMPANY_NOTE = "new company will be created"


def company_starting(prefix: str) -> str | None:
    """The first live company, by name, whose name starts with `prefix` (ignoring case and accents)."""
    key = fold(prefix)
    if not key:
        return None
    found = companies.list_page(text=prefix, limit=20).items
    return next((company.name for company in found if fold(company.name).startswith(key)), None)


FIELDS = (
    Field("first_name", "First name"),
    Field("last_name", "Last name"),
    Field("emails", "Emails", "list", "comma-separated",
          check=lambda emails: [clean_email(email, "emails") for email in emails]),
    Field("phones", "Phones", "list", "comma-separated",
          check=lambda phones: [clean_phone(phone, "phones") for phone in phones]),
    Field("company", "Company", placeholder="type to pick one (→ accepts) or name a new one",
          suggest=company_starting),
    Field("title", "Title"),
    Field("tags", "Tags", "list", "comma-separated", check=tags.clean_names),
    Field("keep_in_touch_days", "Keep in touch", placeholder="every N days, e.g. 30; the agenda reminds you",
          check=clean_keep_in_touch),
    Field("display_name", "Display name", placeholder="shown instead of first and last name"),
    Field("street", "Street"),
    Field("city", "City"),
    Field("region", "Region"),
    Field("postal_code", "Postal code"),
    Field("country", "Country"),
    Field("birthday", "Birthday", placeholder="YYYY-MM-DD or --MM-DD", check=clean_birthday),
    Field("notes", "Notes", "lines"),
    Field("custom", "Custom fields", "mapping", "one 'key: value' a line"),
)


class ContactFormScreen(RecordFormScreen):
    """Add a contact (no argument) or edit one; dismisses with the saved contact's id, or None."""

    FIELDS = FIELDS
    NOUN = "contact"
    SERVICE = contacts
    BINDINGS = form_bindings("contact_form")

    def __init__(self, contact: contacts.ContactData | None = None) -> None:
        super().__init__(contact)

    def values_of(self, record: contacts.ContactData) -> dict[str, Any]:
        values = asdict(record.to_draft())
        every = values["keep_in_touch_days"]
        return {**values, "keep_in_touch_days": "" if every is None else str(every)}

    def create_record(self, values: dict[str, Any]) -> contacts.ContactData:
        return contacts.create(contacts.ContactDraft(**values))

    @on(Input.Changed, "#company")
    def company_changed(self, event: Input.Changed) -> None:
        unchanged = event.value == self.form.loaded["company"]
        self.check_company("" if unchanged else event.value)

    @work(thread=True, exclusive=True, group="contact-form-company")
    def check_company(self, name: str) -> None:
        """Note under Company when saving would create a company; waits for typing to pause first."""
        worker = get_current_worker()
        if name.strip():
            time.sleep(COMPANY_CHECK_DELAY)
            if worker.is_cancelled:
                return
            with connection():
                known = bool(companies.find_by_names([name]))
        else:
            known = True
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_company_note, known)

    def show_company_note(self, known: bool) -> None:
        self.form.set_line("company", "note", "" if known else NEW_COMPANY_NOTE)
