"""The import flow: a file, what it holds, how its columns map, a mode, a dry run, then the import itself.

One modal walks through the steps, as `crm-tui import` does them (cli/commands/interop.py): the person sees what
each row would become before anything is written, and a running import can be stopped, which rolls the whole batch
back (the importer runs in one transaction). Every read of the file and all database work run in thread workers; the
path completion lists directories off the event loop too.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Label, ProgressBar

from crm_tui.config import confined_path, rejects_location
from crm_tui.core.db import connection
from crm_tui.core.errors import CrmError
from crm_tui.core.interop.detect import BOM_ENCODINGS, detect_format
from crm_tui.core.text import KIND_PLURALS
from crm_tui.ui.kit.dialogs import ConfirmScreen, DialogScreen
from crm_tui.ui.screens.interop.column_mapping import ColumnMappingScreen

ENTITIES = ("contact", "company", "deal", "activity")
MODES = {
    "create": "c  create: add every row as a new record",
    "upsert": "u  upsert: update the record a row matches, add the rest",
    "skip": "s  skip: add only rows that match nothing already here",
}
LAYOUTS = {"crm-tui": "our own export", "google": "Google Contacts layout", "outlook": "Outlook layout"}
SHOWN_OUTCOMES = 6
PROGRESS_EVERY_SECONDS = 0.1


def complete_path(text: str) -> str | None:
    """`text` completed to the first directory entry it starts (a directory with its "/"), in the form typed.

    Over SSH only entries of the user's files folder are listed (config.confined_path).
    """
    if not text:
        return None
    folder, _sep, start = text.rpartition("/")
    try:
        where = confined_path(folder + "/" if _sep else ".")
        names = sorted(entry.name for entry in os.scandir(where) if entry.name.startswith(start)
                       and (start.startswith(".") or not entry.name.startswith(".")))
    except (CrmError, OSError):
        return None
    if not names:
        return None
    name = names[0]
    completed = f"{folder}{_sep}{name}"
    return completed + "/" if (where / name).is_dir() else completed


class PathSuggester(Suggester):
    """Completes what is typed from the entries of its directory (`~` expanded; over SSH, in the files folder only);
    → accepts."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_path, value)


@dataclass(frozen=True)
class Detected:
    """What a file is, as the flow reads it: its format, and for a CSV file its layout and column mapping."""

    text: str
    path: Path
    fmt: str
    entity: str
    description: str
    csv_format: Any = None
    mapping: Any = None


def detect(text: str, entity: str) -> Detected:
    """The format of the file `text` names and what it holds; CrmError when it is no file to import."""
    if not text.strip():
        raise CrmError("type the path of a CSV, vCard or JSON backup file")
    path = confined_path(text.strip())
    if not path.is_file():
        raise CrmError(f"{text.strip()} is not a file" if path.exists() else f"there is no file {text.strip()}")
    fmt = detect_format(path)
    if fmt == "json":
        return Detected(text, path, fmt, "contact", "JSON backup: restores everything, into an empty database only")
    if fmt == "vcard":
        cards = 0
        with path.open("rb") as handle:
            for line in handle:
                cards += line.lstrip(b"\xef\xbb\xbf").upper().startswith(b"BEGIN:VCARD")
        return Detected(text, path, fmt, "contact", f"vCard, {cards:,} card{'' if cards == 1 else 's'}")
    from crm_tui.core.interop.csv import read as csv_read
    from crm_tui.core.interop.csv.mapping import CUSTOM_PREFIX

    csv_format, mapping = csv_read.plan(path, entity)
    parts = ["CSV", KIND_PLURALS[entity]]
    if mapping.source:
        parts.append(LAYOUTS[mapping.source])
    kept = sum(1 for target in mapping.columns.values() if target and target.startswith(CUSTOM_PREFIX))
    if kept:
        parts.append(f"{kept} column{'' if kept == 1 else 's'} kept as custom fields")
    if mapping.unmatched:
        parts.append(f"{len(mapping.unmatched)} column{'' if len(mapping.unmatched) == 1 else 's'} to place")
    if not mapping.source and not mapping.unmatched:
        parts.append(f"{len(mapping.columns)} columns, all matched")
    return Detected(text, path, fmt, entity, ", ".join(parts), csv_format, mapping)


class ImportScreen(DialogScreen[str | None]):
    """Import a file; dismisses with the batch id of a finished import, or None."""

    DEFAULT_CSS = """
    ImportScreen .dialog {
        width: 76;
    }
    ImportScreen #import-body {
        width: 1fr;
        margin: 0 0 1 0;
        height: auto;
        max-height: 14;
    }
    ImportScreen #import-detected {
        color: $text-muted;
        width: 1fr;
    }
    ImportScreen ProgressBar {
        margin: 0 0 1 0;
        display: none;
    }
    """

    AUTO_FOCUS = "#import-path"
    BINDINGS = [
        Binding("ctrl+t", "entity", "Entity", id="import.entity"),
        Binding("c", "mode('create')", "Create", id="import.create"),
        Binding("u", "mode('upsert')", "Upsert", id="import.upsert"),
        Binding("s", "mode('skip')", "Skip", id="import.skip"),
        Binding("enter", "next", "Next", id="import.next"),
        Binding("u", "undo", "Undo", id="import.undo"),
        Binding("escape", "back", "Back", id="import.back"),
    ]

    def __init__(self, start_path: str = "") -> None:
        super().__init__()
        self.start_path = start_path
        self.step = "file"
        self.entity = "contact"
        self.detected: Detected | None = None
        self.mapping: Any = None
        self.mode = "create"
        self.total = 0
        self.batch_id: str | None = None
        self.undoable = False
        self.stop = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Import", id="import-title", classes="dialog-title")
            yield Input(self.start_path, placeholder="~/contacts.csv", id="import-path", suggester=PathSuggester())
            yield Label("", id="import-error", classes="dialog-error")
            yield Label("", id="import-detected")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Label("", id="import-body")
            yield Label("", id="import-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        self.show_file_step()
        if self.start_path:
            self.detect_file(self.start_path, self.entity, False)

    # Steps ---------------------------------------------------------------------------------------------------

    def show(self, step: str, title: str, body: str | Text, hint: str) -> None:
        self.step = step
        on_file = step == "file"
        self.query_one("#import-path", Input).display = on_file
        self.query_one("#import-detected", Label).display = on_file
        self.query_one("#import-progress", ProgressBar).display = step == "running"
        if not on_file:
            self.show_error("")
            self.set_focus(None)
        self.query_one("#import-title", Label).update(Text(title))
        self.query_one("#import-body", Label).update(body if isinstance(body, Text) else Text(body))
        self.query_one("#import-body", Label).display = bool(body)
        self.query_one("#import-hint", Label).update(hint)
        self.refresh_bindings()

    def show_file_step(self) -> None:
        self.show("file", "Import a file", "", f"importing {KIND_PLURALS[self.entity]} · ctrl+t other records (CSV) · "
                  "→ completes · enter next · esc closes")
        self.query_one("#import-path", Input).focus()

    def show_mode_step(self) -> None:
        chosen = "\n".join(("▸ " if mode == self.mode else "  ") + line for mode, line in MODES.items())
        body = f"{self.detected.description}\n\n{chosen}"
        self.show("mode", f"Import {self.detected.path.name}: how?", body,
                  "c/u/s choose and try it (a dry run: nothing is written) · esc back")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = {"entity": ("file",), "mode": ("mode",), "undo": ("done",) if self.undoable else (),
                   "next": ("file", "dry", "done"),
                   "back": ("file", "mode", "dry", "dry-error", "running", "done")}
        if action in allowed:
            return self.step in allowed[action]
        return True

    def action_entity(self) -> None:
        self.entity = ENTITIES[(ENTITIES.index(self.entity) + 1) % len(ENTITIES)]
        self.show_file_step()
        self.detect_file(self.query_one("#import-path", Input).value, self.entity, False)

    def action_next(self) -> None:
        if self.step == "file":
            self.detect_file(self.query_one("#import-path", Input).value, self.entity, True)
        elif self.step == "dry":
            self.start_import()
        elif self.step == "done":
            self.dismiss(self.batch_id)

    def action_back(self) -> None:
        if self.step == "file":
            self.dismiss(None)
        elif self.step == "mode":
            self.show_file_step()
        elif self.step in ("dry", "dry-error"):
            self.show_mode_step()
        elif self.step == "running":
            self.app.push_screen(ConfirmScreen("Stop the import? Nothing of it will be kept.", "Stop"),
                                 self.confirmed_stop)
        elif self.step == "done":
            self.dismiss(self.batch_id)

    def confirmed_stop(self, stop: bool | None) -> None:
        if stop and self.step == "running":
            self.stop.set()
            self.query_one("#import-body", Label).update(Text("Stopping… rolling back"))

    def action_mode(self, mode: str) -> None:
        self.mode = mode
        self.show("dry", f"Import {self.detected.path.name}: dry run", f"Trying it as {mode}…", "esc back")
        self.dry_run(self.detected, self.mapping, mode)

    def action_undo(self) -> None:
        if self.batch_id is not None and self.undoable:
            self.undo(self.batch_id)

    # The file ------------------------------------------------------------------------------------------------

    @on(Input.Changed, "#import-path")
    def path_changed(self, event: Input.Changed) -> None:
        self.show_error("")
        self.detect_file(event.value, self.entity, False)

    @on(Input.Submitted, "#import-path")
    def path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    @work(thread=True, exclusive=True, group="import-detect")
    def detect_file(self, text: str, entity: str, proceed: bool) -> None:
        try:
            found = detect(text, entity)
        except (CrmError, OSError) as exc:
            self.app.call_from_thread(self.detect_failed, text, str(exc), proceed)
            return
        self.app.call_from_thread(self.detect_done, found, proceed)

    def detect_failed(self, text: str, problem: str, proceed: bool) -> None:
        if self.step != "file" or text != self.query_one("#import-path", Input).value:
            return
        self.detected = None
        self.query_one("#import-detected", Label).update("")
        if proceed:
            self.show_error(problem)

    def detect_done(self, found: Detected, proceed: bool) -> None:
        if self.step != "file" or found.text != self.query_one("#import-path", Input).value:
            return
        self.detected = found
        self.query_one("#import-detected", Label).update(Text(found.description))
        if not proceed:
            return
        if found.fmt == "json":
            self.show("restore", f"Restore {found.path.name}", "Restoring… (into an empty database only)", "")
            self.restore(found.path)
            return
        if found.fmt != "csv" and self.entity != "contact":
            self.show_error("a vCard file holds contacts: ctrl+t back to contacts")
            return
        self.mapping = found.mapping
        if found.fmt == "csv" and found.mapping.unmatched:
            self.ask_mapping(found)
            return
        self.show_mode_step()

    def ask_mapping(self, found: Detected) -> None:
        """Columns that no field matches: the person places them (a field, a custom field, or ignore)."""

        def mapped(mapping: Any) -> None:
            if mapping is None:
                self.show_file_step()
                return
            self.mapping = mapping
            self.show_mode_step()

        self.app.push_screen(ColumnMappingScreen(found.path, found.entity, found.csv_format, found.mapping), mapped)

    # Dry run and import --------------------------------------------------------------------------------------

    def rows(self, found: Detected, mapping: Any):
        """The file's rows as the importer takes them, and the stream to close afterwards."""
        if found.fmt == "vcard":
            from crm_tui.core.interop.csv.read import sniff
            from crm_tui.core.interop.vcard.read import read_vcards

            sniffed = sniff(found.path)
            encoding = BOM_ENCODINGS.get(sniffed.encoding, sniffed.encoding) if sniffed.has_bom else \
                sniffed.encoding
            stream = found.path.open(encoding=encoding, errors="replace", newline="")
            return read_vcards(stream), stream
        from crm_tui.core.interop.csv.read import read_csv

        rows = read_csv(found.path, found.entity, mapping, found.csv_format)
        return rows, rows

    def run(self, found: Detected, mapping: Any, mode: str, dry_run: bool, **hooks):
        from crm_tui.core.interop.importer import run_import

        rejects_to = rejects_location(found.path)  # over SSH, never a symlink out
        rows, closing = self.rows(found, mapping)
        try:
            with connection():
                return run_import(rows, source=str(found.path), fmt=found.fmt, entity=found.entity, mode=mode,
                                  dry_run=dry_run, rejects_to=rejects_to, **hooks)
        finally:
            closing.close()

    @work(thread=True, exclusive=True, group="import-run")
    def dry_run(self, found: Detected, mapping: Any, mode: str) -> None:
        outcomes: list[str] = []

        def told(outcome) -> None:
            if outcome.action != "create" and len(outcomes) < SHOWN_OUTCOMES:
                outcomes.append(outcome.line())

        try:
            summary = self.run(found, mapping, mode, True, on_outcome=told)
        except (CrmError, OSError) as exc:
            self.app.call_from_thread(self.dry_run_done, None, [str(exc)])
            return
        self.app.call_from_thread(self.dry_run_done, summary, outcomes)

    def dry_run_done(self, summary, lines: list[str]) -> None:
        if self.step != "dry":
            return
        if summary is None:
            self.show("dry-error", "The file cannot be imported", "\n".join(lines), "esc back")
            return
        self.total = summary.created + summary.updated + summary.skipped + summary.rejected
        body = "\n".join([*summary.lines(), *lines])
        self.show("dry", f"Import {self.detected.path.name} as {self.mode}: dry run", body,
                  "enter imports · esc goes back")

    def start_import(self) -> None:
        self.stop.clear()
        self.show("running", f"Importing {self.detected.path.name}…", "starting…", "esc stops (rolls back)")
        progress = self.query_one("#import-progress", ProgressBar)
        progress.update(total=max(self.total, 1), progress=0)
        self.import_rows(self.detected, self.mapping, self.mode, self.total)

    @work(thread=True, exclusive=True, group="import-run")
    def import_rows(self, found: Detected, mapping: Any, mode: str, total: int) -> None:
        from crm_tui.core.interop.importer import Cancelled

        started = time.monotonic()
        last = 0.0

        def progressed(rows: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY_SECONDS:
                last = now
                self.app.call_from_thread(self.show_progress, rows, total, now - started)

        rejected: list[str] = []

        def told(outcome) -> None:
            if outcome.action == "reject" and len(rejected) < SHOWN_OUTCOMES:
                rejected.append(outcome.line())

        try:
            summary = self.run(found, mapping, mode, False, on_outcome=told, on_progress=progressed,
                               cancelled=self.stop.is_set)
        except Cancelled:
            self.app.call_from_thread(self.import_done, None, ["The import was stopped: nothing of it was kept."])
            return
        except (CrmError, OSError) as exc:
            self.app.call_from_thread(self.import_done, None, [f"Nothing was imported: {exc}"])
            return
        self.app.call_from_thread(self.import_done, summary, rejected)

    def show_progress(self, rows: int, total: int, seconds: float) -> None:
        if self.step != "running":
            return
        self.query_one("#import-progress", ProgressBar).update(progress=min(rows, total))
        rate = rows / max(seconds, 1e-6)
        left = max(total - rows, 0) / rate if rate else 0
        stopping = " · stopping…" if self.stop.is_set() else ""
        self.query_one("#import-body", Label).update(
            Text(f"{rows:,} of {total:,} rows · {rate:,.0f} rows/s · about {left:,.0f} s left{stopping}"))

    def import_done(self, summary, lines: list[str]) -> None:
        if summary is None:
            self.show("done", "Import stopped", "\n".join(lines), "enter or esc closes")
            return
        self.batch_id, self.undoable = summary.batch_id, True
        shown = [line for line in summary.lines() if not line.startswith("batch ")]
        shown += [*lines, f"batch {summary.batch_id}"]
        self.show("done", f"Imported {self.detected.path.name}", "\n".join(shown), "u undoes it · enter closes")

    @work(thread=True, exclusive=True, group="import-run")
    def undo(self, batch_id: str) -> None:
        from crm_tui.core.audit.batches import undo_import

        try:
            with connection():
                said = undo_import(batch_id)
        except CrmError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self.undone, said)

    def undone(self, said: str) -> None:
        self.app.notify(said, markup=False)
        self.dismiss(None)

    # JSON backups --------------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="import-run")
    def restore(self, path: Path) -> None:
        from crm_tui.core.interop.backup.restore import restore_backup

        def progressed(table: str, restored: int, _total: int | None) -> None:
            self.app.call_from_thread(self.show_restored, table, restored)

        try:
            with connection(), path.open(encoding="utf-8") as stream:
                summary = restore_backup(stream, progressed)
        except (CrmError, OSError, ValueError) as exc:
            self.app.call_from_thread(self.restore_done, None, str(exc))
            return
        self.app.call_from_thread(self.restore_done, summary, "")

    def show_restored(self, table: str, restored: int) -> None:
        if self.step == "restore":
            self.query_one("#import-body", Label).update(Text(f"Restoring {table.replace('_', ' ')}: {restored:,}"))

    def restore_done(self, summary, problem: str) -> None:
        if summary is None:
            self.show("done", "Nothing was restored", problem, "enter or esc closes")
            return
        self.batch_id, self.undoable = summary.batch_id, False
        self.show("done", "Restored the backup", "\n".join(summary.lines()), "enter closes")
