"""Activities: calls, meetings, emails and notes that happened, and tasks that are due.

An activity can be linked to a contact, a company and a deal at once. Times are UTC ISO 8601 text like every
timestamp here; a logged activity has `occurred_at`, a task has `due_at` (or none) and, once done, `done_at` and
the same `occurred_at`.
Every write is logged, so undo takes it back like any other change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from crm_tui.core import search_index
from crm_tui.core.errors import FieldError, ValidationError
from crm_tui.core.models import Activity, Company, Contact, Deal, contact_name_sql, format_timestamp, now_text, utc_now
from crm_tui.core.records import (
    batched,
    only,
    read_by_ids,
    record_change,
    save_versioned,
    trash_verbs,
    write_transaction,
)
from crm_tui.core.validation import MAX_NAME, MAX_TEXT, clean_text, clean_timestamp

LOGGED_KINDS = ("call", "meeting", "email", "note")
TASK = "task"
KINDS = (*LOGGED_KINDS, TASK)
FIELDS = ("kind", "subject", "body", "occurred_at", "due_at", "done_at", "contact_id", "company_id", "deal_id")


@dataclass(frozen=True)
class ActivityData:
    id: int
    kind: str
    subject: str
    body: str
    occurred_at: str | None
    due_at: str | None
    done_at: str | None
    contact_id: int | None
    contact: str | None
    company_id: int | None
    company: str | None
    deal_id: int | None
    deal: str | None
    created_at: str
    updated_at: str
    deleted_at: str | None
    version: int

    @property
    def name(self) -> str:
        return self.subject or self.body.split("\n", 1)[0] or self.kind

    @property
    def is_task(self) -> bool:
        return self.kind == TASK

    def is_overdue(self, now: datetime | None = None) -> bool:
        """An open task whose due time has passed."""
        return self.is_task and self.done_at is None and self.due_at is not None and \
            self.due_at < format_timestamp(now or utc_now())

    def as_json(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


COLUMNS = f"""a.id, a.kind, a.subject, a.body, a.occurred_at, a.due_at, a.done_at, a.contact_id,
       CASE WHEN c.id IS NULL OR c.deleted_at IS NOT NULL THEN NULL
            ELSE {contact_name_sql()} END,
       a.company_id, CASE WHEN co.deleted_at IS NULL THEN co.name END,
       a.deal_id, CASE WHEN d.deleted_at IS NULL THEN d.title END,
       a.created_at, a.updated_at, a.deleted_at, a.version"""
SOURCE = """activity a LEFT JOIN contact c ON c.id = a.contact_id LEFT JOIN company co ON co.id = a.company_id
       LEFT JOIN deal d ON d.id = a.deal_id"""


def data(row: Sequence) -> ActivityData:
    return ActivityData(*row)


def get_many(activity_ids: Sequence[int]) -> list[ActivityData]:
    """The activities of `activity_ids` that exist, trashed ones too, in the order given."""
    return read_by_ids(COLUMNS, SOURCE, "a.id", activity_ids, data)


def get(activity_id: int, include_deleted: bool = False) -> ActivityData:
    return only(get_many([activity_id]), "activity", activity_id, include_deleted)


# Validating ------------------------------------------------------------------------------------------------


_LINKS = {"contact_id": (Contact, "contact"), "company_id": (Company, "company"), "deal_id": (Deal, "deal")}


def _link(field: str, value: int | str | None) -> int | None:
    """The id of a live contact, company or deal (`12` or `#12`), or None."""
    if value is None or value == "":
        return None
    model, noun = _LINKS[field]
    text = str(value).strip().removeprefix("#")
    if not text.isdigit():
        raise ValidationError.single(field, f"{value!r} is not a {noun} id")
    if not model.select().where((model.id == int(text)) & model.deleted_at.is_null()).exists():
        raise ValidationError.single(field, f"there is no {noun} #{text}")
    return int(text)


def _validate(values: dict, current: ActivityData | None) -> dict:
    """Column values for the fields in `values`, or a ValidationError naming every field that is wrong."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError([FieldError(name, "is not an activity field") for name in sorted(unknown)])
    errors: list[FieldError] = []
    row: dict = {}

    def check(name: str, clean) -> None:
        if name in values:
            try:
                row[name] = clean(values[name])
            except ValidationError as exc:
                errors.extend(exc.errors)

    check("kind", lambda kind: kind if kind in KINDS else _refuse("kind", f"{kind!r} is not one of {', '.join(KINDS)}"))
    check("subject", lambda text: clean_text("subject", text, limit=MAX_NAME))
    check("body", lambda text: clean_text("body", text, limit=MAX_TEXT))
    for name in ("occurred_at", "due_at", "done_at"):
        check(name, lambda value, name=name: clean_timestamp(name, value))
    for name in _LINKS:
        check(name, lambda value, name=name: _link(name, value))
    merged = {**({name: getattr(current, name) for name in FIELDS} if current else {}), **row}
    if not errors and not (merged.get("subject") or merged.get("body")):
        errors.append(FieldError("subject", "give a subject or a body"))
    if not errors and merged.get("kind") == TASK and not merged.get("subject"):
        errors.append(FieldError("subject", "a task needs a subject"))
    if not errors and row.get("done_at") and merged.get("kind") != TASK:
        errors.append(FieldError("done_at", f"only a task is done, not a {merged.get('kind')}"))
    if errors:
        raise ValidationError(errors)
    return row


def _refuse(field: str, message: str):
    raise ValidationError.single(field, message)


def _columns(row: dict) -> dict:
    return {("contact" if name == "contact_id" else "company" if name == "company_id" else
             "deal" if name == "deal_id" else name): value for name, value in row.items()}


# Writing ---------------------------------------------------------------------------------------------------


@batched
def create(values: dict) -> ActivityData:
    """Log an activity (kind call, meeting, email or note; `occurred_at` defaults to now) or add a task."""
    values = {"kind": "note", **values}
    with write_transaction():
        row = _validate(values, None)
        if row["kind"] != TASK and row.get("occurred_at") is None:
            row["occurred_at"] = now_text()
        if row["kind"] == TASK:
            row["occurred_at"] = row.get("done_at")
        stamp = now_text()
        activity_id = Activity.insert(**_columns(row), created_at=stamp, updated_at=stamp).execute()
        search_index.reindex_activities([activity_id])
        created = get(activity_id)
        record_change("activity", activity_id, "create", None, created)
    return created


@batched
def update(activity_id: int, expected_version: int, **changes) -> ActivityData:
    with write_transaction():
        before = get(activity_id)
        row = _validate(changes, before)
        if row.get("kind", before.kind) == TASK and before.kind != TASK:
            row["occurred_at"] = None
        if "done_at" in row:
            row["occurred_at"] = row["done_at"]
        save_versioned(Activity, activity_id, expected_version, _columns(row))
        search_index.reindex_activities([activity_id])
        after = get(activity_id)
        record_change("activity", activity_id, "update", before, after)
    return after


@batched
def set_done(activity_id: int, done: bool, expected_version: int | None = None) -> ActivityData:
    """Mark a task done (now) or open again. A done task has happened: `occurred_at` is when it was done, so
    it takes its place in the activity log and timelines, and counts as keeping in touch."""
    with write_transaction():
        before = get(activity_id)
        if not before.is_task:
            raise ValidationError.single("kind", f"{before.name!r} is a {before.kind}, not a task")
        version = before.version if expected_version is None else expected_version
        done_at = now_text() if done else None
        save_versioned(Activity, activity_id, version, {"done_at": done_at, "occurred_at": done_at})
        after = get(activity_id)
        record_change("activity", activity_id, "update", before, after)
    return after


# delete, restore, delete_many, restore_many; purge is final: undo cannot bring a purged activity back.
_TRASH = trash_verbs(Activity, get_many, get, search_index.reindex_activities)
delete, restore, delete_many, restore_many, purge = (
    _TRASH.delete, _TRASH.restore, _TRASH.delete_many, _TRASH.restore_many, _TRASH.purge)


def write_back(snapshots: Sequence[dict]) -> None:
    """Put activities back as audit-log snapshots show them (undo); links to records removed for good since are
    left out rather than failing the undo."""
    with write_transaction():
        for snapshot in snapshots:
            current = get(snapshot["id"], include_deleted=True)
            links = {}
            for name, (model, _noun) in _LINKS.items():
                linked = snapshot.get(name)
                exists = linked is not None and model.select().where(model.id == linked).exists()
                links[name.removesuffix("_id")] = linked if exists else None
            values = {name: snapshot[name] for name in ("kind", "subject", "body", "occurred_at", "due_at",
                                                         "done_at")}
            save_versioned(Activity, snapshot["id"], current.version, {**values, **links})
            search_index.reindex_activities([snapshot["id"]])
            record_change("activity", snapshot["id"], "update", current, get(snapshot["id"], include_deleted=True))
