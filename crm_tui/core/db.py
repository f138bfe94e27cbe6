"""Open a user's database: checks, pragmas, schema version and migrations.

A user's file is precious, so nothing here writes to it until it has been shown to be a SQLite database of a
schema this version understands. Migrations run inside one transaction, after an online backup copy.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peewee import IntegerField, ModelIndex, OperationalError, SqliteDatabase, TextField
from playhouse.migrate import SqliteMigrator, migrate

from crm_tui.core import search_index
from crm_tui.core.errors import DatabaseError
from crm_tui.core.files import atomic_path
from crm_tui.core.models import (
    CONTACT_SORT_KEYS_INDEX,
    MODELS,
    TRASH_INDEXES,
    Activity,
    BaseModel,
    Change,
    Company,
    Contact,
    ContactEmail,
    Deal,
    DealStageChange,
    DuplicateDismissal,
    ImportBatch,
    Pipeline,
    SavedSearch,
    Stage,
    database,
    now_text,
)

SQLITE_HEADER = b"SQLite format 3\x00"
PRAGMAS: dict[str, Any] = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
    "cache_size": -64_000,
    # Not memory: there, the savepoint journal of an import (one transaction) grows with every row it writes.
    "temp_store": "file",
}

DEFAULT_PIPELINE = "Sales"
DEFAULT_STAGES = (
    ("Lead", 10, "open"),
    ("Qualified", 25, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
)


@dataclass(frozen=True)
class OpenDatabase:
    path: Path
    schema_version: int
    backup_path: Path | None
    connection: SqliteDatabase
    read_only: bool = False
    created: bool = False


def _create_indexes(model: type[BaseModel], names: list[str]) -> None:
    """Create these of `model`'s indexes, by name: a migration adds only what its version added, since the model
    also declares the indexes of later versions, whose columns may not exist yet."""
    wanted = set(names)
    for index in model._meta.fields_to_index():
        if isinstance(index, ModelIndex):
            name = index._name  # type: ignore[attr-defined]  # peewee's stubs leave out the index's name
        else:
            found = re.search(r"INDEX IF NOT EXISTS (\w+)", index.sql)
            assert found is not None, index.sql  # models.py writes every SQL index so
            name = found[1]
        if name in wanted:
            database.execute(model._schema._create_index(index, safe=True)  # type: ignore[attr-defined]
                             if isinstance(index, ModelIndex) else index)
            wanted.discard(name)
    if wanted:
        raise RuntimeError(f"{model.__name__} declares no index named {', '.join(sorted(wanted))}")


def _migrate_to_2(db: SqliteDatabase) -> None:
    """Version 2 adds the full-text search index and fills it from the records already there."""
    search_index.create_index_tables(db)
    search_index.rebuild_index()


def _migrate_to_3(db: SqliteDatabase) -> None:
    """Version 3 lets undo remember what it undid: `change.undoes`, and an index on it."""
    migrate(SqliteMigrator(db).add_column("change", "undoes", TextField(null=True)))
    _create_indexes(Change, ["change_undoes"])


def _migrate_to_4(db: SqliteDatabase) -> None:
    """Version 4 adds the index filtered lists read their sort keys from (models.CONTACT_SORT_KEYS_INDEX)."""
    _create_indexes(Contact, [CONTACT_SORT_KEYS_INDEX])


def _migrate_to_5(db: SqliteDatabase) -> None:
    """Version 5 adds the indexes the kanban board and the deals table read (see models.DEAL_CLOSE_KEY), and
    `stage.deleted_at`: a deleted stage stays named in the stage history."""
    _create_indexes(Deal, ["deal_stage_close", "deal_stage_id_currency_value_minor", "deal_pipeline_id_value_minor_id",
                           "deal_pipeline_id_created_at_id"])
    migrate(SqliteMigrator(db).add_column("stage", "deleted_at", TextField(null=True)))


def _migrate_to_6(db: SqliteDatabase) -> None:
    """Version 6 adds `contact.keep_in_touch_days` (stay in touch) and the indexes that timelines, next steps and
    the activity log read."""
    migrate(SqliteMigrator(db).add_column("contact", "keep_in_touch_days", IntegerField(null=True)))
    _create_indexes(Contact, ["contact_keep_in_touch_days"])
    _create_indexes(Activity, ["activity_contact_id_occurred_at_id", "activity_company_id_occurred_at_id",
                               "activity_deal_id_occurred_at_id", "activity_kind_occurred_at_id",
                               "activity_deal_next_step"])
    _create_indexes(DealStageChange, ["deal_stage_change_changed_at_id"])


def _migrate_to_7(db: SqliteDatabase) -> None:
    """Version 7 adds `import_batch`, the record of each import, and the index imports match emails through."""
    db.create_tables([ImportBatch])
    _create_indexes(ContactEmail, ["contact_email_lower_email"])


def _migrate_to_8(db: SqliteDatabase) -> None:
    """Version 8 adds redo (`change.redoes`), where a change was made (`change.source`), saved searches, the
    pairs of contacts a person said are not duplicates, and the indexes the trash is listed through."""
    migrator = SqliteMigrator(db)
    migrate(migrator.add_column("change", "redoes", TextField(null=True)),
            migrator.add_column("change", "source", TextField(default="")))
    _create_indexes(Change, ["change_redoes"])
    for model in (Contact, Company, Deal, Activity):
        _create_indexes(model, [TRASH_INDEXES[model._meta.table_name]])
    _create_indexes(ContactEmail, ["contact_email_undotted"])
    db.create_tables([SavedSearch, DuplicateDismissal])


# MIGRATIONS[n] brings a database from version n to n + 1. Version 1 is the first released schema.
MIGRATIONS: dict[int, Callable[[SqliteDatabase], None]] = {
    1: _migrate_to_2, 2: _migrate_to_3, 3: _migrate_to_4, 4: _migrate_to_5, 5: _migrate_to_6, 6: _migrate_to_7,
    7: _migrate_to_8,
}
SCHEMA_VERSION = max(MIGRATIONS) + 1


def existing_version(path: Path) -> int:
    """The schema version of an existing file (0 for an empty one), read without changing a byte of it: a file
    refused here is left as it was, with no -wal or -shm file of ours beside it."""
    if path.is_symlink() and not path.exists():
        raise DatabaseError(f"{path} is a link to nothing; it was left untouched")
    if not path.exists():
        return 0
    if not path.is_file():
        raise DatabaseError(f"{path} is not a regular file (a device, a folder or a pipe); it was left untouched")
    if path.stat().st_size == 0:
        return 0
    neighbours = {suffix: path.with_name(path.name + suffix).exists() for suffix in ("-wal", "-shm")}
    try:
        return read_version(path)
    except DatabaseError:
        for suffix, existed in neighbours.items():
            made = path.with_name(path.name + suffix)
            if not existed and made.exists():
                made.unlink()  # the probe's, for a file in WAL mode: not ours to leave behind
        raise


def read_version(path: Path) -> int:
    """The schema version of a SQLite file of crm-tui's, read without writing; any other file is a DatabaseError."""
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseError(f"{path} is not a SQLite database; it was left untouched")
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = probe.execute("PRAGMA user_version").fetchone()[0]
            has_tables = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} could not be read as a SQLite database ({exc}); it was left untouched") from exc
    if version == 0 and has_tables:
        raise DatabaseError(f"{path} is a SQLite database of another program, not crm-tui's; it was left untouched")
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"{path} was written by a newer crm-tui (schema {version}; this version knows up to {SCHEMA_VERSION}). "
            "Upgrade crm-tui to open it; the file was left untouched."
        )
    return version


def _backup(path: Path, version: int) -> Path:
    """Copy the database with SQLite's online backup API before a migration touches it."""
    stamp = now_text().replace(":", "").replace("-", "")[:15]
    target = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    # Copied under a temporary name and renamed when whole: a killed migration leaves no partial backup under the
    # name a person would restore from.
    with atomic_path(target) as temporary:
        source = sqlite3.connect(path)
        try:
            copy = sqlite3.connect(temporary)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
    return target


def ensure_folder(path: Path, make_folders: bool) -> None:
    """The folder of the database at `path`, made (0700) if it is missing and `make_folders`; else a DatabaseError:
    a mistyped path must not give an empty CRM."""
    if not path.parent.exists():
        if not make_folders:
            raise DatabaseError(f"there is no folder {path.parent}: crm-tui makes a new database only in a folder "
                                "that exists, so that a mistyped path does not give an empty CRM; make it first")
        path.parent.mkdir(parents=True, mode=0o700)
        os.chmod(path.parent, 0o700)


def _prepare_location(path: Path, make_folders: bool) -> None:
    """Make the folder and the file (0600) of a new database; an existing one keeps its modes: a file we did not
    create is never chmod-ed."""
    ensure_folder(path, make_folders)
    if not os.access(path.parent, os.W_OK):
        raise DatabaseError(f"the folder {path.parent} is read-only: crm-tui writes its database and the journal "
                            "beside it there; choose another place with --db")
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)


def is_read_only(path: Path) -> bool:
    """A file whose mode has no write bit, or that this user may not write: opened for reading only."""
    return not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK)


def _create_schema(db: SqliteDatabase) -> None:
    db.create_tables(MODELS)
    search_index.create_index_tables(db)
    sales = Pipeline.create(name=DEFAULT_PIPELINE, position=0)
    for position, (name, probability, outcome) in enumerate(DEFAULT_STAGES):
        Stage.create(pipeline=sales, name=name, position=position, probability=probability, outcome=outcome)


def open_database(path: Path | str, cache_kib: int | None = None, backup_first: bool = True,
                  make_folders: bool = True) -> OpenDatabase:
    """Open (creating if need be) the database at `path` and bind the models to it.

    `cache_kib` sets each connection's page cache; the app keeps it small, since its memory should not grow
    with the size of the database, and the operating system caches the file anyway. `backup_first` False skips the
    copy made before a migration, for a file that is itself a copy (a backup being restored). `make_folders` False
    refuses a path whose folder does not exist (a path a person typed) rather than make it.
    """
    path = Path(path).expanduser()
    found_version = existing_version(path)
    existed = path.exists()
    pragmas = PRAGMAS if cache_kib is None else {**PRAGMAS, "cache_size": -cache_kib}
    if found_version and is_read_only(path):
        return _open_read_only(path, found_version, pragmas)
    _prepare_location(path, make_folders)
    backup_path = (_backup(path, found_version) if backup_first and 0 < found_version < SCHEMA_VERSION
                   else None)
    db = SqliteDatabase(str(path), pragmas=pragmas, timeout=PRAGMAS["busy_timeout"] / 1000)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    if found_version < SCHEMA_VERSION:
        with db.atomic("IMMEDIATE"):
            if found_version == 0:
                _create_schema(db)
            else:
                for version in range(found_version, SCHEMA_VERSION):
                    MIGRATIONS[version](db)
            db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return OpenDatabase(path=path, schema_version=SCHEMA_VERSION, backup_path=backup_path, connection=db,
                        created=found_version == 0 and not existed)


def _open_read_only(path: Path, version: int, pragmas: dict[str, Any]) -> OpenDatabase:
    """A database whose file may not be written: lists, show and export work, and a write says it is read-only."""
    if version < SCHEMA_VERSION:
        raise DatabaseError(f"{path} is read-only and from an older crm-tui (schema {version}): it needs upgrading to "
                            f"schema {SCHEMA_VERSION}, which writes to it; make it writable, or open a copy")
    reading = {name: value for name, value in pragmas.items() if name != "journal_mode"}
    db = SqliteDatabase(f"{path.resolve().as_uri()}?mode=ro", uri=True, pragmas=reading,
                        timeout=PRAGMAS["busy_timeout"] / 1000)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    return OpenDatabase(path=path, schema_version=version, backup_path=None, connection=db, read_only=True)


def close_database() -> None:
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()


def connection():
    """A context for work on another thread (UI workers): its own connection, closed afterwards.

    Bound to the database open now, not to the proxy: if another database is opened meanwhile (the demo), the
    context still closes the connection it opened."""
    return database.obj.connection_context()


class Interrupted(Exception):
    """A query stopped part-way because its result was no longer wanted."""


@contextmanager
def stop_when(unwanted: Callable[[], bool], every_steps: int = 5_000) -> Iterator[None]:
    """Abandon the queries run inside as soon as `unwanted()` says so (checked every few thousand VM steps): a
    count over a million rows, or a page read ahead, for a filter the user has since changed should not hold a
    reader for the next keystroke's rows."""
    raw = database.connection()
    raw.set_progress_handler(unwanted, every_steps)
    search_index.abandon_when(unwanted)
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as exc:
        if "interrupt" in str(exc):
            raise Interrupted() from exc
        raise
    finally:
        search_index.abandon_when(None)
        raw.set_progress_handler(None, 0)
