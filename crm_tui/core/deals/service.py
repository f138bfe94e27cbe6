"""Deals: what a sales person is chasing, with its value, its stage in a pipeline and how it ended.

A deal's status follows its stage: an open stage means open, the Won and Lost outcomes mean won and lost. Every
stage move, whether by `move`, `won`, `lost` or an edit, writes a DealStageChange row (the stage history) and is
logged like any other change, so one undo takes it back. Lists and totals live in listing.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from crm_tui.core import companies, money, search_index
from crm_tui.core.deals import pipelines
from crm_tui.core.errors import ConflictError, FieldError, NotFoundError, ValidationError
from crm_tui.core.models import (
    Company,
    Contact,
    Deal,
    DealStageChange,
    contact_name_sql,
    database,
    now_text,
    tuple_rows,
)
from crm_tui.core.records import (
    batched,
    chunked,
    only,
    read_by_ids,
    record_change,
    record_changes,
    save_versioned,
    trash_verbs,
    write_transaction,
)
from crm_tui.core.text import fold
from crm_tui.core.validation import MAX_NAME, MAX_TEXT, clean_currency, clean_date, clean_text, clean_timestamp

FIELDS = ("title", "value", "currency", "pipeline", "stage", "contact", "company", "expected_close", "notes")
CLOSING_FIELDS = ("lost_reason", "closed_at")
"""What only a new deal takes besides FIELDS, to bring in a deal closed elsewhere (an import) whole."""
DEFAULT_CURRENCY = "EUR"
STALE_DAYS = 30


@dataclass(frozen=True)
class DealData:
    id: int
    title: str
    value_minor: int
    currency: str
    pipeline_id: int
    pipeline: str
    stage_id: int
    stage: str
    probability: int
    status: str
    lost_reason: str
    contact_id: int | None
    contact: str | None
    company_id: int | None
    company: str | None
    expected_close: str
    closed_at: str | None
    stage_entered_at: str
    notes: str
    created_at: str
    updated_at: str
    deleted_at: str | None
    version: int
    next_step: str | None = None
    """The subject of the deal's open task due soonest (undated ones last); None when it has none."""
    next_step_due: str | None = None

    @property
    def name(self) -> str:
        return self.title

    @property
    def value(self) -> str:
        """The value as a decimal string, e.g. "1200.50": what `--json` and exports carry."""
        return money.to_decimal_string(self.value_minor, self.currency)

    @property
    def client(self) -> str:
        """Who the deal is with, as a card shows it: the company, else the contact."""
        return self.company or self.contact or ""

    @property
    def weighted_minor(self) -> int:
        return weighted(self.value_minor, self.probability)

    def days_in_stage(self, now: datetime | None = None) -> int:
        entered = datetime.fromisoformat(self.stage_entered_at)
        return max(0, ((now or datetime.now(UTC)) - entered).days)

    def is_overdue(self, today: date | None = None) -> bool:
        """Open, with an expected close date that has passed."""
        return self.status == "open" and bool(self.expected_close) and \
            self.expected_close < (today or date.today()).isoformat()

    def is_stale(self, stale_days: int = STALE_DAYS, now: datetime | None = None) -> bool:
        """Open and sitting in its stage for longer than `stale_days`."""
        return self.status == "open" and self.days_in_stage(now) > stale_days

    def as_json(self) -> dict:
        """The documented JSON form of a deal (value as a decimal string, never a float)."""
        return {
            "id": self.id, "title": self.title, "value": self.value, "value_minor": self.value_minor,
            "currency": self.currency, "pipeline": self.pipeline, "pipeline_id": self.pipeline_id,
            "stage": self.stage, "stage_id": self.stage_id, "probability": self.probability, "status": self.status,
            "lost_reason": self.lost_reason, "contact_id": self.contact_id, "contact": self.contact,
            "company_id": self.company_id, "company": self.company, "expected_close": self.expected_close,
            "closed_at": self.closed_at, "stage_entered_at": self.stage_entered_at, "notes": self.notes,
            "created_at": self.created_at, "updated_at": self.updated_at, "deleted_at": self.deleted_at,
            "version": self.version, "next_step": self.next_step, "next_step_due": self.next_step_due,
        }


def weighted(value_minor: int, probability: int) -> int:
    """Value × probability, rounded half up to a whole minor unit."""
    return (value_minor * probability + 50) // 100


# The deal's open task due soonest, undated ones last: a seek in the index of open tasks by deal.
_NEXT_STEP = """a.deal_id = d.id AND a.kind = 'task' AND a.done_at IS NULL AND a.deleted_at IS NULL
       ORDER BY coalesce(a.due_at, '~'), a.id LIMIT 1"""
COLUMNS = f"""d.id, d.title, d.value_minor, d.currency, d.pipeline_id, p.name, d.stage_id, s.name, s.probability,
       d.status, d.lost_reason, d.contact_id,
       CASE WHEN c.id IS NULL OR c.deleted_at IS NOT NULL THEN NULL
            ELSE {contact_name_sql()} END,
       d.company_id, CASE WHEN co.deleted_at IS NULL THEN co.name END, d.expected_close, d.closed_at,
       d.stage_entered_at, d.notes, d.created_at, d.updated_at, d.deleted_at, d.version,
       (SELECT a.subject FROM activity a WHERE {_NEXT_STEP}), (SELECT a.due_at FROM activity a WHERE {_NEXT_STEP})"""
SOURCE = """deal d JOIN stage s ON s.id = d.stage_id JOIN pipeline p ON p.id = d.pipeline_id
       LEFT JOIN contact c ON c.id = d.contact_id LEFT JOIN company co ON co.id = d.company_id"""


def data(row: Sequence) -> DealData:
    return DealData(*row)


def get_many(deal_ids: Sequence[int]) -> list[DealData]:
    """The deals of `deal_ids` that exist, trashed ones too, in the order given."""
    return read_by_ids(COLUMNS, SOURCE, "d.id", deal_ids, data)


def get(deal_id: int, include_deleted: bool = False) -> DealData:
    return only(get_many([deal_id]), "deal", deal_id, include_deleted)


# Validating ------------------------------------------------------------------------------------------------


def find_contact(ref: int | str) -> int:
    """A live contact by id (`12` or `#12`) or by its exact name, ignoring case and accents."""
    text = str(ref).strip().removeprefix("#")
    if text.isdigit():
        if not Contact.select().where((Contact.id == int(text)) & Contact.deleted_at.is_null()).exists():
            raise ValidationError.single("contact", f"there is no contact #{text}")
        return int(text)
    matches = list(tuple_rows(Contact.select(Contact.id).where(
        (Contact.sort_name == fold(text)) & Contact.deleted_at.is_null()).limit(3)))
    if not matches:
        raise ValidationError.single("contact", f"there is no contact called {text!r}")
    if len(matches) > 1:
        raise ValidationError.single("contact", f"several contacts are called {text!r}; give the id, e.g. #"
                                     f"{matches[0][0]}")
    return matches[0][0]


def find_company(ref: int | str) -> int:
    """A live company by id (`12` or `#12`), or by name: found ignoring case and accents, else created."""
    text = str(ref).strip().removeprefix("#")
    if text.isdigit():
        companies.get(int(text))
        return int(text)
    return companies.ensure(clean_text("company", text, limit=MAX_NAME))


def _resolve(values: dict, current: DealData | None, default_currency: str) -> dict:
    """Row values for the fields in `values` (all of them for a new deal), or a ValidationError naming each."""
    errors: list[FieldError] = []
    row: dict = {}

    def check(name: str, clean) -> None:
        if name in values:
            try:
                row[name] = clean(values[name])
            except ValidationError as exc:
                errors.extend(FieldError(name, error.message) for error in exc.errors)
            except NotFoundError as exc:
                errors.append(FieldError(name, str(exc)))

    check("title", lambda text: clean_text("title", text, limit=MAX_NAME) or _required("title"))
    check("currency", lambda text: clean_currency(text or default_currency))
    currency = row.get("currency") or (current.currency if current else default_currency)
    check("value", lambda text: money.parse_amount(str(text), currency) if str(text or "").strip() else 0)
    if current is not None and row.get("currency", current.currency) != current.currency and "value" not in values:
        errors.append(FieldError("value", "give the value again when changing the currency"))
    check("expected_close", lambda text: clean_date(text or "", "expected_close"))
    check("notes", lambda text: clean_text("notes", text, limit=MAX_TEXT))
    check("contact", lambda ref: find_contact(ref) if ref not in (None, "") else None)
    check("company", lambda ref: find_company(ref) if ref not in (None, "") else None)
    check("pipeline", lambda ref: _open_pipeline(ref, current) if ref not in (None, "") else None)
    pipeline = row.get("pipeline") or (pipelines.get(current.pipeline_id) if current else None)
    if pipeline is None and all(error.field != "pipeline" for error in errors):
        try:
            pipeline = pipelines.default()
        except NotFoundError as exc:
            errors.append(FieldError("pipeline", str(exc)))
    if pipeline is not None:
        if "stage" in values and values["stage"] not in (None, ""):
            check("stage", pipeline.stage)
        elif current is None or pipeline.id != current.pipeline_id:
            row["stage"] = pipeline.open_stages[0]
        row["pipeline"] = pipeline
    if errors:
        raise ValidationError(errors)
    return row


def _open_pipeline(ref: int | str, current: DealData | None) -> pipelines.PipelineData:
    """A pipeline new deals may go into: an archived one keeps its deals but takes no more."""
    pipeline = pipelines.get(ref)
    if pipeline.archived_at is not None and (current is None or current.pipeline_id != pipeline.id):
        raise ValidationError.single("pipeline", f"{pipeline.name!r} is archived; unarchive it to add deals to it")
    return pipeline


def _required(field: str):
    raise ValidationError.single(field, "is required")


def _columns(row: dict) -> dict:
    """Resolved values as deal columns; the stage's go through `_stage_columns`."""
    names = {"title": "title", "value": "value_minor", "currency": "currency", "contact": "contact",
             "company": "company", "expected_close": "expected_close", "notes": "notes"}
    return {column: row[name] for name, column in names.items() if name in row}


def _stage_columns(stage: pipelines.StageData, stamp: str, lost_reason: str = "") -> dict:
    return {"pipeline": stage.pipeline_id, "stage": stage.id, "status": stage.outcome,
            "stage_entered_at": stamp, "closed_at": None if stage.outcome == "open" else stamp,
            "lost_reason": lost_reason if stage.outcome == "lost" else ""}


def _log_stage_change(deal_id: int, from_stage: int | None, to_stage: int, stamp: str) -> None:
    change_id = DealStageChange.insert(deal=deal_id, from_stage=from_stage, to_stage=to_stage,
                                       changed_at=stamp).execute()
    record_change("deal_stage_change", change_id, "create", None,
                  {"id": change_id, "deal_id": deal_id, "from_stage_id": from_stage, "to_stage_id": to_stage})


# Writing ---------------------------------------------------------------------------------------------------


@batched
def create(values: dict, default_currency: str = DEFAULT_CURRENCY) -> DealData:
    """A new deal from the FIELDS in `values` (title required; value as typed, e.g. "12.500,50"). A deal made
    in a won or lost stage may say when it closed (`closed_at`, else now) and a lost one why (`lost_reason`)."""
    unknown = set(values) - set(FIELDS) - set(CLOSING_FIELDS)
    if unknown:
        raise ValidationError([FieldError(name, "is not a deal field") for name in sorted(unknown)])
    with write_transaction():
        row = _resolve({name: values.get(name, "") for name in FIELDS}, None, default_currency)
        stamp = now_text()
        closed_at, lost_reason = _closing(values, row["stage"], stamp)
        deal_id = Deal.insert(**_columns(row), **_stage_columns(row["stage"], closed_at or stamp, lost_reason),
                              created_at=stamp, updated_at=stamp).execute()
        _log_stage_change(deal_id, None, row["stage"].id, closed_at or stamp)
        search_index.reindex_deals([deal_id])
        created = get(deal_id)
        record_change("deal", deal_id, "create", None, created)
    return created


def _closing(values: dict, stage: pipelines.StageData, stamp: str) -> tuple[str | None, str]:
    """A new deal's `closed_at` and `lost_reason`, refused where its stage leaves no room for them."""
    errors: list[FieldError] = []
    closed_at, lost_reason = None, clean_text("lost_reason", values.get("lost_reason") or "")
    try:
        closed_at = clean_timestamp("closed_at", values.get("closed_at"))
    except ValidationError as exc:
        errors.extend(exc.errors)
    if closed_at is not None and stage.outcome == "open":
        errors.append(FieldError("closed_at", f"only a won or lost deal has closed; {stage.name!r} is open"))
    elif closed_at is not None and closed_at > stamp:
        errors.append(FieldError("closed_at", f"{values['closed_at']!r} is in the future"))
    if lost_reason and stage.outcome != "lost":
        errors.append(FieldError("lost_reason", f"only a lost deal has a reason; {stage.name!r} is not lost"))
    if errors:
        raise ValidationError(errors)
    return closed_at, lost_reason


@batched
def update(deal_id: int, expected_version: int, default_currency: str = DEFAULT_CURRENCY,
           lost_reason: str | None = None, **changes) -> DealData:
    """Change the FIELDS given; a new stage (or pipeline) moves the deal as `move` does."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError([FieldError(name, "is not a deal field") for name in sorted(unknown)])
    with write_transaction():
        before = get(deal_id)
        row = _resolve(changes, before, default_currency)
        columns = _columns(row)
        stage = row.get("stage")
        stamp = now_text()
        if stage is not None and stage.id != before.stage_id:
            columns.update(_stage_columns(stage, stamp, clean_text("lost_reason", lost_reason or "")))
        elif lost_reason is not None and before.status == "lost":
            columns["lost_reason"] = clean_text("lost_reason", lost_reason)
        if not _differs(before, columns):
            check_version(before, expected_version)
            return before
        save_versioned(Deal, deal_id, expected_version, columns)
        if "stage" in columns:
            assert stage is not None  # only a move to another stage puts one in columns
            _log_stage_change(deal_id, before.stage_id, stage.id, stamp)
        search_index.reindex_deals([deal_id])
        after = get(deal_id)
        record_change("deal", deal_id, "update", before, after)
    return after


def _differs(before: DealData, columns: dict) -> bool:
    """Whether writing `columns` would change the deal: a save that changes nothing is not a change to undo."""
    as_stored = {**before.__dict__, "contact": before.contact_id, "company": before.company_id,
                 "stage": before.stage_id, "pipeline": before.pipeline_id}
    return any(as_stored.get(name) != value for name, value in columns.items())


def _version(deal: DealData, expected_version: int | None) -> int:
    """The version a change must find: the one the caller read, else the one just read."""
    return deal.version if expected_version is None else expected_version


def move(deal_id: int, stage: int | str, expected_version: int | None = None) -> DealData:
    """Move a deal to a stage of its pipeline, by stage id or name; Won and Lost close it."""
    return update(deal_id, _version(get(deal_id), expected_version), stage=stage)


def step(deal_id: int, steps: int, expected_version: int | None = None) -> DealData:
    """Move an open deal to the open stage `steps` after (negative: before) its own; a closed deal reopens in its
    pipeline's last open stage."""
    deal = get(deal_id)
    opened = pipelines.get(deal.pipeline_id).open_stages
    if deal.status != "open":
        if steps > 0:
            raise ValidationError.single("stage", f"{deal.title!r} is {deal.status}; H reopens it")
        target = opened[-1]
    else:
        index = next(i for i, stage in enumerate(opened) if stage.id == deal.stage_id) + steps
        if index < 0:
            raise ValidationError.single("stage", f"{deal.title!r} is in the first stage already")
        if index >= len(opened):
            raise ValidationError.single("stage", f"{deal.title!r} is in the last open stage; w marks it won")
        target = opened[index]
    return update(deal_id, _version(deal, expected_version), stage=target.id)


def won(deal_id: int, expected_version: int | None = None) -> DealData:
    deal = get(deal_id)
    if deal.status == "won":
        raise ValidationError.single("stage", f"{deal.title!r} is won already")
    stage = pipelines.get(deal.pipeline_id).outcome_stage("won")
    return update(deal_id, _version(deal, expected_version), stage=stage.id)


def lost(deal_id: int, reason: str, expected_version: int | None = None) -> DealData:
    deal = get(deal_id)
    stage = pipelines.get(deal.pipeline_id).outcome_stage("lost")
    return update(deal_id, _version(deal, expected_version), stage=stage.id, lost_reason=reason)


@batched
def move_all(from_stage: int, to_stage: int) -> int:
    """Move every deal of a stage, trashed ones too, to another stage of the same pipeline (deleting a stage)."""
    target = pipelines.stage_by_id(to_stage)
    stamp = now_text()
    with write_transaction():
        ids = [row[0] for row in tuple_rows(Deal.select(Deal.id).where(Deal.stage == from_stage))]
        for chunk in chunked(ids):
            before = get_many(chunk)
            Deal.update(**_stage_columns(target, stamp), version=Deal.version + 1, updated_at=stamp).where(
                Deal.id.in_(chunk)).execute()
            for deal_id in chunk:
                _log_stage_change(deal_id, from_stage, to_stage, stamp)
            record_changes("deal", "update", zip(chunk, before, get_many(chunk), strict=False))
    return len(ids)


@batched
def delete_stage(stage_id: int, move_deals_to: int | str | None = None) -> int:
    """Delete an open stage of a pipeline. Its deals must go somewhere first: `move_deals_to` names an open stage of
    the same pipeline, and they move there (each move logged). Returns how many deals moved."""
    with write_transaction():
        target = pipelines.deletion_target(stage_id, move_deals_to)
        moved = move_all(stage_id, target.id) if target else 0
        pipelines.remove_stage(stage_id)
    return moved


# delete, restore, delete_many, restore_many; purge is final: undo cannot bring a purged deal back.
_TRASH = trash_verbs(Deal, get_many, get, search_index.reindex_deals)
delete, restore, delete_many, restore_many, purge = (
    _TRASH.delete, _TRASH.restore, _TRASH.delete_many, _TRASH.restore_many, _TRASH.purge)


def write_back(snapshots: Sequence[dict]) -> None:
    """Put deals back as audit-log snapshots show them (undo). A contact or company removed for good since is
    left out rather than failing the undo."""
    with write_transaction():
        for snapshot in snapshots:
            contact_id, company_id = (
                linked if linked is not None and model.select().where(model.id == linked).exists() else None
                for model, linked in ((Contact, snapshot.get("contact_id")), (Company, snapshot.get("company_id"))))
            values = {name: snapshot[name] for name in ("title", "value_minor", "currency", "status", "lost_reason",
                                                         "expected_close", "closed_at", "stage_entered_at", "notes")}
            current = get(snapshot["id"], include_deleted=True)
            save_versioned(Deal, snapshot["id"], current.version, {
                **values, "pipeline": snapshot["pipeline_id"], "stage": snapshot["stage_id"],
                "contact": contact_id, "company": company_id, "deleted_at": snapshot["deleted_at"]})
            search_index.reindex_deals([snapshot["id"]])
            record_change("deal", snapshot["id"], "update", current, get(snapshot["id"], include_deleted=True))


_STAGE_CHANGE_COLUMNS = ("id", "deal_id", "from_stage_id", "to_stage_id", "changed_at")


def remove_stage_changes(change_ids: Sequence[int]) -> None:
    """Forget stage moves that were undone: the history shows what happened, and an undone move did not. Each is
    logged with what it was, so a redo can put it back."""
    for chunk in chunked(change_ids):
        marks = ", ".join("?" * len(chunk))
        rows = database.execute_sql(f"SELECT {', '.join(_STAGE_CHANGE_COLUMNS)} FROM deal_stage_change "
                                    f"WHERE id IN ({marks})", chunk).fetchall()
        DealStageChange.delete().where(DealStageChange.id.in_(chunk)).execute()
        record_changes("deal_stage_change", "delete",
                       [(row[0], dict(zip(_STAGE_CHANGE_COLUMNS, row, strict=True)), None) for row in rows])


def recreate_stage_changes(snapshots: Sequence[dict]) -> None:
    """Put back stage moves an undo forgot (redo), as they were, under their own ids."""
    for snapshot in snapshots:
        DealStageChange.insert(id=snapshot["id"], deal=snapshot["deal_id"], from_stage=snapshot["from_stage_id"],
                               to_stage=snapshot["to_stage_id"], changed_at=snapshot["changed_at"]).execute()
        record_change("deal_stage_change", snapshot["id"], "create", None, snapshot)


def check_version(deal: DealData, expected_version: int) -> None:
    """A ConflictError if the deal is no longer at the version the caller read."""
    if deal.version != expected_version:
        raise ConflictError(f"deal {deal.id} was changed elsewhere (version {deal.version}, you had "
                            f"{expected_version}); reload it and apply your edit again")
