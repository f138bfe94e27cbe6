"""What every reader (CSV, vCard, JSON) hands the importer: one source row, read and mapped, or why it cannot be.

A reader never raises on bad input: a row it cannot read is a SourceRow with a `problem`, and the importer writes
it, as it was, to the rejects file next to the input. Nothing a user imports is ever lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Entity = Literal["contact", "company", "deal", "activity"]
ENTITIES: tuple[Entity, ...] = ("contact", "company", "deal", "activity")
NAME_CLEANED = "control characters taken out of a name"
"""The `kept_aside` note of a row whose name, title or company held control characters (a terminal escape, a tab)
that were taken out: the summary counts these apart."""


@dataclass(frozen=True)
class SourceRow:
    """One record of the input.

    number: where it is, as a person finds it: the line of a CSV row (the header is line 1), the position of a
        vCard in its file (1 for the first card).
    raw: the row as it was, for the rejects file: CSV cells by column name, or {"vcard": the card's text}.
    values: what to store: for contacts a ContactDraft that `contacts.validate` returned (readers check every row as
        they read it, and the importer relies on that); for the other entities a dict of the fields their service's
        `create` takes (deals name their stage, pipeline, contact and company by name). None when `problem` is set.
    problem: why the row cannot be imported, e.g. "line 7: 'n/a' is not a date (use YYYY-MM-DD)".
    kept_aside: what had no field of its own and went into notes or custom fields, e.g. ["X-SKYPE → custom"], so
        the summary can say so; nothing is dropped silently.
    """

    number: int
    raw: dict[str, str]
    entity: Entity
    values: Any | None = None
    problem: str | None = None
    kept_aside: list[str] = field(default_factory=list)
