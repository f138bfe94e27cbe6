"""What every main record shares: the audit log, optimistic locking, the trash, and keyset pages.

Contacts, companies, deals and activities all go through these, so history, undo and conflict handling behave
the same everywhere.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from crm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from crm_tui.core.models import Change, RecordModel, database, now_text

T = TypeVar("T")


def current_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def new_batch_id() -> str:
    return uuid.uuid4().hex


def to_json(value: Any) -> str:
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record_change(
    entity: str, entity_id: int, action: str, before: Any = None, after: Any = None, batch_id: str | None = None
) -> None:
    Change.insert(
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=None if before is None else to_json(before),
        after=None if after is None else to_json(after),
        at=now_text(),
        actor=current_actor(),
        batch_id=batch_id,
    ).execute()


def save_versioned(model: type[RecordModel], record_id: int, expected_version: int, values: dict) -> None:
    """Write `values` only if nobody saved the record since `expected_version` was read."""
    query = model.update(**values, version=model.version + 1, updated_at=now_text()).where(
        (model.id == record_id) & (model.version == expected_version)
    )
    if query.execute() == 1:
        return
    current = model.select(model.version).where(model.id == record_id).first()
    if current is None:
        raise NotFoundError(f"{model.__name__.lower()} {record_id} does not exist")
    raise ConflictError(
        f"{model.__name__.lower()} {record_id} was changed elsewhere (version {current.version}, "
        f"you had {expected_version}); reload it and apply your edit again"
    )


def set_trashed(
    model: type[RecordModel],
    record_id: int,
    trashed: bool,
    snapshot: Callable[[int], Any],
    reindex: Callable[[list[int]], None],
) -> None:
    """Move a record to the trash or back, keeping its search entry and the audit log in step."""
    with database.atomic():
        before = snapshot(record_id)
        if (before.deleted_at is not None) == trashed:
            state = "in the trash" if trashed else "not in the trash"
            raise NotFoundError(f"{model.__name__.lower()} {record_id} is {state}")
        stamp = now_text() if trashed else None
        model.update(deleted_at=stamp, version=model.version + 1, updated_at=now_text()).where(
            model.id == record_id
        ).execute()
        reindex([record_id])
        action = "delete" if trashed else "restore"
        record_change(model.__name__.lower(), record_id, action, before, snapshot(record_id))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and the cursor that continues after its last row (None at the end)."""

    items: list[T]
    next_cursor: tuple | None


def keyset_sql(keys: Sequence[str], cursor: tuple | None, descending: bool) -> tuple[list[str], list]:
    """The condition (and its parameters) for rows after `cursor` in the order of the SQL expressions `keys`.

    A row-value comparison, `(sort_name, id) > (?, ?)`, lets the database seek the matching index directly.
    """
    if cursor is None:
        return [], []
    marks = ", ".join([database.param] * len(keys))
    return [f"({', '.join(keys)}) {'<' if descending else '>'} ({marks})"], list(cursor)


def order_sql(keys: Sequence[str], descending: bool) -> str:
    return ", ".join(f"{key} {'DESC' if descending else 'ASC'}" for key in keys)


def iterate_pages(
    fetch: Callable[[tuple | None, int], Page[T]], limit: int | None, page_size: int = 500
) -> Iterator[T]:
    """Every row `fetch` pages through, or the first `limit`, one page in memory at a time.

    The limit is checked at once, before anything is fetched or printed.
    """
    if limit is not None and limit < 1:
        raise ValidationError.single("limit", "must be at least 1")

    def rows() -> Iterator[T]:
        cursor, remaining = None, limit
        while remaining is None or remaining > 0:
            page = fetch(cursor, page_size if remaining is None else min(page_size, remaining))
            yield from page.items
            if remaining is not None:
                remaining -= len(page.items)
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    return rows()
