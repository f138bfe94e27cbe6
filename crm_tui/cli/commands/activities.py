"""`crm-tui log`, `tasks`, `activities` and `agenda`: calls, meetings, emails, notes and tasks from the shell.

Times are typed as people say them (core/when.py: "yesterday 15:00", "fri 10am", "+3d", "2026-12-01"), stored in
UTC and printed in local time. A bare day means the start of that local day for `--at` and `--since`, and the end
of it (23:59 local) for `--due`: a task due "today" is due today, not overdue since midnight.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from crm_tui.cli.arguments import count, record_id
from crm_tui.cli.output import Output
from crm_tui.core import activities
from crm_tui.core.activities import listing as activity_list
from crm_tui.core.activities.listing import ActivityFilter
from crm_tui.core.activities.service import ActivityData
from crm_tui.core.models import format_timestamp
from crm_tui.core.text import fit
from crm_tui.core.when import instant, local_time

AGENDA_SHOWN = ("Overdue", "Today")
EMPTY_AGENDA = "Nothing overdue or due today."


def _links(parser: argparse.ArgumentParser, what: str) -> None:
    for noun in ("contact", "company", "deal"):
        parser.add_argument(f"--{noun}", dest=f"{noun}_id", type=record_id, metavar="ID", help=f"{what} {noun}")


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    """The `log`, `tasks`, `activities` and `agenda` commands, added to the top-level subparsers of cli.build_parser."""
    log = sub.add_parser("log", parents=[common], help="log a call, meeting, email or note")
    log.add_argument("--kind", choices=activities.LOGGED_KINDS, required=True, help="what it was (required)")
    log.add_argument("--subject", metavar="TEXT", required=True, help="what it was about (required)")
    log.add_argument("--body", metavar="TEXT", help="the details")
    _links(log, "linked to a")
    log.add_argument("--at", metavar="WHEN", help='when it happened, e.g. "yesterday 15:00" (default: now)')

    tasks = sub.add_parser("tasks", parents=[common], help="add, list and complete tasks")
    verbs = tasks.add_subparsers(dest="verb", required=True, metavar="VERB")
    add = verbs.add_parser("add", parents=[common], help="add a task")
    add.add_argument("--subject", metavar="TEXT", required=True, help="what is to be done (required)")
    add.add_argument("--due", metavar="WHEN", help='e.g. "fri 10am", "+3d"; a bare day means its end')
    add.add_argument("--body", metavar="TEXT", help="the details")
    _links(add, "linked to a")
    listing = verbs.add_parser("list", parents=[common], help="list tasks, soonest due first (default: open ones)")
    state = listing.add_mutually_exclusive_group()
    state.add_argument("--open", dest="state", action="store_const", const="open", help="open tasks (default)")
    state.add_argument("--done", dest="state", action="store_const", const="done", help="done tasks")
    listing.add_argument("--limit", type=count, metavar="N", help="list at most N")
    for verb, what in (("done", "mark a task done"), ("undone", "open a done task again")):
        verbs.add_parser(verb, parents=[common], help=what).add_argument(
            "id", type=record_id, help="the task's id: 12 or #12")

    logged = sub.add_parser("activities", parents=[common], help="list logged activities")
    logged_verbs = logged.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = logged_verbs.add_parser("list", parents=[common], help="list logged activities, newest first")
    _links(listing, "only those of this")
    listing.add_argument("--kind", choices=activities.LOGGED_KINDS, help="only activities of this kind")
    listing.add_argument("--since", metavar="WHEN", help='e.g. "-7d", "last mon", "2026-11-01"')
    listing.add_argument("--search", metavar="Q", help="in subjects and bodies")
    listing.add_argument("--limit", type=count, metavar="N", help="list at most N")

    sub.add_parser("agenda", parents=[common], help="open tasks overdue and due today")


# Times -------------------------------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _when(text: str, direction: str, field: str) -> datetime:
    return instant(text, _now(), direction=direction, field=field)



# Lines -------------------------------------------------------------------------------------------------------


def _linked(activity: ActivityData) -> str:
    names = [activity.contact, activity.company, f"deal: {activity.deal}" if activity.deal else None]
    return ", ".join(name for name in names if name)


def _activity_line(activity: ActivityData) -> str:
    return (f"{activity.id:>7}  {local_time(activity.occurred_at)}  {activity.kind:<7}  {fit(activity.name, 34)}  "
            f"{_linked(activity)}").rstrip()


def _task_line(task: ActivityData) -> str:
    mark = "[x]" if task.done_at else "[ ]"
    due = local_time(task.due_at) or "no due date"
    return f"{task.id:>7}  {mark}  {due:<16}  {fit(task.name, 34)}  {_linked(task)}".rstrip()


# Running -----------------------------------------------------------------------------------------------------


def _values(args: argparse.Namespace, **extra) -> dict:
    values = {name: getattr(args, name) for name in ("subject", "body", "contact_id", "company_id", "deal_id")}
    return {name: value for name, value in {**values, **extra}.items() if value is not None}


def run_log(args: argparse.Namespace, out: Output) -> None:
    occurred = _when(args.at, "past", "--at") if args.at is not None else None
    created = activities.create(_values(args, kind=args.kind, occurred_at=occurred))
    out.record(created.as_json(), [str(created.id)])


def run_tasks(args: argparse.Namespace, out: Output) -> None:
    if args.verb == "add":
        due = _when(args.due, "future", "--due") if args.due is not None else None
        created = activities.create(_values(args, kind=activities.TASK, due_at=due))
        out.record(created.as_json(), [str(created.id)])
    elif args.verb == "list":
        wanted = ActivityFilter(tasks=args.state or "open")
        out.rows(activity_list.iterate(wanted, sort="due", limit=args.limit), ActivityData.as_json, _task_line)
    else:
        task = activities.set_done(args.id, args.verb == "done")
        out.record(task.as_json(), [_task_line(task)])


def run_activities(args: argparse.Namespace, out: Output) -> None:
    wanted = ActivityFilter(
        kinds=(args.kind,) if args.kind else None, contact_id=args.contact_id, company_id=args.company_id,
        deal_id=args.deal_id, since=format_timestamp(_when(args.since, "past", "--since")) if args.since else None,
        text=args.search or "",
    )
    out.rows(activity_list.iterate(wanted, sort="recent", limit=args.limit), ActivityData.as_json, _activity_line)


def run_agenda(args: argparse.Namespace, out: Output) -> None:
    groups = [group for group in activity_list.agenda(_now()) if group.title in AGENDA_SHOWN]
    found = [(group, list(activity_list.iterate(group.filter, sort="due")) if group.count else [])
             for group in groups]
    data = [{"title": group.title, "count": len(tasks), "tasks": [task.as_json() for task in tasks]}
            for group, tasks in found]
    lines = []
    for group, tasks in found:
        if tasks:
            lines.append(f"{group.title} ({len(tasks)})")
            lines += [f"  {local_time(task.due_at)}  #{task.id}  {task.name}  {_linked(task)}".rstrip()
                      for task in tasks]
    out.record(data, lines or [EMPTY_AGENDA])


RUNNERS = {"log": run_log, "tasks": run_tasks, "activities": run_activities, "agenda": run_agenda}
