"""Undo of deals, pipelines and stages: each action taken back whole, the database as it was before (save for
versions, which only go up), and the words that say what was undone."""

from __future__ import annotations

import pytest

from crm_tui.core import companies, deals, search_index
from crm_tui.core.audit import undo
from crm_tui.core.deals import listing as deal_list, pipelines
from crm_tui.core.errors import ConflictError, NothingToUndoError
from crm_tui.core.models import Deal, DealStageChange, Pipeline, Stage

_DEAL_COLUMNS = [field for name, field in Deal._meta.fields.items() if name not in ("version", "updated_at")]
_PIPELINE_COLUMNS = [field for name, field in Pipeline._meta.fields.items() if name not in ("version", "updated_at")]


def state() -> dict:
    """Every deal, history row, pipeline and stage as it is now; versions and update times left out."""
    return {
        "deal": list(Deal.select(*_DEAL_COLUMNS).order_by(Deal.id).tuples()),
        "history": list(DealStageChange.select().order_by(DealStageChange.id).tuples()),
        "pipeline": list(Pipeline.select(*_PIPELINE_COLUMNS).order_by(Pipeline.id).tuples()),
        "stage": list(Stage.select().order_by(Stage.id).tuples()),
    }


def stage_id(name: str, pipeline: str = "Sales") -> int:
    return pipelines.get(pipeline).stage(name).id


def test_undo_deal_create_trashes_it_and_what_it_brought_and_forgets_its_first_stage(db):
    deal = deals.create({"title": "Licences", "company": "Acme", "value": "100"})
    assert undo.undo_last() == "Undid: added deal 'Licences'"
    assert deals.get(deal.id, include_deleted=True).deleted_at is not None
    assert companies.get(deal.company_id, include_deleted=True).deleted_at is not None
    assert DealStageChange.select().count() == 0 and deal_list.count(deal_list.DealFilter()) == 0
    assert search_index.search_all("licences") == []
    with pytest.raises(NothingToUndoError):
        undo.undo_last()


def test_undo_edit_puts_every_field_back(db, make_contact):
    ada = make_contact(first_name="Ada")
    deal = deals.create({"title": "Old", "value": "100", "currency": "USD", "contact": ada.id, "company": "Acme",
                         "expected_close": "2026-03-01", "notes": "first"})
    before = state()
    edited = deals.update(deal.id, deal.version, title="New", value="7,5", currency="EUR", contact="",
                          company="Other Co", expected_close="", notes="second")
    assert undo.undo_last() == "Undid: edited deal 'New'"
    assert state() == before
    back = deals.get(deal.id)
    assert (back.title, back.value, back.currency, back.contact_id, back.company) == ("Old", "100.00", "USD", ada.id,
                                                                                     "Acme")
    assert back.version == edited.version + 1
    assert companies.get(edited.company_id, include_deleted=True).deleted_at is not None
    assert [d.id for d in deal_list.iterate(deal_list.DealFilter(text="old"))] == [deal.id]
    assert deal_list.count(deal_list.DealFilter(text="new")) == 0


def test_undo_stage_move_removes_the_history_row_and_restores_stage_and_version(db):
    deal = deals.create({"title": "Licences"})
    before = state()
    moved = deals.step(deal.id, 1)
    assert undo.undo_last() == "Undid: moved deal 'Licences' from Lead to Qualified"
    assert state() == before
    back = deals.get(deal.id)
    assert (back.stage, back.stage_entered_at, back.status) == ("Lead", deal.stage_entered_at, "open")
    # Versions only go up: whoever read the moved deal (version 2) must reload, and so must whoever read version 1.
    assert back.version == moved.version + 1 == 3
    assert [(m.from_stage, m.to_stage) for m in deal_list.stage_history(deal.id)] == [(None, "Lead")]
    assert undo.undo_last() == "Undid: added deal 'Licences'"


@pytest.mark.parametrize(("close", "words"), [
    (lambda deal_id: deals.won(deal_id), "from Negotiation to Won"),
    (lambda deal_id: deals.lost(deal_id, "Budget"), "from Negotiation to Lost"),
])
def test_undo_won_and_lost_reopens_the_deal(db, close, words):
    deal = deals.create({"title": "Big one", "stage": "Negotiation"})
    before = state()
    closed = close(deal.id)
    assert closed.closed_at is not None
    assert undo.undo_last() == f"Undid: moved deal 'Big one' {words}"
    assert state() == before
    back = deals.get(deal.id)
    assert (back.status, back.closed_at, back.lost_reason, back.stage) == ("open", None, "", "Negotiation")
    assert deal_list.lost_reasons() == []


def test_undo_reopening_closes_the_deal_again_with_its_reason(db):
    deal = deals.lost(deals.create({"title": "Gone"}).id, "Budget")
    before = state()
    deals.step(deal.id, -1)
    assert undo.undo_last() == "Undid: moved deal 'Gone' from Lost to Negotiation"
    assert state() == before
    assert deal_list.lost_reasons() == ["Budget"]


def test_undo_delete_and_restore(db):
    deal = deals.create({"title": "Zeppelin"})
    before = state()
    deals.delete(deal.id)
    assert undo.undo_last() == "Undid: moved deal 'Zeppelin' to the trash"
    assert state() == before and search_index.search_all("zeppelin")[0].id == deal.id
    deals.delete(deal.id)
    deals.restore(deal.id)
    assert undo.undo_last() == "Undid: restored deal 'Zeppelin' from the trash"
    assert deals.get(deal.id, include_deleted=True).deleted_at is not None


def test_undo_refuses_when_a_deal_was_written_outside_the_history(db):
    deal = deals.create({"title": "A"})
    deals.update(deal.id, deal.version, title="B")
    Deal.update(version=Deal.version + 1, title="Elsewhere").where(Deal.id == deal.id).execute()
    before = state()
    with pytest.raises(ConflictError, match="changed since outside"):
        undo.undo_last()
    assert state() == before


def test_undo_pipeline_create_rename_and_archive(db):
    before = state()
    created = pipelines.create("Renewals", ["Due", "Quoted"])
    after_create = state()
    pipelines.rename(created.id, "Renewals 2027")
    after_rename = state()
    pipelines.archive(created.id)
    assert undo.undo_last() == "Undid: archived pipeline 'Renewals 2027'"
    assert state() == after_rename and pipelines.get(created.id).archived_at is None
    assert undo.undo_last() == "Undid: renamed pipeline 'Renewals' to 'Renewals 2027'"
    assert state() == after_create and pipelines.get(created.id).name == "Renewals"
    assert undo.undo_last() == "Undid: added pipeline 'Renewals'"
    assert state() == before and [p.name for p in pipelines.list_pipelines(include_archived=True)] == ["Sales"]


def test_undo_pipeline_create_is_refused_while_it_holds_deals(db):
    pipelines.create("Renewals")
    deals.create({"title": "A", "pipeline": "Renewals"})
    assert undo.undo_last() == "Undid: added deal 'A'"  # to the trash, where it still needs its pipeline
    before = state()
    with pytest.raises(ConflictError, match="holds deals"):
        undo.undo_last()
    assert state() == before


def test_undo_pipeline_move_puts_every_position_back(db):
    pipelines.create("B")
    pipelines.create("C")
    before = state()
    pipelines.move("C", 0)
    assert undo.undo_last() == "Undid: edited 3 pipelines"
    assert state() == before


def test_undo_stage_add_restores_positions(db):
    before = state()
    added = pipelines.add_stage("Sales", "Demo", 40, position=1)
    assert undo.undo_last() == "Undid: added stage 'Demo'"
    assert state() == before
    assert Stage.get_or_none(Stage.id == added.id) is None


def test_undo_stage_rename_and_probability(db):
    before = state()
    pipelines.update_stage(stage_id("Lead"), name="Prospect")
    pipelines.update_stage(stage_id("Prospect"), probability="60%")
    assert undo.undo_last() == "Undid: edited stage 'Prospect'"
    assert pipelines.stage_by_id(stage_id("Prospect")).probability == 10
    assert undo.undo_last() == "Undid: edited stage 'Prospect'"
    assert state() == before


def test_undo_stage_move(db):
    before = state()
    pipelines.move_stage(stage_id("Negotiation"), 0)
    assert undo.undo_last() == "Undid: reordered 4 stages"
    assert state() == before


def test_undo_stage_delete_brings_it_back_with_its_id_and_its_deals(db):
    qualified = stage_id("Qualified")
    live = deals.create({"title": "Live", "stage": "Qualified"})
    trashed = deals.create({"title": "Trashed", "stage": "Qualified"})
    deals.delete(trashed.id)
    before = state()
    assert deals.delete_stage(qualified, move_deals_to="Lead") == 2
    description = undo.undo_last()
    assert description.startswith("Undid: ") and "stage 'Qualified'" in description
    assert pipelines.stage_by_id(qualified).name == "Qualified"
    assert [s.name for s in pipelines.get("Sales").stages] == [
        "Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    for deal in (live, trashed):
        back = deals.get(deal.id, include_deleted=True)
        assert (back.stage_id, back.stage_entered_at) == (qualified, deal.stage_entered_at)
    assert deals.get(trashed.id, include_deleted=True).deleted_at is not None
    now = state()
    assert {key: now[key] for key in ("deal", "pipeline", "stage")} == {
        key: before[key] for key in ("deal", "pipeline", "stage")}


def test_undo_stage_delete_keeps_the_stage_history(db):
    deal = deals.create({"title": "Live", "stage": "Qualified"})
    deals.step(deal.id, 1)
    before = state()
    deals.delete_stage(stage_id("Qualified"))
    undo.undo_last()
    assert state() == before
