"""The imports that were made, and taking one back whole: `crm-tui import list`, `crm-tui import undo BATCH`.

Undoing an import moves what it created to the trash and puts what it updated back as it was, from the audit log,
a chunk at a time (an import may hold a million records), in one transaction. It is refused, with nothing done,
when a record of the batch was changed after it: undoing then would silently throw that later change away.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crm_tui.core import activities as activity_service, companies, contacts, deals
from crm_tui.core.errors import CannotUndoError, ConflictError, NotFoundError
from crm_tui.core.models import ImportBatch, database, now_text
from crm_tui.core.records import change_batch, chunked, record_change, write_transaction

_TRASH_MANY: dict[str, Callable[[Sequence[int]], int]] = {
    "contact": contacts.delete_many, "company": companies.delete_many, "deal": deals.delete_many,
    "activity": activity_service.delete_many,
}


def _revert_companies(snapshots: Sequence[dict]) -> None:
    for snapshot in snapshots:
        current = companies.get(snapshot["id"])
        companies.update(snapshot["id"], current.version, **{name: snapshot[name] for name in companies.FIELDS})


_WRITE_BACK: dict[str, Callable[[Sequence[dict]], None]] = {
    "contact": contacts.write_back, "company": _revert_companies, "deal": deals.write_back,
    "activity": activity_service.write_back,
}


@dataclass(frozen=True)
class BatchInfo:
    id: str
    source: str
    format: str
    entity: str
    mode: str
    started_at: str
    finished_at: str | None
    created: int
    updated: int
    skipped: int
    rejected: int
    undone_at: str | None

    def as_json(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def list_batches() -> list[BatchInfo]:
    """Every import, newest first."""
    query = ImportBatch.select().order_by(ImportBatch.started_at.desc(), ImportBatch.id)
    return [BatchInfo(**{name: getattr(row, name) for name in BatchInfo.__dataclass_fields__}) for row in query]


def get_batch(batch_id: str) -> BatchInfo:
    for batch in list_batches():
        if batch.id == batch_id or (len(batch_id) >= 6 and batch.id.startswith(batch_id)):
            return batch
    raise NotFoundError(f"there is no import batch {batch_id!r} (`crm-tui import list` shows them)")


def undo_import(batch_id: str) -> str:
    """Take an import back whole, or refuse with nothing done; returns what was done, in a person's words."""
    with write_transaction():
        batch = get_batch(batch_id)
        if batch.undone_at is not None:
            raise CannotUndoError(f"import {batch.id} was already undone on "
                                  f"{batch.undone_at[:16].replace('T', ' ')} UTC")
        last_change = _refuse_if_changed_since(batch.id)
        with change_batch(undoes=batch.id):
            for action, apply in (("update", _write_back), ("create", _trash)):
                for entity in _TRASH_MANY:
                    for rows in _changes(batch.id, entity, action):
                        apply(entity, rows)
            ImportBatch.update(undone_at=now_text()).where(ImportBatch.id == batch.id).execute()
            description = (f"import of {batch.source} ({batch.created:,} created, {batch.updated:,} updated; "
                           "what it created is in the trash)")
            record_change("change", last_change, "undo", None, {"undid": batch.id, "description": description})
    return f"Undid: {description}"


def is_import(batch_id: str | None) -> bool:
    return batch_id is not None and ImportBatch.select().where(ImportBatch.id == batch_id).exists()


def _changes(batch_id: str, entity: str, action: str):
    """The batch's changes of one kind, a chunk of (entity_id, before) at a time, in the order they were made."""
    sql = "SELECT entity_id, before FROM change WHERE batch_id = ? AND entity = ? AND action = ? ORDER BY id"
    rows = database.execute_sql(sql, (batch_id, entity, action))
    return chunked(((entity_id, json.loads(before or "null")) for entity_id, before in rows), 2000)


def _trash(entity: str, rows: list[tuple[int, dict | None]]) -> None:
    ids = [entity_id for entity_id, _ in rows]
    _TRASH_MANY[entity](ids)


def _write_back(entity: str, rows: list[tuple[int, dict | None]]) -> None:
    _WRITE_BACK[entity]([before for _, before in rows if before is not None])


def _refuse_if_changed_since(batch_id: str) -> int:
    """ConflictError naming a record of the batch that a later change touched; else the batch's last change id."""
    (last_change,) = database.execute_sql("SELECT coalesce(max(id), 0) FROM change WHERE batch_id = ?",
                                          (batch_id,)).fetchone()
    found = database.execute_sql(
        """SELECT later.entity, later.entity_id FROM change later
            WHERE later.id > ? AND later.entity IN ('contact', 'company', 'deal', 'activity')
              AND EXISTS (SELECT 1 FROM change mine WHERE mine.batch_id = ? AND mine.entity = later.entity
                                                      AND mine.entity_id = later.entity_id)
            LIMIT 1""", (last_change, batch_id),
    ).fetchone()
    if found is not None:
        entity, entity_id = found
        raise ConflictError(f"cannot undo import {batch_id}: {entity} #{entity_id} was changed after it; undo or "
                            "redo that change by hand first. Nothing was undone")
    return last_change
