"""`crm-tui tags`: list, rename and delete the tags on contacts."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from crm_tui.cli.output import Output
from crm_tui.core.contacts import tags
from crm_tui.core.text import fit


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    tag_group = sub.add_parser("tags", parents=[common], help="list, rename and delete tags")
    tag_verbs = tag_group.add_subparsers(dest="verb", required=True, metavar="VERB")
    tag_verbs.add_parser("list", parents=[common], help="every tag with its number of contacts")
    rename = tag_verbs.add_parser("rename", parents=[common], help="rename a tag")
    rename.add_argument("old", help="the tag's name now (ignoring case and accents)")
    rename.add_argument("new", help="its new name")
    tag_verbs.add_parser("delete", parents=[common], help="remove a tag from every contact").add_argument(
        "name", help="the tag's name (ignoring case and accents)")


def _run_tags(args: argparse.Namespace, out: Output) -> None:
    if args.verb == "list":
        out.rows(tags.list_tags(), asdict, lambda tag: f"{fit(tag.name, 30)}  {tag.contacts_count:>7}")
    elif args.verb == "rename":
        renamed = tags.rename(args.old, args.new)
        out.record(asdict(renamed), [f"renamed {args.old!r} to {renamed.name!r}"])
    else:
        tags.delete(args.name)
        out.record({"name": args.name, "status": "deleted"}, [f"tag {args.name!r} deleted"])


RUNNERS = {"tags": _run_tags}
