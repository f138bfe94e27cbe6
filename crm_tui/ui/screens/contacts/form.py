"""Add or edit a contact: every field of a ContactDraft, errors under the field, company names completed, and a
warning before saving someone who seems to be in the CRM already.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.widgets import Input, Label, TextArea
from textual.worker import get_current_worker

from crm_tui.core import companies, contacts
from crm_tui.core.contacts import tags
from crm_tui.core.db import connection
from crm_tui.core.validation import clean_birthday, clean_email, clean_keep_in_touch, clean_phone
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.kit.form import HINT, Field, RecordFormScreen, form_bindings
from crm_tui.ui.lookups import company_starting
from crm_tui.ui.navigation import detail_screen

if TYPE_CHECKING:  # the duplicate check needs rapidfuzz and numpy: loaded when a contact is first saved
    from crm_tui.core.duplicates.groups import LikelyDuplicate

COMPANY_CHECK_DELAY = 0.3
NEW_COMPANY_NOTE = "new company will be created"
IDENTITY_FIELDS = ("first_name", "last_name", "display_name", "emails", "phones", "company")
"""What the duplicate check reads: an edit that changes none of them saves without asking it."""



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
    BINDINGS = [
        *form_bindings("contact_form"),
        Binding("ctrl+o", "open_duplicate", "Open the likely duplicate", id="contact_form.open_duplicate"),
    ]

    def __init__(self, contact: contacts.ContactData | None = None) -> None:
        super().__init__(contact)
        self.likely: list[LikelyDuplicate] = []
        """The likely duplicates the warning shows; empty while none is shown."""
        self.warned = False
        """The person has seen the warning for what the fields hold now: the next ctrl+s saves."""

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

    # Likely duplicates -------------------------------------------------------------------------------------

    def warning_before_save(self, base: contacts.ContactData | None, values: dict[str, Any]
                            ) -> Callable[[], None] | None:
        """Hold the save back once if the contact seems to be in the CRM already (runs in the save worker)."""
        if self.warned or (base is not None and not any(name in values for name in IDENTITY_FIELDS)):
            return None
        identity = {name: values[name] for name in IDENTITY_FIELDS if name in values}
        draft = contacts.ContactDraft(**identity) if base is None else replace(base.to_draft(), **identity)
        from crm_tui.core.duplicates.groups import likely_duplicates

        found = likely_duplicates(draft, exclude_id=None if base is None else base.id)
        return partial(self.show_duplicates, found) if found else None

    def show_duplicates(self, found: list[LikelyDuplicate]) -> None:
        self.saving = False
        self.likely = found
        self.warned = True
        first = found[0].name
        text = Text.assemble(("Already in the CRM? ", "bold"),
                             (f"ctrl+s saves anyway · ctrl+o opens {first}", "italic"))
        for duplicate in found:
            text.append("\n")
            text.append(f"{duplicate.name} #{duplicate.contact_id}", style="bold")
            text.append(f": {duplicate.reason}")
        self.form.show_panel(text)
        self.query_one("#form-hint", Label).update(Text(f"ctrl+s save anyway · ctrl+o open {first} · esc cancel"))
        self.refresh_bindings()

    @on(Input.Changed)
    @on(TextArea.Changed)
    def edited(self) -> None:
        """A change of any field means the warning no longer answers what would be saved: check again."""
        self.warned = False
        if self.likely:
            self.likely = []
            self.form.show_panel(None)
            self.query_one("#form-hint", Label).update(HINT)
            self.refresh_bindings()

    def show_conflict(self, current: Any) -> None:
        self.likely = []
        super().show_conflict(current)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_duplicate":
            return bool(self.likely)
        return super().check_action(action, parameters)

    def action_open_duplicate(self) -> None:
        """Leave the form for the likely duplicate's detail screen, asking first if there are edits to lose."""
        if not self.likely:
            return
        duplicate = self.likely[0]
        if not self.form.changed():
            self.open_contact(duplicate.contact_id)
            return
        question = Text.assemble("Discard your changes and open ", (duplicate.name, "bold"), "?")
        self.app.push_screen(ConfirmScreen(question, "Discard"),
                             lambda discard: self.open_contact(duplicate.contact_id) if discard else None)

    def open_contact(self, contact_id: int) -> None:
        self.dismiss(None)
        self.app.push_screen(detail_screen("contact", contact_id))
