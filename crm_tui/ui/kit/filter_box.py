"""The `/` filter line over a list or the board: hidden until asked for, and out of the focus chain while hidden."""

from __future__ import annotations

from textual.widgets import Input


class FilterBox(Input):
    DEFAULT_CSS = """
    FilterBox, FilterBox:focus {
        display: none;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    FilterBox.open {
        display: block;
    }
    """

    def __init__(self, placeholder: str, *, id: str = "filter") -> None:
        super().__init__(placeholder=placeholder, id=id, disabled=True)

    def open(self) -> None:
        self.disabled = False
        self.add_class("open")
        self.focus()

    def close(self) -> bool:
        """Empty and hide the box; False if it was closed and empty already (escape then means something else)."""
        if not self.value and not self.has_class("open"):
            return False
        self.value = ""
        self.remove_class("open")
        self.disabled = True
        return True
