"""`crm-tui backup`, `restore` and `check`: copies of the database to go back to, going back, and whether the
database is whole."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from crm_tui.cli.arguments import file_path
from crm_tui.cli.output import Output
from crm_tui.config import confined_path, is_default_db_path
from crm_tui.core import backups
from crm_tui.core.db import OpenDatabase
from crm_tui.core.errors import CrmError
from crm_tui.core.text import KIND_PLURALS, plural


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    backup = sub.add_parser("backup", parents=[common], help="copy the database, consistent even while it is in use",
                            description="Copy the database with SQLite's online backup API. Without --output the "
                                        "copy goes to the backups folder beside the database, where the app also "
                                        "keeps a copy a day (7 days and 4 weeks by default).")
    backup.add_argument("--output", type=file_path, metavar="FILE",
                        help="write the copy here instead (readable by you only)")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.add_argument("--list", action="store_true", help="list the backups in the backups folder")
    restore = sub.add_parser("restore", parents=[common], help="replace the database with a backup, keeping a copy "
                                                               "of it as it was",
                             description="Replace the database with FILE: a copy made by `crm-tui backup`, another "
                                         "crm-tui database or a JSON backup. FILE is checked whole first; the "
                                         "database as it was is kept in the backups folder.")
    restore.add_argument("file", type=file_path, metavar="FILE",
                         help="the backup to restore (`crm-tui backup --list` shows those in the backups folder)")
    check = sub.add_parser("check", parents=[common], help="check the database: integrity, references, search index")
    check.add_argument("--repair", action="store_true", help="rebuild the search index if it is out of step")


def _size(size_bytes: int) -> str:
    return f"{size_bytes / 1_048_576:,.1f} MiB" if size_bytes >= 1_048_576 else f"{size_bytes / 1024:,.0f} KiB"


def run_backup(args: argparse.Namespace, out: Output, opened: OpenDatabase) -> None:
    if args.list:
        found = backups.list_backups(opened.path)
        out.rows(found, lambda item: {"path": str(item.path), "kind": item.kind, "size_bytes": item.size_bytes},
                 lambda item: f"{item.path.name:<44} {_size(item.size_bytes):>12}")
        if not found and not out.as_json:
            print(f"no backups yet in {backups.backups_folder(opened.path)}")
        return
    if args.output is not None:
        made = backups.copy_database(confined_path(str(args.output)), replace=args.force)
    else:
        made = backups.make_backup(opened.path, datetime.now())
    out.record({"path": str(made.path), "size_bytes": made.size_bytes},
               [f"backed up to {made.path} ({_size(made.size_bytes)})"])


def run_restore(args: argparse.Namespace, out: Output, db_path: Path) -> None:
    if not args.file.exists():
        raise CrmError(f"{args.file} does not exist; `crm-tui backup --list` shows the backups there are")
    summary = backups.restore(db_path, args.file, datetime.now(), make_folders=is_default_db_path(db_path))
    kinds = {nouns: kind for kind, nouns in KIND_PLURALS.items()}
    counts = ", ".join(plural(count, kinds[nouns], nouns) for nouns, count in summary.counts.items())
    kept = (f"; the database as it was is kept in {summary.safety_copy}" if summary.safety_copy
            else "")
    out.record({"restored_from": summary.restored_from, "schema_version": summary.schema_version,
                "counts": summary.counts, "safety_copy": summary.safety_copy},
               [f"restored {db_path} from {summary.restored_from}: {counts}{kept}"])


def run_check(args: argparse.Namespace, out: Output) -> None:
    from crm_tui.core.check import check_database

    report = check_database(repair=args.repair)
    damaged = report.integrity != ["ok"]
    index_wrong = [plural(count, kind, KIND_PLURALS[kind]) for kind, count in report.search_index.items() if count]
    not_read = "not checked: the file is damaged"
    index_state = f"{', '.join(index_wrong)} out of step" if index_wrong else "ok"
    lines = [f"integrity:     {'; '.join(report.integrity)}",
             f"references:    {not_read if damaged else '; '.join(report.foreign_keys) or 'ok'}",
             f"search index:  {not_read if damaged else index_state}"]
    if report.repaired:
        lines.append("repaired:      search index rebuilt, where " + ", ".join(
            plural(count, kind, KIND_PLURALS[kind]) for kind, count in report.repaired.items()) + " were out of step")
    out.record({"ok": report.ok, "integrity": report.integrity, "foreign_keys": report.foreign_keys,
                "search_index": report.search_index, "repaired": report.repaired}, lines)
    if report.ok:
        return
    if damaged or report.foreign_keys:
        raise CrmError("the database is damaged: restore a backup (`crm-tui backup --list` shows them, then "
                       "`crm-tui restore FILE`)")
    raise CrmError("the search index is out of step with the records: `crm-tui check --repair` rebuilds it")


RUNNERS = {"check": run_check}
