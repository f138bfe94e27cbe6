"""Pipelines and their stages: the default pipeline, names unique ignoring case and accents, order, archiving, and
stages added, renamed, reordered and deleted (with their deals moved, history and all)."""

from __future__ import annotations

import json

import pytest

from crm_tui.core import deals
from crm_tui.core.deals import listing as deal_list, pipelines
from crm_tui.core.errors import CrmError, NotFoundError, ValidationError
from crm_tui.core.models import Change, Deal, DealStageChange, Stage

DEFAULT_STAGES = [("Lead", 10, "open"), ("Qualified", 25, "open"), ("Proposal", 50, "open"),
                  ("Negotiation", 75, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")]


def stages(ref: int | str = "Sales") -> list[tuple[str, int, int, str]]:
    """(name, position, probability, outcome) of a pipeline's stages, in order."""
    return [(s.name, s.position, s.probability, s.outcome) for s in pipelines.get(ref).stages]


def names(ref: int | str = "Sales") -> list[str]:
    return [stage.name for stage in pipelines.get(ref).stages]


def test_a_fresh_database_has_the_sales_pipeline_with_its_six_stages(db):
    [sales] = pipelines.list_pipelines()
    assert (sales.name, sales.position, sales.archived_at, sales.version) == ("Sales", 0, None, 1)
    assert [(s.name, s.probability, s.outcome) for s in sales.stages] == DEFAULT_STAGES
    assert [s.position for s in sales.stages] == list(range(6))
    assert [s.name for s in sales.open_stages] == ["Lead", "Qualified", "Proposal", "Negotiation"]
    assert sales.outcome_stage("won").name == "Won" and sales.outcome_stage("lost").name == "Lost"
    assert pipelines.default() == sales == pipelines.get("sales") == pipelines.get(sales.id) == pipelines.get("1")
    assert sales.stage("qualified") == sales.stage(sales.stages[1].id) == sales.stage(str(sales.stages[1].id))
    with pytest.raises(NotFoundError, match="no stage 'Closing'"):
        sales.stage("Closing")
    with pytest.raises(NotFoundError):
        pipelines.get("Support")


def test_create_with_default_stages_logs_the_pipeline(db):
    created = pipelines.create("  Renewals ")
    assert (created.name, created.position, created.version) == ("Renewals", 1, 1)
    assert [(s.name, s.probability, s.outcome) for s in created.stages] == DEFAULT_STAGES
    assert {s.id for s in created.stages}.isdisjoint(s.id for s in pipelines.get("Sales").stages)
    assert [p.name for p in pipelines.list_pipelines()] == ["Sales", "Renewals"]
    [change] = Change.select().where(Change.entity == "pipeline")
    assert (change.entity_id, change.action, change.before) == (created.id, "create", None)
    assert json.loads(change.after)["name"] == "Renewals"


def test_create_with_given_stages_adds_won_and_lost_after_them(db):
    created = pipelines.create("Hiring", ["Applied", "Interview", "Offer"])
    assert stages(created.id) == [("Applied", 0, 0, "open"), ("Interview", 1, 0, "open"), ("Offer", 2, 0, "open"),
                                  ("Won", 3, 100, "won"), ("Lost", 4, 0, "lost")]


@pytest.mark.parametrize(("name", "stage_names", "field"), [
    ("", None, "name"),
    ("   ", None, "name"),
    ("x" * 201, None, "name"),
    ("SALES", None, "name"),
    ("Sälës", None, "name"),
    ("Hiring", ["Applied", "applied"], "stage"),
    ("Hiring", ["Applied", "Won"], "stage"),
    ("Hiring", ["lost"], "stage"),
    ("Hiring", ["Applied", " "], "stage"),
])
def test_create_refuses_bad_or_taken_names(db, name, stage_names, field):
    with pytest.raises(ValidationError) as raised:
        pipelines.create(name, stage_names)
    assert [error.field for error in raised.value.errors] == [field]
    assert names_of_all() == ["Sales"] and Stage.select().count() == 6


def names_of_all() -> list[str]:
    return [p.name for p in pipelines.list_pipelines(include_archived=True)]


def test_rename_checks_names_ignoring_case_and_accents(db):
    renewals = pipelines.create("Renewals")
    renamed = pipelines.rename("renewals", "Rénewals 2027")
    assert (renamed.id, renamed.name, renamed.version) == (renewals.id, "Rénewals 2027", 2)
    assert pipelines.get("renewals 2027").id == renewals.id
    with pytest.raises(ValidationError, match="'Sales' exists already"):
        pipelines.rename(renewals.id, "sales")
    assert pipelines.rename(renewals.id, "RENEWALS 2027").name == "RENEWALS 2027"  # its own name, other case
    with pytest.raises(ValidationError):
        pipelines.rename(renewals.id, "")
    update = Change.select().where((Change.entity == "pipeline") & (Change.action == "update")).first()
    assert (json.loads(update.before)["name"], json.loads(update.after)["name"]) == ("Renewals", "Rénewals 2027")


def test_move_reorders_every_pipeline_archived_ones_included(db):
    pipelines.create("B")
    pipelines.create("C")
    pipelines.archive("B")
    assert [(p.name, p.position) for p in pipelines.move("C", 0)] == [("C", 0), ("Sales", 1), ("B", 2)]
    assert [p.name for p in pipelines.move("Sales", 99)] == ["C", "B", "Sales"]
    assert [p.name for p in pipelines.move("Sales", -3)] == ["Sales", "C", "B"]
    assert [p.name for p in pipelines.list_pipelines()] == ["Sales", "C"]


def test_archive_hides_a_pipeline_but_get_still_finds_it(db):
    renewals = pipelines.create("Renewals")
    archived = pipelines.archive("Renewals")
    assert archived.archived_at is not None and archived.version == 2
    assert [p.name for p in pipelines.list_pipelines()] == ["Sales"]
    assert names_of_all() == ["Sales", "Renewals"]
    assert pipelines.get("renewals") == archived == pipelines.get(renewals.id)
    assert pipelines.archive(renewals.id) == archived  # archiving again changes nothing, not even the date
    with pytest.raises(CrmError, match="only pipeline left open"):
        pipelines.archive("Sales")
    assert pipelines.archive("Renewals", archived=False).archived_at is None
    assert [p.name for p in pipelines.list_pipelines()] == ["Sales", "Renewals"]
    pipelines.archive("Sales")
    assert pipelines.default().name == "Renewals"


def test_an_archived_pipeline_takes_no_new_deals_but_keeps_its_own(db):
    pipelines.create("Renewals")
    deal = deals.create({"title": "Keep", "pipeline": "Renewals"})
    pipelines.archive("Renewals")
    with pytest.raises(ValidationError) as raised:
        deals.create({"title": "New", "pipeline": "Renewals"})
    assert [error.field for error in raised.value.errors] == ["pipeline"]
    moved = deals.update(deal.id, deal.version, stage="Proposal", pipeline="Renewals")
    assert (moved.pipeline, moved.stage) == ("Renewals", "Proposal")
    assert deals.create({"title": "Default"}).pipeline == "Sales"


def test_add_stage_at_a_position_renumbers_the_others_and_keeps_outcomes_last(db):
    added = pipelines.add_stage("Sales", "Demo", "40%", position=2)
    assert (added.name, added.position, added.probability, added.outcome) == ("Demo", 2, 40, "open")
    assert names() == ["Lead", "Qualified", "Demo", "Proposal", "Negotiation", "Won", "Lost"]
    assert [s.position for s in pipelines.get("Sales").stages] == list(range(7))
    pipelines.add_stage("Sales", "Contract")
    assert names()[-3:] == ["Contract", "Won", "Lost"]
    pipelines.add_stage("Sales", "Intro", 5, position=0)
    assert names()[:2] == ["Intro", "Lead"]
    with pytest.raises(ValidationError, match="has a stage 'Won' already"):
        pipelines.add_stage("Sales", "won")
    with pytest.raises(ValidationError) as raised:
        pipelines.add_stage("Sales", "Later", 101)
    assert raised.value.errors[0].field == "probability"
    assert len(names()) == 9


@pytest.mark.parametrize(("typed", "stored"), [(60, 60), ("60%", 60), (" 0 ", 0), ("100 %", 100), ("100", 100)])
def test_update_stage_probability_accepts_whole_percents(db, typed, stored):
    lead = pipelines.get("Sales").stage("Lead")
    assert pipelines.update_stage(lead.id, probability=typed).probability == stored
    assert Stage.get_by_id(lead.id).probability == stored


@pytest.mark.parametrize("typed", [101, -1, "12.5", "lots", "", "60%%"])
def test_update_stage_refuses_probabilities_outside_0_to_100(db, typed):
    lead = pipelines.get("Sales").stage("Lead")
    with pytest.raises(ValidationError) as raised:
        pipelines.update_stage(lead.id, probability=typed)
    assert raised.value.errors[0].field == "probability"
    assert Stage.get_by_id(lead.id).probability == 10


def test_update_stage_renames_unless_the_name_is_taken(db):
    sales = pipelines.get("Sales")
    renamed = pipelines.update_stage(sales.stage("Lead").id, name="Prospect", probability=15)
    assert (renamed.name, renamed.probability, renamed.position) == ("Prospect", 15, 0)
    with pytest.raises(ValidationError, match="has a stage 'Qualified' already"):
        pipelines.update_stage(renamed.id, name="QUALIFIED")
    assert pipelines.update_stage(renamed.id, name="prospect").name == "prospect"
    assert pipelines.update_stage(renamed.id) == pipelines.stage_by_id(renamed.id)
    other = pipelines.create("Renewals")
    assert pipelines.update_stage(other.stage("Lead").id, name="Prospect").name == "Prospect"  # another pipeline


def test_move_stage_reorders_open_stages_only(db):
    sales = pipelines.get("Sales")
    moved = pipelines.move_stage(sales.stage("Negotiation").id, 0)
    assert [s.name for s in moved.stages] == ["Negotiation", "Lead", "Qualified", "Proposal", "Won", "Lost"]
    assert [s.position for s in moved.stages] == list(range(6))
    assert names() == ["Negotiation", "Lead", "Qualified", "Proposal", "Won", "Lost"]
    pipelines.move_stage(sales.stage("Negotiation").id, 10)
    assert names() == ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    with pytest.raises(CrmError, match="outcome"):
        pipelines.move_stage(sales.stage("Won").id, 0)
    assert names() == ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


def test_delete_stage_without_deals_renumbers_the_rest(db):
    sales = pipelines.get("Sales")
    assert deals.delete_stage(sales.stage("Qualified").id) == 0
    assert stages() == [("Lead", 0, 10, "open"), ("Proposal", 1, 50, "open"), ("Negotiation", 2, 75, "open"),
                        ("Won", 3, 100, "won"), ("Lost", 4, 0, "lost")]
    with pytest.raises(NotFoundError):
        pipelines.stage_by_id(sales.stage("Qualified").id)


def test_delete_stage_refuses_outcomes_and_the_only_open_stage(db):
    sales = pipelines.get("Sales")
    for outcome in ("Won", "Lost"):
        with pytest.raises(CrmError, match="cannot be deleted"):
            deals.delete_stage(sales.stage(outcome).id)
    solo = pipelines.create("Solo", ["Only"])
    with pytest.raises(CrmError, match="only open stage"):
        deals.delete_stage(solo.stage("Only").id)
    assert names("Solo") == ["Only", "Won", "Lost"] and len(names()) == 6


def test_delete_stage_with_deals_needs_somewhere_for_them(db):
    sales = pipelines.get("Sales")
    qualified = sales.stage("Qualified")
    deal = deals.create({"title": "Stuck", "stage": "Qualified"})
    with pytest.raises(CrmError, match="1 deal is in 'Qualified'"):
        deals.delete_stage(qualified.id)
    for target in (qualified.id, sales.stage("Won").id, pipelines.create("Other").stage("Lead").id):
        with pytest.raises(CrmError):
            deals.delete_stage(qualified.id, move_deals_to=target)
    assert deals.get(deal.id).stage_id == qualified.id and "Qualified" in names()
    assert DealStageChange.select().count() == 1


def test_delete_stage_moves_every_deal_trashed_ones_too_and_logs_their_history(db):
    sales = pipelines.get("Sales")
    qualified, proposal = sales.stage("Qualified"), sales.stage("Proposal")
    live = deals.create({"title": "Live", "stage": "Qualified"})
    trashed = deals.create({"title": "Trashed", "stage": "Qualified"})
    deals.delete(trashed.id)
    other = deals.create({"title": "Elsewhere", "stage": "Lead"})
    assert pipelines.deal_count(qualified.id) == 2
    first_change = Change.select().order_by(Change.id.desc()).first().id
    assert deals.delete_stage(qualified.id, move_deals_to="proposal") == 2
    for deal_id, version in ((live.id, 2), (trashed.id, 3)):
        moved = deals.get(deal_id, include_deleted=True)
        assert (moved.stage_id, moved.stage, moved.status, moved.version) == (proposal.id, "Proposal", "open", version)
        assert deal_list.stage_history(deal_id)[-1].to_stage == "Proposal"
        [row] = DealStageChange.select().where((DealStageChange.deal == deal_id) &
                                               (DealStageChange.to_stage == proposal.id))
        assert row.changed_at == moved.stage_entered_at
    assert deals.get(trashed.id, include_deleted=True).deleted_at is not None
    assert deals.get(other.id).version == 1
    assert Deal.select().where(Deal.stage == qualified.id).count() == 0
    logged = Change.select().where((Change.entity == "deal") & (Change.action == "update"))
    assert sorted(change.entity_id for change in logged) == sorted([live.id, trashed.id])
    written = Change.select().where(Change.id > first_change)
    assert {(c.entity, c.action) for c in written} == {("deal", "update"), ("deal_stage_change", "create"),
                                                       ("stage", "delete"), ("stage", "update")}
    assert len({change.batch_id for change in written}) == 1 and written[0].batch_id is not None
    assert names() == ["Lead", "Proposal", "Negotiation", "Won", "Lost"]
