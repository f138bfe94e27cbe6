"""The contacts section: every contact a page at a time, the welcome for an empty database, and tags."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center
from textual.widgets import Static

from crm_tui.core import contacts, demo
from crm_tui.core.contacts.service import ContactData
from crm_tui.core.db import connection
from crm_tui.core.duplicates import merge
from crm_tui.core.errors import CrmError
from crm_tui.core.search import saved as saved_searches
from crm_tui.ui.kit.filter_box import FilterBox
from crm_tui.ui.kit.list_screen import ListScreen
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
from crm_tui.ui.screens.contacts.form import ContactFormScreen
from crm_tui.ui.screens.contacts.tags import BulkTagScreen, TagEditScreen
from crm_tui.ui.screens.duplicates.merge import MergeScreen
from crm_tui.ui.sources import ContactSource, PinnedQuery

WELCOME = (
    "Welcome to crm-tui. This database has no contacts yet.\n\n"
    "  a  add your first contact\n"
    "  i  import contacts from a file\n"
    "  D  try it on demo data (a separate demo database;\n"
    "     this one stays clean)\n\n"
    "Press ? for every key, ctrl+p for the command palette."
)


class ContactsScreen(ListScreen):
    BINDINGS = [
        Binding("T", "tags", "Tags", id="contacts.tags"),
        Binding("i", "import", "Import", id="contacts.import"),
        Binding("D", "demo", "Demo data", id="contacts.demo"),
        Binding("M", "merge", "Merge marked", show=False, id="contacts.merge"),
        Binding("F", "pinned_filter", "Pinned filter", show=False, id="contacts.pinned_filter"),
        Binding("equals_sign", "app.find_duplicates", "Find duplicates", show=False, id="contacts.duplicates"),
    ]
    DEFAULT_CSS = """
    ContactsScreen #welcome {
        height: 1fr;
        align: center middle;
        display: none;
    }
    ContactsScreen #welcome > Static {
        width: 60;
        max-width: 100%;
        border: round $accent;
        padding: 1 2;
    }
    ContactsScreen.empty #welcome { display: block; }
    ContactsScreen.empty #records { display: none; }
    """
    noun = "contact"
    plural = "contacts"
    link_field = "contact_id"
    filter_placeholder = "Filter: name, email, phone, company, notes… and tag:NAME"

    def make_source(self) -> ContactSource:
        return ContactSource()

    def compose_extra(self) -> ComposeResult:
        with Center(id="welcome"):
            yield Static(WELCOME)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo":
            return self.has_class("empty")
        if action == "tags" and self.records.current is None and not self.records.marked_count:
            return False
        return super().check_action(action, parameters)

    @on(RecordList.Changed)
    def check_empty(self) -> None:
        records = self.records
        if records.total == 0 and not records.list_query.filter and not records.list_query.trash:
            self.check_database_empty()
        elif records.total and self.has_class("empty"):
            self.set_empty(False)

    @work(thread=True, exclusive=True, group="contacts-empty")
    def check_database_empty(self) -> None:
        with connection():
            empty = demo.is_empty()
        self.app.call_from_thread(self.set_empty, empty)

    def set_empty(self, empty: bool) -> None:
        self.set_class(empty, "empty")
        self.refresh_bindings()

    def detail_screen(self, record_id: int, record_list: RecordList) -> ContactDetailScreen:
        return ContactDetailScreen(record_id, record_list.source, record_list.list_query)

    def form_screen(self, record: ContactData | None) -> ContactFormScreen:
        return ContactFormScreen(record)

    def get_record(self, record_id: int) -> ContactData:
        return contacts.get(record_id)

    def trash(self, ids: list[int]) -> int:
        return contacts.delete_many(ids)

    # Pinned saved searches as the list's filter: one filter at a time, so `/` replaces a pinned one and F a typed
    # one; esc clears either.

    def action_pinned_filter(self) -> None:
        self.next_pinned_filter(self.records.list_query)

    @work(thread=True, exclusive=True, group="contacts-pinned")
    def next_pinned_filter(self, shown: ListQuery) -> None:
        """The pinned search after the one shown, by name; after the last, none."""
        try:
            with connection():
                pinned = saved_searches.pinned()
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if not pinned:
            self.app.call_from_thread(self.notify, "No pinned searches: ctrl+f, save a search (ctrl+s), then p pins it")
            return
        names = [search.name for search in pinned]
        current = names.index(shown.filter) + 1 if isinstance(shown, PinnedQuery) and shown.filter in names else 0
        chosen = pinned[current] if current < len(pinned) else None
        self.app.call_from_thread(self.set_pinned_filter, chosen)

    def set_pinned_filter(self, search: saved_searches.SavedSearchData | None) -> None:
        self.query_one(FilterBox).close()
        sort, trash = self.records.list_query.sort, self.records.list_query.trash
        if search is None:
            self.records.set_query(ListQuery(sort, trash=trash))
        else:
            self.records.set_query(PinnedQuery(sort, search.name, trash, search.query))
        self.records.focus()

    def action_filter(self) -> None:
        if isinstance(self.records.list_query, PinnedQuery):
            self.set_pinned_filter(None)
        super().action_filter()

    def action_clear_filter(self) -> None:
        if isinstance(self.records.list_query, PinnedQuery):
            self.set_pinned_filter(None)
            return
        super().action_clear_filter()

    def action_demo(self) -> None:
        self.app.action_open_demo()

    def action_merge(self) -> None:
        records = self.records
        count = records.marked_count
        if count < 2:
            self.notify("Mark 2 or more contacts (space) to merge them")
        elif count > merge.MAX_OTHERS + 1:
            self.notify(f"At most {merge.MAX_OTHERS + 1} contacts merge at once; {count:,} are marked",
                        severity="warning")
        else:
            current = records.current
            self.open_merge(records, current.id if current is not None and records.marks.holds(current.id) else None)

    @work(thread=True, exclusive=True, group="contacts-merge")
    def open_merge(self, records: RecordList, first: int | None) -> None:
        """Merge the marked contacts, the one under the cursor first (kept, unless the person keeps another).
        Inverted marks are read from the database, hence the worker."""
        try:
            with connection():
                ids = list(records.marked_ids())
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if first in ids:
            ids = [first, *(contact_id for contact_id in ids if contact_id != first)]
        self.app.call_from_thread(self.app.push_screen, MergeScreen(ids), self.merged)

    def merged(self, result: merge.MergeResult | None) -> None:
        if result is not None:
            self.records.clear_marks()
            self.reload()

    def action_import(self) -> None:
        from crm_tui.ui.screens.interop.import_flow import ImportScreen  # the readers load only when someone imports

        def imported(batch_id: str | None) -> None:
            self.reload()  # an import undone from its summary changed the list too
            if batch_id:
                self.set_empty(False)

        self.app.push_screen(ImportScreen(), imported)

    def action_tags(self) -> None:
        records = self.records
        if records.marked_count:
            self.app.push_screen(BulkTagScreen(records.marked_count), self.bulk_tag)
        elif records.current is not None:
            contact = records.current
            self.app.push_screen(TagEditScreen(f"Tags of {contact.name}", list(contact.tags)),
                                 lambda names: self.set_tags(contact, names))

    def bulk_tag(self, choice: tuple[str, list[str]] | None) -> None:
        if choice:
            self.apply_tags(choice[0], choice[1])

    def set_tags(self, contact: ContactData, names: list[str] | None) -> None:
        if names is not None:
            self.save_tags(contact, names)

    @work(thread=True, exclusive=True, group="contacts-tags")
    def save_tags(self, contact: ContactData, names: list[str]) -> None:
        """Save against the version whose tags the user saw: if someone changed the contact since, the save is
        refused as a conflict rather than overwriting their change."""
        try:
            with connection():
                contacts.update(contact.id, contact.version, tags=names)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.tags_saved, Text(f"Tags saved: {', '.join(names) or 'none'}"))

    @work(thread=True, exclusive=True, group="contacts-tags")
    def apply_tags(self, action: str, names: list[str]) -> None:
        try:
            with connection():
                ids = list(self.records.marked_ids())
                changed = (contacts.add_tags if action == "add" else contacts.remove_tags)(ids, names)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        verb = "Tagged" if action == "add" else "Untagged"
        self.app.call_from_thread(self.tags_saved, Text(f"{verb} {changed:,} contacts · u undoes"), True)

    def tags_saved(self, message: Text, clear_marks: bool = False) -> None:
        if clear_marks:
            self.records.clear_marks()
        self.notify(str(message))
        self.reload()
