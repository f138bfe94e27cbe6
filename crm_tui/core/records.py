"""What every main record shares: the audit log and its change batches, optimistic locking, the trash, and
keyset pages.

Contacts, companies, deals and activities all go through these, so history, undo and conflict handling behave
the same everywhere. A service write runs in a change batch (`batched`), so every Change row one user action
writes, through whichever services, shares one batch id and one undo takes it back.
"""

from __future__ import annotations

import dataclasses
import functools
import getpass
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Generic, ParamSpec, Protocol, TypeVar

from peewee import OperationalError

from crm_tui.core.errors import ConflictError, CrmError, DiskFullError, NotFoundError, ReadOnlyError, ValidationError
from crm_tui.core.models import BaseModel, Change, RecordModel, database, now_text


class _Identified(Protocol):
    """A record as a service returns it (ContactData, DealData, …): pages match their key rows to items by id."""

    @property
    def id(self) -> int: ...


class _Trashable(Protocol):
    """A record that can be in the trash."""

    @property
    def deleted_at(self) -> str | None: ...


T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")
RecordT = TypeVar("RecordT", bound=_Identified)
TrashableT = TypeVar("TrashableT", bound=_Trashable)


SOURCES = ("app", "cli", "ssh")
# The most changes one undo takes back, in one transaction; a merge that would write more is refused up front.
MAX_UNDO_CHANGES = 5000
_source = ""
_remote_user: str | None = None


def set_source(source: str) -> None:
    """Where this process's changes are made, for history: the app and the command line each say so at start."""
    global _source
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}")
    _source = source


def set_remote_user(name: str | None) -> None:
    """Log this process's changes as made over SSH by `name` ("" for this Unix account, as after a plain OpenSSH
    login), or as local ones with None.

    A remote session stays one whatever `set_source` says afterwards: the app and the command line each set their
    own source at start, and both run in SSH sessions.
    """
    global _remote_user
    _remote_user = name


def current_source() -> str:
    return "ssh" if _remote_user is not None else _source


def current_actor() -> str:
    if _remote_user:
        return _remote_user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def new_batch_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class _Batch:
    id: str
    undoes: str | None
    redoes: str | None = None


_current_batch: ContextVar[_Batch | None] = ContextVar("change_batch", default=None)


@contextmanager
def change_batch(batch_id: str | None = None, undoes: str | None = None,
                 redoes: str | None = None) -> Iterator[str]:
    """Group every Change row written inside into one batch, so one undo reverts one user action.

    Nested use joins the batch already open (its id wins over `batch_id`). `undoes` marks the batch as the undo of
    another batch, `redoes` as the redo of an undo batch (see audit/undo.py); only undo and redo pass them.
    """
    outer = _current_batch.get()
    if outer is not None:
        if (undoes, redoes) != (None, None) and (outer.undoes, outer.redoes) != (undoes, redoes):
            raise RuntimeError("an undo or redo must be a user action of its own, not part of another change batch")
        yield outer.id
        return
    batch = _Batch(batch_id or new_batch_id(), undoes, redoes)
    token = _current_batch.set(batch)
    try:
        yield batch.id
    finally:
        _current_batch.reset(token)


@contextmanager
def write_transaction() -> Iterator[Any]:
    """The transaction every write runs in. It takes the write lock when it begins (BEGIN IMMEDIATE): one begun as
    a reader would have to upgrade at its first write, and SQLite refuses that at once ("database is locked") while
    another writer holds the lock, rather than waiting out the busy timeout. Nested, it is a savepoint.

    On a database opened read-only (its file may not be written), the first write is a ReadOnlyError; on a full
    disk, a DiskFullError. The app shows them and the command line prints them like any other error, and nothing of
    the transaction is kept."""
    try:
        with database.atomic("IMMEDIATE") as transaction:
            yield transaction
    except (OperationalError, sqlite3.OperationalError) as exc:  # bulk writes use the raw cursor
        if _nothing_to_roll_back(exc):
            return  # a generator abandoned mid-write (Ctrl-C) is closed after the transaction around it rolled back
        reason = _write_refused(exc)
        if reason is None:
            raise
        raise reason from None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and the errors it was raised while handling, first to last."""
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__context__


def _nothing_to_roll_back(exc: BaseException) -> bool:
    """Whether this is the rollback of a generator being closed (GeneratorExit) whose savepoint is already gone."""
    return (("no such savepoint" in str(exc) or "no transaction is active" in str(exc))
            and any(isinstance(seen, GeneratorExit) for seen in _chain(exc)))


def _write_refused(exc: BaseException) -> CrmError | None:
    """Why the database refused a write, if it was read-only or full. On a full disk SQLite has already rolled the
    whole transaction back, so rolling back a savepoint or the transaction then fails too: the first cause is
    found along the chain of errors."""
    for seen in _chain(exc):
        if isinstance(seen, (ReadOnlyError, DiskFullError)):
            return seen
        if "readonly database" in str(seen):
            return ReadOnlyError("the database is read-only (its file may not be written); nothing was changed")
        if "database or disk is full" in str(seen):
            return DiskFullError("the disk is full (or the database has reached its size limit): nothing of this "
                                 "change was saved, and what was saved before is safe; free some space and try again")
    return None


def batched(service: Callable[P, R]) -> Callable[P, R]:
    """Run a service write in a change batch: what it writes through other services joins the same batch."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with change_batch():
            return service(*args, **kwargs)

    return run


def to_json(value: Any) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def chunked(items: Iterable[T], size: int = 500) -> Iterator[list[T]]:
    """Lists of up to `size` items: SQL `IN` lists and executemany calls stay small whatever the input."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(model: type[BaseModel], columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """`executemany` straight into `model`'s table: the fastest path SQLite offers through the DB-API.

    Fields not in `columns` get the model's default, as they would through the ORM.
    """
    if not rows:
        return
    meta = model._meta
    defaults = [
        (name, model_field.default() if callable(model_field.default) else model_field.default)
        for name, model_field in meta.fields.items()
        if name not in columns and model_field.default is not None
    ]
    names = ", ".join(f'"{meta.fields[name].column_name}"' for name in (*columns, *(name for name, _ in defaults)))
    marks = ", ".join([database.param] * (len(columns) + len(defaults)))
    extra = tuple(value for _, value in defaults)
    database.cursor().executemany(
        f'INSERT INTO "{meta.table_name}" ({names}) VALUES ({marks})', [(*row, *extra) for row in rows]
    )


_CHANGE_COLUMNS = ("entity", "entity_id", "action", "before", "after", "at", "actor", "batch_id", "undoes",
                   "redoes", "source")


def record_changes(
    entity: str, action: str, changes: Iterable[tuple[int, Any, Any]], batch_id: str | None = None
) -> None:
    """One Change row for each (record id, before, after), in one executemany.

    Without `batch_id` the rows join the open change batch (or stand alone when none is open).
    """
    batch = _current_batch.get()
    if batch_id is None or (batch is not None and batch.id == batch_id):
        batch_id, undoes, redoes = (batch.id, batch.undoes, batch.redoes) if batch is not None else (None, None, None)
    else:
        undoes = redoes = None
    stamp, actor, source = now_text(), current_actor(), current_source()
    rows = [
        (entity, record_id, action, None if before is None else to_json(before),
         None if after is None else to_json(after), stamp, actor, batch_id, undoes, redoes, source)
        for record_id, before, after in changes
    ]
    insert_rows(Change, _CHANGE_COLUMNS, rows)


def record_change(
    entity: str, entity_id: int, action: str, before: Any = None, after: Any = None, batch_id: str | None = None
) -> None:
    record_changes(entity, action, [(entity_id, before, after)], batch_id)


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


Snapshots = Callable[[list[int]], list]


def set_trashed_many(
    model: type[RecordModel], record_ids: Iterable[int], trashed: bool, snapshots: Snapshots,
    reindex: Callable[[list[int]], None],
) -> list[int]:
    """Move records to the trash or back, keeping the search index and the audit log in step.

    `snapshots(ids)` reads the records that exist, trashed or not. Those already where they should go, and ids
    that do not exist, are skipped; returns the ids that moved.
    """
    moved: list[int] = []
    action = "delete" if trashed else "restore"
    with write_transaction():
        for chunk in chunked(dict.fromkeys(record_ids)):
            before = [record for record in snapshots(chunk) if (record.deleted_at is None) == trashed]
            ids = [record.id for record in before]
            if not ids:
                continue
            stamp = now_text()
            model.update(deleted_at=stamp if trashed else None, version=model.version + 1, updated_at=stamp).where(
                model.id.in_(ids)
            ).execute()
            reindex(ids)
            record_changes(model.__name__.lower(), action, zip(ids, before, snapshots(ids), strict=False))
            moved += ids
    return moved


def set_trashed(
    model: type[RecordModel], record_id: int, trashed: bool, snapshots: Snapshots,
    reindex: Callable[[list[int]], None],
) -> None:
    """Move one record to the trash or back; one that is missing or already there is a NotFoundError."""
    with write_transaction():
        if set_trashed_many(model, [record_id], trashed, snapshots, reindex):
            return
        noun = model.__name__.lower()
        if not snapshots([record_id]):
            raise NotFoundError(f"{noun} {record_id} does not exist")
        raise NotFoundError(f"{noun} {record_id} is {'in' if trashed else 'not in'} the trash")


def purge_from_trash(model: type[RecordModel], record_id: int, snapshot: Callable[[int], Any]) -> None:
    """Delete a record in the trash for good; its child rows follow by foreign key. The log keeps its last snapshot.

    Records not in the trash are refused, so a purge is always the second, deliberate step.
    """
    noun = model.__name__.lower()
    with write_transaction():
        before = snapshot(record_id)
        if before.deleted_at is None:
            raise NotFoundError(f"{noun} {record_id} is not in the trash; only what is in the trash can be purged")
        model.delete().where(model.id == record_id).execute()
        record_change(noun, record_id, "purge", before, None)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and the cursor that continues after its last row (None at the end).

    `keys` holds each item's own cursor (the tuple `after=` takes), in item order, so a list can resume from any row.
    """

    items: list[T]
    next_cursor: tuple | None
    keys: list[tuple] = field(default_factory=list)


def keyset_sql(keys: Sequence[str], cursor: tuple | None, descending: bool) -> tuple[list[str], list]:
    """The condition (and its parameters) for rows after `cursor` in the order of the SQL expressions `keys`.

    A row-value comparison, `(sort_name, id) > (?, ?)`, lets the database seek the matching index directly. SQLite
    does so only when the first key is a plain column: for an expression (the board's close key) it read the index
    from the start on every page, 12 ms for a page 150,000 rows deep. A redundant bound on the first key alone
    (`close_key >= ?`), which it can seek with, brings that to 0.2 ms.
    """
    if cursor is None:
        return [], []
    marks = ", ".join([database.param] * len(keys))
    conditions, params = [f"({', '.join(keys)}) {'<' if descending else '>'} ({marks})"], list(cursor)
    if len(keys) > 1 and "(" in keys[0]:
        conditions.insert(0, f"{keys[0]} {'<=' if descending else '>='} {database.param}")
        params.insert(0, cursor[0])
    return conditions, params


def order_sql(keys: Sequence[str], descending: bool) -> str:
    return ", ".join(f"{key} {'DESC' if descending else 'ASC'}" for key in keys)


SortKeys = Mapping[str, tuple[tuple[str, ...], bool]]


def sort_keys(sorts: SortKeys, sort: str) -> tuple[tuple[str, ...], bool]:
    """The SQL key expressions (id last) and direction of the list order `sort`, one of `sorts`."""
    if sort not in sorts:
        raise ValidationError.single("sort", f"unknown sort {sort!r}; use one of {', '.join(sorts)}")
    return sorts[sort]


def keyset_select(
    columns: str, source: str, conditions: list[str], params: list, keys: Sequence[str], descending: bool,
    after: tuple | None, limit: int, offset: int = 0,
) -> list[tuple]:
    """Rows of `columns` from `source` meeting `conditions`, in `keys` order: `limit` of them after the cursor
    `after`, skipping `offset` first (how a list jumps to row N without reading the rows before it)."""
    if offset < 0:
        raise ValidationError.single("offset", "must not be negative")
    after_condition, after_params = keyset_sql(keys, after, descending)
    sql = (f"SELECT {columns} FROM {source} WHERE {' AND '.join(conditions + after_condition)} "
           f"ORDER BY {order_sql(keys, descending)} LIMIT {int(limit)} OFFSET {int(offset)}")
    return database.execute_sql(sql, params + after_params).fetchall()


def keyset_page(items: list[RecordT], key_rows: list[tuple], limit: int, backwards: bool) -> Page[RecordT]:
    """The Page of `items` read for `key_rows` (sort keys, id last, already in list order).

    Keys are matched to items by id, so a record removed between reading keys and rows costs only its own row.
    """
    key_rows = [tuple(row) for row in key_rows]
    cursor = (key_rows[0] if backwards else key_rows[-1]) if key_rows and len(key_rows) == limit else None
    by_id = {row[-1]: row for row in key_rows}
    return Page(items, cursor, [by_id[item.id] for item in items])


def read_page(columns: str, source: str, conditions: list[str], params: list, keys: Sequence[str], descending: bool,
              after: tuple | None, limit: int, backwards: bool, offset: int,
              make: Callable[[tuple], RecordT]) -> Page[RecordT]:
    """One page of a list in `keys` order (`descending` as the list reads): `limit` rows of `columns` after the
    cursor `after`, or before it with `backwards`, skipping `offset` first; `make` turns a row into a record."""
    rows = keyset_select(f"{columns}, {', '.join(keys)}", source, conditions, params, keys, descending != backwards,
                         after, limit, offset)
    if backwards:
        rows.reverse()
    return keyset_page([make(row[: -len(keys)]) for row in rows], [row[-len(keys):] for row in rows], limit,
                       backwards)


def record_keys(source: str, keys: Sequence[str], record_id: int, noun: str) -> tuple:
    """A record's own cursor in the order of `keys` (id last), e.g. to find its neighbours."""
    sql = f"SELECT {', '.join(keys)} FROM {source} WHERE {keys[-1]} = {database.param}"
    row = database.execute_sql(sql, (record_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"{noun} {record_id} does not exist")
    return tuple(row)


def neighbour_id(fetch: Callable[[tuple, bool, int], list[tuple]], origin: tuple, step: int) -> int | None:
    """The id `step` rows after (or, negative, before) the row at cursor `origin`; None past either end.

    `fetch(after, backwards, offset)` reads one key row (id last).
    """
    if step == 0:
        raise ValidationError.single("step", "must not be 0")
    rows = fetch(origin, step < 0, abs(step) - 1)
    return rows[0][-1] if rows else None


def iterate_ids(fetch: Callable[[tuple | None, int], list[tuple]], page_size: int = 2000) -> Iterator[int]:
    """Every id `fetch(after, limit)` pages through in id order, one page in memory at a time."""

    def page(cursor: tuple | None, size: int) -> Page[int]:
        rows = fetch(cursor, size)
        return Page([row[-1] for row in rows], tuple(rows[-1]) if len(rows) == size else None)

    return iterate_pages(page, None, page_size)


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


@dataclass(frozen=True)
class TrashVerbs:
    """A kind of record's trash operations, each its own change batch (one undo): `delete` and `restore` one by
    id (NotFoundError when it is missing or already there), `delete_many` and `restore_many` by ids (returning
    how many moved), `purge` one from the trash for good."""

    delete: Callable[[int], None]
    restore: Callable[[int], None]
    delete_many: Callable[[Iterable[int]], int]
    restore_many: Callable[[Iterable[int]], int]
    purge: Callable[[int], None]


def trash_verbs(model: type[RecordModel], get_many: Snapshots, get: Callable[..., Any],
                reindex: Callable[[list[int]], None]) -> TrashVerbs:
    """The trash operations of a kind whose records are read by `get_many(ids)` / `get(id, include_deleted=)`."""
    return TrashVerbs(
        delete=batched(lambda record_id: set_trashed(model, record_id, True, get_many, reindex)),
        restore=batched(lambda record_id: set_trashed(model, record_id, False, get_many, reindex)),
        delete_many=batched(lambda ids: len(set_trashed_many(model, ids, True, get_many, reindex))),
        restore_many=batched(lambda ids: len(set_trashed_many(model, ids, False, get_many, reindex))),
        purge=batched(lambda record_id: purge_from_trash(model, record_id,
                                                         lambda found: get(found, include_deleted=True))),
    )


def read_by_ids(columns: str, source: str, id_column: str, ids: Sequence[int], make: Callable[[tuple], T]) -> list[T]:
    """The records of `ids` that exist (trashed ones too), in the order given; `make` turns a row (id first) into
    the record's data."""
    found: dict[int, T] = {}
    for chunk in chunked(ids):
        marks = ", ".join([database.param] * len(chunk))
        rows = database.execute_sql(f"SELECT {columns} FROM {source} WHERE {id_column} IN ({marks})", chunk)
        found.update((row[0], make(row)) for row in rows)
    return [found[record_id] for record_id in ids if record_id in found]


def only(found: list[TrashableT], noun: str, record_id: int, include_deleted: bool) -> TrashableT:
    """The one record `read_by_ids` found for `record_id`; NotFoundError if none, or if it is in the trash and
    `include_deleted` is False."""
    if not found or (found[0].deleted_at is not None and not include_deleted):
        where = "" if include_deleted else " or is in the trash"
        raise NotFoundError(f"{noun} {record_id} does not exist{where}")
    return found[0]


def allocate_ids(model: type[BaseModel], count: int) -> int:
    """The first of `count` fresh ids; call inside the write transaction so no one else takes them."""
    (highest,) = database.execute_sql(f'SELECT max(id) FROM "{model._meta.table_name}"').fetchone()
    return (highest or 0) + 1


def insert_changes(entity: str, ids: Sequence[int], snapshots: Sequence[dict], batch_id: str) -> None:
    changes = ((record_id, None, snap) for record_id, snap in zip(ids, snapshots, strict=False))
    record_changes(entity, "create", changes, batch_id)
