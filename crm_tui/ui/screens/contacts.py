"""The contacts list: a page at a time from the contacts service, filtered as you type after `/`."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import get_current_worker

from crm_tui.core import contacts, demo
from crm_tui.core.db import connection
from crm_tui.ui.screens.contact_form import ContactFormScreen

COLUMNS = (("Name", 20), ("Email", 22), ("Phone", 15), ("Company", 13))
PAGE_SIZE = 100
FETCH_AHEAD = 20
EMPTY_MESSAGE = (
    "Your CRM is empty.\n\n"
    "  d  load demo data\n"
    "  a  add a contact\n\n"
    "To bring in your own records from the shell:\n"
    "  crm-tui contacts add --first Ada --last Lovelace"
)


class ContactsScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "search", "Search", id="contacts.search"),
        Binding("a", "add", "Add", id="contacts.add"),
        Binding("d", "demo", "Demo data", id="contacts.demo"),
        Binding("escape", "clear_search", "Clear", show=False, id="contacts.clear_search"),
        Binding("ctrl+r", "refresh", "Refresh", id="contacts.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.next_cursor: tuple | None = None
        self.search_text = ""
        self.loading_more = False
        self.database_empty = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search name, email, phone, company, tag…", id="search", disabled=True)
        table = DataTable(id="contacts", cursor_type="row", zebra_stripes=True)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        yield table
        with Center(id="empty"):
            yield Static(EMPTY_MESSAGE)
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#empty").display = False
        self.load_first_page()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo":
            return self.database_empty
        return True

    @work(thread=True, exclusive=True, group="contacts")
    def load_first_page(self) -> None:
        """The first page goes up as soon as it is read; the total follows, since counting a large match set
        (400k contacts for "a" on a 1M database) takes far longer than reading 100 rows."""
        text = self.search_text
        worker = get_current_worker()
        with connection():
            page = contacts.list_page(limit=PAGE_SIZE, text=text)
            empty = not page.items and not text and demo.is_empty()
            if worker.is_cancelled:
                return
            self.app.call_from_thread(self.show_page, text, page, True, empty)
            total = contacts.count(text=text)
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_total, text, total)

    @work(thread=True, exclusive=True, group="contacts-more")
    def load_next_page(self, cursor: tuple) -> None:
        text = self.search_text
        with connection():
            page = contacts.list_page(after=cursor, limit=PAGE_SIZE, text=text)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_page, text, page, False, False)

    def show_page(self, text: str, page, replace: bool, empty: bool) -> None:
        """Show a page fetched for the filter `text`; a page for a filter since replaced is dropped."""
        if text != self.search_text:
            return
        table = self.query_one(DataTable)
        if replace:
            table.clear()
        for contact in page.items:
            table.add_row(
                Text(contact.name),
                Text(contact.emails[0] if contact.emails else ""),
                Text(contact.phones[0] if contact.phones else ""),
                Text(contact.company or ""),
                key=str(contact.id),
            )
        self.next_cursor = page.next_cursor
        self.loading_more = False
        if replace:
            self.show_total(text, None)
            self.database_empty = empty
            table.display = not empty
            self.query_one("#empty").display = empty
            self.refresh_bindings()
            if not empty and not self.query_one("#search", Input).has_focus:
                table.focus()

    def show_total(self, text: str, total: int | None) -> None:
        """The status line: how many contacts the list holds (None while they are being counted)."""
        if text == self.search_text:
            found = "counting contacts" if total is None else f"{total:,} contact" + ("" if total == 1 else "s")
            self.query_one("#status", Static).update(Text(found + (f" matching {text!r}" if text else "")))

    @on(DataTable.RowHighlighted)
    def fetch_ahead(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        near_end = event.cursor_row >= table.row_count - FETCH_AHEAD
        if near_end and self.next_cursor is not None and not self.loading_more:
            self.loading_more = True
            self.load_next_page(self.next_cursor)

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.disabled = False
        search.add_class("visible")
        search.focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.disabled = True
        search.remove_class("visible")
        self.query_one(DataTable).focus()

    @on(Input.Changed, "#search")
    def filter_contacts(self, event: Input.Changed) -> None:
        self.search_text = event.value
        self.load_first_page()

    @on(Input.Submitted, "#search")
    def focus_results(self) -> None:
        self.query_one(DataTable).focus()

    def action_refresh(self) -> None:
        self.load_first_page()

    def action_add(self) -> None:
        def added(contact_id: int | None) -> None:
            if contact_id is not None:
                self.notify("Contact added")
                self.load_first_page()

        self.app.push_screen(ContactFormScreen(), added)

    def action_demo(self) -> None:
        self.notify("Loading demo data…")
        self.load_demo()

    @work(thread=True, exclusive=True, group="demo")
    def load_demo(self) -> None:
        with connection():
            summary = demo.fill(demo.DEFAULT_CONTACTS)
        self.app.call_from_thread(self.demo_loaded, summary)

    def demo_loaded(self, summary: demo.DemoSummary) -> None:
        self.app.sub_title = f"{self.app.sub_title}  DEMO"
        self.notify(f"Added {summary.contacts} demo contacts, {summary.deals} deals, {summary.activities} activities")
        self.load_first_page()
