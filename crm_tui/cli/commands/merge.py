"""`crm-tui merge KEEP_ID OTHER_ID...`: merge duplicate contacts into the one kept.

`--dry-run` prints the preview (each field's value and the others on offer, the merged lists, what moves) and
writes nothing; `--pick FIELD=ID` takes a field from another contact. The merge itself is one change, so
`crm-tui undo` takes it back whole.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict

from crm_tui.cli.arguments import record_id
from crm_tui.cli.output import Output
from crm_tui.core.contacts.service import ADDRESS_FIELDS
from crm_tui.core.duplicates import merge
from crm_tui.core.errors import CrmError
from crm_tui.core.text import fit

LABEL_WIDTH = 20
VALUE_WIDTH = 40


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "merge", parents=[common], help="merge duplicate contacts into one; --dry-run to preview",
        description="Merge OTHER_ID... into KEEP_ID: fields keep KEEP_ID's values unless picked, emails, phones, "
                    "tags and custom fields are combined, notes joined, deals and activities moved, and the others "
                    "go to the trash. `crm-tui undo` takes the whole merge back.",
    )
    parser.add_argument("keep", type=record_id, metavar="KEEP_ID", help="the contact that stays")
    parser.add_argument("others", type=record_id, nargs="+", metavar="OTHER_ID", help="the contacts merged into it")
    parser.add_argument("--pick", action="append", default=[], metavar="FIELD=ID",
                        help="take FIELD (e.g. company, address, custom:KEY) from contact ID; repeat")
    parser.add_argument("--dry-run", action="store_true", help="show what the merge would do; write nothing")


def parse_picks(pairs: list[str]) -> dict[str, int]:
    picks: dict[str, int] = {}
    for pair in pairs:
        field, sep, ref = pair.partition("=")
        contact = ref.strip().removeprefix("#")
        if not sep or not field.strip() or not contact.isdigit():
            raise CrmError(f"--pick takes FIELD=ID, such as company=12, not {pair!r}")
        picks[field.strip()] = int(contact)
    return picks


def _json_value(field: str, value):
    return dict(zip(ADDRESS_FIELDS, value, strict=False)) if field == merge.ADDRESS and value is not None else value


def plan_json(plan: merge.MergePlan) -> dict:
    return {
        "dry_run": True, "keep": plan.keep.id, "merged": list(plan.merged_ids),
        "fields": [{
            "field": choice.field, "chosen": choice.chosen, "value": _json_value(choice.field, choice.value),
            "options": [{"contact_id": contact_id, "value": _json_value(choice.field, value)}
                        for contact_id, value in choice.options],
        } for choice in plan.fields],
        "result": asdict(plan.result), "deals_moved": plan.deals_moved, "activities_moved": plan.activities_moved,
    }


def _who(plan: merge.MergePlan) -> str:
    return ", ".join(f"#{other.id} {other.name}" for other in plan.others)


def _moves(deal_count: int, activity_count: int) -> str:
    activity_noun = "activity" if activity_count == 1 else "activities"
    return f"{deal_count} deal{'s' * (deal_count != 1)} and {activity_count} {activity_noun}"


def _notes_by_contact(plan: merge.MergePlan) -> dict[int, str]:
    """Each contact whose notes the merged notes take in, with those notes (the same notes twice count once)."""
    found: dict[str, int] = {}
    for contact in (plan.keep, *plan.others):
        if contact.notes.strip():
            found.setdefault(contact.notes.strip(), contact.id)
    return {contact_id: notes for notes, contact_id in found.items()}


def plan_lines(plan: merge.MergePlan) -> list[str]:
    """The preview: each field's value and where it comes from, what else is on offer and how to pick it."""
    lines = [f"Merge {_who(plan)} into #{plan.keep.id} {plan.keep.name}:"]
    for choice in plan.fields:
        if choice.chosen is None:
            continue
        lines.append(f"  {fit(choice.field, LABEL_WIDTH)}{fit(merge.shown(choice.value), VALUE_WIDTH)}  "
                     f"from #{choice.chosen}")
        for contact_id, value in choice.options:
            if contact_id != choice.chosen:
                lines.append(f"  {'':<{LABEL_WIDTH}}{fit(merge.shown(value), VALUE_WIDTH)}  "
                             f"--pick {choice.field}={contact_id}")
    for name in ("emails", "phones", "tags"):
        values = getattr(plan.result, name)
        if values:
            lines.append(f"  {fit(name, LABEL_WIDTH)}{', '.join(values)}")
    label = "notes"
    for contact_id, notes in _notes_by_contact(plan).items():
        lines.append(f"  {fit(label, LABEL_WIDTH)}{fit(notes, VALUE_WIDTH)}  from #{contact_id}")
        label = ""
    lines.append(f"Moves {_moves(plan.deals_moved, plan.activities_moved)} to #{plan.keep.id}; "
                 f"{len(plan.others)} contact{'s' * (len(plan.others) != 1)} go{'es' * (len(plan.others) == 1)} "
                 "to the trash.")
    return lines


def _run_merge(args: argparse.Namespace, out: Output) -> None:
    picks = parse_picks(args.pick)
    if args.dry_run:
        plan = merge.plan_merge(args.keep, args.others, picks)
        out.record(plan_json(plan), [*plan_lines(plan), "Dry run: nothing was written."])
        return
    result = merge.merge(args.keep, args.others, picks)
    merged = ", ".join(f"#{contact_id}" for contact_id in result.merged_ids)
    out.record({
        "dry_run": False, "keep": result.contact.id, "merged": list(result.merged_ids),
        "deals_moved": result.deals_moved, "activities_moved": result.activities_moved,
        "batch_id": result.batch_id, "contact": asdict(result.contact),
    }, [
        f"Merged {merged} into #{result.contact.id} {result.contact.name}: moved "
        f"{_moves(result.deals_moved, result.activities_moved)}; the merged contacts are in the trash.",
        "`crm-tui undo` takes the whole merge back.",
    ])


RUNNERS = {"merge": _run_merge}
