"""Text as the CRM compares and shows it: folding for sort keys and tag names, so that "Émile" sorts like "emile"
and "VIP" is the tag "vip"; counts with their noun; and text fitted to a column of terminal cells, which the
command line's tables and the app's widgets share."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rich.cells import cell_len, set_cell_size

# The sort key of a contact without a company: past every real name, so those contacts come last.
NO_COMPANY_SORT = "\U0010ffff"


@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded, spaces squeezed."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


KIND_PLURALS = {"contact": "contacts", "company": "companies", "deal": "deals", "activity": "activities"}
"""The kinds of record, as their names are written for more than one."""


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 deal`, `2 deals`, `1,250 activities` (`nouns` for a plural that is not `noun` + s)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


_CONTROL_CHARACTERS = {code: " " for code in (*range(32), 127)}


_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_NAME_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def without_escape_sequences(text: str) -> str:
    """`text` without terminal escape sequences (colours, window titles), each removed whole: dropping only the
    escape character would leave "[31m" behind."""
    return _ESCAPE_SEQUENCE.sub("", text)


def without_controls(text: str) -> str:
    """`text` for a name: terminal escape sequences removed whole, tabs and line breaks made spaces, any other
    control character dropped, and runs of spaces made one."""
    text = without_escape_sequences(text)
    text = _NAME_CONTROLS.sub(lambda found: " " if found[0] in "\t\n\r" else "", text)
    return " ".join(text.split())


def one_line(text: str) -> str:
    """`text` on one line: each control character (a newline, a tab, an escape) becomes a space."""
    return text.translate(_CONTROL_CHARACTERS)


def cut(text: str, width: int) -> str:
    """`text` on one line in at most `width` terminal cells, cut with "…" when longer (CJK takes two cells)."""
    text = one_line(text)
    if cell_len(text) > width:
        return set_cell_size(text, max(0, width - 1)) + "…" if width > 1 else set_cell_size(text, max(0, width))
    return text


def fit(text: str, width: int) -> str:
    """`text` on one line in exactly `width` cells, so columns line up."""
    return set_cell_size(cut(text, width), max(0, width))
