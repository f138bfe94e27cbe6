"""`?`: every key that works where the user is, grouped, read from the Binding data (so a remapped key shows)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from crm_tui.ui.kit.record_list import RecordList

GROUP_TITLES = {RecordList: "In the list"}


def group_title(node: DOMNode) -> str:
    for widget_type, title in GROUP_TITLES.items():
        if isinstance(node, widget_type):
            return title
    if node is node.app:
        return "Everywhere"
    named = getattr(node, "help_title", None)  # a screen's or a widget's own name for its keys
    return named or node.__class__.__name__.removesuffix("Screen")


def binding_groups(screen: Screen) -> dict[str, list[tuple[str, str]]]:
    """(keys, description) per group for every crm-tui key active on `screen` (those with an id: Textual's own
    focus and copy keys are left out): the list first, then the screen, then the app. A key shown here does what it
    says: bindings shadowed by a nearer one are left out."""
    app = screen.app
    groups: dict[str, dict[str, list[str]]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.id or not binding.description or not active.enabled:
            continue
        keys = groups.setdefault(group_title(active.node), {}).setdefault(binding.description, [])
        display = app.get_key_display(Binding(key, binding.action))
        if display not in keys:
            keys.append(display)
    order = {title: index for index, title in enumerate(["In the list"])}
    ranked = sorted(groups.items(), key=lambda item: (item[0] == "Everywhere", order.get(item[0], 1)))
    return {title: [(" ".join(keys), description) for description, keys in entries.items()]
            for title, entries in ranked}


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #keys {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-align: center;
        padding: 0 1;
    }
    """

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.groups = binding_groups(screen)

    def compose(self) -> ComposeResult:
        lines = help_lines(self.groups)
        half = balanced_split(lines)
        table = Table.grid(padding=(0, 1))
        for _ in range(2):
            table.add_column(style="bold", no_wrap=True, min_width=9)
            table.add_column(min_width=14)
        left, right = lines[:half], lines[half:]
        blank: tuple[Text, Text] = (Text(), Text())
        for row in range(max(len(left), len(right))):
            table.add_row(*(left[row] if row < len(left) else blank), *(right[row] if row < len(right) else blank))
        with VerticalScroll(id="keys") as keys:
            keys.border_title = "Keys  (esc closes)"
            yield Static(table)


def help_lines(groups: dict[str, list[tuple[str, str]]]) -> list[tuple[Text, Text]]:
    """One (keys, description) line per binding, each group under its title, groups apart by a blank line."""
    lines: list[tuple[Text, Text]] = []
    for title, entries in groups.items():
        if lines:
            lines.append((Text(), Text()))
        lines.append((Text(title, style="underline"), Text()))
        lines.extend((Text(keys), Text(description)) for keys, description in entries)
    return lines


def balanced_split(lines: list[tuple[Text, Text]]) -> int:
    """Where to break the lines into two columns: at the group start nearest the middle, so no group is split."""
    starts = [i for i, (keys, _) in enumerate(lines) if keys.style == "underline"] or [0]
    return min(starts[1:] or [len(lines)], key=lambda start: abs(start - len(lines) / 2))
