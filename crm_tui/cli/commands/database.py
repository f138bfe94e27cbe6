"""`crm-tui info` and `crm-tui demo`: what a database holds, and filling it with demo data."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from crm_tui.cli.arguments import count, whole_number
from crm_tui.cli.output import Output
from crm_tui.core import info
from crm_tui.core.db import OpenDatabase


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    sub.add_parser("info", parents=[common], help="database path, schema version and counts")
    demo = sub.add_parser("demo", parents=[common], help="fill the database with realistic demo data")
    demo.add_argument("--contacts", type=count, default=500, metavar="N",
                      help="how many contacts to make, at least 1; companies, deals and activities come in proportion "
                           "(default: %(default)s)")
    demo.add_argument("--seed", type=whole_number, default=1, metavar="S",
                      help="seed of the random choices: the same seed gives the same data (default: %(default)s)")
    demo.add_argument("--force", action="store_true", help="add demo data even if the database holds records")


def _run_demo(args: argparse.Namespace, out: Output) -> None:
    from crm_tui.core import demo

    def progress(stage: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{stage}: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

    summary = demo.fill(args.contacts, args.seed, args.force, on_progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    out.record(asdict(summary), [
        f"added {summary.contacts:,} contacts, {summary.companies:,} companies, {summary.deals:,} deals and "
        f"{summary.activities:,} activities (batch {summary.batch_id})"
    ])


def run_info(args: argparse.Namespace, out: Output, opened: OpenDatabase) -> None:
    """`info` is told which database was opened: its path, schema version and size are part of the answer."""
    facts = info.describe(opened)
    out.record(facts, [f"{key + ':':<18}{value}" for key, value in info.flatten(facts)])


RUNNERS = {"demo": _run_demo}
