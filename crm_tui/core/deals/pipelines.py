"""Pipelines and their stages: the columns of the kanban board and what a deal moves through.

Each pipeline has open stages in order, then the two outcomes Won and Lost, which it always keeps. Every write
is logged as a change (entity "pipeline" or "stage"), so undo can take it back. Names are unique ignoring case
and accents: among pipelines, and among the stages of one pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crm_tui.core.errors import ConflictError, CrmError, NotFoundError, ValidationError
from crm_tui.core.models import Deal, DealStageChange, Pipeline, Stage, database, now_text
from crm_tui.core.records import batched, record_change, save_versioned, write_transaction
from crm_tui.core.text import fold
from crm_tui.core.validation import MAX_NAME, clean_text

DEFAULT_OPEN_STAGES = (("Lead", 10), ("Qualified", 25), ("Proposal", 50), ("Negotiation", 75))
OUTCOMES = (("Won", 100, "won"), ("Lost", 0, "lost"))


@dataclass(frozen=True)
class StageData:
    id: int
    pipeline_id: int
    name: str
    position: int
    probability: int
    outcome: str


@dataclass(frozen=True)
class PipelineData:
    id: int
    name: str
    position: int
    archived_at: str | None
    version: int
    stages: tuple[StageData, ...]

    @property
    def open_stages(self) -> tuple[StageData, ...]:
        return tuple(stage for stage in self.stages if stage.outcome == "open")

    def outcome_stage(self, outcome: str) -> StageData:
        return next(stage for stage in self.stages if stage.outcome == outcome)

    def stage(self, ref: int | str) -> StageData:
        """A stage of this pipeline by id or by name (ignoring case and accents)."""
        for stage in self.stages:
            if (isinstance(ref, int) and stage.id == ref) or (isinstance(ref, str) and fold(stage.name) == fold(ref)):
                return stage
        if isinstance(ref, str) and ref.strip().removeprefix("#").isdigit():
            # The CLI passes ids as text ("3", "#3"); a stage called "3" was matched by name above.
            return self.stage(int(ref.strip().removeprefix("#")))
        names = ", ".join(stage.name for stage in self.stages)
        raise NotFoundError(f"pipeline {self.name!r} has no stage {ref!r}; its stages are {names}")


def _stage_data(stage: Stage) -> StageData:
    return StageData(stage.id, stage.pipeline_id, stage.name, stage.position, stage.probability, stage.outcome)


def _assemble(pipelines: Sequence[Pipeline]) -> list[PipelineData]:
    ids = [pipeline.id for pipeline in pipelines]
    stages: dict[int, list[StageData]] = {pipeline_id: [] for pipeline_id in ids}
    live = Stage.select().where(Stage.pipeline.in_(ids) & Stage.deleted_at.is_null())
    for stage in live.order_by(Stage.position, Stage.id):
        stages[stage.pipeline_id].append(_stage_data(stage))
    return [PipelineData(p.id, p.name, p.position, p.archived_at, p.version, tuple(stages[p.id])) for p in pipelines]


def list_pipelines(include_archived: bool = False) -> list[PipelineData]:
    """Pipelines in their order, with their stages in order (open stages, then Won and Lost)."""
    query = Pipeline.select().where(Pipeline.deleted_at.is_null())
    if not include_archived:
        query = query.where(Pipeline.archived_at.is_null())
    return _assemble(list(query.order_by(Pipeline.position, Pipeline.id)))


def get(ref: int | str) -> PipelineData:
    """A pipeline by id, or by name ignoring case and accents; archived ones too."""
    for pipeline in list_pipelines(include_archived=True):
        if (isinstance(ref, int) and pipeline.id == ref) or (isinstance(ref, str) and fold(pipeline.name) == fold(ref)):
            return pipeline
    if isinstance(ref, str) and ref.isdigit():
        return get(int(ref))
    raise NotFoundError(f"there is no pipeline {ref!r}")


def default() -> PipelineData:
    """The first pipeline that is not archived: where a deal goes when none is named."""
    found = list_pipelines()
    if not found:
        raise NotFoundError("every pipeline is archived; unarchive one or add one first")
    return found[0]


def stage_by_id(stage_id: int) -> StageData:
    stage = Stage.get_or_none((Stage.id == stage_id) & Stage.deleted_at.is_null())
    if stage is None:
        raise NotFoundError(f"stage {stage_id} does not exist")
    return _stage_data(stage)


def _clean_name(field: str, name: str) -> str:
    text = clean_text(field, name, limit=MAX_NAME)
    if not text:
        raise ValidationError.single(field, "is required")
    return text


def _clean_probability(value: int | str) -> int:
    try:
        number = int(str(value).strip().removesuffix("%"))
    except ValueError:
        raise ValidationError.single("probability", f"{value!r} is not a whole number of percent") from None
    if not 0 <= number <= 100:
        raise ValidationError.single("probability", f"{number} is not between 0 and 100")
    return number


def _check_pipeline_name_free(name: str, pipeline_id: int | None = None) -> None:
    for other in list_pipelines(include_archived=True):
        if other.id != pipeline_id and fold(other.name) == fold(name):
            raise ValidationError.single("name", f"a pipeline called {other.name!r} exists already")


def _check_stage_name_free(pipeline: PipelineData, name: str, stage_id: int | None = None) -> None:
    for other in pipeline.stages:
        if other.id != stage_id and fold(other.name) == fold(name):
            raise ValidationError.single("name", f"pipeline {pipeline.name!r} has a stage {other.name!r} already")


def _log_stage(stage_id: int, action: str, before: StageData | None) -> StageData | None:
    after = None if action == "delete" else stage_by_id(stage_id)
    record_change("stage", stage_id, action, before, after)
    return after


@batched
def create(name: str, stage_names: Sequence[str] | None = None) -> PipelineData:
    """A new pipeline at the end, with these open stages (the default four when None), then Won and Lost."""
    name = _clean_name("name", name)
    opened = [(_clean_name("stage", stage), 0) for stage in stage_names] if stage_names else DEFAULT_OPEN_STAGES
    # Won and Lost are stages of every pipeline too: an open stage of either name would make "Won" ambiguous.
    if len({fold(stage) for stage, _ in opened} | {fold(outcome) for outcome, _, _ in OUTCOMES}) != \
            len(opened) + len(OUTCOMES):
        raise ValidationError.single("stage", "two stages have the same name (Won and Lost are added to every "
                                     "pipeline)")
    with write_transaction():
        _check_pipeline_name_free(name)
        last = Pipeline.select(Pipeline.position).order_by(Pipeline.position.desc()).first()
        pipeline = Pipeline.create(name=name, position=(last.position + 1) if last else 0)
        rows = [(stage, probability, "open") for stage, probability in opened] + list(OUTCOMES)
        for position, (stage_name, probability, outcome) in enumerate(rows):
            Stage.create(pipeline=pipeline, name=stage_name, position=position, probability=probability,
                         outcome=outcome)
        created = get(pipeline.id)
        record_change("pipeline", pipeline.id, "create", None, created)
    return created


def _update_pipeline(ref: int | str, **values) -> PipelineData:
    with write_transaction():
        before = get(ref)
        save_versioned(Pipeline, before.id, before.version, values)
        after = get(before.id)
        record_change("pipeline", before.id, "update", before, after)
    return after


@batched
def rename(ref: int | str, new_name: str) -> PipelineData:
    name = _clean_name("name", new_name)
    _check_pipeline_name_free(name, get(ref).id)
    return _update_pipeline(ref, name=name)


@batched
def archive(ref: int | str, archived: bool = True) -> PipelineData:
    """Hide a pipeline from the board and from new deals; its deals stay, and unarchiving brings it back."""
    pipeline = get(ref)
    if (pipeline.archived_at is not None) == archived:
        return pipeline  # already so: keep the date it was archived, and log no change undo would have to skip
    if archived and len(list_pipelines()) == 1:
        raise CrmError(f"{pipeline.name!r} is the only pipeline left open; add another before archiving it")
    return _update_pipeline(pipeline.id, archived_at=now_text() if archived else None)


@batched
def move(ref: int | str, position: int) -> list[PipelineData]:
    """Put a pipeline at `position` (0 is first) among all pipelines, archived ones included."""
    moving = get(ref)
    ordered = [pipeline for pipeline in list_pipelines(include_archived=True) if pipeline.id != moving.id]
    ordered.insert(max(0, min(position, len(ordered))), moving)
    with write_transaction():
        for index, pipeline in enumerate(ordered):
            if pipeline.position != index:
                _update_pipeline(pipeline.id, position=index)
    return list_pipelines(include_archived=True)


@batched
def add_stage(ref: int | str, name: str, probability: int | str = 0, position: int | None = None) -> StageData:
    """A new open stage, at `position` among the open stages (the end when None), before Won and Lost."""
    pipeline = get(ref)
    name = _clean_name("name", name)
    chance = _clean_probability(probability)
    _check_stage_name_free(pipeline, name)
    with write_transaction():
        stage = Stage.create(pipeline=pipeline.id, name=name, position=len(pipeline.stages), probability=chance)
        _log_stage(stage.id, "create", None)
        spot = len(pipeline.open_stages) if position is None else position
        _reorder(pipeline.id, stage.id, spot)
    return stage_by_id(stage.id)


@batched
def update_stage(stage_id: int, name: str | None = None, probability: int | str | None = None) -> StageData:
    before = stage_by_id(stage_id)
    values: dict = {}
    if name is not None:
        values["name"] = _clean_name("name", name)
        _check_stage_name_free(get(before.pipeline_id), values["name"], stage_id)
    if probability is not None:
        values["probability"] = _clean_probability(probability)
    if not values:
        return before
    with write_transaction():
        Stage.update(**values).where(Stage.id == stage_id).execute()
        after = _log_stage(stage_id, "update", before)
        assert after is not None  # only a delete leaves none
        return after


def _reorder(pipeline_id: int, stage_id: int | None = None, position: int = 0) -> None:
    """Put an open stage at `position` among the open stages (or, without one, close the gaps a deleted stage
    left); the outcomes stay last. Logs each stage that moved."""
    pipeline = get(pipeline_id)
    opened = [stage for stage in pipeline.open_stages if stage.id != stage_id]
    if stage_id is not None:
        opened.insert(max(0, min(position, len(opened))), pipeline.stage(stage_id))
    ordered = opened + [stage for stage in pipeline.stages if stage.outcome != "open"]
    for index, stage in enumerate(ordered):
        if stage.position != index:
            Stage.update(position=index).where(Stage.id == stage.id).execute()
            _log_stage(stage.id, "update", stage)


@batched
def move_stage(stage_id: int, position: int) -> PipelineData:
    """Move an open stage to `position` (0 is first) among the open stages."""
    stage = stage_by_id(stage_id)
    if stage.outcome != "open":
        raise CrmError(f"{stage.name!r} is an outcome; Won and Lost always come after the open stages")
    with write_transaction():
        _reorder(stage.pipeline_id, stage_id, position)
    return get(stage.pipeline_id)


def deal_count(stage_id: int) -> int:
    """Deals in a stage, in the trash too: a trashed deal still needs its stage to be restored into."""
    return Deal.select().where(Deal.stage == stage_id).count()


def deal_counts() -> dict[int, int]:
    """`deal_count` of every stage that holds deals, in one query."""
    return dict(database.execute_sql("SELECT stage_id, count(*) FROM deal GROUP BY stage_id").fetchall())


def deletion_target(stage_id: int, move_deals_to: int | str | None) -> StageData | None:
    """Where the deals of a stage about to be deleted go: the open stage `move_deals_to` names in the same pipeline,
    or None when the stage holds no deals. Refuses an outcome, a pipeline's only open stage, and a stage that holds
    deals with nowhere named to move them. Run inside the deleting transaction (deals.delete_stage)."""
    stage = stage_by_id(stage_id)
    pipeline = get(stage.pipeline_id)
    if stage.outcome != "open":
        raise CrmError(f"{stage.name!r} is an outcome of {pipeline.name!r}; Won and Lost cannot be deleted")
    if len(pipeline.open_stages) == 1:
        raise CrmError(f"{stage.name!r} is the only open stage of {pipeline.name!r}; add another before deleting it")
    count = deal_count(stage_id)
    if not count:
        return None
    if move_deals_to is None:
        raise CrmError(f"{count:,} {'deal is' if count == 1 else 'deals are'} in {stage.name!r}; say which stage "
                       "they should move to")
    target = pipeline.stage(move_deals_to)
    if target.id == stage_id or target.outcome != "open":
        raise CrmError("the deals must move to another open stage of the same pipeline")
    return target


def remove_stage(stage_id: int) -> None:
    """Mark a stage deleted, logged, and close the gap in its pipeline's order; its deals must have moved first."""
    stage = stage_by_id(stage_id)
    Stage.update(deleted_at=now_text()).where(Stage.id == stage_id).execute()
    _log_stage(stage_id, "delete", stage)
    _reorder(stage.pipeline_id)


# Undo -------------------------------------------------------------------------------------------------------


def write_back_pipelines(snapshots: Sequence[dict]) -> None:
    """Put pipelines' name, order and archived state back as logged snapshots show them."""
    for snapshot in snapshots:
        _update_pipeline(snapshot["id"], name=snapshot["name"], position=snapshot["position"],
                         archived_at=snapshot["archived_at"])


def remove_pipelines(pipeline_ids: Sequence[int]) -> None:
    """Take back the creation of pipelines that hold no deals (not even in the trash)."""
    for pipeline_id in pipeline_ids:
        before = get(pipeline_id)
        if Deal.select().where(Deal.pipeline == pipeline_id).exists():
            raise ConflictError(f"cannot undo: pipeline {before.name!r} holds deals now; nothing was undone")
        Pipeline.delete().where(Pipeline.id == pipeline_id).execute()
        record_change("pipeline", pipeline_id, "delete", before, None)


def write_back_stages(snapshots: Sequence[dict]) -> None:
    for snapshot in snapshots:
        before = stage_by_id(snapshot["id"])
        Stage.update(name=snapshot["name"], position=snapshot["position"], probability=snapshot["probability"]).where(
            Stage.id == snapshot["id"]).execute()
        _log_stage(snapshot["id"], "update", before)


def remove_stages(stage_ids: Sequence[int]) -> None:
    """Take back the creation of stages that hold no deals."""
    for stage_id in stage_ids:
        before = stage_by_id(stage_id)
        if deal_count(stage_id):
            raise ConflictError(f"cannot undo: stage {before.name!r} holds deals now; nothing was undone")
        named = DealStageChange.select().where(
            (DealStageChange.from_stage == stage_id) | (DealStageChange.to_stage == stage_id)).exists()
        if named:
            Stage.update(deleted_at=now_text()).where(Stage.id == stage_id).execute()
        else:
            Stage.delete().where(Stage.id == stage_id).execute()
        _log_stage(stage_id, "delete", before)


def recreate_stages(snapshots: Sequence[dict]) -> None:
    """Bring deleted stages back as they were, so the deals that were moved out of them can go back."""
    for snapshot in snapshots:
        Stage.update(deleted_at=None, name=snapshot["name"], position=snapshot["position"],
                     probability=snapshot["probability"]).where(Stage.id == snapshot["id"]).execute()
        _log_stage(snapshot["id"], "create", None)
