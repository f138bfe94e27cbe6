"""The `crm-tui` command: the CRM's services from the shell, one subcommand a verb.

Exit codes: 0 ok, 1 a user error (`error: <message>` on stderr), 2 a usage error. `--json` gives machine-readable
output everywhere. With no subcommand, the full-screen app starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import peewee

from crm_tui import __version__
from crm_tui.cli.commands import activities as cli_activities
from crm_tui.cli.commands import deals as cli_deals
from crm_tui.cli.commands import duplicates as cli_duplicates
from crm_tui.cli.commands import history as cli_history
from crm_tui.cli.commands import interop as cli_interop
from crm_tui.cli.commands import merge as cli_merge
from crm_tui.cli.commands import remote as cli_remote
from crm_tui.cli.commands import search as cli_search
from crm_tui.cli.output import Output, fit
from crm_tui.config import default_db_path, ssh_user
from crm_tui.core import companies, contacts, info
from crm_tui.core.contacts import tags
from crm_tui.core.errors import CrmError
from crm_tui.core.text import fold

CONTACT_FIELDS = {
    "first": "first_name", "last": "last_name", "display_name": "display_name", "title": "title",
    "company": "company", "street": "street", "city": "city", "region": "region", "postal_code": "postal_code",
    "country": "country", "birthday": "birthday", "note": "notes", "keep_in_touch": "keep_in_touch_days",
}
COMPANY_FIELDS = ("name", "domain", "phone", "address", "notes")
# Each module adds its subcommands (`add_parsers(sub, common)`) and names what runs them (`RUNNERS`).
COMMAND_MODULES = (cli_deals, cli_activities, cli_interop, cli_merge, cli_duplicates, cli_history, cli_search,
                   cli_remote)


def _common() -> argparse.ArgumentParser:
    """Options every subcommand also accepts after its name, e.g. `contacts list --json`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="database file (default: per-user)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    return common


def _contact_options(parser: argparse.ArgumentParser, editing: bool) -> None:
    for flag, name in CONTACT_FIELDS.items():
        parser.add_argument(f"--{flag.replace('_', '-')}", dest=name, metavar="TEXT")
    parser.add_argument("--email", action="append", dest="emails", metavar="EMAIL", help="repeat for several")
    parser.add_argument("--phone", action="append", dest="phones", metavar="PHONE", help="repeat for several")
    parser.add_argument("--tag", action="append", dest="tags", metavar="TAG", help="repeat for several")
    parser.add_argument("--set", action="append", dest="custom", metavar="KEY=VALUE", help="a custom field")
    if editing:
        parser.add_argument("--add-tag", action="append", default=[], metavar="TAG")
        parser.add_argument("--remove-tag", action="append", default=[], metavar="TAG")


def _record_verbs(sub, noun: str, common, add_options, sorts: Sequence[str]) -> None:
    group = sub.add_parser(noun, help=f"list, add, show, edit, delete, restore and purge {noun}", parents=[common])
    verbs = group.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", parents=[common], help=f"list {noun}; all of them unless --limit")
    listing.add_argument("--search", metavar="Q")
    listing.add_argument("--sort", choices=sorts, default="name")
    listing.add_argument("--limit", type=int, metavar="N")
    listing.add_argument("--trash", action="store_true", help="list what is in the trash")
    if noun == "contacts":
        listing.add_argument("--tag", metavar="TAG")
    add = verbs.add_parser("add", parents=[common], help=f"add one of the {noun}")
    add_options(add, False)
    for verb in ("show", "edit", "delete", "restore", "purge"):
        what = "remove one from the trash for good" if verb == "purge" else f"{verb} one by id"
        parser = verbs.add_parser(verb, parents=[common], help=what)
        parser.add_argument("id", type=int)
        if verb == "edit":
            add_options(parser, True)


def _company_options(parser: argparse.ArgumentParser, editing: bool) -> None:
    for name in COMPANY_FIELDS:
        parser.add_argument(f"--{name}", metavar="TEXT")


def build_parser(parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The command line's parser; its subcommands' parsers are of `parser_class` too (the remote policy's is quiet)."""
    common = _common()
    parser = parser_class(
        prog="crm-tui", description="A keyboard-first CRM for the terminal. Without a command, the app opens.",
    )
    parser.add_argument("--db", type=Path, help="database file (default: $CRM_TUI_DB or the per-user data dir)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--version", action="version", version=f"crm-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("info", parents=[common], help="database path, schema version and counts")
    demo = sub.add_parser("demo", parents=[common], help="fill the database with realistic demo data")
    demo.add_argument("--contacts", type=int, default=500, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument("--force", action="store_true", help="add demo data even if the database holds records")
    _record_verbs(sub, "contacts", common, _contact_options, contacts.SORTS)
    _record_verbs(sub, "companies", common, _company_options, companies.SORTS)
    for module in COMMAND_MODULES:
        module.add_parsers(sub, common)
    tag_group = sub.add_parser("tags", parents=[common], help="list, rename and delete tags")
    tag_verbs = tag_group.add_subparsers(dest="verb", required=True, metavar="VERB")
    tag_verbs.add_parser("list", parents=[common], help="every tag with its number of contacts")
    rename = tag_verbs.add_parser("rename", parents=[common], help="rename a tag")
    rename.add_argument("old")
    rename.add_argument("new")
    tag_verbs.add_parser("delete", parents=[common], help="remove a tag from every contact").add_argument("name")
    return parser


def _contact_line(contact: contacts.ContactData) -> str:
    email = contact.emails[0] if contact.emails else ""
    phone = contact.phones[0] if contact.phones else ""
    return f"{contact.id:>7}  {fit(contact.name, 26)}  {fit(email, 30)}  {fit(phone, 18)}  {contact.company or ''}"


def _contact_text(contact: contacts.ContactData) -> list[str]:
    lines = [f"{contact.name}  (#{contact.id}, version {contact.version})"]
    pairs = [
        ("title", contact.title), ("company", contact.company or ""), ("emails", ", ".join(contact.emails)),
        ("phones", ", ".join(contact.phones)), ("tags", ", ".join(contact.tags)),
        ("address", ", ".join(p for p in (contact.street, contact.postal_code, contact.city, contact.region,
                                          contact.country) if p)),
        ("birthday", contact.birthday), ("notes", contact.notes),
        ("keep in touch", f"every {contact.keep_in_touch_days} days" if contact.keep_in_touch_days else ""),
        *((f"{key}", value) for key, value in contact.custom.items()),
        ("created", contact.created_at), ("updated", contact.updated_at), ("in trash since", contact.deleted_at or ""),
    ]
    return lines + [f"  {label + ':':<16}{value}" for label, value in pairs if value]


def _company_line(company: companies.CompanyData) -> str:
    return f"{company.id:>7}  {fit(company.name, 34)}  {fit(company.domain, 24)}  {company.contacts_count:>6} contacts"


def _company_text(company: companies.CompanyData) -> list[str]:
    lines = [f"{company.name}  (#{company.id}, version {company.version})"]
    pairs = [(name, getattr(company, name)) for name in ("domain", "phone", "address", "notes")]
    pairs += [("contacts", str(company.contacts_count)), ("created", company.created_at),
              ("updated", company.updated_at), ("in trash since", company.deleted_at or "")]
    return lines + [f"  {label + ':':<16}{value}" for label, value in pairs if value]


def _custom_fields(pairs: list[str] | None) -> dict[str, str]:
    custom = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CrmError(f"--set takes KEY=VALUE, not {pair!r}")
        custom[key.strip()] = value
    return custom


def _contact_changes(args: argparse.Namespace, current: contacts.ContactData | None) -> dict:
    changes = {name: getattr(args, name) for name in CONTACT_FIELDS.values() if getattr(args, name) is not None}
    for name in ("emails", "phones", "tags"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if current is not None:
        if args.add_tag or args.remove_tag:
            removed = {fold(name) for name in args.remove_tag}
            kept = list(changes.get("tags", current.tags)) + args.add_tag
            changes["tags"] = [name for name in kept if fold(name) not in removed]
    if args.custom:
        base = dict(current.custom) if current else {}
        changes["custom"] = {**base, **_custom_fields(args.custom)}
    return changes


def _run_record_verb(args: argparse.Namespace, out: Output, service, noun: str, filters: dict, new, changes,
                     line, text) -> None:
    """list/add/show/edit/delete/restore/purge, the same for every kind of record."""
    if args.verb == "list":
        items = service.iterate(sort=args.sort, text=args.search, trash=args.trash, limit=args.limit, **filters)
        out.rows(items, asdict, line)
    elif args.verb == "add":
        created = new()
        out.record(asdict(created), [str(created.id)])
    elif args.verb == "show":
        record = service.get(args.id, include_deleted=True)
        out.record(asdict(record), text(record))
    elif args.verb == "edit":
        current = service.get(args.id)
        updated = service.update(args.id, current.version, **changes(current))
        out.record(asdict(updated), text(updated))
    else:
        operation, state = {"delete": (service.delete, "moved to the trash"), "restore": (service.restore, "restored"),
                            "purge": (service.purge, "purged")}[args.verb]
        operation(args.id)
        out.record({"id": args.id, "status": state}, [f"{noun} {args.id} {state}"])


def _run_contacts(args: argparse.Namespace, out: Output) -> None:
    _run_record_verb(
        args, out, contacts, "contact", {"tag": getattr(args, "tag", None)},
        new=lambda: contacts.create(contacts.ContactDraft(**_contact_changes(args, None))),
        changes=lambda current: _contact_changes(args, current), line=_contact_line, text=_contact_text,
    )


def _run_companies(args: argparse.Namespace, out: Output) -> None:
    values = {name: getattr(args, name, None) for name in COMPANY_FIELDS}
    values = {name: value for name, value in values.items() if value is not None}
    _run_record_verb(
        args, out, companies, "company", {}, new=lambda: companies.create(values), changes=lambda current: values,
        line=_company_line, text=_company_text,
    )


def _run_tags(args: argparse.Namespace, out: Output) -> None:
    if args.verb == "list":
        out.rows(tags.list_tags(), asdict, lambda tag: f"{fit(tag.name, 30)}  {tag.contacts_count:>7}")
    elif args.verb == "rename":
        renamed = tags.rename(args.old, args.new)
        out.record(asdict(renamed), [f"renamed {args.old!r} to {renamed.name!r}"])
    else:
        tags.delete(args.name)
        out.record({"name": args.name, "status": "deleted"}, [f"tag {args.name!r} deleted"])


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


def _run_info(args: argparse.Namespace, out: Output, opened) -> None:
    facts = info.describe(opened)
    out.record(facts, [f"{key + ':':<18}{value}" for key, value in info.flatten(facts)])


def _run_on_database(args: argparse.Namespace, out: Output, db_path: Path) -> None:
    from crm_tui.core.db import close_database, open_database

    opened = open_database(db_path)
    try:
        runners = {"contacts": _run_contacts, "companies": _run_companies, "tags": _run_tags, "demo": _run_demo}
        for module in COMMAND_MODULES:
            runners.update(module.RUNNERS)
        runner = runners.get(args.command)
        if runner is None:
            _run_info(args, out, opened)
        else:
            runner(args, out)
    finally:
        close_database()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command `argv` (default: this process's command line); with none, the app.

    Run by sshd as `ForceCommand crm-tui`, with no arguments, it runs what the client asked for (SSH_ORIGINAL_COMMAND)
    under the same rules as the built-in SSH server (remote/exec_policy.py).
    """
    forced = os.environ.get("SSH_ORIGINAL_COMMAND", "")
    if argv is None and not sys.argv[1:] and forced.strip():
        from crm_tui.cli.remote_policy import remote_arguments

        try:
            argv = remote_arguments(forced)
        except CrmError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    from crm_tui.core.records import set_remote_user, set_source

    set_remote_user(ssh_user())
    db_path = getattr(args, "db", None) or default_db_path()
    if args.command is None:
        from crm_tui.ui.app import run_app

        return run_app(db_path)
    out = Output(bool(getattr(args, "json", False)))
    set_source("cli")
    try:
        if args.command in cli_remote.NEEDS_NO_DATABASE:  # the SSH server's own commands
            cli_remote.RUNNERS[args.command](args, out)
        else:
            _run_on_database(args, out, db_path)
    except CrmError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except peewee.DatabaseError as exc:
        print(f"error: the database {db_path} could not be used: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        sys.stderr.close()
    except OSError as exc:  # a file to import, export or read a key from that cannot be used; a port taken
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    return 0
