"""The top and bottom lines of every screen: the sections and the open database; the keys."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static


class AppHeader(Static):
    """`crm-tui  1 Contacts  2 Companies …      crm.sqlite3 DEMO`, the current section highlighted."""

    DEFAULT_CSS = """
    AppHeader {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "current_mode", self.update_header, init=False)
        self.update_header()

    def on_resize(self) -> None:
        self.update_header()

    def update_header(self, *_: object) -> None:
        """Sections on the left, the database on the right. Where both do not fit (80 columns), the name of the
        program goes first, then the start of a long database path."""
        app = self.app
        sections: list[Content | str] = []
        for key, title, mode in getattr(app, "SECTIONS", ()):
            if mode == app.current_mode:
                sections.append(Content.styled(f" {key} {title} ", "reverse bold"))
            else:
                sections.append(Content.assemble(Content.styled(f" {key}", "bold $accent"), f" {title} "))
        database = getattr(app, "database_label", "")
        demo = (" ", Content.styled(" DEMO ", "bold reverse $warning")) if app_is_demo(app) else ()
        right = Content.assemble(Content(database), *demo)
        width = self.content_region.width
        left = Content.assemble(Content.styled("crm-tui", "bold"), "  ", *sections)
        if left.cell_length + right.cell_length + 1 > width:
            left = Content.assemble(*sections)
        if left.cell_length + right.cell_length + 1 > width:
            demo_width = right.cell_length - cell_len(database)
            right = Content.assemble(Content(_tail(database, max(0, width - left.cell_length - demo_width - 1))),
                                     *demo)
        gap = max(1, width - left.cell_length - right.cell_length)
        self.update(Content.assemble(left, " " * gap, right))


def app_is_demo(app: object) -> bool:
    return bool(getattr(app, "is_demo", False))


def _tail(text: str, width: int) -> str:
    """The end of a path that fits `width` cells, which is the part that tells databases apart."""
    if cell_len(text) <= width:
        return text
    return "…" + text[-max(0, width - 1):] if width > 1 else ""


class AppFooter(Footer):
    """The key bar. Below 100 columns it leaves out the command palette hint (ctrl+p is in the help and the
    welcome), so that the keys of the screen itself fit at 80 columns."""

    WIDE_ENOUGH_FOR_PALETTE_HINT = 100
    _shown: tuple | None = None

    def on_resize(self) -> None:
        shown = self.app.size.width >= self.WIDE_ENOUGH_FOR_PALETTE_HINT
        if shown != self.show_command_palette:
            self.show_command_palette = shown
            if self._bindings_ready:
                self.call_after_refresh(self.recompose)

    def bindings_changed(self, screen: Screen) -> None:
        """Rebuild the keys only when the ones shown change. Textual rebuilds the bar whenever the focus moves; on
        the board, where h and l move the focus between columns that share their keys, that cost 20-30 ms a key."""
        shown = tuple((binding.key, binding.description, enabled)
                      for _, binding, enabled, _ in screen.active_bindings.values() if binding.show)
        if shown == self._shown and self._bindings_ready:
            return
        self._shown = shown
        super().bindings_changed(screen)
