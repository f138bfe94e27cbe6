"""Placing a CSV file's columns by hand before an import: each column goes to a field, a custom field or nowhere,
and a preview of the first rows, read with the mapping as it stands, shows what each would become or why not."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Static
from textual.worker import get_current_worker

from crm_tui.core.contacts.data import ContactDraft, draft_name
from crm_tui.core.errors import CrmError
from crm_tui.core.interop.csv.mapping import CUSTOM_PREFIX, FIELDS_BY_ENTITY, Mapping
from crm_tui.core.interop.csv.read import CsvFormat, read_csv
from crm_tui.core.interop.rows import SourceRow
from crm_tui.ui.kit.app_header import AppFooter
from crm_tui.ui.kit.dialogs import PickerScreen

PREVIEW_ROWS = 5
COLUMN_WIDTH = 20
SAMPLE_WIDTH = 22
UNMATCHED_STYLE = "bold yellow"
PROBLEM_STYLE = "red"
_SUMMARY_FIELDS = {"company": ("name", "domain"), "deal": ("title", "value", "stage"),
                   "activity": ("kind", "subject", "occurred_at")}


@dataclass(frozen=True)
class PreviewLine:
    """One previewed row: its line in the file, and what it would import as or why it cannot."""

    number: int
    text: str
    problem: bool = False


def row_summary(row: SourceRow) -> PreviewLine:
    """A row as a short line: a contact's name and first email, another record's main fields, or its problem."""
    if row.problem:
        prefix = f"line {row.number}: "
        problem = row.problem[len(prefix):] if row.problem.startswith(prefix) else row.problem
        return PreviewLine(row.number, problem, problem=True)
    if isinstance(row.values, ContactDraft):
        draft = row.values
        name = draft_name(draft)
        return PreviewLine(row.number, " · ".join(part for part in (name, *draft.emails[:1]) if part))
    values = row.values or {}
    parts = [str(values[name]) for name in _SUMMARY_FIELDS.get(row.entity, ()) if values.get(name)]
    return PreviewLine(row.number, " · ".join(parts) or "(nothing mapped)")


def read_preview(path: Path, entity: str, mapping: Mapping, fmt: CsvFormat,
                 limit: int = PREVIEW_ROWS) -> tuple[dict[str, str], list[PreviewLine]]:
    """The first data row's cells (the sample values) and the first `limit` rows summarised; the file is closed
    after them, not read to its end."""
    with closing(read_csv(path, entity, mapping, fmt)) as rows:
        first = list(islice(rows, limit))
    return (first[0].raw if first else {}), [row_summary(row) for row in first]


class ColumnMappingScreen(ModalScreen[Mapping | None]):
    """Where each column of a CSV file goes; dismisses with the edited Mapping, or None when cancelled."""

    AUTO_FOCUS = "#columns"
    BINDINGS = [
        Binding("ctrl+s", "accept", "Import", id="column_mapping.import"),
        Binding("space", "pick", "Place", id="column_mapping.pick"),
        Binding("x", "ignore", "Ignore", id="column_mapping.ignore"),
        Binding("c", "custom", "Custom", id="column_mapping.custom"),
        Binding("escape", "cancel", "Cancel", id="column_mapping.cancel"),
        Binding("j", "move(1)", "Down", show=False, id="column_mapping.down"),
        Binding("k", "move(-1)", "Up", show=False, id="column_mapping.up"),
    ]
    DEFAULT_CSS = """
    ColumnMappingScreen {
        align: center middle;
    }
    ColumnMappingScreen #mapping-box {
        width: 100%;
        height: 1fr;
        border: round $accent;
        padding: 0 1;
    }
    ColumnMappingScreen .mapping-title {
        text-style: bold;
        width: 1fr;
    }
    ColumnMappingScreen #columns {
        height: 1fr;
        min-height: 4;
    }
    ColumnMappingScreen .preview-title {
        text-style: bold;
        width: 1fr;
        margin: 1 0 0 0;
    }
    ColumnMappingScreen #preview {
        height: auto;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ColumnMappingScreen .mapping-buttons {
        height: auto;
        align-horizontal: center;
    }
    """

    def __init__(self, path: Path, entity: str, fmt: CsvFormat, mapping: Mapping) -> None:
        super().__init__()
        self.path = Path(path)
        self.entity = entity
        self.fmt = fmt
        self.mapping = mapping
        self.samples: dict[str, str] = {}
        self.generation = 0

    @property
    def column_names(self) -> list[str]:
        return list(self.mapping.columns)

    def compose(self) -> ComposeResult:
        with Vertical(id="mapping-box"):
            yield Label(Text(f"Columns of {self.path.name} → {self.entity} fields"), classes="mapping-title")
            yield DataTable(id="columns", cursor_type="row", zebra_stripes=False)
            yield Label("Preview", classes="preview-title")
            yield Static(Text("reading…"), id="preview", markup=False)
            with Horizontal(classes="mapping-buttons"):
                yield Button("Import with this mapping", id="import", variant="primary", compact=True)
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one("#columns", DataTable)
        table.add_column("Column", key="column", width=COLUMN_WIDTH)
        table.add_column("Sample", key="sample", width=SAMPLE_WIDTH)
        table.add_column("Goes to", key="target")
        for name in self.column_names:
            table.add_row(*self.cells(name), key=name)
        self.read_rows()

    # What the table shows -----------------------------------------------------------------------------------

    def target_text(self, column: str) -> Text:
        target = self.mapping.columns.get(column)
        if column in self.mapping.unmatched:
            fate = "kept as custom" if self.entity == "contact" else "ignored"
            return Text(f"? unmatched ({fate})", style=UNMATCHED_STYLE)
        if target is None:
            return Text("ignored", style="dim")
        if target.startswith(CUSTOM_PREFIX):
            return Text(target)
        return Text(FIELDS_BY_ENTITY[self.entity].get(target, target))

    def cells(self, column: str) -> tuple[Text, Text, Text]:
        style = UNMATCHED_STYLE if column in self.mapping.unmatched else ""
        sample = " ".join(self.samples.get(column, "").split())
        return (Text(column, style=style, overflow="ellipsis", no_wrap=True),
                Text(sample, overflow="ellipsis", no_wrap=True), self.target_text(column))

    def refresh_rows(self) -> None:
        table = self.query_one("#columns", DataTable)
        for name in self.column_names:
            column, sample, target = self.cells(name)
            table.update_cell(name, "column", column)
            table.update_cell(name, "sample", sample)
            table.update_cell(name, "target", target, update_width=True)

    @property
    def current_column(self) -> str | None:
        table = self.query_one("#columns", DataTable)
        names = self.column_names
        return names[table.cursor_row] if names and 0 <= table.cursor_row < len(names) else None

    # The preview --------------------------------------------------------------------------------------------

    def read_rows(self) -> None:
        """Read the first rows with the mapping as it is now; a read overtaken by a newer mapping is dropped."""
        self.generation += 1
        self.read_rows_in_thread(self.generation, self.mapping)

    @work(thread=True, exclusive=True, group="column_mapping.preview")
    def read_rows_in_thread(self, generation: int, mapping: Mapping) -> None:
        try:
            samples, lines = read_preview(self.path, self.entity, mapping, self.fmt)
            failure = None
        except (OSError, CrmError) as exc:
            samples, lines, failure = {}, [], f"cannot read {self.path.name}: {exc}"
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_preview, generation, samples, lines, failure)

    def show_preview(self, generation: int, samples: dict[str, str], lines: list[PreviewLine],
                     failure: str | None) -> None:
        if generation != self.generation or not self.is_attached:
            return
        text = Text()
        if failure:
            text.append(failure, style=PROBLEM_STYLE)
        elif not lines:
            text.append("the file has no rows under its header", style="dim")
        for line in lines:
            if text:
                text.append("\n")
            text.append(f"line {line.number:>3}  ", style="dim")
            text.append(line.text, style=PROBLEM_STYLE if line.problem else "")
        self.query_one("#preview", Static).update(text)
        if samples != self.samples:
            self.samples = samples
            self.refresh_rows()

    # Placing columns ----------------------------------------------------------------------------------------

    def place(self, column: str, target: str | None) -> None:
        try:
            self.mapping = self.mapping.with_columns(self.entity, {column: target})
        except CrmError as exc:
            self.notify(str(exc), severity="error")
            return
        self.refresh_rows()
        self.query_one("#preview", Static).update(Text("reading…", style="dim"))
        self.read_rows()

    def choices(self, column: str) -> list[tuple[str | None, str]]:
        """What a column can go to, in the order the picker lists them."""
        listed: list[tuple[str | None, str]] = list(FIELDS_BY_ENTITY[self.entity].items())
        if self.entity == "contact":
            listed.append((CUSTOM_PREFIX + column, f"custom field “{column}”"))
        listed.append((None, "ignore"))
        return listed

    def action_move(self, step: int) -> None:
        table = self.query_one("#columns", DataTable)
        if self.column_names:
            table.move_cursor(row=max(0, min(len(self.column_names) - 1, table.cursor_row + step)))

    @on(DataTable.RowSelected, "#columns")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_pick()

    def action_pick(self) -> None:
        column = self.current_column
        if column is None:
            return
        choices = self.choices(column)
        current = self.mapping.columns.get(column)
        targets = [target for target, _label in choices]
        picker = PickerScreen(
            Text(f"Where does “{column}” go?"), "enter choose · esc cancel",
            [(index, label) for index, (_target, label) in enumerate(choices)],
            current=None if column in self.mapping.unmatched or current not in targets else targets.index(current),
        )

        def chosen(index: int | None) -> None:
            if index is not None:
                self.place(column, targets[index])

        self.app.push_screen(picker, chosen)

    def action_ignore(self) -> None:
        if (column := self.current_column) is not None:
            self.place(column, None)

    def action_custom(self) -> None:
        column = self.current_column
        if column is None:
            return
        if self.entity != "contact":
            self.notify(f"only contacts have custom fields; a {self.entity}'s column goes to a field or nowhere")
            return
        self.place(column, CUSTOM_PREFIX + column)

    # Leaving ------------------------------------------------------------------------------------------------

    @on(Button.Pressed, "#import")
    def action_accept(self) -> None:
        """A contact's columns left unplaced are kept as custom fields, as the command line keeps them: nothing of
        the file is dropped unless the person says so (x)."""
        mapping = self.mapping
        if self.entity == "contact" and mapping.unmatched:
            mapping = mapping.with_columns(self.entity, {column: CUSTOM_PREFIX + column
                                                         for column in mapping.unmatched})
        self.dismiss(mapping)

    def action_cancel(self) -> None:
        self.dismiss(None)
