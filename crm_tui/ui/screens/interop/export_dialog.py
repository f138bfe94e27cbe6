"""Export from the app (the command palette's "Export records"): the format, what to export, the file, then the
records written a page at a time with a progress bar and the rate, as `crm-tui export` writes them.

A stopped or failed export removes its half-written file: a file that is there is a whole export.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, ProgressBar

from crm_tui.config import confined_path
from crm_tui.core.db import connection
from crm_tui.core.errors import CrmError
from crm_tui.core.files import atomic_text_file
from crm_tui.core.text import KIND_PLURALS
from crm_tui.ui.kit.dialogs import ConfirmScreen, DialogScreen

FORMATS = {"csv": "CSV for a spreadsheet", "vcard": "vCard 4.0 (contacts)", "json": "JSON backup (everything)"}
ENTITIES = ("contact", "company", "deal", "activity")
EXTENSIONS = {"csv": "csv", "vcard": "vcf", "json": "json"}
UPDATES_PER_SECOND = 10


class Stopped(Exception):
    """The person stopped the export."""


def default_path(fmt: str, entity: str, today: date) -> str:
    """A file in the home folder, which over SSH is the user's files folder (config.confined_path)."""
    what = "backup" if fmt == "json" else KIND_PLURALS[entity]
    return f"~/crm-tui-{what}-{today.isoformat()}.{EXTENSIONS[fmt]}"


def record_count(fmt: str, entity: str) -> int | None:
    """How many records the export will write, where that is cheap to know (for the progress bar's length)."""
    from crm_tui.core import companies, contacts
    from crm_tui.core.deals import listing as deal_list

    if fmt == "vcard" or (fmt == "csv" and entity == "contact"):
        return contacts.count()
    if fmt == "csv" and entity == "company":
        return companies.count()
    if fmt == "csv" and entity == "deal":
        return deal_list.count(deal_list.DealFilter())
    return None


def counted(records: Iterable[Any], tick: Callable[[int], None]) -> Iterator[Any]:
    for record in records:
        tick(1)
        yield record


def write_export(fmt: str, entity: str, target: Any, tick: Callable[[int], None]) -> None:
    """Write the export to `target`, calling `tick(records)` as records are written (it may raise Stopped)."""
    if fmt == "json":
        from crm_tui.core.interop.backup.write import write_backup

        done_by_table: dict[str, int] = {}

        def chunk_written(table: str, done: int, total: int | None) -> None:
            tick(done - done_by_table.get(table, 0))
            done_by_table[table] = done

        write_backup(target, on_progress=chunk_written)
    elif fmt == "vcard":
        from crm_tui.core import contacts
        from crm_tui.core.interop.vcard.write import write_vcards

        write_vcards(counted(contacts.iterate(), tick), target)
    else:
        from crm_tui.core.interop.csv import write as csv_write

        csv_write.write_csv(entity, counted(csv_write.iterate_records(entity), tick), target)


class ExportScreen(DialogScreen[str | None]):
    """Dismisses with the path written, or None."""

    AUTO_FOCUS = "#export-path"
    BINDINGS = [
        Binding("ctrl+f", "cycle_format", "Format", id="export.format"),
        Binding("ctrl+t", "cycle_entity", "What", id="export.entity"),
        Binding("enter", "export", "Export", id="export.start", priority=True),
        Binding("escape", "back", "Close or stop", id="export.back"),
    ]
    DEFAULT_CSS = """
    ExportScreen .dialog { width: 72; }
    ExportScreen ProgressBar { display: none; margin: 0 0 1 0; }
    ExportScreen.running ProgressBar { display: block; }
    """

    def __init__(self, today: date | None = None) -> None:
        super().__init__()
        self.today = today or date.today()
        self.fmt = "csv"
        self.entity = "contact"
        self.running = False
        self.stop_requested = False
        self.replacing: Path | None = None  # a file the person agreed to replace

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export records", classes="dialog-title")
            yield Label("", id="export-choice")
            yield Input(default_path(self.fmt, self.entity, self.today), id="export-path")
            yield ProgressBar(id="export-progress", show_eta=False)
            yield Label("", classes="dialog-error")
            yield Label("", id="export-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        self.show_choice()

    def show_choice(self) -> None:
        what = "everything" if self.fmt == "json" else "contacts" if self.fmt == "vcard" else KIND_PLURALS[self.entity]
        self.query_one("#export-choice", Label).update(Text(f"{FORMATS[self.fmt]} · {what}"))
        self.query_one("#export-hint", Label).update(Text(
            "ctrl+f format · ctrl+t contacts, companies, deals, activities (CSV) · enter export · esc close"))

    def set_choice(self, fmt: str, entity: str) -> None:
        path = self.query_one("#export-path", Input)
        suggested = path.value == default_path(self.fmt, self.entity, self.today)
        self.fmt, self.entity = fmt, entity
        if suggested:  # a path the person typed stays as typed
            path.value = default_path(fmt, entity, self.today)
        self.show_choice()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cycle_format", "cycle_entity", "export"):
            return not self.running
        return True

    def action_cycle_format(self) -> None:
        formats = list(FORMATS)
        self.set_choice(formats[(formats.index(self.fmt) + 1) % len(formats)], self.entity)

    def action_cycle_entity(self) -> None:
        if self.fmt == "csv":
            self.set_choice(self.fmt, ENTITIES[(ENTITIES.index(self.entity) + 1) % len(ENTITIES)])

    def action_back(self) -> None:
        if self.running:
            self.stop_requested = True
        else:
            self.dismiss(None)

    def action_export(self) -> None:
        typed = self.query_one("#export-path", Input).value.strip()
        if not typed:
            self.show_error("type where to write the export")
            return
        try:
            path = confined_path(typed)
        except (CrmError, OSError) as exc:
            self.show_error(str(exc))
            return
        if path.is_dir() or not path.parent.is_dir():
            self.show_error(f"{path} is a folder" if path.is_dir() else f"there is no folder {path.parent}")
            return
        if path.exists() and path != self.replacing:
            self.ask_to_replace(path)
            return
        self.show_error("")
        self.running, self.stop_requested = True, False
        self.add_class("running")
        self.refresh_bindings()
        self.export(path, self.fmt, self.entity)

    def ask_to_replace(self, path: Path) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.replacing = path
                self.action_export()

        question = Text.assemble("Replace ", (str(path), "bold"), "? It is replaced only once the export is whole.")
        self.app.push_screen(ConfirmScreen(question, "Replace"), answered)

    @work(thread=True, exclusive=True, group="export")
    def export(self, path: Path, fmt: str, entity: str) -> None:
        written, started, shown = 0, time.monotonic(), 0.0
        try:
            with connection():
                total = record_count(fmt, entity)

                def tick(records: int) -> None:
                    nonlocal written, shown
                    written += records
                    if self.stop_requested:
                        raise Stopped
                    now = time.monotonic()
                    if now - shown >= 1 / UPDATES_PER_SECOND:
                        shown = now
                        self.app.call_from_thread(self.show_progress, written, total, now - started)

                with atomic_text_file(path) as target:
                    write_export(fmt, entity, target, tick)
        except (Stopped, CrmError, OSError) as exc:
            message = "stopped; nothing was written" if isinstance(exc, Stopped) else str(exc)
            self.app.call_from_thread(self.finished, None, message)
            return
        self.app.call_from_thread(self.finished, path, "1 record" if written == 1 else f"{written:,} records")

    def show_progress(self, written: int, total: int | None, seconds: float) -> None:
        progress = self.query_one("#export-progress", ProgressBar)
        progress.update(total=total, progress=written)
        rate = written / max(seconds, 1e-6)
        self.query_one("#export-hint", Label).update(Text(f"{written:,} records · {rate:,.0f}/s · esc stops"))

    def finished(self, path: Path | None, message: str) -> None:
        self.running = False
        self.replacing = None
        self.remove_class("running")
        self.refresh_bindings()
        if path is None:
            self.show_error(message)
            self.show_choice()
            return
        self.notify(f"Exported {message} to {path}")
        self.dismiss(str(path))
