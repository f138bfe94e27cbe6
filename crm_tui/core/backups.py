"""Copies of the database a person can go back to: `crm-tui backup`, the automatic backup on the first start of each
day (kept 7 days and 4 weeks by default), and `crm-tui restore`.

These are SQLite files made with SQLite's online backup API, consistent while the app and other commands write. (The
JSON backup in interop/backup is the portable export; `restore` reads it too.) They live in a folder beside the
database, `<name>.backups/`, made readable by its owner alone; only files named as this module names them are ever
rotated away.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from crm_tui.core import db
from crm_tui.core.check import broken_links, integrity_problems
from crm_tui.core.errors import CrmError, DatabaseError
from crm_tui.core.files import PARTIAL_SUFFIX, atomic_path, drop_stale_partials, sync_folder
from crm_tui.core.models import database

SUFFIX = ".sqlite3"
DAILY = "daily"
WEEKLY = "weekly"
MANUAL = "manual"
BEFORE_RESTORE = "before-restore"
DEFAULT_KEEP_DAILY = 7
DEFAULT_KEEP_WEEKLY = 4
_NAMED = re.compile(rf"({DAILY}|{WEEKLY}|{MANUAL}|{BEFORE_RESTORE})-[0-9TW-]+{re.escape(SUFFIX)}")
_COUNTED = (("contacts", "contact"), ("companies", "company"), ("deals", "deal"), ("activities", "activity"))


@dataclass(frozen=True)
class BackupFile:
    path: Path
    kind: str
    size_bytes: int


@dataclass(frozen=True)
class RestoreSummary:
    restored_from: str
    schema_version: int
    counts: dict[str, int]
    safety_copy: str | None


def backups_folder(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".backups")


def _ready_folder(db_path: Path) -> Path:
    folder = backups_folder(db_path)
    if not folder.exists():
        folder.mkdir(mode=0o700)
    elif folder.is_symlink() or not folder.is_dir():
        raise CrmError(f"{folder} is not a folder crm-tui made; move it away to keep backups there")
    return folder


def _stamped(folder: Path, kind: str, moment: datetime) -> Path:
    """A new name for a copy made at `moment`: two in the same second are told apart by a count."""
    stem = f"{kind}-{moment.strftime('%Y-%m-%dT%H%M%S')}"
    path, number = folder / f"{stem}{SUFFIX}", 1
    while path.exists() or path.is_symlink():
        number += 1
        path = folder / f"{stem}-{number}{SUFFIX}"
    return path


def copy_database(target: Path, replace: bool = False, kind: str = MANUAL) -> BackupFile:
    """Copy the open database to `target` (0600): the copy is whole and consistent, made from one read transaction
    while others go on writing, and appears under its name only when complete. It is a single file (not in WAL
    mode), ready to be copied anywhere."""
    if not replace and (target.exists() or target.is_symlink()):
        raise CrmError(f"{target} already exists; give another name, or --force to replace it")
    if not target.parent.is_dir():
        raise CrmError(f"there is no folder {target.parent} to write {target.name} in")
    with atomic_path(target) as temporary:
        _copy_connection(database.connection(), temporary)
    return BackupFile(target, kind, target.stat().st_size)


def _copy_connection(source: sqlite3.Connection, target: Path) -> None:
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()


def make_backup(db_path: Path, moment: datetime) -> BackupFile:
    """`crm-tui backup` with no --output: a copy in the backups folder, which rotation never removes."""
    return copy_database(_stamped(_ready_folder(db_path), MANUAL, moment))


def daily_backup(db_path: Path, today: date, keep_daily: int = DEFAULT_KEEP_DAILY,
                 keep_weekly: int = DEFAULT_KEEP_WEEKLY) -> BackupFile | None:
    """The automatic backup, on the first start of a day: a copy named for the day, and for the week when it is the
    week's first; then only the newest `keep_daily` and `keep_weekly` of each are kept. `keep_daily` 0 turns
    automatic backups off. None when today's was made already (or they are off)."""
    if keep_daily <= 0:
        return None
    folder = _ready_folder(db_path)
    daily = folder / f"{DAILY}-{today.isoformat()}{SUFFIX}"
    if daily.exists():
        return None
    made = copy_database(daily, kind=DAILY)
    year, week, _ = today.isocalendar()
    weekly = folder / f"{WEEKLY}-{year}-W{week:02d}{SUFFIX}"
    if keep_weekly > 0 and not weekly.exists():
        try:
            os.link(daily, weekly)
        except FileExistsError:
            pass  # another process made this week's at the same moment
        except OSError:
            shutil.copyfile(daily, weekly)
    _rotate(folder, DAILY, keep_daily)
    _rotate(folder, WEEKLY, keep_weekly)
    drop_stale_partials(folder)
    return made


def _rotate(folder: Path, kind: str, keep: int) -> None:
    named = sorted(path for path in folder.glob(f"{kind}-*{SUFFIX}") if _NAMED.fullmatch(path.name))
    for path in named[:max(0, len(named) - keep)]:
        path.unlink(missing_ok=True)


def list_backups(db_path: Path) -> list[BackupFile]:
    folder = backups_folder(db_path)
    if not folder.is_dir():
        return []
    named = ((path, _NAMED.fullmatch(path.name)) for path in sorted(folder.iterdir()))
    return [BackupFile(path, found[1], path.stat().st_size) for path, found in named if found]


def restore(db_path: Path, source: Path, moment: datetime, make_folders: bool = True) -> RestoreSummary:
    """Replace the database at `db_path` with the one in `source` (a copy `backup` made, another crm-tui database,
    or a JSON backup), checked first: a file that is not a whole crm-tui database of this version or an older one
    is refused and nothing changes. The database as it was is kept first as a safety copy in the backups folder.

    The new content goes in through SQLite's backup API, as one transaction: other open sessions see the restored
    database, and a restore killed part-way leaves the old one whole. A database too damaged to open is replaced by
    renaming, after it (and its journal) are moved into the backups folder. `make_folders`: as `open_database`."""
    db.close_database()
    _refuse_odd_target(db_path, source)
    db.ensure_folder(db_path, make_folders)
    folder = _ready_folder(db_path)
    with _staging(folder) as staging:
        version = _stage(source, staging)
        counts = _counts(staging)
        try:
            current: int | None = db.existing_version(db_path)
        except DatabaseError:
            current = None
        if current is None:
            safety = _move_damaged_aside(db_path, folder, moment)
            os.replace(staging, db_path)
            sync_folder(db_path.parent)
        else:
            safety = None
            opened = db.open_database(db_path)
            if current:
                safety = copy_database(_stamped(folder, BEFORE_RESTORE, moment), kind=BEFORE_RESTORE).path
            _replace_content(staging, opened.connection.connection())
    db.close_database()
    return RestoreSummary(str(source), version, counts, str(safety) if safety else None)


def _refuse_odd_target(db_path: Path, source: Path) -> None:
    if db_path.is_symlink() or (db_path.exists() and not db_path.is_file()):
        raise CrmError(f"{db_path} is a link or not a regular file; crm-tui restores only into a database file of "
                       "its own, and left it untouched")
    if db_path.exists() and db.is_read_only(db_path):
        raise CrmError(f"{db_path} is read-only (its file may not be written); nothing was restored")
    if source.exists() and db_path.exists() and source.resolve() == db_path.resolve():
        raise CrmError(f"{source} is the database itself; restore from a backup of it")


@contextmanager
def _staging(folder: Path) -> Iterator[Path]:
    """An empty temporary file in the backups folder, on the database's file system so that it can be renamed into
    place; removed afterwards with any journal of its own."""
    handle, name = tempfile.mkstemp(prefix=".restore-", suffix=PARTIAL_SUFFIX, dir=folder)
    os.close(handle)
    staging = Path(name)
    try:
        yield staging
    finally:
        for end in ("", "-journal", "-wal", "-shm"):
            staging.with_name(staging.name + end).unlink(missing_ok=True)


def _stage(source: Path, staging: Path) -> int:
    """Bring `source` into `staging` as a database of this version, checked whole; its schema version as found."""
    try:
        with source.open("rb") as handle:
            start = handle.read(len(db.SQLITE_HEADER))
    except IsADirectoryError:
        raise CrmError(f"{source} is a folder, not a backup") from None
    if start == db.SQLITE_HEADER:
        try:
            version = db.read_version(source)
        except DatabaseError as exc:
            raise CrmError(f"nothing was restored: {exc}") from None
        if version == 0:
            raise CrmError(f"{source} is an empty database; nothing was restored")
        reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _copy_connection(reader, staging)
        except sqlite3.DatabaseError as exc:
            raise CrmError(f"{source} could not be read whole ({exc}); nothing was restored") from None
        finally:
            reader.close()
        _check_whole(staging, source)
        if version < db.SCHEMA_VERSION:
            db.open_database(staging, backup_first=False)
            db.close_database()
        return version
    if start.lstrip()[:1] == b"{":
        from crm_tui.core.interop.backup.restore import restore_backup

        db.open_database(staging)
        try:
            with source.open(encoding="utf-8", errors="strict") as stream:
                restore_backup(stream)
        except UnicodeDecodeError:
            raise CrmError(f"{source} is not UTF-8 text, so not a JSON backup; nothing was restored") from None
        finally:
            db.close_database()
        return db.SCHEMA_VERSION
    raise CrmError(f"{source} is neither a crm-tui database nor a JSON backup; nothing was restored")


def _check_whole(staging: Path, source: Path) -> None:
    connection = sqlite3.connect(staging)
    try:
        problems = integrity_problems(connection, 1)
        if problems == ["ok"]:
            problems = broken_links(connection, 1) or problems
    finally:
        connection.close()
    if problems != ["ok"]:
        raise CrmError(f"{source} is damaged ({problems[0]}); nothing was restored")


def _counts(staging: Path) -> dict[str, int]:
    connection = sqlite3.connect(staging)
    try:
        return {noun: connection.execute(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0]
                for noun, table in _COUNTED}
    finally:
        connection.close()


def _replace_content(staging: Path, live: sqlite3.Connection) -> None:
    """Copy `staging` over the live database in one write transaction. In WAL mode the backup API needs both to
    have one page size, so the staged copy is rebuilt with the live one's first if they differ."""
    (page_size,) = live.execute("PRAGMA page_size").fetchone()
    staged = sqlite3.connect(staging)
    try:
        staged.execute("PRAGMA journal_mode = DELETE")
        if staged.execute("PRAGMA page_size").fetchone()[0] != page_size:
            staged.execute(f"PRAGMA page_size = {int(page_size)}")
            staged.execute("VACUUM")
        staged.backup(live)
    finally:
        staged.close()


def _move_damaged_aside(db_path: Path, folder: Path, moment: datetime) -> Path | None:
    """Keep a database that cannot be opened (and its -wal and -shm, which belong to it alone) as it was."""
    if not db_path.exists():
        return None
    aside = _stamped(folder, BEFORE_RESTORE, moment)
    for end in ("", "-wal", "-shm"):
        part = db_path.with_name(db_path.name + end)
        if part.exists():
            os.replace(part, aside.with_name(aside.name + end))
    return aside
