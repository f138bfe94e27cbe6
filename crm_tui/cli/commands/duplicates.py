"""`crm-tui duplicates`: groups of contacts that are probably one person, and "not a duplicate" for a pair.

`duplicates` scans every live contact (core/duplicates/groups.py) and prints each group with its score, the contacts'
ids and names, and why they were grouped; `--json` gives a list of objects. `duplicates dismiss A B` says two
contacts are different people, so no scan pairs them again; `duplicates undismiss A B` takes that back.
Merging a group is `crm-tui merge`.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from crm_tui.cli.arguments import count, record_id
from crm_tui.cli.output import Output
from crm_tui.core.errors import CrmError

NOTHING_FOUND = "No likely duplicates."


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    """The `duplicates` command, added to the top-level subparsers of cli.build_parser."""
    group = sub.add_parser(
        "duplicates", parents=[common], help="find contacts that are probably one person; dismiss a pair",
        description="crm-tui duplicates [--min-score N] [--limit N] | crm-tui duplicates dismiss|undismiss ID ID",
    )
    group.add_argument("--min-score", type=count, default=0, metavar="N",
                       help="only groups scoring N or more (100 same email, 90 same phone, 70-95 similar names)")
    group.add_argument("--limit", type=count, metavar="N", help="at most N groups, strongest first")
    verbs = group.add_subparsers(dest="verb", metavar="VERB")
    for verb, what in (("dismiss", "two contacts are not the same person: never pair them again"),
                       ("undismiss", "let the scan pair two dismissed contacts again")):
        parser = verbs.add_parser(verb, parents=[common], help=what)
        parser.add_argument("ids", nargs=2, type=record_id, metavar="ID", help="the two contacts' ids: 12 or #12")


def _group_lines(group) -> str:
    pairs = zip(group.contact_ids, group.names, strict=False)
    members = ", ".join(f"#{contact_id} {name}" for contact_id, name in pairs)
    return "\n".join([f"{group.score:>3}  {members}", *(f"     {reason}" for reason in group.reasons)])


def _progress(stage: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\r\033[Kscanning {stage}: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)


def run_duplicates(args: argparse.Namespace, out: Output) -> None:
    from crm_tui.core import duplicates  # numpy and rapidfuzz load when someone scans, not with every command

    if args.verb is not None:
        first, second = args.ids
        if args.verb == "dismiss":
            changed = duplicates.dismiss(first, second)
            state = "dismissed" if changed else "already dismissed"
        else:
            changed = duplicates.undismiss(first, second)
            state = "undismissed" if changed else "not dismissed"
        out.record({"ids": [first, second], "status": state, "changed": changed},
                   [f"contacts {first} and {second}: {state}"])
        return
    if args.limit is not None and args.limit < 1:
        raise CrmError("--limit must be at least 1")
    found = duplicates.scan(on_progress=_progress)
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    shown = [group for group in found if group.score >= args.min_score][:args.limit]
    out.rows(shown, asdict, _group_lines)
    if not shown and not out.as_json:
        print(NOTHING_FOUND)


RUNNERS = {"duplicates": run_duplicates}
