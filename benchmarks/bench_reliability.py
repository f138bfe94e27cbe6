"""Reliability, the long way: what tests/reliability checks in seconds, run for minutes, with the figures printed
as a table of tries and failures.

    python benchmarks/bench_reliability.py                      # 60 s of writers, 100 kills each, 10,000 fuzzed lines
    python benchmarks/bench_reliability.py --seconds 10 --kills 10 --fuzz 1000

- writers: four writer processes and a reader on one database (tests/reliability/writers.py), against one writer
  alone for the same time as the baseline: writes, "database is locked" errors, and writes reported but missing.
- kill -9 during `import` of 20,000 rows at a random moment: afterwards integrity_check, and all or nothing.
- kill -9 during `export --format json --output` over a good backup: afterwards the old file or a whole new one.
- kill -9 during `restore` and during a schema migration: afterwards integrity_check, and the old or the new whole.
- fuzzed command lines in-process: how many ended in a traceback rather than 0, 1 or 2.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITERS = ROOT / "tests" / "reliability" / "writers.py"
IMPORT_ROWS = 20_000
GROWN_CONTACTS = 150_000
sys.path.insert(0, str(WRITERS.parent))
from old_schema import FIXTURE_CONTACTS, grow_v1  # noqa: E402  (the tests' helper, found beside writers.py)

from crm_tui.core.db import SCHEMA_VERSION  # noqa: E402


def crm(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "crm_tui", *arguments]


def kill_9_during(command: list[str], after: float) -> None:
    """Start `command`, and kill -9 it `after` seconds later (or find it ended)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    process.wait()


def run_writers(path: Path, seconds: float, count: int) -> dict:
    from crm_tui.core import contacts
    from crm_tui.core.db import close_database, open_database

    open_database(path)
    shared = contacts.create(contacts.ContactDraft(first_name="Shared")).id
    close_database()
    runs = [subprocess.Popen([sys.executable, str(WRITERS), f"writer{n}", str(path), str(seconds), str(shared)],
                             stdout=subprocess.PIPE, text=True) for n in range(count)]
    runs.append(subprocess.Popen([sys.executable, str(WRITERS), "reader", str(path), str(seconds)],
                                 stdout=subprocess.PIPE, text=True))
    *writers, reader = [json.loads(run.communicate()[0]) for run in runs]
    created = [i for report in writers for i in report["created"]]
    logged = [i for report in writers for i in report["logged"]]
    edits = sum(report["edits"] for report in writers)
    connection = sqlite3.connect(path)
    try:
        found = connection.execute(f"SELECT count(*) FROM contact WHERE id IN ({','.join(map(str, created))})"
                                   ).fetchone()[0] if created else 0
        found += connection.execute(f"SELECT count(*) FROM activity WHERE id IN ({','.join(map(str, logged))})"
                                    ).fetchone()[0] if logged else 0
        version = connection.execute("SELECT version FROM contact WHERE id = ?", (shared,)).fetchone()[0]
    finally:
        connection.close()
    return {"writes": len(created) + len(logged) + edits, "locked": sum(r["locked"] for r in writers),
            "errors": sum(len(r["errors"]) for r in writers), "conflicts": sum(r["conflicts"] for r in writers),
            "lost": len(created) + len(logged) - found + (1 + edits - version), "reads": reader["reads"]}


def integrity_and_count(path: Path) -> tuple[str, int]:
    connection = sqlite3.connect(path)
    try:
        return (connection.execute("PRAGMA integrity_check").fetchone()[0],
                connection.execute("SELECT count(*) FROM contact").fetchone()[0])
    finally:
        connection.close()


def kill_imports(folder: Path, kills: int, rng: random.Random) -> dict:
    people = folder / "people.csv"
    people.write_text("first_name,last_name,emails\r\n" + "".join(
        f"Person{n},Lee,p{n}@example.com\r\n" for n in range(IMPORT_ROWS)), encoding="utf-8")
    started = time.monotonic()
    subprocess.run(crm("--db", str(folder / "timing.sqlite3"), "import", str(people)), check=True,
                   capture_output=True)
    seconds = time.monotonic() - started
    failures = partial = 0
    for kill in range(kills):
        path = folder / f"kill-{kill}.sqlite3"
        subprocess.run(crm("--db", str(path), "info"), check=True, capture_output=True)
        kill_9_during(crm("--db", str(path), "import", str(people)), rng.uniform(0, seconds))
        integrity, count = integrity_and_count(path)
        failures += integrity != "ok" or count not in (0, IMPORT_ROWS)
        partial += count == 0
        path.unlink()
    return {"tries": kills, "failures": failures, "killed before the commit": partial}


def kill_exports(folder: Path, kills: int, rng: random.Random) -> dict:
    database = folder / "export.sqlite3"
    subprocess.run(crm("--db", str(database), "demo", "--contacts", "5000"), check=True, capture_output=True)
    target = folder / "backup.json"
    old = b'{"format": "an older backup, still good"}'
    command = crm("--db", str(database), "export", "--format", "json", "--output", str(target), "--force")
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.monotonic() - started
    failures = kept_old = 0
    for _ in range(kills):
        target.write_bytes(old)
        kill_9_during(command, rng.uniform(0, seconds))
        now = target.read_bytes()
        try:
            whole = now == old or json.loads(now)["format"] == "crm-tui-backup"
        except ValueError:
            whole = False
        failures += not whole
        kept_old += now == old
    return {"tries": kills, "failures": failures, "old file kept": kept_old}


def kill_restores(folder: Path, kills: int, rng: random.Random) -> dict:
    """kill -9 during `restore` of a 150,003-contact database over one of a single contact."""
    from crm_tui.core.db import close_database, open_database

    source = folder / "restore-source.sqlite3"
    in_all = grow_v1(source, GROWN_CONTACTS)
    open_database(source, backup_first=False)
    close_database()
    single = folder / "single.sqlite3"
    subprocess.run(crm("--db", str(single), "contacts", "add", "--first", "Ann"), check=True, capture_output=True)
    live = folder / "live.sqlite3"
    started = time.monotonic()
    shutil.copyfile(single, live)
    subprocess.run(crm("--db", str(live), "restore", str(source)), check=True, capture_output=True)
    seconds = time.monotonic() - started
    failures = kept_old = 0
    for _ in range(kills):
        shutil.rmtree(folder / "live.sqlite3.backups", ignore_errors=True)
        for leftover in (live, *(live.with_name(live.name + end) for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(single, live)
        kill_9_during(crm("--db", str(live), "restore", str(source)), rng.uniform(0, seconds))
        integrity, count = integrity_and_count(live)
        failures += integrity != "ok" or count not in (1, in_all)
        kept_old += count == 1
    return {"tries": kills, "failures": failures, "old kept": kept_old, "seconds": seconds}


def time_backups(folder: Path) -> dict:
    """`crm-tui backup` of a 150,003-contact database, against copying its file (the baseline), and while four
    writers work: their writes and any "database is locked" they met."""
    from crm_tui.core.db import close_database, open_database

    path = folder / "backed-up.sqlite3"
    grow_v1(path, GROWN_CONTACTS)
    open_database(path, backup_first=False)
    close_database()
    started = time.monotonic()
    shutil.copyfile(path, folder / "plain-copy.sqlite3")
    copied = time.monotonic() - started
    started = time.monotonic()
    subprocess.run(crm("--db", str(path), "backup", "--output", str(folder / "backup.sqlite3")), check=True,
                   capture_output=True)
    backed_up = time.monotonic() - started
    runs = [subprocess.Popen([sys.executable, str(WRITERS), f"writer{n}", str(path), "10", "1"],
                             stdout=subprocess.PIPE, text=True) for n in range(4)]
    during = 0
    while any(run.poll() is None for run in runs):
        subprocess.run(crm("--db", str(path), "backup"), check=True, capture_output=True)
        during += 1
    reports = [json.loads(run.communicate()[0]) for run in runs]
    return {"seconds": backed_up, "copy seconds": copied, "size": path.stat().st_size, "during": during,
            "writes": sum(len(r["created"]) + len(r["logged"]) + r["edits"] for r in reports),
            "locked": sum(r["locked"] for r in reports), "errors": sum(len(r["errors"]) for r in reports)}


def kill_migrations(folder: Path, kills: int, rng: random.Random) -> dict:
    """kill -9 while a schema-1 database of 150,003 contacts is migrated to the current schema."""
    template = folder / "v1-template.sqlite3"
    in_all = grow_v1(template, GROWN_CONTACTS)
    path = folder / "v1.sqlite3"
    shutil.copyfile(template, path)
    started = time.monotonic()
    subprocess.run(crm("--db", str(path), "info"), check=True, capture_output=True)
    seconds = time.monotonic() - started
    failures = stayed = 0
    for _ in range(kills):
        for old in folder.glob("v1.sqlite3*"):
            old.unlink()
        shutil.copyfile(template, path)
        kill_9_during(crm("--db", str(path), "info"), rng.uniform(0, seconds))
        integrity, count = integrity_and_count(path)
        backups_whole = all(integrity_and_count(backup) == ("ok", in_all)
                            for backup in folder.glob("v1.sqlite3.v1-*.bak"))
        failures += integrity != "ok" or count != in_all or not backups_whole
        connection = sqlite3.connect(path)
        stayed += connection.execute("PRAGMA user_version").fetchone()[0] == 1
        connection.close()
    return {"tries": kills, "failures": failures, "stayed at v1": stayed, "seconds": seconds}


FUZZ_WORDS = ["contacts", "companies", "deals", "show", "edit", "delete", "list", "--limit", "move", "won", "log",
              "call", "--contact", "tasks", "history", "trash", "purge", "--older-than", "merge", "search", "import",
              "undo", "tags", "rename", "--value", "--title", "add", "1", "#1", "0", "-1", "9223372036854775808",
              "1" * 25, "", "1.500", "\udcff", "ann\x1b[31m", "--json", "x" * 300, "backup", "--list", "restore",
              "check", "--repair", "\x00"]


def fuzz_command_lines(folder: Path, cases: int, rng: random.Random) -> dict:
    from crm_tui.cli import main
    from crm_tui.core import contacts
    from crm_tui.core.db import close_database, open_database

    database = folder / "fuzz.sqlite3"
    open_database(database)
    contacts.create(contacts.ContactDraft(first_name="Ann"))
    close_database()
    tracebacks = []
    skipped = {"serve", "users", "demo", "export", "import"}  # servers, slow fills and files: their own checks
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for _ in range(cases):
            words = [rng.choice(FUZZ_WORDS) for _ in range(rng.randint(1, 5))]
            if not words[0].isalpha() or words[0] in skipped:
                words.insert(0, "contacts")
            try:
                code = main(["--db", str(database), *words])
                if code not in (0, 1, 2):
                    tracebacks.append((words, code))
            except BaseException as exc:  # the figure this counts
                tracebacks.append((words, repr(exc)))
    return {"tries": cases, "failures": len(tracebacks), "first": tracebacks[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--fuzz", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=16)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        baseline = run_writers(folder / "alone.sqlite3", options.seconds, 1)
        contended = run_writers(folder / "four.sqlite3", options.seconds, 4)
        imports = kill_imports(folder, options.kills, rng)
        exports = kill_exports(folder, options.kills, rng)
        restores = kill_restores(folder, options.kills, rng)
        migrations = kill_migrations(folder, options.kills, rng)
        backups = time_backups(folder)
        fuzzed = fuzz_command_lines(folder, options.fuzz, rng)
    print("| test | tries | failures |\n|---|---|---|")
    print(f"| 1 writer alone for {options.seconds:.0f} s (baseline) | {baseline['writes']:,} writes | "
          f"{baseline['locked']} locked, {baseline['lost']} lost, {baseline['errors']} other errors |")
    print(f"| 4 writers and a reader for {options.seconds:.0f} s | {contended['writes']:,} writes "
          f"({contended['conflicts']:,} edit conflicts answered), {contended['reads']:,} reads | "
          f"{contended['locked']} locked, {contended['lost']} lost, {contended['errors']} other errors |")
    print(f"| kill -9 during `import` of {IMPORT_ROWS:,} rows | {imports['tries']} | {imports['failures']} "
          f"(integrity ok and all or nothing; {imports['killed before the commit']} killed before the commit) |")
    print(f"| kill -9 during `export --output` over a good backup | {exports['tries']} | {exports['failures']} "
          f"(the old file {exports['old file kept']} times, else a whole new one) |")
    print(f"| kill -9 during `restore` of {GROWN_CONTACTS + FIXTURE_CONTACTS:,} contacts over 1 "
          f"({restores['seconds']:.1f} s whole) | {restores['tries']} | {restores['failures']} (integrity ok and the "
          f"old database {restores['old kept']} times, else the whole new one) |")
    print(f"| kill -9 during a migration v1→v{SCHEMA_VERSION} of {GROWN_CONTACTS + FIXTURE_CONTACTS:,} contacts "
          f"({migrations['seconds']:.1f} s whole) | {migrations['tries']} | {migrations['failures']} (integrity ok, "
          f"every contact, backups whole; {migrations['stayed at v1']} stayed at v1) |")
    size = backups["size"] / 1_048_576
    print(f"| `crm-tui backup` of {GROWN_CONTACTS + FIXTURE_CONTACTS:,} contacts ({size:.0f} MiB)"
          f" | {backups['seconds']:.2f} s (a plain file copy: {backups['copy seconds']:.2f} s) | |")
    print(f"| {backups['during']} backups while 4 writers work for 10 s | {backups['writes']:,} writes | "
          f"{backups['locked']} locked, {backups['errors']} other errors |")
    print(f"| fuzzed command lines | {fuzzed['tries']:,} | {fuzzed['failures']} tracebacks |")
    if fuzzed["first"]:
        print("first tracebacks:", fuzzed["first"])


if __name__ == "__main__":
    main()
