"""`crm-tui deals ...` and `crm-tui pipelines ...`: the sales side of the CRM from the shell.

Pipelines and stages are named by name (ignoring case and accents) or by id; a stage always within one pipeline.
Positions count from 0. A deal in JSON is `DealData.as_json()`, so its value is a decimal string, never a float.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict

from crm_tui import config
from crm_tui.cli.arguments import count, position, record_id
from crm_tui.cli.output import Output
from crm_tui.core import deals, money
from crm_tui.core.deals import listing as deal_list, pipelines
from crm_tui.core.errors import CrmError, NotFoundError
from crm_tui.core.text import fit, fold, plural

# --flag: deals.FIELDS name
DEAL_OPTIONS = {
    "title": "title", "value": "value", "currency": "currency", "pipeline": "pipeline", "stage": "stage",
    "contact": "contact", "company": "company", "close": "expected_close", "note": "notes",
}
DEAL_HELP = {
    "title": "the deal's title", "value": "amount as typed: 1200.50, 12.500,50 or 12,500.50", "currency": "ISO code",
    "pipeline": "name or id", "stage": "name or id, of the deal's pipeline", "contact": "id (12 or #12) or exact name",
    "company": "id, or a name (created if new)", "close": "expected close date", "note": "notes",
}
ADD_DEFAULTS = {"currency": "the settings' currency", "pipeline": "the first one not archived",
                "stage": "its first stage"}
PIPELINE_HELP = "the pipeline: name or id"
# The last argument of `pipelines stages VERB P STAGE ...`, by verb.
STAGE_LAST_HELP = {"new": "the stage's new name", "probability": "win probability in percent, 0 to 100",
                   "position": "its place among the open stages; 0 is first"}
METAVARS = {"value": "AMOUNT", "currency": "CODE", "pipeline": "P", "stage": "S", "contact": "ID|NAME",
            "company": "ID|NAME", "close": "YYYY-MM-DD"}



def _deal_options(parser: argparse.ArgumentParser, adding: bool) -> None:
    for flag, field in DEAL_OPTIONS.items():
        help_text = DEAL_HELP.get(flag, "")
        if adding and flag in ADD_DEFAULTS:
            help_text += f" (default: {ADD_DEFAULTS[flag]})"
        if not adding and flag in ("contact", "company", "close", "note"):
            help_text += "; empty clears it"
        parser.add_argument(f"--{flag}", dest=field, metavar=METAVARS.get(flag, "TEXT"), help=help_text or None,
                            required=adding and flag in ("title", "value"))


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    """The `deals` and `pipelines` commands, added to the top-level subparsers of cli.build_parser."""
    group = sub.add_parser("deals", parents=[common], help="list, add, show, edit, move, close and delete deals")
    verbs = group.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", parents=[common], help="list deals; all of them unless --limit")
    listing.add_argument("--pipeline", metavar="P", help="name or id")
    listing.add_argument("--stage", metavar="S", help="name or id (name: give --pipeline if several have it)")
    listing.add_argument("--status", choices=deal_list.STATUSES, help="only deals of this status (default: any)")
    listing.add_argument("--search", metavar="Q", help="in titles, notes and company names")
    listing.add_argument("--sort", choices=deal_list.SORTS, default="close", help="default: close (soonest first)")
    listing.add_argument("--limit", type=count, metavar="N", help="list at most N")
    listing.add_argument("--trash", action="store_true", help="list what is in the trash")
    listing.add_argument("--contact", type=record_id, metavar="ID", help="only deals of this contact: 12 or #12")
    listing.add_argument("--company", type=record_id, metavar="ID", help="only deals of this company: 12 or #12")
    _deal_options(verbs.add_parser("add", parents=[common], help="add a deal"), adding=True)
    for verb, what in (("show", "show a deal and its stage history"), ("edit", "change a deal's fields"),
                       ("move", "move a deal to a stage of its pipeline"), ("won", "mark a deal won"),
                       ("lost", "mark a deal lost, with the reason"), ("delete", "move a deal to the trash"),
                       ("restore", "take a deal out of the trash"), ("purge", "remove a deal in the trash for good")):
        parser = verbs.add_parser(verb, parents=[common], help=what)
        parser.add_argument("id", type=record_id, help="the deal's id: 12 or #12")
        if verb == "edit":
            _deal_options(parser, adding=False)
        elif verb == "move":
            parser.add_argument("stage", metavar="STAGE", help="name or id")
        elif verb == "lost":
            parser.add_argument("--reason", required=True, metavar="R", help="why it was lost (required)")
    _pipeline_parsers(sub, common)


def _pipeline_parsers(sub, common: argparse.ArgumentParser) -> None:
    group = sub.add_parser("pipelines", parents=[common], help="list and manage pipelines and their stages")
    verbs = group.add_subparsers(dest="verb", required=True, metavar="VERB")
    verbs.add_parser("list", parents=[common], help="pipelines with their stages and deal counts").add_argument(
        "--all", action="store_true", help="archived pipelines too")
    add = verbs.add_parser("add", parents=[common], help="add a pipeline (default stages unless --stage)")
    add.add_argument("name", help="the new pipeline's name")
    add.add_argument("--stage", action="append", dest="stages", metavar="S", help="an open stage; repeat, in order")
    rename = verbs.add_parser("rename", parents=[common], help="rename a pipeline")
    rename.add_argument("pipeline", metavar="P", help=PIPELINE_HELP)
    rename.add_argument("new", metavar="NEW", help="its new name")
    move = verbs.add_parser("move", parents=[common], help="put a pipeline at a position (0 is first)")
    move.add_argument("pipeline", metavar="P", help=PIPELINE_HELP)
    move.add_argument("position", type=position, metavar="POSITION",
                      help="its place among all pipelines, archived ones too; 0 is first")
    verbs.add_parser("archive", parents=[common], help="hide a pipeline; its deals stay").add_argument(
        "pipeline", metavar="P", help=PIPELINE_HELP)
    verbs.add_parser("unarchive", parents=[common], help="bring an archived pipeline back").add_argument(
        "pipeline", metavar="P", help=PIPELINE_HELP)
    stages = verbs.add_parser("stages", parents=[common], help="add, rename, reorder and delete a pipeline's stages")
    stage_verbs = stages.add_subparsers(dest="stage_verb", required=True, metavar="VERB")
    stage_add = stage_verbs.add_parser("add", parents=[common], help="add an open stage (at the end unless --position)")
    stage_add.add_argument("pipeline", metavar="P", help=PIPELINE_HELP)
    stage_add.add_argument("name", metavar="NAME", help="the new stage's name")
    stage_add.add_argument("--probability", default="0", metavar="N", help="percent, 0 to 100 (default 0)")
    stage_add.add_argument("--position", type=position, metavar="N", help="among the open stages, 0 is first")
    for verb, last, what in (("rename", "new", "rename a stage"), ("probability", "probability", "set a stage's "
                             "win probability (percent)"), ("move", "position", "put an open stage at a position "
                             "among the open stages (0 is first)"), ("delete", None, "delete an open stage")):
        parser = stage_verbs.add_parser(verb, parents=[common], help=what)
        parser.add_argument("pipeline", metavar="P", help=PIPELINE_HELP)
        parser.add_argument("stage", metavar="STAGE", help="name or id")
        if last == "position":
            parser.add_argument("position", type=position, metavar="POSITION", help=STAGE_LAST_HELP[last])
        elif last:
            parser.add_argument(last, metavar=last.upper() if last == "new" else "N", help=STAGE_LAST_HELP[last])
        else:
            parser.add_argument("--move-deals-to", metavar="STAGE", help="where its deals go (required if any)")


# Finding pipelines and stages ----------------------------------------------------------------------------------


def _stage_anywhere(ref: str) -> pipelines.StageData:
    """A stage named without its pipeline: by name if only one pipeline has it, else by id."""
    found = [(pipeline.name, stage) for pipeline in pipelines.list_pipelines(include_archived=True)
             for stage in pipeline.stages if fold(stage.name) == fold(ref)]
    if len(found) > 1:
        names = ", ".join(name for name, _ in found)
        raise CrmError(f"several pipelines have a stage {ref!r} ({names}); say which with --pipeline")
    if found:
        return found[0][1]
    digits = ref.strip().removeprefix("#")
    if digits.isdigit():
        return pipelines.stage_by_id(int(digits))
    raise NotFoundError(f"no pipeline has a stage {ref!r}")


def _default_currency() -> str:
    try:
        settings = config.load_settings()
    except config.SettingsError as exc:
        raise CrmError(f"cannot read the settings: {exc}") from exc
    wrong = [problem for problem in config.settings_problems(settings) if "currency =" in problem]
    if wrong:
        raise CrmError(wrong[0])
    return config.default_currency(settings)


# Deals ---------------------------------------------------------------------------------------------------------


def _deal_line(deal: deals.DealData) -> str:
    value = money.format_money(deal.value_minor, deal.currency)
    return (f"{deal.id:>7}  {fit(deal.title, 30)}  {fit(deal.client, 24)}  {fit(deal.stage, 14)}  {value:>18}  "
            f"{deal.expected_close}").rstrip()


def _history_line(move: deal_list.StageMove) -> str:
    # No from_stage: the deal was created there, or the stage it came from has been deleted since.
    step = f"{move.from_stage} → {move.to_stage}" if move.from_stage else f"entered {move.to_stage}"
    return f"    {move.at}  {step}"


def _deal_text(deal: deals.DealData, history: list[deal_list.StageMove]) -> list[str]:
    lines = [f"{deal.title}  (#{deal.id}, version {deal.version})"]
    pairs = [
        ("value", money.format_money(deal.value_minor, deal.currency)), ("pipeline", deal.pipeline),
        ("stage", f"{deal.stage} ({deal.probability}%)"), ("status", deal.status), ("lost reason", deal.lost_reason),
        ("contact", f"{deal.contact} (#{deal.contact_id})" if deal.contact else ""),
        ("company", f"{deal.company} (#{deal.company_id})" if deal.company else ""),
        ("expected close", deal.expected_close), ("closed", deal.closed_at or ""), ("notes", deal.notes),
        ("created", deal.created_at), ("updated", deal.updated_at), ("in trash since", deal.deleted_at or ""),
    ]
    lines += [f"  {label + ':':<16}{value}" for label, value in pairs if value]
    return lines + ["  stage history:"] + [_history_line(move) for move in history]


def _deal_values(args: argparse.Namespace) -> dict:
    """The options given; an empty --value is a mistake to point out (in the app's form, empty means 0)."""
    if args.value is not None and not args.value.strip():
        raise CrmError("--value is empty: give an amount such as 12500.50, or 0 for a deal of no value yet")
    return {field: getattr(args, field) for field in DEAL_OPTIONS.values() if getattr(args, field) is not None}


def _deal_filter(args: argparse.Namespace) -> deal_list.DealFilter:
    pipeline = pipelines.get(args.pipeline) if args.pipeline else None
    stage = None
    if args.stage:
        stage = pipeline.stage(args.stage) if pipeline else _stage_anywhere(args.stage)
    return deal_list.DealFilter(
        pipeline_id=pipeline.id if pipeline else None, stage_id=stage.id if stage else None,
        statuses=(args.status,) if args.status else None, contact_id=args.contact, company_id=args.company,
        text=args.search or "", trash=args.trash,
    )


def _show_deal(out: Output, deal: deals.DealData, with_history: bool = False) -> None:
    history = deal_list.stage_history(deal.id)
    data = {**deal.as_json(), "history": [asdict(move) for move in history]} if with_history else deal.as_json()
    out.record(data, _deal_text(deal, history))


def run_deals(args: argparse.Namespace, out: Output) -> None:
    verb = args.verb
    if verb == "list":
        out.rows(deal_list.iterate(_deal_filter(args), sort=args.sort, limit=args.limit), deals.DealData.as_json,
                 _deal_line)
    elif verb == "add":
        values = _deal_values(args)
        currency = deals.DEFAULT_CURRENCY if values.get("currency") else _default_currency()
        created = deals.create(values, default_currency=currency)
        out.record(created.as_json(), [str(created.id)])
    elif verb == "show":
        _show_deal(out, deals.get(args.id, include_deleted=True), with_history=True)
    elif verb == "edit":
        current = deals.get(args.id)
        changes = _deal_values(args)
        # The default currency only matters when --currency is given (empty: back to the default).
        currency = _default_currency() if "currency" in changes else deals.DEFAULT_CURRENCY
        _show_deal(out, deals.update(args.id, current.version, default_currency=currency, **changes))
    elif verb == "move":
        _show_deal(out, deals.move(args.id, args.stage))
    elif verb == "won":
        _show_deal(out, deals.won(args.id))
    elif verb == "lost":
        if not args.reason.strip():
            raise CrmError("--reason must say why the deal was lost")
        _show_deal(out, deals.lost(args.id, args.reason))
    else:
        operation, state = {"delete": (deals.delete, "moved to the trash"), "restore": (deals.restore, "restored"),
                            "purge": (deals.purge, "purged")}[verb]
        operation(args.id)
        out.record({"id": args.id, "status": state}, [f"deal {args.id} {state}"])


# Pipelines -----------------------------------------------------------------------------------------------------


def _stage_counts(pipeline: pipelines.PipelineData) -> dict[int, int]:
    """Deals (not in the trash) in each stage of a pipeline, in one query."""
    totals = deal_list.stage_totals(deal_list.DealFilter(pipeline_id=pipeline.id))
    return {stage_id: total.count for stage_id, total in totals.items()}


def _pipeline_json(pipeline: pipelines.PipelineData, counts: dict[int, int]) -> dict:
    return {
        "id": pipeline.id, "name": pipeline.name, "position": pipeline.position, "archived_at": pipeline.archived_at,
        "version": pipeline.version,
        "open_deals": sum(counts.get(stage.id, 0) for stage in pipeline.open_stages),
        "stages": [{**asdict(stage), "deals": counts.get(stage.id, 0)} for stage in pipeline.stages],
    }


def _pipeline_text(data: dict) -> list[str]:
    archived = ", archived" if data["archived_at"] else ""
    lines = [f"{data['name']}  (#{data['id']}{archived})  {plural(data['open_deals'], 'open deal')}"]
    for stage in data["stages"]:
        lines.append(f"  {stage['id']:>5}  {fit(stage['name'], 24)}  {stage['probability']:>3}%  "
                     f"{stage['outcome']:<5}  {plural(stage['deals'], 'deal'):>13}")
    return lines


def _print_pipeline(out: Output, pipeline: pipelines.PipelineData) -> None:
    data = _pipeline_json(pipeline, _stage_counts(pipeline))
    out.record(data, _pipeline_text(data))


def _print_stage(out: Output, pipeline: pipelines.PipelineData, stage: pipelines.StageData) -> None:
    data = {**asdict(stage), "pipeline": pipeline.name,
            "deals": deal_list.count(deal_list.DealFilter(stage_id=stage.id))}
    out.record(data, [f"stage #{stage.id} {stage.name!r} of {pipeline.name!r}: position {stage.position}, "
                      f"{stage.probability}%, {plural(data['deals'], 'deal')}"])


def run_pipelines(args: argparse.Namespace, out: Output) -> None:
    verb = args.verb
    if verb == "list":
        found = pipelines.list_pipelines(include_archived=args.all)
        out.rows(found, lambda pipeline: _pipeline_json(pipeline, _stage_counts(pipeline)),
                 lambda pipeline: "\n".join(_pipeline_text(_pipeline_json(pipeline, _stage_counts(pipeline)))))
    elif verb == "add":
        _print_pipeline(out, pipelines.create(args.name, args.stages))
    elif verb == "rename":
        _print_pipeline(out, pipelines.rename(args.pipeline, args.new))
    elif verb == "move":
        moved = pipelines.get(args.pipeline).id
        _print_pipeline(out, next(item for item in pipelines.move(moved, args.position) if item.id == moved))
    elif verb in ("archive", "unarchive"):
        _print_pipeline(out, pipelines.archive(args.pipeline, archived=verb == "archive"))
    else:
        _run_stages(args, out)


def _run_stages(args: argparse.Namespace, out: Output) -> None:
    pipeline = pipelines.get(args.pipeline)
    verb = args.stage_verb
    if verb == "add":
        stage = pipelines.add_stage(pipeline.id, args.name, args.probability, args.position)
        _print_stage(out, pipeline, stage)
        return
    stage = pipeline.stage(args.stage)
    if verb == "rename":
        _print_stage(out, pipeline, pipelines.update_stage(stage.id, name=args.new))
    elif verb == "probability":
        _print_stage(out, pipeline, pipelines.update_stage(stage.id, probability=args.probability))
    elif verb == "move":
        pipelines.move_stage(stage.id, args.position)
        _print_stage(out, pipeline, pipelines.stage_by_id(stage.id))
    else:
        moved = deals.delete_stage(stage.id, move_deals_to=args.move_deals_to)
        where = f", its {plural(moved, 'deal')} moved to {pipeline.stage(args.move_deals_to).name!r}" if moved else ""
        out.record({"id": stage.id, "name": stage.name, "pipeline": pipeline.name, "status": "deleted",
                    "moved_deals": moved}, [f"stage {stage.name!r} of {pipeline.name!r} deleted{where}"])


RUNNERS = {"deals": run_deals, "pipelines": run_pipelines}
