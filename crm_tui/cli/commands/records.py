"""`crm-tui contacts` and `crm-tui companies`: list, add, show, edit, delete, restore and purge, the same verbs for
both kinds of record."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import asdict

from crm_tui.cli.arguments import count, record_id
from crm_tui.cli.output import Output
from crm_tui.core import companies, contacts
from crm_tui.core.errors import CrmError
from crm_tui.core.text import fit, fold

CONTACT_FIELDS = {
    "first": "first_name", "last": "last_name", "display_name": "display_name", "title": "title",
    "company": "company", "street": "street", "city": "city", "region": "region", "postal_code": "postal_code",
    "country": "country", "birthday": "birthday", "note": "notes", "keep_in_touch": "keep_in_touch_days",
}
CONTACT_HELP = {
    "first": "first name", "last": "last name", "display_name": "the name shown instead of the first and last name",
    "title": "job title", "company": "the company of this name (ignoring case and accents), added if there is none",
    "street": "street address", "city": "city", "region": "region, state or province", "postal_code": "postal code",
    "country": "country", "birthday": "YYYY-MM-DD, or MM-DD without a year", "note": "notes",
    "keep_in_touch": "how often to be in touch, in days: 1 to 3650",
}
COMPANY_FIELDS = ("name", "domain", "phone", "address", "notes")
COMPANY_HELP = {"name": "the company's name", "domain": "web domain such as example.com", "phone": "phone number",
                "address": "postal address", "notes": "notes"}
SINGULAR = {"contacts": "contact", "companies": "company"}
# The sorts as `--sort`'s help names them; one not here by its name alone.
SORT_HELP = {"company": "company (then name)", "updated": "updated (the latest change first)"}


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    _record_verbs(sub, "contacts", common, _contact_options, contacts.SORTS)
    _record_verbs(sub, "companies", common, _company_options, companies.SORTS)


def _contact_options(parser: argparse.ArgumentParser, editing: bool) -> None:
    for flag, name in CONTACT_FIELDS.items():
        parser.add_argument(f"--{flag.replace('_', '-')}", dest=name, metavar="TEXT",
                            help=CONTACT_HELP[flag] + ("; empty clears it" if editing else ""))
    parser.add_argument("--email", action="append", dest="emails", metavar="EMAIL", help="repeat for several")
    parser.add_argument("--phone", action="append", dest="phones", metavar="PHONE", help="repeat for several")
    parser.add_argument("--tag", action="append", dest="tags", metavar="TAG", help="repeat for several")
    parser.add_argument("--set", action="append", dest="custom", metavar="KEY=VALUE", help="a custom field")
    if not editing:
        parser.add_argument("--if-new", action="store_true",
                            help="add only if no one in the CRM is likely the same person (same email, phone, or name "
                                 "at the company); else print that contact's id")
    if editing:
        parser.add_argument("--add-tag", action="append", default=[], metavar="TAG",
                            help="add a tag, keeping the others; repeat for several")
        parser.add_argument("--remove-tag", action="append", default=[], metavar="TAG",
                            help="remove a tag (ignoring case and accents), keeping the others; repeat for several")


def _record_verbs(sub, noun: str, common, add_options, sorts: Sequence[str]) -> None:
    group = sub.add_parser(noun, help=f"list, add, show, edit, delete, restore and purge {noun}", parents=[common])
    verbs = group.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", parents=[common], help=f"list {noun}; all of them unless --limit")
    searched = ("names, emails, phones, companies, tags, titles and notes" if noun == "contacts"
                else "names, domains and notes")
    listing.add_argument("--search", metavar="Q",
                         help=f"only those with every word of Q (as the start of a word) in their {searched}")
    orders = [SORT_HELP.get(sort, sort) for sort in sorts]
    listing.add_argument("--sort", choices=sorts, default="name",
                         help=f"{', '.join(orders[:-1])} or {orders[-1]}; default: %(default)s")
    listing.add_argument("--limit", type=count, metavar="N", help="list at most N")
    listing.add_argument("--trash", action="store_true", help="list what is in the trash")
    if noun == "contacts":
        listing.add_argument("--tag", metavar="TAG", help="only contacts with this tag (ignoring case and accents)")
    add = verbs.add_parser("add", parents=[common], help=f"add one of the {noun}")
    add_options(add, False)
    for verb in ("show", "edit", "delete", "restore", "purge"):
        what = "remove one from the trash for good" if verb == "purge" else f"{verb} one by id"
        parser = verbs.add_parser(verb, parents=[common], help=what)
        parser.add_argument("id", type=record_id, help=f"the {SINGULAR[noun]}'s id: 12 or #12")
        if verb == "edit":
            add_options(parser, True)


def _company_options(parser: argparse.ArgumentParser, editing: bool) -> None:
    for name in COMPANY_FIELDS:
        if name == "name":
            suffix = "" if editing else " (required)"
        else:
            suffix = "; empty clears it" if editing else ""
        parser.add_argument(f"--{name}", metavar="TEXT", help=COMPANY_HELP[name] + suffix)


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


def _add_contact(args: argparse.Namespace) -> contacts.ContactData:
    """Add the contact the options describe; a contact likely the same person is named on stderr, as the app's form
    warns, and with --if-new that contact is given instead of adding another."""
    from crm_tui.core.duplicates.check import likely_duplicates

    draft = contacts.validate(contacts.ContactDraft(**_contact_changes(args, None)))
    found = likely_duplicates(draft)
    if found and args.if_new:
        print(f"not added: {found[0].name} #{found[0].contact_id} is likely the same person ({found[0].reason})",
              file=sys.stderr)
        return contacts.get(found[0].contact_id)
    created = contacts.create(draft)
    for duplicate in found:
        print(f"warning: {duplicate.name} #{duplicate.contact_id} may be the same person ({duplicate.reason}); "
              f"`crm-tui merge {duplicate.contact_id} {created.id}` merges them", file=sys.stderr)
    return created


def _run_contacts(args: argparse.Namespace, out: Output) -> None:
    _run_record_verb(
        args, out, contacts, "contact", {"tag": getattr(args, "tag", None)},
        new=lambda: _add_contact(args),
        changes=lambda current: _contact_changes(args, current), line=_contact_line, text=_contact_text,
    )


def _run_companies(args: argparse.Namespace, out: Output) -> None:
    values = {name: getattr(args, name, None) for name in COMPANY_FIELDS}
    values = {name: value for name, value in values.items() if value is not None}
    _run_record_verb(
        args, out, companies, "company", {}, new=lambda: companies.create(values), changes=lambda current: values,
        line=_company_line, text=_company_text,
    )


RUNNERS = {"contacts": _run_contacts, "companies": _run_companies}
