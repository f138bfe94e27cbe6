"""Import and export benchmark: `crm-tui import` of a CSV of N contacts against raw `sqlite3.executemany` of the
same rows, then `crm-tui export` of them in each format.

    python benchmarks/bench_import.py                 # 200,000 contacts
    python benchmarks/bench_import.py --contacts 1000000

The contacts are bench_core's demo contacts (the same seed gives the same rows). Measured in one run:
- the baseline: raw `executemany` of every row an import stores (contacts, companies, emails, phones, tags, the
  history and the search index), built ahead so only the inserts are timed (bench_core.measure_baseline);
- the import: the CLI's path for `crm-tui import people.csv` (sniff, map, read, validate, match nothing, write one
  batch), in a fresh process, its wall time and peak RSS; then again with `--mode upsert` into the database that
  now holds them all (every row matches by email and holds nothing new), and at a quarter of N, to show that
  memory does not grow with the file;
- the export: `crm-tui export --format csv|vcard|json` of the N contacts, and of the quarter, each in a fresh
  process through the CLI, its wall time and peak RSS.
Never run by CI: timings on shared machines are noise, so nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench_core import STATEMENTS, draft_chunks, measure_baseline

from crm_tui.core.interop.csv.write import write_csv

CHILD = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from crm_tui.core.db import open_database
    from crm_tui.core.interop.csv import read as csv_read
    from crm_tui.core.interop.importer import run_import
    db, path, mode = sys.argv[1:4]
    open_database(db)
    started = time.perf_counter()
    summary = run_import(csv_read.read_file(path, "contact"), source=path, fmt="csv", entity="contact", mode=mode)
    seconds = time.perf_counter() - started
    peak = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024, "created": summary.created,
                      "updated": summary.updated, "skipped": summary.skipped, "rejected": summary.rejected}))
""")


EXPORT_CHILD = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from crm_tui.cli import main
    started = time.perf_counter()
    code = main(["--db", sys.argv[1], "export", "--format", sys.argv[2], "--output", sys.argv[3]])
    seconds = time.perf_counter() - started
    peak = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmHWM:"))
    print(json.dumps({"code": code, "seconds": seconds, "peak_mib": peak / 1024,
                      "size_mib": Path(sys.argv[3]).stat().st_size / 2**20}))
""")
FORMATS = ("csv", "vcard", "json")


def write_people(path: Path, total: int, seed: int) -> None:
    """The demo contacts as our CSV export writes them."""
    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv("contact", (draft for drafts in draft_chunks(total, seed) for draft in drafts), out)


def run_child(script: str, *args: object) -> dict:
    result = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def exports(db: Path, folder: Path) -> dict[str, dict]:
    return {fmt: run_child(EXPORT_CHILD, db, fmt, folder / f"{db.stem}-export.{fmt}") for fmt in FORMATS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        people, quarter = folder / "people.csv", folder / "quarter.csv"
        write_people(people, args.contacts, args.seed)
        write_people(quarter, args.contacts // 4, args.seed)
        baseline = measure_baseline(folder / "baseline.sqlite3", args.contacts, args.seed, STATEMENTS)
        created = run_child(CHILD, folder / "crm.sqlite3", people, "create")
        upserted = run_child(CHILD, folder / "crm.sqlite3", people, "upsert")
        small = run_child(CHILD, folder / "small.sqlite3", quarter, "create")
        exported, exported_small = exports(folder / "crm.sqlite3", folder), exports(folder / "small.sqlite3", folder)
        size_mib = people.stat().st_size / 2**20
    rate = args.contacts / baseline
    print(f"\nImport benchmark: {args.contacts:,} contacts, a {size_mib:,.0f} MiB CSV\n")
    print("| measure | contacts/s | × raw executemany | peak RSS | rows |")
    print("|---|---:|---:|---:|---|")
    print(f"| raw executemany of the same rows (baseline) | {rate:,.0f} | 1.00× | | |")
    for label, figures, total in (("`import` (create)", created, args.contacts),
                                  ("`import --mode upsert`, every row matching", upserted, args.contacts),
                                  (f"`import` (create), {args.contacts // 4:,} contacts", small, args.contacts // 4)):
        speed = total / figures["seconds"]
        print(f"| {label} | {speed:,.0f} | {speed / rate:.2f}× | {figures['peak_mib']:,.1f} MiB | "
              f"+{figures['created']:,} ~{figures['updated']:,} ={figures['skipped']:,} !{figures['rejected']:,} |")
    print(f"\nExport of the {args.contacts:,} contacts, and of {args.contacts // 4:,} (a quarter) for comparison\n")
    print("| format | contacts/s | peak RSS | file | quarter: contacts/s | quarter: peak RSS | RSS × quarter |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for fmt in FORMATS:
        large, quarter_figures = exported[fmt], exported_small[fmt]
        print(f"| {fmt} | {args.contacts / large['seconds']:,.0f} | {large['peak_mib']:,.1f} MiB | "
              f"{large['size_mib']:,.0f} MiB | {args.contacts // 4 / quarter_figures['seconds']:,.0f} | "
              f"{quarter_figures['peak_mib']:,.1f} MiB | {large['peak_mib'] / quarter_figures['peak_mib']:.2f}× |")


if __name__ == "__main__":
    main()
