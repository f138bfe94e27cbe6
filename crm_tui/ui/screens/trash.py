"""The trash: deleted contacts and companies, to restore or to purge for good."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from crm_tui.core import companies, contacts
from crm_tui.core.db import connection
from crm_tui.core.errors import CrmError
from crm_tui.core.records import change_batch
from crm_tui.ui.screens.modals import ConfirmScreen
from crm_tui.ui.sources import CompanySource, ContactSource
from crm_tui.ui.widgets.app_header import AppFooter, AppHeader
from crm_tui.ui.widgets.record_list import RecordList
from crm_tui.ui.widgets.record_source import ListQuery

KINDS = {"contacts": (ContactSource, contacts), "companies": (CompanySource, companies)}


class TrashScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="trash.back"),
        Binding("tab", "switch_kind", "Contacts/Companies", id="trash.kind"),
        Binding("r", "restore", "Restore", id="trash.restore"),
        Binding("x", "purge", "Purge", id="trash.purge"),
    ]
    DEFAULT_CSS = """
    TrashScreen #title { height: 1; padding: 0 1; text-style: bold; color: $text-warning; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.kind = "contacts"

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("", id="title")
        yield RecordList(ContactSource(), ListQuery("updated", trash=True), id="records")
        yield AppFooter()

    @property
    def records(self) -> RecordList:
        return self.query_one("#records", RecordList)

    def on_mount(self) -> None:
        self.show_title()
        self.records.focus()

    def show_title(self) -> None:
        other = "companies" if self.kind == "contacts" else "contacts"
        self.query_one("#title", Static).update(
            Text(f"Trash: deleted {self.kind} (tab shows {other}; r restores, x purges for good)")
        )

    def reload(self) -> None:
        self.records.reload()

    def action_switch_kind(self) -> None:
        self.kind = "companies" if self.kind == "contacts" else "contacts"
        records = self.records
        records.source = KINDS[self.kind][0]()
        records.clear_marks()
        records.set_query(ListQuery("updated", trash=True))
        self.show_title()

    def chosen(self) -> tuple[int, bool]:
        """How many records an action applies to, and whether those are the marked ones."""
        if self.records.marked_count:
            return self.records.marked_count, True
        return (1, False) if self.records.current is not None else (0, False)

    def action_restore(self) -> None:
        count, marked = self.chosen()
        if count:
            self.apply("restore", marked, None if marked else self.records.current.id)

    def action_purge(self) -> None:
        count, marked = self.chosen()
        if not count:
            return
        record_id = None if marked else self.records.current.id
        what = f"{count:,} {self.kind}" if marked else repr(self.records.current.name)
        question = Text(f"Purge {what} for good? This cannot be undone.")
        self.app.push_screen(ConfirmScreen(question, confirm_label="Purge"),
                             lambda yes: yes and self.apply("purge", marked, record_id))

    @work(thread=True, exclusive=True, group="trash")
    def apply(self, action: str, marked: bool, record_id: int | None) -> None:
        """Restore (one change, so `u` puts them back in the trash) or purge the chosen records."""
        service = KINDS[self.kind][1]
        try:
            with connection():
                ids = list(self.records.marked_ids()) if marked else [record_id]
                if action == "restore":
                    done = f"Restored {service.restore_many(ids):,} · u undoes"
                else:
                    with change_batch():
                        for each in ids:
                            service.purge(each)
                    done = f"Purged {len(ids):,}"
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.applied, done)

    def applied(self, message: str) -> None:
        self.records.clear_marks()
        self.notify(message)
        self.reload()
