"""Our CSV export: one header row, then one record a row, written as the records come, so a million contacts take
no more memory than one page of them.

The header names are the field names the CLI, `--json` and `--map` use. A contact's emails, phones and tags share
one cell each, joined with ", " (no email, phone or tag can hold a comma): one row per contact is what a spreadsheet
user sorts and filters. Custom fields are one JSON object, so any key survives. Text cells that a spreadsheet would
run as a formula are escaped as OWASP advises; numbers in their own columns are left alone, so they still add up.
csv_read recognises this header and undoes all of it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any, TextIO

from crm_tui.core import companies, contacts
from crm_tui.core.activities import listing as activity_list
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.interop.rows import Entity

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
LIST_SEPARATOR = ", "
LIST_COLUMNS = frozenset({"emails", "phones", "tags"})

EXPORT_COLUMNS: dict[Entity, tuple[str, ...]] = {
    "contact": ("id", "first_name", "last_name", "display_name", "title", "company", "emails", "phones", "tags",
                "street", "city", "region", "postal_code", "country", "birthday", "keep_in_touch_days", "notes",
                "custom", "created_at", "updated_at"),
    "company": ("id", "name", "domain", "phone", "address", "notes", "created_at", "updated_at"),
    "deal": ("id", "title", "value", "currency", "pipeline", "stage", "status", "lost_reason", "contact_id",
             "contact", "company_id", "company", "expected_close", "closed_at", "notes", "created_at", "updated_at"),
    "activity": ("id", "kind", "subject", "body", "occurred_at", "due_at", "done_at", "contact_id", "contact",
                 "company_id", "company", "deal_id", "deal", "created_at", "updated_at"),
}
NUMBER_COLUMNS = frozenset({"id", "value", "keep_in_touch_days", "contact_id", "company_id", "deal_id"})
"""Columns that only ever hold numbers (a deal's value may be negative): never escaped, so they stay numbers."""


def escape_cell(text: str) -> str:
    """The cell as a spreadsheet shows it but never runs it: a leading ' when it starts with = + - @ tab or CR.

    A cell that already starts with quotes before such a character gets one more, so `unescape_cell` can take
    exactly one off and every text comes back as it was.
    """
    rest = text.lstrip("'")
    return "'" + text if rest and rest[0] in FORMULA_TRIGGERS else text


def unescape_cell(text: str) -> str:
    rest = text.lstrip("'")
    return text[1:] if text.startswith("'") and rest and rest[0] in FORMULA_TRIGGERS else text


def _value(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name in NUMBER_COLUMNS:
        return str(value)
    if name in LIST_COLUMNS and not isinstance(value, str):
        text = LIST_SEPARATOR.join(str(item) for item in value)
    elif name == "custom" and not isinstance(value, str):
        text = json.dumps(dict(value), ensure_ascii=False, sort_keys=True) if value else ""
    else:
        text = str(value)
    return escape_cell(text)


def write_csv(entity: Entity, records: Iterable[Any], out: TextIO) -> int:
    """Write `records` (ContactData, CompanyData, DealData, ActivityData, or dicts with those keys) as our CSV and
    return how many rows were written. Open `out` with newline="" (rows end in CRLF, as RFC 4180 and Excel want);
    an encoding of "utf-8-sig" makes Excel read the accents right."""
    columns = EXPORT_COLUMNS[entity]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    written = 0
    for record in records:
        writer.writerow([_cell(name, _value(record, name)) for name in columns])
        written += 1
    return written


def export(entity: Entity, out: TextIO) -> int:
    """Every live record of `entity` as our CSV (`crm-tui export --format csv`); returns how many were written."""
    return write_csv(entity, iterate_records(entity), out)


def iterate_records(entity: Entity) -> Iterator[Any]:
    """Every live record of `entity`, a page at a time: what `crm-tui export --format csv` writes.

    Activities come as the log (newest first) and then the tasks (soonest due first), as the app lists them.
    Runs inside the caller's database connection.
    """
    if entity == "contact":
        return contacts.iterate()
    if entity == "company":
        return companies.iterate()
    if entity == "deal":
        return deal_list.iterate(deal_list.DealFilter(), sort="age")
    return chain(activity_list.iterate(activity_list.ActivityFilter()),
                 activity_list.iterate(activity_list.ActivityFilter(tasks="all"), sort="due"))
