"""`crm-tui search` (the full query language, see core/search/syntax.py) and `crm-tui searches` (saved ones).

    crm-tui search ann tag:vip -gmail            hits grouped by kind: contacts, companies, deals, activities, notes
    crm-tui search --save "VIPs" tag:vip         keep a query under a name (--replace to change one)
    crm-tui search --saved VIPs                  run a saved query
    crm-tui searches                             list saved searches (* = pinned on the contacts list)
    crm-tui searches delete|pin|unpin NAME
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from crm_tui.cli.arguments import count
from crm_tui.cli.output import Output
from crm_tui.core.errors import CrmError
from crm_tui.core.search import query as search_query, saved as saved_searches
from crm_tui.core.text import fit


class _QueryParser(argparse.ArgumentParser):
    """Takes `-word` (an exclusion) as part of the query, where argparse would call it an unknown option (and
    the words after it unknown arguments); an unknown `--option` is still an error."""

    def parse_known_args(self, args=None, namespace=None):
        parsed, extras = super().parse_known_args(args, namespace)
        parsed.query = [*parsed.query, *(arg for arg in extras if not arg.startswith("--"))]
        return parsed, [arg for arg in extras if arg.startswith("--")]


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    """The `search` and `searches` commands, added to the top-level subparsers of cli.build_parser."""
    found = sub.add_parser(
        "search", parents=[common], help="contacts, companies, deals, activities and notes at once",
        description="Words match as prefixes; \"an exact phrase\"; -word excludes; operators tag:, company:, "
                    "stage:, kind:, is:overdue|won|lost.",
    )
    found.__class__ = _QueryParser  # the subparsers action makes plain parsers; this one reads queries
    found.add_argument("query", nargs="*", metavar="QUERY",
                       help="words and operators as above; none with --saved NAME")
    found.add_argument("--limit", type=count, default=10, metavar="N", help="results per kind (default 10)")
    found.add_argument("--save", metavar="NAME", help="keep the query under NAME instead of running it")
    found.add_argument("--replace", action="store_true", help="with --save: replace the query of that name")
    found.add_argument("--saved", metavar="NAME", help="run the saved search NAME")
    kept = sub.add_parser("searches", parents=[common], help="list, delete, pin and unpin saved searches")
    verbs = kept.add_subparsers(dest="verb", metavar="VERB")
    verbs.add_parser("list", parents=[common], help="every saved search (the default)")
    for verb, what in (("delete", "delete a saved search"), ("pin", "pin it as a filter of the contacts list"),
                       ("unpin", "unpin it")):
        verbs.add_parser(verb, parents=[common], help=what).add_argument(
            "name", metavar="NAME", help="the saved search's name (ignoring case and accents)")


def _hit_line(hit: search_query.SearchHit) -> str:
    return f"{hit.kind:<9}{hit.id:>7}  {fit(hit.title, 40)}  {hit.detail}"


def _saved_line(saved: saved_searches.SavedSearchData) -> str:
    return f"{'*' if saved.pinned else ' '} {fit(saved.name, 30)}  {saved.query}"


def run_search(args: argparse.Namespace, out: Output) -> None:
    text = " ".join(args.query)
    if args.save is not None:
        if args.saved is not None:
            raise CrmError("give --save or --saved, not both")
        saved = saved_searches.save(args.save, text, replace=args.replace)
        out.record(asdict(saved), [f"saved {saved.name!r}: {saved.query}"])
        return
    if args.saved is not None:
        if text:
            raise CrmError("give a query or --saved NAME, not both")
        text = saved_searches.get(args.saved).query
    elif not text:
        raise CrmError("give a query, or --saved NAME")
    if args.limit < 1:
        raise CrmError("--limit must be at least 1")
    hits = search_query.search(text, args.limit)
    out.rows(hits, asdict, _hit_line)
    if not hits:
        print(f"no match for {text!r}", file=sys.stderr)


def run_searches(args: argparse.Namespace, out: Output) -> None:
    if args.verb in (None, "list"):
        out.rows(saved_searches.list_saved(), asdict, _saved_line)
    elif args.verb == "delete":
        saved_searches.delete(args.name)
        out.record({"name": args.name, "status": "deleted"}, [f"saved search {args.name!r} deleted"])
    else:
        saved = saved_searches.set_pinned(args.name, args.verb == "pin")
        state = "pinned" if saved.pinned else "unpinned"
        out.record(asdict(saved), [f"saved search {saved.name!r} {state}"])


RUNNERS = {"search": run_search, "searches": run_searches}
