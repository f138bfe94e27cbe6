"""Deals: validation of what people type, who a deal is with, stage moves with their history, optimistic locking,
and the steps of the board (next and previous stage, won, lost, reopen)."""

from __future__ import annotations

import json
from datetime import UTC

import pytest

from crm_tui.core import companies, deals, search_index
from crm_tui.core.deals import listing as deal_list, pipelines
from crm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from crm_tui.core.models import Change, Company, Deal, DealStageChange, Pipeline, now_text


def stage_id(name: str, pipeline: str = "Sales") -> int:
    return pipelines.get(pipeline).stage(name).id


def history(deal_id: int) -> list[tuple[str | None, str]]:
    return [(move.from_stage, move.to_stage) for move in deal_list.stage_history(deal_id)]


def fields_of(error: ValidationError) -> list[str]:
    return [item.field for item in error.errors]


@pytest.mark.parametrize("typed", ["12.500,50", "12500.50", "12,500.50", "EUR 12500.50", " 12500,50 "])
def test_create_stores_the_typed_value_in_minor_units(db, typed):
    deal = deals.create({"title": "Licences", "value": typed})
    assert deal.value_minor == 1250050 and deal.currency == "EUR"
    assert Deal.get_by_id(deal.id).value_minor == 1250050
    assert deal.as_json()["value"] == "12500.50" and deal.as_json()["value_minor"] == 1250050


def test_create_fills_in_defaults_and_logs_the_deal_and_its_first_stage(db):
    deal = deals.create({"title": "  Licences  "})
    assert (deal.title, deal.value_minor, deal.currency, deal.pipeline, deal.stage, deal.probability) == (
        "Licences", 0, "EUR", "Sales", "Lead", 10)
    assert (deal.status, deal.lost_reason, deal.closed_at, deal.expected_close, deal.notes) == (
        "open", "", None, "", "")
    assert (deal.contact_id, deal.company_id, deal.version, deal.deleted_at) == (None, None, 1, None)
    assert deal.stage_entered_at == deal.created_at == deal.updated_at
    [row] = DealStageChange.select()
    assert (row.deal_id, row.from_stage_id, row.to_stage_id, row.changed_at) == (
        deal.id, None, stage_id("Lead"), deal.created_at)
    logged = [(c.entity, c.entity_id, c.action) for c in Change.select().order_by(Change.id)]
    assert logged == [("deal_stage_change", row.id, "create"), ("deal", deal.id, "create")]
    assert len({c.batch_id for c in Change.select()}) == 1
    assert json.loads(Change.get(Change.entity == "deal").after)["title"] == "Licences"
    assert [(hit.kind, hit.id) for hit in search_index.search_all("licen")] == [("deal", deal.id)]


def test_currency_default_and_explicit(db):
    assert deals.create({"title": "A"}, default_currency="usd").currency == "USD"
    chf = deals.create({"title": "B", "currency": "chf", "value": "1'250.05"}, default_currency="USD")
    assert (chf.currency, chf.value_minor, chf.value) == ("CHF", 125005, "1250.05")
    yen = deals.create({"title": "C", "currency": "JPY", "value": "1.200"})
    assert (yen.value_minor, yen.as_json()["value"]) == (1200, "1200")


@pytest.mark.parametrize(("values", "field"), [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "A", "value": "twelve"}, "value"),
    ({"title": "A", "value": "-5"}, "value"),
    ({"title": "A", "value": "12.5.0"}, "value"),
    ({"title": "A", "value": "1.5", "currency": "JPY"}, "value"),
    ({"title": "A", "value": "10 USD"}, "value"),
    ({"title": "A", "currency": "EURO"}, "currency"),
    ({"title": "A", "currency": "€"}, "currency"),
    ({"title": "A", "expected_close": "2026-13-01"}, "expected_close"),
    ({"title": "A", "expected_close": "next week"}, "expected_close"),
    ({"title": "A", "stage": "Closing"}, "stage"),
    ({"title": "A", "pipeline": "Support"}, "pipeline"),
    ({"title": "A", "contact": "#999"}, "contact"),
    ({"title": "A", "company": "#999"}, "company"),
    ({"title": "A", "colour": "red"}, "colour"),
])
def test_invalid_values_name_their_field_and_write_nothing(db, values, field):
    with pytest.raises(ValidationError) as raised:
        deals.create(values)
    assert fields_of(raised.value) == [field]
    assert Deal.select().count() == DealStageChange.select().count() == Change.select().count() == 0


def test_every_invalid_field_is_reported_at_once(db):
    with pytest.raises(ValidationError) as raised:
        deals.create({"title": "", "value": "abc", "expected_close": "soon"})
    assert fields_of(raised.value) == ["title", "value", "expected_close"]


def test_without_an_open_pipeline_a_deal_has_nowhere_to_go(db):
    Pipeline.update(archived_at=now_text()).execute()  # as another program could leave it
    for values in ({"title": "A"}, {"title": "A", "pipeline": "Nope"}):
        with pytest.raises(ValidationError) as raised:
            deals.create(values)
        assert fields_of(raised.value) == ["pipeline"]


def test_contact_by_id_hash_id_or_exact_name(db, make_contact):
    ada = make_contact(first_name="Ada", last_name="Lovelace")
    make_contact(first_name="Ada", last_name="Byron")
    for ref in (ada.id, str(ada.id), f"#{ada.id}", "Ada Lovelace", "ada lovelace", " ÁDA LOVELACE "):
        deal = deals.create({"title": "Engine", "contact": ref})
        assert (deal.contact_id, deal.contact) == (ada.id, "Ada Lovelace")
    with pytest.raises(ValidationError, match="no contact called 'Ada'"):
        deals.create({"title": "Engine", "contact": "Ada"})


def test_an_ambiguous_contact_name_asks_for_the_id(db, make_contact):
    first = make_contact(first_name="Sam", last_name="Lee")
    make_contact(first_name="Sam", last_name="Lee")
    with pytest.raises(ValidationError) as raised:
        deals.create({"title": "Deal", "contact": "Sam Lee"})
    assert fields_of(raised.value) == ["contact"]
    assert "several contacts" in str(raised.value) and f"#{first.id}" in str(raised.value)


def test_a_trashed_contact_cannot_be_linked(db, make_contact):
    from crm_tui.core import contacts

    gone = make_contact(first_name="Gone")
    contacts.delete(gone.id)
    for ref in (gone.id, "Gone"):
        with pytest.raises(ValidationError) as raised:
            deals.create({"title": "Deal", "contact": ref})
        assert fields_of(raised.value) == ["contact"]


def test_company_by_id_or_name_created_if_new_and_reused_ignoring_case(db):
    first = deals.create({"title": "One", "company": "Äcme Ltd"})
    assert first.company == "Äcme Ltd" and Company.select().count() == 1
    second = deals.create({"title": "Two", "company": "acme LTD"})
    third = deals.create({"title": "Three", "company": f"#{first.company_id}"})
    fourth = deals.create({"title": "Four", "company": first.company_id})
    assert first.company_id == second.company_id == third.company_id == fourth.company_id
    assert Company.select().count() == 1
    assert companies.get(first.company_id).name == "Äcme Ltd"
    created = Change.select().where(Change.entity == "company")
    assert [c.batch_id for c in created] == [Change.get((Change.entity == "deal") & (Change.entity_id == first.id))
                                             .batch_id]


def test_stage_and_pipeline_by_name_or_id(db):
    renewals = pipelines.create("Renewals")
    by_name = deals.create({"title": "A", "pipeline": "renewals", "stage": "proposal"})
    assert (by_name.pipeline_id, by_name.stage_id, by_name.probability) == (
        renewals.id, renewals.stage("Proposal").id, 50)
    by_id = deals.create({"title": "B", "pipeline": str(renewals.id), "stage": renewals.stage("Won").id})
    assert (by_id.stage, by_id.status) == ("Won", "won") and by_id.closed_at == by_id.created_at
    assert deals.create({"title": "C", "pipeline": "Renewals"}).stage_id == renewals.stage("Lead").id
    with pytest.raises(ValidationError) as raised:
        deals.create({"title": "D", "stage": renewals.stage("Lead").id})  # a stage of another pipeline
    assert fields_of(raised.value) == ["stage"]


def test_get_hides_trashed_deals_unless_asked(db):
    deal = deals.create({"title": "A"})
    deals.delete(deal.id)
    with pytest.raises(NotFoundError):
        deals.get(deal.id)
    assert deals.get(deal.id, include_deleted=True).deleted_at is not None
    with pytest.raises(NotFoundError):
        deals.get(999)
    assert deals.get_many([deal.id, 999]) == [deals.get(deal.id, include_deleted=True)]


def test_update_with_a_stale_version_is_a_conflict(db):
    deal = deals.create({"title": "A", "value": "100"})
    edited = deals.update(deal.id, deal.version, title="B", notes="call back")
    assert (edited.title, edited.notes, edited.version, edited.value_minor) == ("B", "call back", 2, 10000)
    with pytest.raises(ConflictError, match="changed elsewhere"):
        deals.update(deal.id, deal.version, title="Lost edit", company="New Co")
    with pytest.raises(ConflictError):
        deals.move(deal.id, "Proposal", expected_version=deal.version)
    after = deals.get(deal.id)
    assert (after.title, after.stage, after.version) == ("B", "Lead", 2)
    assert Company.select().count() == 0 and DealStageChange.select().count() == 1


def test_update_refuses_unknown_fields_and_a_trashed_deal(db):
    deal = deals.create({"title": "A"})
    with pytest.raises(ValidationError) as raised:
        deals.update(deal.id, deal.version, owner="me")
    assert fields_of(raised.value) == ["owner"]
    deals.delete(deal.id)
    with pytest.raises(NotFoundError):
        deals.update(deal.id, deal.version + 1, title="B")


def test_changing_the_stage_writes_history_and_sets_status_and_closed_at(db):
    deal = deals.create({"title": "A"})
    moved = deals.update(deal.id, deal.version, stage="Proposal")
    assert (moved.stage, moved.status, moved.closed_at, moved.probability) == ("Proposal", "open", None, 50)
    assert moved.stage_entered_at > deal.stage_entered_at
    won = deals.update(moved.id, moved.version, stage="Won")
    assert (won.status, won.closed_at) == ("won", won.stage_entered_at)
    assert DealStageChange.select().order_by(DealStageChange.id.desc()).first().changed_at == won.closed_at
    reopened = deals.update(won.id, won.version, stage="Lead")
    assert (reopened.status, reopened.closed_at) == ("open", None)
    assert history(deal.id) == [(None, "Lead"), ("Lead", "Proposal"), ("Proposal", "Won"), ("Won", "Lead")]
    same = deals.update(reopened.id, reopened.version, stage="lead", title="A2")
    assert same.stage_entered_at == reopened.stage_entered_at and len(history(deal.id)) == 4


def test_changing_the_pipeline_puts_the_deal_in_its_first_open_stage(db):
    renewals = pipelines.create("Renewals", ["Due", "Quoted"])
    deal = deals.lost(deals.create({"title": "A"}).id, "Budget")
    moved = deals.update(deal.id, deal.version, pipeline="Renewals")
    assert (moved.pipeline_id, moved.stage_id, moved.status, moved.lost_reason, moved.closed_at) == (
        renewals.id, renewals.stage("Due").id, "open", "", None)
    assert history(deal.id)[-1] == ("Lost", "Due")
    chosen = deals.update(moved.id, moved.version, pipeline="Sales", stage="Negotiation")
    assert (chosen.pipeline, chosen.stage) == ("Sales", "Negotiation")
    with pytest.raises(ValidationError) as raised:
        deals.update(chosen.id, chosen.version, pipeline="Renewals", stage="Negotiation")
    assert fields_of(raised.value) == ["stage"]


def test_changing_currency_needs_the_value_again(db):
    deal = deals.create({"title": "A", "value": "100"})
    with pytest.raises(ValidationError) as raised:
        deals.update(deal.id, deal.version, currency="USD")
    assert fields_of(raised.value) == ["value"]
    same = deals.update(deal.id, deal.version, currency="eur", title="B")  # not a change of currency
    assert (same.currency, same.value_minor) == ("EUR", 10000)
    changed = deals.update(same.id, same.version, currency="KWD", value="1.234")
    assert (changed.currency, changed.value_minor, changed.value) == ("KWD", 1234, "1.234")
    revalued = deals.update(changed.id, changed.version, value="2,5")  # read in the deal's own currency
    assert revalued.value_minor == 2500


def test_clearing_contact_and_company(db, make_contact):
    ada = make_contact(first_name="Ada")
    deal = deals.create({"title": "A", "contact": ada.id, "company": "Acme"})
    cleared = deals.update(deal.id, deal.version, contact="", company=None)
    assert (cleared.contact_id, cleared.company_id, cleared.client) == (None, None, "")


def test_step_moves_through_open_stages_and_refuses_past_the_ends(db):
    deal = deals.create({"title": "A"})
    with pytest.raises(ValidationError, match="first stage already") as raised:
        deals.step(deal.id, -1)
    assert fields_of(raised.value) == ["stage"]
    assert [deals.step(deal.id, 1).stage for _ in range(3)] == ["Qualified", "Proposal", "Negotiation"]
    with pytest.raises(ValidationError, match="last open stage"):
        deals.step(deal.id, 1)
    assert deals.step(deal.id, -2).stage == "Qualified"
    with pytest.raises(ValidationError):
        deals.step(deal.id, 3)
    assert deals.get(deal.id).stage == "Qualified" and len(history(deal.id)) == 5


def test_step_uses_the_pipelines_own_order(db):
    sales = pipelines.get("Sales")
    pipelines.move_stage(sales.stage("Proposal").id, 0)
    deal = deals.create({"title": "A"})
    assert deal.stage == "Proposal"
    assert deals.step(deal.id, 1).stage == "Lead"


def test_won_and_lost_close_the_deal(db):
    deal = deals.create({"title": "A", "stage": "Negotiation"})
    won = deals.won(deal.id)
    assert (won.stage, won.status, won.probability, won.closed_at is not None) == ("Won", "won", 100, True)
    other = deals.create({"title": "B"})
    lost = deals.lost(other.id, "  Too expensive ")
    assert (lost.stage, lost.status, lost.lost_reason, lost.closed_at is not None) == (
        "Lost", "lost", "Too expensive", True)
    relabelled = deals.update(lost.id, lost.version, lost_reason="Budget")
    assert (relabelled.lost_reason, relabelled.stage_entered_at) == ("Budget", lost.stage_entered_at)
    assert history(other.id) == [(None, "Lead"), ("Lead", "Lost")]
    with pytest.raises(ConflictError):
        deals.won(other.id, expected_version=1)


def test_a_deal_brought_in_closed_keeps_when_it_closed_and_why_it_was_lost(db):
    lost = deals.create({"title": "Old", "stage": "Lost", "lost_reason": " Budget ", "closed_at": "2025-06-30"})
    assert (lost.status, lost.lost_reason, lost.closed_at, lost.stage_entered_at) == (
        "lost", "Budget", "2025-06-30T00:00:00.000000Z", "2025-06-30T00:00:00.000000Z")
    assert [move.at for move in deal_list.stage_history(lost.id)] == ["2025-06-30T00:00:00.000000Z"]
    won = deals.create({"title": "Won now", "stage": "Won"})
    assert won.closed_at is not None and won.closed_at > "2026"
    with pytest.raises(ValidationError) as refused:
        deals.create({"title": "Open", "stage": "Lead", "lost_reason": "Budget", "closed_at": "2025-06-30"})
    assert [(error.field, error.message) for error in refused.value.errors] == [
        ("closed_at", "only a won or lost deal has closed; 'Lead' is open"),
        ("lost_reason", "only a lost deal has a reason; 'Lead' is not lost")]
    with pytest.raises(ValidationError, match="closed_at: '3000-01-01' is in the future"):
        deals.create({"title": "Later", "stage": "Won", "closed_at": "3000-01-01"})
    with pytest.raises(ValidationError, match="closed_at: 'last week' is not a date and time"):
        deals.create({"title": "Vague", "stage": "Won", "closed_at": "last week"})
    assert Deal.select().count() == 2



    deal = deals.lost(deals.create({"title": "A"}).id, "Timing")
    with pytest.raises(ValidationError, match="is lost"):
        deals.step(deal.id, 1)
    reopened = deals.step(deal.id, -1)
    assert (reopened.stage, reopened.status, reopened.lost_reason, reopened.closed_at) == (
        "Negotiation", "open", "", None)
    won = deals.won(reopened.id)
    assert deals.step(won.id, -1).stage == "Negotiation"
    assert history(deal.id)[-3:] == [("Lost", "Negotiation"), ("Negotiation", "Won"), ("Won", "Negotiation")]


def test_move_by_name_or_id_and_move_all(db):
    deal = deals.create({"title": "A"})
    assert deals.move(deal.id, "proposal").stage == "Proposal"
    assert deals.move(deal.id, stage_id("Qualified")).stage == "Qualified"
    assert deals.move(deal.id, str(stage_id("Lead"))).stage == "Lead"
    second = deals.create({"title": "B"})
    assert deals.move_all(stage_id("Lead"), stage_id("Negotiation")) == 2
    assert {deals.get(i).stage for i in (deal.id, second.id)} == {"Negotiation"}
    batches = {c.batch_id for c in Change.select().where(Change.id > 0).order_by(Change.id.desc()).limit(4)}
    assert len(batches) == 1 and None not in batches  # one undo takes the whole move back


def test_delete_restore_and_purge(db):
    deal = deals.create({"title": "Zeppelin"})
    deals.delete(deal.id)
    assert search_index.search_all("zeppelin") == []
    with pytest.raises(NotFoundError):
        deals.delete(deal.id)
    deals.restore(deal.id)
    assert deals.get(deal.id).version == 3 and search_index.search_all("zeppelin")[0].id == deal.id
    with pytest.raises(NotFoundError, match="not in the trash"):
        deals.purge(deal.id)
    assert deals.delete_many([deal.id, 999]) == 1 and deals.restore_many([deal.id]) == 1
    deals.delete(deal.id)
    deals.purge(deal.id)
    assert Deal.select().count() == DealStageChange.select().count() == 0
    assert Change.select().where(Change.action == "purge").count() == 1


def test_deal_data_helpers(db):
    from datetime import date, datetime, timedelta

    deal = deals.create({"title": "A", "value": "10.01", "expected_close": "2026-01-31", "company": "Acme"})
    assert deal.weighted_minor == 100 and deals.weighted(1001, 10) == 100 and deals.weighted(5, 50) == 3
    assert deal.client == "Acme" and deal.name == "A"
    assert deal.is_overdue(date(2026, 2, 1)) and not deal.is_overdue(date(2026, 1, 31))
    later = datetime.fromisoformat(deal.stage_entered_at) + timedelta(days=31)
    assert deal.days_in_stage(later) == 31 and deal.is_stale(now=later) and not deal.is_stale(now=later, stale_days=31)
    assert not deals.won(deal.id).is_overdue(date(2030, 1, 1))
    assert deal.days_in_stage(datetime(2000, 1, 1, tzinfo=UTC)) == 0


def test_a_save_that_changes_nothing_writes_nothing_and_leaves_nothing_to_undo(db):
    deal = deals.create({"title": "Same", "value": "100"})
    logged = Change.select().count()
    assert deals.update(deal.id, deal.version, title="Same", value="100.00") == deal
    assert Change.select().count() == logged
    with pytest.raises(ConflictError):
        deals.update(deal.id, deal.version + 5, title="Same")


def test_winning_a_deal_twice_is_refused(db):
    deal = deals.won(deals.create({"title": "Done"}).id)
    with pytest.raises(ValidationError, match="won already"):
        deals.won(deal.id)
    assert deals.get(deal.id).version == deal.version
