"""Import: rows from a reader (CSV, vCard) into the CRM as one batch, created, updated, skipped or rejected.

- The whole import is one transaction: a crash, a kill or a cancel part-way leaves nothing of it behind. A dry run
  does all of it, reports every row, and rolls back.
- Modes: `create` adds every row; `upsert` updates the record a row matches and adds the rest; `skip` adds only
  rows that match nothing. A contact matches on an email (any case), then on a phone's digits (+31 and 0031
  alike), then on the same name at the same company; a company on its name; a deal on its title in its pipeline.
  Rows of one file match each other too, so a file that lists a person twice makes one contact. Activities have no
  natural key: every row is added.
- An update fills in what the row has and keeps what it lacks: lists (emails, phones, tags) and custom fields
  are merged, notes are appended, other fields take the row's value when it has one.
- A row that cannot be stored is never lost: it goes, as it was, to the rejects CSV next to the input, with its
  line and the reason.
- Every record the import writes is logged under the batch id (= the ImportBatch row), so `undo_import` can take
  the whole batch back.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from crm_tui.core import activities, companies, contacts, deals
from crm_tui.core.contacts import bulk
from crm_tui.core.contacts.data import ContactDraft, draft_name, shown_name
from crm_tui.core.errors import CrmError, ValidationError
from crm_tui.core.files import AtomicTextFile
from crm_tui.core.interop.rows import NAME_CLEANED, SourceRow
from crm_tui.core.models import ImportBatch, database, now_text
from crm_tui.core.phones import MIN_PHONE_DIGITS, international_digits
from crm_tui.core.records import change_batch, chunked, new_batch_id, write_transaction
from crm_tui.core.text import fold

MODES = ("create", "upsert", "skip")
CHUNK = 2000
# What a row's number counts in each format, as reports and the rejects file name it.
PLACES = {"vcard": "card"}  # shorter numbers (extensions, "112") match too much to mean the same person


@dataclass(frozen=True)
class Outcome:
    """What became of one row: `action` is create, update, skip or reject."""

    number: int
    action: str
    label: str
    detail: str = ""
    place: str = "line"

    def line(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.place} {self.number}: {' '.join(filter(None, (self.action, self.label)))}{detail}"


@dataclass
class ImportSummary:
    batch_id: str
    source: str
    entity: str
    mode: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    kept_aside: int = 0
    names_cleaned: int = 0
    rejects_path: str | None = None

    def as_json(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        if self.dry_run:
            lines = [f"Would create {self.created:,}, update {self.updated:,}, skip {self.skipped:,} and reject "
                     f"{self.rejected:,} (a dry run: nothing was written)"]
        else:
            lines = [f"Created {self.created:,}, updated {self.updated:,}, skipped {self.skipped:,}, rejected "
                     f"{self.rejected:,}"]
        if self.kept_aside:
            records = "1 record" if self.kept_aside == 1 else f"{self.kept_aside:,} records"
            lines.append(f"{records} kept values without a field of their own in notes or custom fields")
        if self.names_cleaned:
            records = "1 record" if self.names_cleaned == 1 else f"{self.names_cleaned:,} records"
            lines.append(f"{records} had control characters (a terminal escape, a tab) taken out of a name")
        if self.rejects_path:
            lines.append(f"rejected rows {'would go' if self.dry_run else 'went'} to {self.rejects_path}")
        if not self.dry_run:
            lines.append(f"batch {self.batch_id} · `crm-tui import undo {self.batch_id}` takes it back")
        return lines


class Cancelled(CrmError):
    """The person stopped the import; everything it wrote was rolled back."""


def rejects_path_for(source: Path) -> Path:
    """Where the rows that could not be imported go: `people.csv` → `people.rejects.csv`, beside it."""
    return source.with_name(f"{source.stem}.rejects.csv")


class _Rejects:
    """The rejects CSV, opened at the first rejected row: its line, the reason, then the row as it was, under the
    first rejected row's column names. A later row with cells the header has no name for (a CSV row with more
    cells than its header) keeps them at the end of its line: nothing of a row is left out."""

    def __init__(self, path: Path | None, place: str) -> None:
        self.path = path
        self.place = place
        self._file: AtomicTextFile | None = None
        self._writer: Any = None
        self._columns: list[str] = []

    def write(self, row: SourceRow, reason: str) -> None:
        if self.path is None:
            return
        if self._writer is None:
            self._file = AtomicTextFile(self.path)
            self._writer = csv.writer(self._file.stream)
            self._columns = list(row.raw)
            self._writer.writerow([self.place, "reason", *self._columns])
        extra = [value for name, value in row.raw.items() if name not in self._columns]
        self._writer.writerow([row.number, reason, *(row.raw.get(name, "") for name in self._columns), *extra])

    def close(self, keep: bool) -> None:
        """Put the whole file in place (`keep`), or drop it: an import that was not kept has no rejects."""
        if self._file is None:
            return
        if keep:
            self._file.commit()
        else:
            self._file.discard()


def run_import(
    rows: Iterable[SourceRow],
    *,
    source: str,
    fmt: str,
    entity: str,
    mode: str = "create",
    dry_run: bool = False,
    rejects_to: Path | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import `rows` (of `entity`) as one batch; see the module's docstring. `on_progress(rows_read)` follows along;
    `cancelled()` True stops the import and rolls it back (raising Cancelled)."""
    if mode not in MODES:
        raise CrmError(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    summary = ImportSummary(new_batch_id(), source, entity, mode, dry_run)
    place = PLACES.get(fmt, "line")
    rejects = _Rejects(None if dry_run else rejects_to, place)
    importer = _Importer(summary, rejects, on_outcome, place)
    read = 0
    try:
        with write_transaction() as transaction, change_batch(summary.batch_id):
            ImportBatch.insert(id=summary.batch_id, source=source, format=fmt, entity=entity, mode=mode).execute()
            for chunk in chunked(rows, CHUNK):
                if cancelled is not None and cancelled():
                    raise Cancelled("the import was cancelled; nothing of it was kept")
                importer.take(chunk)
                read += len(chunk)
                if on_progress is not None:
                    on_progress(read)
            importer.finish()
            ImportBatch.update(finished_at=now_text(), created=summary.created, updated=summary.updated,
                               skipped=summary.skipped, rejected=summary.rejected).where(
                ImportBatch.id == summary.batch_id).execute()
            if dry_run:
                transaction.rollback()
    except BaseException:
        rejects.close(keep=False)
        raise
    rejects.close(keep=True)
    if rejects_to is not None and summary.rejected:
        summary.rejects_path = str(rejects_to)
    return summary


class _Importer:
    def __init__(self, summary: ImportSummary, rejects: _Rejects, on_outcome, place: str) -> None:
        self.summary = summary
        self.place = place
        self.rejects = rejects
        self.on_outcome = on_outcome
        self.matching = summary.mode != "create"
        # Contacts this file adds, by what a later row could match them on: their position in `pending`.
        self.told: list[Outcome] = []
        self.pending: list[tuple[SourceRow, ContactDraft]] = []
        self.pending_keys: dict[str, int] = {}

    # Outcomes ----------------------------------------------------------------------------------------------

    def tell(self, row: SourceRow, action: str, label: str, detail: str = "") -> None:
        counts = {"create": "created", "update": "updated", "skip": "skipped", "reject": "rejected"}
        setattr(self.summary, counts[action], getattr(self.summary, counts[action]) + 1)
        if action in ("create", "update"):
            self.summary.kept_aside += any(note != NAME_CLEANED for note in row.kept_aside)
            self.summary.names_cleaned += NAME_CLEANED in row.kept_aside
        if action == "reject":
            self.rejects.write(row, detail)
        if self.on_outcome is not None:
            self.told.append(Outcome(row.number, action, label, detail, self.place))

    def flush(self) -> None:
        """Report a chunk's outcomes in the order of its rows (new contacts are written, and told, last)."""
        told, self.told = sorted(self.told, key=lambda outcome: outcome.number), []
        for outcome in told:
            self.on_outcome(outcome)

    # Rows --------------------------------------------------------------------------------------------------

    def take(self, chunk: list[SourceRow]) -> None:
        entity = self.summary.entity
        for row in chunk:
            if row.problem is not None or row.values is None:
                self.tell(row, "reject", "", without_place(row.problem or "nothing to import", self.place, row.number))
            elif entity == "contact":
                self.take_contact(row, row.values)
            else:
                self.take_other(row)
        if entity == "contact":
            self.write_pending()
        self.flush()

    def finish(self) -> None:
        if self.summary.entity == "contact":
            self.write_pending()
        self.flush()

    # Contacts ----------------------------------------------------------------------------------------------

    def take_contact(self, row: SourceRow, draft: ContactDraft) -> None:
        """Readers hand over drafts they validated; the writes validate again (bulk.create_contacts, update)."""
        label = repr(draft_name(draft))
        if self.matching:
            in_file = next((self.pending_keys[key] for key in contact_keys(draft) if key in self.pending_keys), None)
            if in_file is not None:
                first_row, first = self.pending[in_file]
                if self.summary.mode == "skip":
                    self.tell(row, "skip", label, f"same as {self.place} {first_row.number}")
                    return
                try:  # two valid rows can make an invalid one (notes too long together)
                    merged = contacts.validate(merged_draft(first, draft))
                except ValidationError as exc:
                    self.tell(row, "reject", label, f"cannot be merged into {self.place} {first_row.number}: {exc}")
                    return
                self.pending[in_file] = (first_row, merged)
                self._remember(in_file, merged)
                self.tell(row, "update", label, f"merged into {self.place} {first_row.number}")
                return
            found = match_contact(draft)
            if found is not None:
                contact_id, how = found
                if self.summary.mode == "skip":
                    self.tell(row, "skip", label, f"matches #{contact_id} by {how}")
                    return
                self.update_contact(row, contact_id, draft, label, how)
                return
        self.pending.append((row, draft))
        self._remember(len(self.pending) - 1, draft)

    def _remember(self, position: int, draft: ContactDraft) -> None:
        if self.matching:
            for key in contact_keys(draft):
                self.pending_keys.setdefault(key, position)

    def update_contact(self, row: SourceRow, contact_id: int, draft: ContactDraft, label: str, how: str) -> None:
        try:
            with write_transaction():
                current = contacts.get(contact_id)
                changes = contact_changes(current.to_draft(), draft)
                if changes:
                    contacts.update(contact_id, current.version, **changes)
        except CrmError as exc:
            self.tell(row, "reject", label, str(exc))
            return
        if changes:
            self.tell(row, "update", label, f"#{contact_id}, matched by {how}")
        else:
            self.tell(row, "skip", label, f"#{contact_id}, matched by {how}, holds all of it already")

    def write_pending(self) -> None:
        if not self.pending:
            return
        pending, self.pending, self.pending_keys = self.pending, [], {}
        result = bulk.create_contacts([draft for _, draft in pending], self.summary.batch_id, validated=True)
        refused = {position: errors for position, errors in result.rejected}
        for position, (row, draft) in enumerate(pending):
            label = repr(draft_name(draft))
            if position in refused:
                self.tell(row, "reject", label, "; ".join(f"{e.field}: {e.message}" for e in refused[position]))
            else:
                self.tell(row, "create", label)

    # Companies, deals, activities --------------------------------------------------------------------------

    def take_other(self, row: SourceRow) -> None:
        assert row.values is not None  # `take` rejects a row without values
        entity, values = self.summary.entity, dict(row.values)
        label = repr(values.get("name") or values.get("title") or values.get("subject") or f"line {row.number}")
        try:
            with write_transaction():
                found = match_other(entity, values) if self.matching else None
                if found is None:
                    _CREATE[entity](values)
                    self.tell(row, "create", label)
                elif self.summary.mode == "skip":
                    self.tell(row, "skip", label, f"matches #{found}")
                else:
                    _UPDATE[entity](found, values)
                    self.tell(row, "update", label, f"#{found}")
        except CrmError as exc:
            self.tell(row, "reject", label, str(exc))


# Matching ------------------------------------------------------------------------------------------------------



def without_place(problem: str, place: str, number: int) -> str:
    """A reader's problem without the place the report gives anyway: "line 7: x" is "x", and "card 2 (line 6): x"
    is "line 6: x"."""
    own = f"{place} {number}"
    if problem.startswith(own + ": "):
        return problem[len(own) + 2:]
    if problem.startswith(own + " ("):
        inner, closing, rest = problem[len(own) + 2:].partition("): ")
        if closing:
            return f"{inner}: {rest}"
    return problem


def contact_keys(draft: ContactDraft) -> Iterator[str]:
    """What a contact is matched on, strongest first: each email (any case), each phone's digits, name at company."""
    for email in draft.emails:
        yield "email:" + email.lower()
    for phone in draft.phones:
        digits = international_digits(phone)
        if len(digits) >= MIN_PHONE_DIGITS:
            yield "phone:" + digits
    if draft.company and (draft.first_name or draft.last_name or draft.display_name):
        yield "name:" + fold(shown_name(draft.first_name, draft.last_name, draft.display_name)) + "@" + fold(
            draft.company)


def match_contact(draft: ContactDraft) -> tuple[int, str] | None:
    """The live contact `draft` matches, and how ("email ann@x.org"), or None."""
    for email in draft.emails:
        found = database.execute_sql(
            "SELECT ce.contact_id FROM contact_email ce JOIN contact c ON c.id = ce.contact_id "
            "WHERE lower(ce.email) = ? AND c.deleted_at IS NULL ORDER BY ce.contact_id LIMIT 1", (email.lower(),),
        ).fetchone()
        if found:
            return found[0], f"email {email}"
    for phone in draft.phones:
        digits = international_digits(phone)
        if len(digits) < MIN_PHONE_DIGITS:
            continue
        found = database.execute_sql(  # stored digits keep a typed 00 prefix
            "SELECT cp.contact_id FROM contact_phone cp JOIN contact c ON c.id = cp.contact_id "
            "WHERE cp.digits IN (?, ?) AND c.deleted_at IS NULL ORDER BY cp.contact_id LIMIT 1",
            (digits, "00" + digits),
        ).fetchone()
        if found:
            return found[0], f"phone {phone}"
    name = shown_name(draft.first_name, draft.last_name, draft.display_name)
    if draft.company and name:
        found = database.execute_sql(
            "SELECT c.id FROM contact c JOIN company co ON co.id = c.company_id AND co.deleted_at IS NULL "
            "WHERE c.sort_name = ? AND co.sort_name = ? AND c.deleted_at IS NULL ORDER BY c.id LIMIT 1",
            (fold(name), fold(draft.company)),
        ).fetchone()
        if found:
            return found[0], f"name and company {name} at {draft.company}"
    return None


def match_other(entity: str, values: dict[str, Any]) -> int | None:
    if entity == "company" and values.get("name"):
        found = companies.find_by_names([values["name"]]).get(fold(values["name"]))
        return found[0] if found else None
    if entity == "deal" and values.get("title"):
        pipeline = values.get("pipeline") or None
        sql = ("SELECT d.id FROM deal d JOIN pipeline p ON p.id = d.pipeline_id WHERE lower(d.title) = lower(?) "
               "AND d.deleted_at IS NULL" + (" AND lower(p.name) = lower(?)" if pipeline else "") + " ORDER BY d.id")
        found = database.execute_sql(sql, (values["title"], *([pipeline] if pipeline else []))).fetchone()
        return found[0] if found else None
    return None


# Merging -------------------------------------------------------------------------------------------------------


def _union(first: Iterable[str], second: Iterable[str], key: Callable[[str], str]) -> list[str]:
    seen, result = set(), []
    for value in (*first, *second):
        if key(value) not in seen:
            seen.add(key(value))
            result.append(value)
    return result


def merged_draft(current: ContactDraft, incoming: ContactDraft) -> ContactDraft:
    """`current` with what `incoming` adds: lists and custom fields merged, notes appended, scalars filled in
    from `incoming` where it has them."""
    scalars = {name: value for name, value in asdict(incoming).items()
               if isinstance(value, str) and value and name != "notes"}
    notes = current.notes
    if incoming.notes and fold(incoming.notes) not in fold(notes):
        notes = f"{notes}\n\n{incoming.notes}" if notes else incoming.notes
    return replace(
        current, **scalars, notes=notes,
        emails=_union(current.emails, incoming.emails, str.lower),
        phones=_union(current.phones, incoming.phones, international_digits),
        tags=_union(current.tags, incoming.tags, fold),
        custom={**current.custom, **incoming.custom},
        keep_in_touch_days=incoming.keep_in_touch_days or current.keep_in_touch_days,
    )


def contact_changes(current: ContactDraft, incoming: ContactDraft) -> dict[str, Any]:
    """The fields an update must send to make `current` into the merge of both; empty when nothing is new."""
    merged = merged_draft(current, incoming)
    return {name: value for name, value in asdict(merged).items() if value != getattr(current, name)}


def _update_company(company_id: int, values: dict) -> None:
    current = companies.get(company_id)
    changes = {name: value for name, value in values.items() if value and value != getattr(current, name, None)}
    if changes:
        companies.update(company_id, current.version, **changes)


def _update_deal(deal_id: int, values: dict) -> None:
    """An update moves the deal (a new stage closes it now), but never rewrites when a deal closed."""
    current = deals.get(deal_id)
    changes = {name: value for name, value in values.items()
               if value not in ("", None) and name not in ("pipeline", "closed_at")}
    if changes:
        deals.update(deal_id, current.version, **changes)


_CREATE: dict[str, Callable[[dict], object]] = {
    "company": companies.create, "deal": deals.create, "activity": activities.create,
}
_UPDATE: dict[str, Callable[[int, dict], None]] = {"company": _update_company, "deal": _update_deal}
