"""`crm-tui import` and `crm-tui export`: CSV, vCard and the JSON backup, from and to files or standard output.

Imports print a summary (created, updated, skipped, rejected, the batch id); `--dry-run` prints what each row would
become and writes nothing. Rows that cannot be imported go to `<file>.rejects.csv` beside the input; from standard
input (`import -`), to `stdin.rejects.csv` in the current directory, or over SSH in the user's files folder.
Progress goes to stderr while it is a terminal. The readers and writers live in core/interop and load only when used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from crm_tui.cli.arguments import file_path
from crm_tui.cli.output import Output
from crm_tui.core.errors import CrmError
from crm_tui.core.files import atomic_text_file
from crm_tui.core.interop.detect import BOM_ENCODINGS, FORMATS, detect_format
from crm_tui.core.text import fit

ENTITIES = {"contacts": "contact", "companies": "company", "deals": "deal", "activities": "activity"}
PROGRESS_EVERY_SECONDS = 0.5
STDIN = "-"


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    """The `import` and `export` commands, added to the top-level subparsers of cli.build_parser."""
    importing = sub.add_parser(
        "import", parents=[common], help="import a CSV, vCard or JSON backup file; `import list`, `import undo B`",
        description="crm-tui import FILE [options] | crm-tui import - --format F [options] | crm-tui import list | "
                    "crm-tui import undo BATCH",
    )
    importing.add_argument("target", metavar="FILE|-|list|undo",
                           help="the file to import (- for standard input, with --format), or list, or undo")
    importing.add_argument("batch", nargs="?", metavar="BATCH", help="with undo: the batch id (or its start)")
    importing.add_argument("--format", choices=FORMATS, help="default: from the file's name and first bytes")
    importing.add_argument("--entity", choices=list(ENTITIES), default="contacts", help="what the file holds")
    importing.add_argument("--mode", choices=("create", "upsert", "skip"), default="create",
                           help="create: add every row; upsert: update what matches, add the rest; "
                                "skip: add only what matches nothing")
    importing.add_argument("--map", action="append", default=[], metavar="COL=FIELD",
                           help="map a CSV column to a field (or to custom:KEY, or to ignore); repeat")
    importing.add_argument("--dry-run", action="store_true", help="say what each row would become; write nothing")
    exporting = sub.add_parser("export", parents=[common], help="export records as CSV, vCard or a JSON backup")
    exporting.add_argument("--format", choices=FORMATS, required=True,
                           help="csv, vcard (contacts only) or json, a backup of everything (required)")
    exporting.add_argument("--entity", choices=list(ENTITIES), default="contacts",
                           help="for CSV (vCard is contacts; the JSON backup is everything)")
    exporting.add_argument("--output", type=file_path, metavar="FILE",
                           help="default: standard output; written whole or not at all, readable by you only")
    exporting.add_argument("--force", action="store_true", help="replace FILE if it exists")
    exporting.add_argument("--vcard-version", choices=("4.0", "3.0"), default="4.0",
                           help="with --format vcard: the vCard version to write (default: %(default)s)")



class Progress:
    """`12,000 rows · 4,100 rows/s` on stderr, rewritten in place, while stderr is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty()
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if self.shown and now - self.last >= PROGRESS_EVERY_SECONDS:
            self.last = now
            rate = rows / max(now - self.started, 1e-6)
            self.stream.write(f"\r{rows:,} rows · {rate:,.0f} rows/s ")
            self.stream.flush()

    def say(self, line: str) -> None:
        """A line on the same stream, above the progress line rather than over it."""
        self.done()
        self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.shown and self.last:
            self.stream.write("\r\033[K")
            self.stream.flush()


def run_import(args: argparse.Namespace, out: Output) -> None:
    from crm_tui.core.audit import batches

    if args.target == "list" and args.batch is None:
        out.rows(batches.list_batches(), batches.BatchInfo.as_json, _batch_line)
        return
    if args.target == "undo" and args.batch is not None:
        description = batches.undo_import(args.batch)
        out.record({"undone": description}, [description])
        return
    if args.batch is not None:
        raise CrmError(f"unexpected {args.batch!r}: import takes one FILE (or `list`, or `undo BATCH`)")
    if args.target == STDIN:
        _import_stdin(args, out)
        return
    from crm_tui.config import rejects_location

    path = Path(args.target)
    if not path.is_file():
        raise CrmError(f"{path} is not a file (to import one; `crm-tui import list` lists the imports)")
    _import_file(path, args, out, str(path), rejects_location(path))


def _import_stdin(args: argparse.Namespace, out: Output) -> None:
    """`import -`: what comes on standard input (`ssh host import - --format csv < people.csv`), spooled to a file
    and imported as one. Over SSH the spool and the rejects live in the user's files folder; else the spool is a
    temporary file and the rejects go to the current directory (or, if it may not be written, the data dir)."""
    from crm_tui.config import ready_files_dir, rejects_location

    if args.format is None:
        raise CrmError(f"import - needs --format ({', '.join(FORMATS)}): standard input has no file name to tell it by")
    folder = ready_files_dir()
    rejects_to = rejects_location(Path("stdin")).absolute()
    handle, spooled = tempfile.mkstemp(prefix=".stdin-", suffix=".import", dir=folder)
    try:
        with os.fdopen(handle, "wb") as spool:
            shutil.copyfileobj(sys.stdin.buffer, spool)
        _import_file(Path(spooled), args, out, "stdin", rejects_to)
    finally:
        os.unlink(spooled)


def _import_file(path: Path, args: argparse.Namespace, out: Output, source: str, rejects_to: Path) -> None:
    """Import the file at `path`, named `source` in the import list, its rejected rows written to `rejects_to`."""
    fmt = args.format or detect_format(path)
    entity = ENTITIES[args.entity]
    if fmt == "json":
        _restore(path, args, out)
        return
    from crm_tui.core.interop.importer import run_import as import_rows

    progress = Progress()

    def told(outcome) -> None:
        """A dry run says what becomes of every row; an import names the rows it rejects, on stderr."""
        if args.dry_run:
            print(outcome.line())
        elif outcome.action == "reject":
            progress.say(outcome.line())

    with _rows(path, fmt, entity, args.map) as rows:
        summary = import_rows(
            rows, source=source, fmt=fmt, entity=entity, mode=args.mode, dry_run=args.dry_run,
            rejects_to=rejects_to, on_outcome=None if args.dry_run and out.as_json else told,
            on_progress=progress,
        )
    progress.done()
    out.record(summary.as_json(), summary.lines())


@contextmanager
def _rows(path: Path, fmt: str, entity: str, mapped: list[str]) -> Iterator:
    """The file's rows as SourceRows, read as they are imported."""
    if fmt == "vcard":
        if entity != "contact":
            raise CrmError("a vCard file holds contacts: leave out --entity, or give --entity contacts")
        from crm_tui.core.interop.csv.read import sniff
        from crm_tui.core.interop.vcard.read import read_vcards

        # The encoding as for a CSV file (a BOM, UTF-16, else UTF-8, else Windows-1252): a vCard 2.1 file saved
        # by an old Windows program without quoted-printable still reads with its accents.
        fmt = sniff(path)
        encoding = BOM_ENCODINGS.get(fmt.encoding, fmt.encoding) if fmt.has_bom else fmt.encoding
        with path.open(encoding=encoding, errors="replace", newline="") as stream:
            yield read_vcards(stream)
        return
    from crm_tui.core.interop.csv import read as csv_read
    from crm_tui.core.interop.csv.mapping import CUSTOM_PREFIX

    fmt, mapping = csv_read.plan(path, entity, _overrides(mapped))
    if mapping.unmatched and entity == "contact":
        kept = {column: f"{CUSTOM_PREFIX}{column}" for column in mapping.unmatched}
        mapping = mapping.with_columns(entity, kept)
        print(f"note: kept as custom fields, as no field matches them: {_some(list(kept))} "
              "(--map \"COLUMN=FIELD\" places one, COLUMN=ignore drops it)", file=sys.stderr)
    elif mapping.unmatched:
        print(f"note: not imported, as no field matches them: {_some(list(mapping.unmatched))} "
              "(--map \"COLUMN=FIELD\" places one)", file=sys.stderr)
    yield csv_read.read_csv(path, entity, mapping, fmt)


def _overrides(mapped: list[str]) -> dict[str, str | None]:
    """`--map COL=FIELD` as {column: field}; `ignore` (or nothing after =) leaves a column out."""
    result: dict[str, str | None] = {}
    for item in mapped:
        column, equals, field = item.partition("=")
        if not equals or not column.strip():
            raise CrmError(f"--map {item!r}: write it as COLUMN=FIELD, e.g. --map \"E-mail=emails\"")
        result[column.strip()] = None if field.strip() in ("", "ignore") else field.strip()
    return result


def _restore(path: Path, args: argparse.Namespace, out: Output) -> None:
    from crm_tui.core.interop.backup.restore import restore_backup

    if args.dry_run or args.mode != "create":
        raise CrmError("a JSON backup restores whole into an empty database; --dry-run and --mode do not apply")
    with path.open(encoding="utf-8") as stream:
        summary = restore_backup(stream)
    out.record(summary.as_json(), summary.lines())


def _batch_line(batch) -> str:
    state = f"undone {batch.undone_at[:16]}" if batch.undone_at else ""
    return (f"{batch.id[:12]}  {batch.started_at[:16].replace('T', ' ')}  {fit(batch.source, 28)}  "
            f"{batch.format:<5} {batch.entity:<8} {batch.mode:<6}  +{batch.created:,} ~{batch.updated:,} "
            f"-{batch.skipped:,} !{batch.rejected:,}  {state}").rstrip()


_NAMED_COLUMNS = 12


def _some(columns: list[str]) -> str:
    """Column names for a note: the first dozen, then how many more, so that a file of 100,000 columns is one line."""
    if len(columns) <= _NAMED_COLUMNS:
        return ", ".join(columns)
    return f"{', '.join(columns[:_NAMED_COLUMNS])} and {len(columns) - _NAMED_COLUMNS:,} more"


def run_export(args: argparse.Namespace, out: Output) -> None:
    entity = ENTITIES[args.entity]
    if args.format == "vcard" and entity != "contact":
        raise CrmError("vCard holds contacts only: use --entity contacts, or --format csv for other records")
    writer = _writer(args.format, entity, args.vcard_version)
    if args.output is None:
        writer(sys.stdout)
        return
    try:
        with atomic_text_file(args.output, replace=args.force) as target:
            writer(target)
    except FileExistsError as exc:
        raise CrmError(f"{args.output} exists; add --force to replace it") from exc
    print(f"wrote {args.output}", file=sys.stderr)


def _writer(fmt: str, entity: str, vcard_version: str) -> Callable[[TextIO], object]:
    if fmt == "json":
        from crm_tui.core.interop.backup.write import write_backup

        return write_backup
    if fmt == "vcard":
        from crm_tui.core import contacts
        from crm_tui.core.interop.vcard.write import write_vcards

        return lambda target: write_vcards(contacts.iterate(), target, vcard_version)
    from crm_tui.core.interop.csv import write as csv_write

    return lambda target: csv_write.export(entity, target)


RUNNERS = {"import": run_import, "export": run_export}
