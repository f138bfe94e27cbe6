"""`crm-tui undo`, `redo`, `history` and `trash`: the audit log and the trash from the shell."""

from __future__ import annotations

import argparse

from crm_tui.cli.arguments import count, record_id
from crm_tui.cli.output import Output
from crm_tui.core.audit import history, trash, undo
from crm_tui.core.errors import CrmError
from crm_tui.core.text import fit, plural

HISTORY_ENTITIES = ("contact", "company", "deal", "activity")
# The KIND of `trash restore|purge KIND ID`, by verb.
TRASH_ONE_HELP = {"restore": "the kind of record to bring back",
                  "purge": "the kind of record to purge (leave it and the id out with --older-than or --all)"}


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    sub.add_parser("undo", parents=[common], help="undo the last change not undone yet; again to go further back")
    sub.add_parser("redo", parents=[common], help="take back the last undo (until something new is changed)")
    shown = sub.add_parser("history", parents=[common], help="every change to one record: when, what, from where")
    shown.add_argument("id", type=record_id, help="the record's id: 12 or #12")
    shown.add_argument("--entity", choices=HISTORY_ENTITIES, default="contact", help="what ID is (default contact)")
    shown.add_argument("--limit", type=count, default=200, metavar="N",
                       help="at most N changes, newest first (default: %(default)s)")
    bin_ = sub.add_parser("trash", parents=[common], help="list, restore and purge deleted records of every kind")
    verbs = bin_.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", parents=[common], help="what is in the trash, newest first")
    listing.add_argument("--kind", choices=trash.KINDS, action="append", help="only these kinds (repeatable)")
    listing.add_argument("--limit", type=count, default=100, metavar="N", help="at most N (default: %(default)s)")
    for verb, what in (("restore", "bring one record back"), ("purge", "remove records in the trash for good")):
        one = verbs.add_parser(verb, parents=[common], help=what)
        one.add_argument("kind", nargs="?", choices=trash.KINDS, help=TRASH_ONE_HELP[verb])
        one.add_argument("id", nargs="?", type=record_id, help="its id: 12 or #12")
        if verb == "purge":
            one.add_argument("--older-than", type=count, metavar="DAYS", help="everything deleted more than DAYS ago")
            one.add_argument("--all", action="store_true", help="everything in the trash (needs --yes)")
            one.add_argument("--yes", action="store_true", help="purge without asking: nothing can bring it back")


def run_undo(args: argparse.Namespace, out: Output) -> None:
    description = undo.undo_last()
    out.record({"undone": description}, [description])


def run_redo(args: argparse.Namespace, out: Output) -> None:
    description = undo.redo_last()
    out.record({"redone": description}, [description])


def run_history(args: argparse.Namespace, out: Output) -> None:
    if args.limit < 1:
        raise CrmError("--limit must be at least 1")
    entries = history.record_history(args.entity, args.id, args.limit)
    lines = []
    for entry in entries:
        where = " · ".join(part for part in (entry.source, entry.actor) if part)
        undone = "  (undone)" if entry.undone else ""
        shown_where = f"  [{where}]" if where else ""
        lines.append(f"{entry.at[:19].replace('T', ' ')} UTC  {entry.action}{undone}{shown_where}")
        lines += [f"    {item.field + ':':<16}{fit(item.old or '—', 30)} → {item.new or '—'}" for item in entry.fields]
    out.record([entry.as_json() for entry in entries], lines or [f"no changes logged for {args.entity} {args.id}"])


def run_trash(args: argparse.Namespace, out: Output) -> None:
    if args.verb == "list":
        records = trash.list_trashed(tuple(args.kind or trash.KINDS), limit=args.limit)
        out.rows(records, lambda record: record.__dict__,
                 lambda record: f"{record.kind:<9}{record.id:>7}  {fit(record.name, 36)}  "
                                f"deleted {record.deleted_at[:16].replace('T', ' ')} UTC")
        return
    if args.verb == "restore":
        kind, record_id = _one(args)
        trash.restore(kind, record_id)
        out.record({"kind": kind, "id": record_id, "status": "restored"}, [f"{kind} {record_id} restored"])
        return
    _purge(args, out)


def _one(args: argparse.Namespace) -> tuple[str, int]:
    if args.kind is None or args.id is None:
        raise CrmError(f"trash {args.verb} needs a KIND ({', '.join(trash.KINDS)}) and an ID")
    return args.kind, args.id


def _purge(args: argparse.Namespace, out: Output) -> None:
    if args.older_than is None and not args.all:
        kind, record_id = _one(args)
        trash.purge(kind, record_id)
        out.record({"kind": kind, "id": record_id, "status": "purged"}, [f"{kind} {record_id} purged for good"])
        return
    if args.kind is not None or args.id is not None:
        raise CrmError("give either KIND ID, or --older-than DAYS, or --all")
    if args.all and not args.yes:
        waiting = sum(trash.count_trashed().values())
        raise CrmError(f"this purges {plural(waiting, 'record')} in the trash for good; add --yes to do it")
    purged = trash.purge_older_than(0 if args.all else args.older_than)
    parts = ", ".join(f"{count:,} {kind}" for kind, count in purged.items() if count)
    out.record({"purged": purged},
               [f"purged {plural(sum(purged.values()), 'record')} for good" + (f" ({parts})" if parts else "")])


RUNNERS = {"undo": run_undo, "redo": run_redo, "history": run_history, "trash": run_trash}
