"""What the board shows around its cards: totals per stage and currency, the reasons deals were lost, a deal's stage
history; and the schema-5 migration that adds the indexes the board reads."""

from __future__ import annotations

import sqlite3

import pytest
from schema_versions import V5_INDEXES, make_version_4

from crm_tui.core import deals
from crm_tui.core.db import SCHEMA_VERSION, close_database, open_database
from crm_tui.core.deals import listing as deal_list, pipelines
from crm_tui.core.deals.listing import CurrencyTotal, DealFilter, StageTotals
from crm_tui.core.models import database


def stage(name: str) -> int:
    return pipelines.get("Sales").stage(name).id


@pytest.fixture
def board(db):
    rows = [
        ("Alpha", "Lead", "500", "EUR", "Acme"),
        ("Bravo", "Lead", "1500", "EUR", ""),
        ("Echo", "Lead", "900.10", "EUR", ""),
        ("Charlie", "Qualified", "1500", "EUR", "Zenith"),
        ("Delta", "Proposal", "200", "USD", "Acme"),
        ("Hotel", "Proposal", "300", "EUR", ""),
        ("India", "Proposal", "50", "USD", ""),
        ("Golf", "Won", "7000", "EUR", ""),
        ("Foxtrot", "Lost", "50", "EUR", "Acme"),
    ]
    return {title: deals.create({"title": title, "stage": where, "value": value, "currency": currency,
                                 "company": company})
            for title, where, value, currency, company in rows}


def test_stage_totals_per_stage_and_currency(board):
    totals = deal_list.stage_totals(DealFilter())
    assert totals == {
        stage("Lead"): StageTotals(3, (CurrencyTotal("EUR", 3, 290010, 29001),)),
        stage("Qualified"): StageTotals(1, (CurrencyTotal("EUR", 1, 150000, 37500),)),
        # Never EUR + USD: each currency on its own, the largest total first.
        stage("Proposal"): StageTotals(3, (CurrencyTotal("EUR", 1, 30000, 15000),
                                           CurrencyTotal("USD", 2, 25000, 12500))),
        stage("Won"): StageTotals(1, (CurrencyTotal("EUR", 1, 700000, 700000),)),
        stage("Lost"): StageTotals(1, (CurrencyTotal("EUR", 1, 5000, 0),)),
    }
    assert stage("Negotiation") not in totals


def test_weighted_totals_round_half_up_to_a_minor_unit(db):
    for value in ("0.05", "0.04", "0.10"):
        deals.create({"title": value, "value": value})  # Lead: 10 %
    [lead] = deal_list.stage_totals(DealFilter())[stage("Lead")].currencies
    assert (lead.total_minor, lead.weighted_minor) == (19, 2)  # 1.9 -> 2
    pipelines.update_stage(stage("Lead"), probability=25)
    [lead] = deal_list.stage_totals(DealFilter())[stage("Lead")].currencies
    assert lead.weighted_minor == 5  # 4.75 -> 5
    deals.create({"title": "ten", "value": "0.10", "stage": "Qualified"})  # 25 % of 10 is 2.5: half up, not to even
    assert deal_list.stage_totals(DealFilter())[stage("Qualified")].currencies[0].weighted_minor == 3
    assert [deals.weighted(v, 50) for v in (1, 2, 3, 5)] == [1, 1, 2, 3]


def test_totals_follow_the_filters_but_cover_every_stage(board):
    acme = deal_list.stage_totals(DealFilter(text="acme", stage_id=stage("Lead")))
    assert {stage_id: totals.count for stage_id, totals in acme.items()} == {
        stage("Lead"): 1, stage("Proposal"): 1, stage("Lost"): 1}
    assert acme[stage("Proposal")].currencies == (CurrencyTotal("USD", 1, 20000, 10000),)
    open_only = deal_list.stage_totals(DealFilter(statuses=("open",)))
    assert stage("Won") not in open_only and stage("Lost") not in open_only and len(open_only) == 3
    assert deal_list.stage_totals(DealFilter(text="hotel")) == {
        stage("Proposal"): StageTotals(1, (CurrencyTotal("EUR", 1, 30000, 15000),))}
    deals.delete(board["Hotel"].id)
    assert deal_list.stage_totals(DealFilter())[stage("Proposal")].currencies == (
        CurrencyTotal("USD", 2, 25000, 12500),)
    renewals = pipelines.create("Renewals")
    deals.create({"title": "Other", "pipeline": "Renewals", "value": "1"})
    assert list(deal_list.stage_totals(DealFilter(pipeline_id=renewals.id))) == [renewals.stage("Lead").id]
    assert stage("Lead") in deal_list.stage_totals(DealFilter(pipeline_id=board["Alpha"].pipeline_id))


def test_lost_reasons_most_used_first(db):
    for reason in ("Budget", "Competitor", "Budget", "Timing", "Competitor", "Budget", ""):
        deals.lost(deals.create({"title": reason or "none"}).id, reason)
    assert deal_list.lost_reasons() == ["Budget", "Competitor", "Timing"]
    assert deal_list.lost_reasons(limit=2) == ["Budget", "Competitor"]
    reopened = deals.step(deals.create({"title": "x"}).id, 1)
    deals.lost(reopened.id, "Aardvark")
    assert deal_list.lost_reasons()[-2:] == ["Aardvark", "Timing"]  # ties in name order
    deals.step(reopened.id, -1)  # reopened: its reason is cleared and no longer offered
    assert "Aardvark" not in deal_list.lost_reasons()


def test_stage_history_oldest_first(db):
    deal = deals.create({"title": "A", "stage": "Qualified"})
    deals.step(deal.id, 1)
    deals.lost(deal.id, "Budget")
    deals.step(deal.id, -1)
    deals.move(deal.id, "Lead")
    moves = deal_list.stage_history(deal.id)
    assert [(m.from_stage, m.to_stage) for m in moves] == [
        (None, "Qualified"), ("Qualified", "Proposal"), ("Proposal", "Lost"), ("Lost", "Negotiation"),
        ("Negotiation", "Lead")]
    assert [m.at for m in moves] == sorted(m.at for m in moves) and moves[0].at == deal.created_at
    assert moves[-1].at == deals.get(deal.id).stage_entered_at
    pipelines.update_stage(stage("Lead"), name="Prospect")  # history names stages as they are called now
    assert deal_list.stage_history(deal.id)[-1].to_stage == "Prospect"
    assert deal_list.stage_history(999) == []


def index_names() -> set[str]:
    return {row[0] for row in database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_schema_4_database_migrates_and_gets_the_board_indexes(tmp_path):
    path = tmp_path / "v4.sqlite3"
    open_database(path)
    kept = deals.create({"title": "Kept", "value": "12,50", "expected_close": "2026-05-01"})
    fresh_indexes = index_names()
    close_database()
    assert V5_INDEXES <= fresh_indexes
    conn = sqlite3.connect(path)
    make_version_4(conn)
    conn.commit()
    conn.close()

    opened = open_database(path)
    try:
        assert opened.schema_version == SCHEMA_VERSION == database.execute_sql("PRAGMA user_version").fetchone()[0]
        assert opened.backup_path is not None and opened.backup_path.name.startswith("v4.sqlite3.v4-")
        assert index_names() == fresh_indexes
        assert "deleted_at" in {row[1] for row in database.execute_sql("PRAGMA table_info(stage)")}
        assert deals.get(kept.id) == kept
        assert [d.id for d in deal_list.iterate(DealFilter(stage_id=kept.stage_id))] == [kept.id]
    finally:
        close_database()
    backup = sqlite3.connect(opened.backup_path)
    try:
        assert backup.execute("PRAGMA user_version").fetchone()[0] == 4
        assert backup.execute("SELECT count(*) FROM sqlite_master WHERE name = 'deal_stage_close'").fetchone() == (0,)
    finally:
        backup.close()
