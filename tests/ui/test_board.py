"""The deals board at 80x24 as a sales person uses it: columns with totals per currency, moving cards with H/L,
won and lost, undo, the sideways scroll, the filter and the table view."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from helpers import screen_lines, screen_text, settle
from textual.widgets import Input

from crm_tui.core import activities, deals
from crm_tui.core.deals import listing as deal_list, pipelines
from crm_tui.core.models import Deal, DealStageChange
from crm_tui.ui import sources
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.screens.deals.detail import DealDetailScreen
from crm_tui.ui.screens.deals.pipeline import PipelineScreen
from crm_tui.ui.widgets.kanban import KanbanColumn


def column(app, name: str) -> KanbanColumn:
    return next(c for c in app.screen.query(KanbanColumn) if c.stage.name == name)


def header(app, name: str) -> str:
    return column(app, name).header_text().plain


async def press(app, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


def deal(title: str, value: str, currency: str = "EUR", stage: str = "Lead", close: str = "", **more) -> deals.DealData:
    return deals.create({"title": title, "value": value, "currency": currency, "stage": stage,
                         "expected_close": close, **more})


async def open_board(app, pilot) -> PipelineScreen:
    await settle(app, pilot)
    await press(app, pilot, "3")
    assert isinstance(app.screen, PipelineScreen)
    return app.screen


async def test_columns_show_counts_and_totals_per_currency_never_added_together(db):
    deal("Atlas renewal", "1000", close="2026-12-01", company="Atlas GmbH")
    deal("Borealis pilot", "2500", close="2026-12-05")
    deal("Cirrus seats", "700", currency="USD")
    deal("Delta expansion", "12.500,50", stage="Proposal")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        lead = header(app, "Lead")
        assert "Lead 10%" in lead and "3 deals" in lead
        assert "EUR 3,500 w 350" in lead and "USD 700 w 70" in lead
        assert "4,200" not in lead
        assert "EUR 12.5k w 6,250" in header(app, "Proposal")
        text = screen_text(app)
        for shown in ("Lead", "Qualified", "Proposal", "Negotiatio", "Atlas renewal", "Atlas GmbH"):
            assert shown in text
        assert "EUR 12,500.50 w 6,250.25" not in text
        await press(app, pilot, "right", "right")
        assert "Proposal: card 1 of 1 · EUR 12,500.50 w 6,250.25" in text_of_status(app)


def text_of_status(app) -> str:
    return str(app.screen.query_one("#board-status").visual)


async def test_L_and_H_move_the_deal_and_the_totals_follow(db):
    first = deal("Atlas renewal", "1000", close="2026-12-01")
    deal("Borealis pilot", "2500", close="2026-12-05")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(app, pilot)
        assert board.focused_column.stage.name == "Lead"
        await press(app, pilot, "L")
        moved = deals.get(first.id)
        assert moved.stage == "Qualified" and moved.version == first.version + 1
        history = [(row.from_stage_id, row.to_stage_id) for row in
                   DealStageChange.select().where(DealStageChange.deal == first.id).order_by(DealStageChange.id)]
        assert history == [(None, first.stage_id), (first.stage_id, moved.stage_id)]
        assert "1 deal" in header(app, "Lead") and "EUR 2,500" in header(app, "Lead")
        assert "1 deal" in header(app, "Qualified") and "EUR 1,000 w 250" in header(app, "Qualified")
        assert board.focused_column.stage.name == "Qualified"
        assert board.focused_column.current.id == first.id
        await press(app, pilot, "L")
        assert deals.get(first.id).stage == "Proposal"
        await press(app, pilot, "H", "H")
        assert deals.get(first.id).stage == "Lead"
        await press(app, pilot, "H")
        assert deals.get(first.id).stage == "Lead"
        assert "first stage" in "\n".join(str(n.message) for n in app._notifications)


async def test_an_open_deal_without_a_next_step_is_marked_on_its_card(db):
    planned = deal("Planned deal", "1000")
    deal("Quiet deal", "2500")
    activities.create({"kind": "task", "subject": "Send the quote", "deal_id": planned.id})
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        lead = [line.split("▕")[0] for line in screen_lines(app)]
        assert "▌Planned deal      " in lead and " Quiet deal       ?" in lead


async def test_undo_puts_a_moved_deal_back(db):
    first = deal("Atlas renewal", "1000")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        await press(app, pilot, "L")
        assert "1 deal" in header(app, "Qualified")
        await press(app, pilot, "u")
        assert deals.get(first.id).stage == "Lead"
        assert "1 deal" in header(app, "Lead") and "0 deals" in header(app, "Qualified")
        assert DealStageChange.select().where(DealStageChange.deal == first.id).count() == 1


async def test_won_and_lost_close_deals_and_W_X_show_them(db):
    atlas = deal("Atlas renewal", "1000", close="2026-12-01")
    borealis = deal("Borealis pilot", "2500", close="2026-12-05")
    deal("Old loss", "10", stage="Lost")
    deals.lost(deals.get(3).id, "Too expensive")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        await press(app, pilot, "w")
        assert deals.get(atlas.id).status == "won"
        assert "Atlas renewal" not in screen_text(app)
        await press(app, pilot, "x")
        await press(app, pilot, *"Budget cut", "enter")
        lost = deals.get(borealis.id)
        assert lost.status == "lost" and lost.lost_reason == "Budget cut"
        assert "0 deals" in header(app, "Lead")
        await press(app, pilot, "W")
        assert "Won" in [c.stage.name for c in app.screen.query(KanbanColumn)]
        assert "Atlas renewal" in screen_text(app)
        await press(app, pilot, "X")
        assert "2 deals" in header(app, "Lost")


async def test_a_board_of_six_stages_scrolls_sideways_to_the_focused_column(db):
    for name in ("Discovery", "Demo"):
        pipelines.add_stage("Sales", name, 80)
    deal("Last stage deal", "5000", stage="Demo")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(app, pilot)
        assert len(board.columns) == 6
        assert "Demo" not in screen_text(app) and "Lead" in screen_text(app)
        await press(app, pilot, *["right"] * 5)
        assert board.focused_column.stage.name == "Demo"
        text = screen_text(app)
        assert "Last stage deal" in text and re.search(r"Demo +80%", text)
        assert not re.search(r"Lead +10%", text)
        await press(app, pilot, *["left"] * 5)
        assert re.search(r"Lead +10%", screen_text(app))


async def test_filter_narrows_cards_and_totals(db):
    deal("Atlas renewal", "1000", company="Atlas GmbH")
    deal("Borealis pilot", "2500")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        await press(app, pilot, "slash", *"atlas")
        await pilot.pause(0.4)
        await settle(app, pilot)
        box = app.screen.query_one(Input)
        assert box.has_focus and box.region.height == 1
        text = screen_text(app)
        assert "Atlas renewal" in text and "Borealis pilot" not in text
        assert "1 deal" in header(app, "Lead") and "EUR 1,000" in header(app, "Lead")
        await press(app, pilot, "escape")
        assert app.screen.query_one("#filter", Input).value == ""
        assert "Borealis pilot" in screen_text(app)


async def test_table_view_lists_every_open_deal_sorted_by_value_then_close(db):
    deal("Small", "100", close="2026-12-20")
    deal("Large", "90000", stage="Proposal", close="2027-03-01")
    deal("Medium", "5000", stage="Qualified", close="2026-12-10")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(app, pilot)
        await press(app, pilot, "v")
        table = app.screen.query_one("#table", RecordList)
        assert board.table_view and table.has_focus
        rows = [line for line in screen_lines(app) if any(t in line for t in ("Small", "Large", "Medium"))]
        assert [row.split()[0] for row in rows] == ["Large", "Medium", "Small"]
        assert "EUR 90,000.00" in rows[0]
        await press(app, pilot, "s")
        rows = [line for line in screen_lines(app) if any(t in line for t in ("Small", "Large", "Medium"))]
        assert [row.split()[0] for row in rows] == ["Medium", "Small", "Large"]
        await press(app, pilot, "L")
        assert deals.get(2).stage == "Proposal"
        assert deals.get(3).stage == "Proposal"
        await press(app, pilot, "v")
        assert not board.table_view and isinstance(app.focused, KanbanColumn)


async def test_enter_opens_the_deal_and_a_add_creates_one_in_the_focused_stage(db):
    deal("Atlas renewal", "1000")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, DealDetailScreen)
        await press(app, pilot, "escape", "right", "a")
        await press(app, pilot, *"New one", "tab", *"2.000,00", "ctrl+s")
        made = next(deal_list.iterate(deal_list.DealFilter(text="new one")))
        assert made.stage == "Qualified" and made.value_minor == 200000
        assert "New one" in screen_text(app)


async def test_cards_mark_a_passed_close_date_and_a_stale_stage(db, monkeypatch):
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(sources, "current_time", lambda: now)
    late = deal("Late renewal", "1000", close="2026-11-20")
    fresh = deal("Fresh pilot", "2000", close="2026-12-20")
    Deal.update(stage_entered_at="2026-10-01T09:00:00.000000Z").where(Deal.id == late.id).execute()
    Deal.update(stage_entered_at="2026-11-25T09:00:00.000000Z").where(Deal.id == fresh.id).execute()
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_board(app, pilot)
        text = screen_text(app)
        assert "!58d" in text and "!Nov 20" in text
        assert re.search(r"\b3d\b", text) and "!3d" not in text
        assert "Dec 20" in text and "!Dec 20" not in text


async def test_P_switches_to_another_pipeline(db):
    deal("Sales deal", "1000")
    pipelines.create("Partners", ["Intro", "Pilot"])
    deal("Partner deal", "500", pipeline="Partners", stage="Pilot")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await open_board(app, pilot)
        assert "Sales deal" in screen_text(app)
        await press(app, pilot, "P", "down", "enter")
        assert board.pipeline.name == "Partners"
        assert [column.stage.name for column in board.columns] == ["Intro", "Pilot"]
        text = screen_text(app)
        assert "Partner deal" in text and "Sales deal" not in text and "Partners pipeline" in text
