"""Managing pipelines and stages from the deals board at 80x24: adding, renaming, reordering and deleting
stages (their deals go where the person says), adding, renaming, reordering and archiving pipelines, refusals
shown in the core's words, and undo."""

from __future__ import annotations

from helpers import press, screen_text, settle, shown

from crm_tui.core import deals
from crm_tui.core.deals import pipelines
from crm_tui.ui.app import CrmApp
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.screens.deals.pipeline import PipelineScreen
from crm_tui.ui.screens.deals.pipeline_dialogs import PromptScreen, StagePickerScreen
from crm_tui.ui.screens.deals.pipeline_settings import PipelineSettingsScreen
from crm_tui.ui.screens.help import HelpScreen
from crm_tui.ui.widgets.kanban import KanbanColumn


def stage_names(pipeline: str = "Sales") -> list[str]:
    return [stage.name for stage in pipelines.get(pipeline).stages]


def deal(title: str, stage: str = "Lead", **more) -> deals.DealData:
    return deals.create({"title": title, "value": "100", "currency": "EUR", "stage": stage, **more})


async def type_text(app, pilot, text: str) -> None:
    await press(app, pilot, *("space" if char == " " else char for char in text))


async def replace_text(app, pilot, text: str) -> None:
    """Empty the focused input, then type `text`."""
    await press(app, pilot, "ctrl+a", "ctrl+k")
    await type_text(app, pilot, text)


def settings_of(app) -> PipelineSettingsScreen:
    screen = next(s for s in app.screen_stack if isinstance(s, PipelineSettingsScreen))
    return screen


def highlighted_stage(app) -> str:
    stage = settings_of(app).current_stage
    return stage.name if stage else ""


def notices(app) -> str:
    return "\n".join(str(notification.message) for notification in app._notifications)


async def open_settings(app, pilot) -> PipelineSettingsScreen:
    await settle(app, pilot)
    await press(app, pilot, "3")
    assert isinstance(app.screen, PipelineScreen)
    await press(app, pilot, "S")
    assert isinstance(app.screen, PipelineSettingsScreen)
    return app.screen


async def test_stages_are_listed_in_order_with_probability_outcome_and_deals(db):
    deal("Atlas renewal")
    deal("Borealis pilot")
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(app, pilot)
        lines = screen_text(app).splitlines()
        assert "Stages of Sales" in lines[2]
        rows = [line for line in lines if any(name in line for name in ("Lead", "Qualified", "Won", "Lost"))]
        assert "Lead" in rows[0] and "10%" in rows[0] and "2 deals" in rows[0]
        assert "Qualified" in rows[1] and "25%" in rows[1] and "0 deals" in rows[1]
        assert "Won" in rows[2] and "100%" in rows[2] and "won" in rows[2]
        assert "Lost" in rows[3] and "lost" in rows[3]
        footer = lines[-1]
        for key in ("esc Back", "a Add", "r Rename", "p Probability", "d Delete"):
            assert key in footer
        assert highlighted_stage(app) == "Lead"


async def test_a_adds_a_stage_after_the_highlighted_one_and_the_board_shows_it(db):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(app, pilot)
        await press(app, pilot, "j", "a")
        assert isinstance(app.screen, PromptScreen)
        await type_text(app, pilot, "Demo booked")
        await press(app, pilot, "tab")
        await type_text(app, pilot, "35%")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, PipelineSettingsScreen)
        assert stage_names() == ["Lead", "Qualified", "Demo booked", "Proposal", "Negotiation", "Won", "Lost"]
        assert pipelines.get("Sales").stage("Demo booked").probability == 35
        text = screen_text(app)
        assert text.index("Qualified") < text.index("Demo booked") < text.index("Proposal")
        assert highlighted_stage(app) == "Demo booked"
        assert "Added stage 'Demo booked'" in notices(app)
        await press(app, pilot, "escape")
        assert isinstance(app.screen, PipelineScreen)
        columns = [column.stage.name for column in app.screen.query(KanbanColumn)]
        assert columns == ["Lead", "Qualified", "Demo booked", "Proposal", "Negotiation"]


async def test_a_stage_name_is_required_and_unique_and_the_dialog_says_so(db):
    async with shown(PipelineSettingsScreen(pipelines.default().id)) as (app, pilot):
        await press(app, pilot, "a", "enter")
        assert isinstance(app.screen, PromptScreen)
        assert "is required" in screen_text(app)
        await type_text(app, pilot, "lead")
        await press(app, pilot, "enter")
        assert "has a stage 'Lead' already" in screen_text(app)
        await press(app, pilot, "escape")
        assert isinstance(app.screen, PipelineSettingsScreen)
        assert len(stage_names()) == 6


async def test_r_renames_a_stage_and_u_in_the_app_undoes_it(db):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(app, pilot)
        await press(app, pilot, "r")
        await replace_text(app, pilot, "Prospect")
        await press(app, pilot, "enter")
        assert stage_names()[0] == "Prospect"
        assert "Prospect" in screen_text(app) and highlighted_stage(app) == "Prospect"
        await press(app, pilot, "u")
        assert stage_names()[0] == "Lead"
        assert isinstance(app.screen, PipelineSettingsScreen)
        assert "Lead" in screen_text(app) and "Prospect" not in screen_text(app)
        assert highlighted_stage(app) == "Lead"


async def test_probability_over_100_is_refused_in_the_dialog_and_nothing_changes(db):
    async with shown(PipelineSettingsScreen(pipelines.default().id)) as (app, pilot):
        await press(app, pilot, "j", "p")
        assert isinstance(app.screen, PromptScreen)
        await replace_text(app, pilot, "101")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, PromptScreen)
        assert "101 is not between 0 and 100" in screen_text(app)
        assert pipelines.get("Sales").stage("Qualified").probability == 25
        await replace_text(app, pilot, "60%")
        assert "101 is not between" not in screen_text(app)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, PipelineSettingsScreen)
        assert pipelines.get("Sales").stage("Qualified").probability == 60
        assert any("60%" in line and "Qualified" in line for line in screen_text(app).splitlines())


async def test_K_and_J_move_a_stage_and_the_highlight_follows_it(db):
    async with shown(PipelineSettingsScreen(pipelines.default().id)) as (app, pilot):
        await press(app, pilot, "j", "j", "K")
        assert stage_names() == ["Lead", "Proposal", "Qualified", "Negotiation", "Won", "Lost"]
        assert highlighted_stage(app) == "Proposal"
        text = screen_text(app)
        assert text.index("Proposal") < text.index("Qualified")
        await press(app, pilot, "K", "K")
        assert stage_names()[:2] == ["Proposal", "Lead"]
        await press(app, pilot, "J", "J", "J", "J")
        assert stage_names() == ["Lead", "Qualified", "Negotiation", "Proposal", "Won", "Lost"]
        await press(app, pilot, "j", "K")
        assert stage_names()[-2:] == ["Won", "Lost"]
        assert "Won and Lost always come after the open stages" in "\n".join(app.notices)


async def test_deleting_a_stage_with_deals_asks_where_they_go_and_moves_them(db):
    atlas = deal("Atlas renewal", stage="Proposal")
    borealis = deal("Borealis pilot", stage="Proposal")
    async with shown(PipelineSettingsScreen(pipelines.default().id)) as (app, pilot):
        await press(app, pilot, "j", "j", "d")
        assert isinstance(app.screen, StagePickerScreen)
        assert "2 deals are in Proposal" in screen_text(app)
        await press(app, pilot, "down", "down", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete the stage Proposal and move its 2 deals to" in screen_text(app)
        assert "Negotiation?" in screen_text(app)
        await press(app, pilot, "y")
        assert isinstance(app.screen, PipelineSettingsScreen)
        assert stage_names() == ["Lead", "Qualified", "Negotiation", "Won", "Lost"]
        assert deals.get(atlas.id).stage == "Negotiation" and deals.get(borealis.id).stage == "Negotiation"
        assert highlighted_stage(app) == "Negotiation"
        assert any("Negotiation" in line and "2 deals" in line for line in screen_text(app).splitlines())


async def test_deleting_an_empty_stage_asks_first_and_outcomes_cannot_be_deleted(db):
    async with shown(PipelineSettingsScreen(pipelines.default().id)) as (app, pilot):
        await press(app, pilot, "j", "d")
        assert isinstance(app.screen, ConfirmScreen) and "Delete the stage Qualified?" in screen_text(app)
        await press(app, pilot, "n")
        assert "Qualified" in stage_names()
        await press(app, pilot, "d", "y")
        assert stage_names() == ["Lead", "Proposal", "Negotiation", "Won", "Lost"]
        assert highlighted_stage(app) == "Proposal"
        await press(app, pilot, "end", "k", "d")
        assert isinstance(app.screen, PipelineSettingsScreen)
        assert "'Won' is an outcome of 'Sales'; Won and Lost cannot be deleted" in app.notices
        assert "Won" in stage_names()


async def test_pipelines_are_added_renamed_reordered_and_archived(db):
    async with shown(PipelineSettingsScreen(pipelines.default().id)) as (app, pilot):
        await press(app, pilot, "h", "a")
        await type_text(app, pilot, "Partners")
        await press(app, pilot, "enter")
        assert [p.name for p in pipelines.list_pipelines()] == ["Sales", "Partners"]
        assert stage_names("Partners") == ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
        screen = settings_of(app)
        assert screen.current_pipeline.name == "Partners" and "Stages of Partners" in screen_text(app)
        await press(app, pilot, "r")
        await replace_text(app, pilot, "Partnerships")
        await press(app, pilot, "enter")
        assert pipelines.get("Partnerships").id == screen.pipeline_id
        await press(app, pilot, "K")
        assert [p.name for p in pipelines.list_pipelines()] == ["Partnerships", "Sales"]
        await press(app, pilot, "A")
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "y")
        assert pipelines.get("Partnerships").archived_at is not None
        row = next(line for line in screen_text(app).splitlines() if line.startswith("│ Partnerships"))
        assert "archived" in row
        assert "A Unarchive" in screen_text(app).splitlines()[-1]
        await press(app, pilot, "j", "A", "y")
        assert pipelines.get("Sales").archived_at is None
        assert "'Sales' is the only pipeline left open; add another before archiving it" in app.notices
        await press(app, pilot, "k", "A")
        assert pipelines.get("Partnerships").archived_at is None
        assert "archived" not in screen_text(app)


async def test_names_are_shown_as_typed_never_as_markup(db):
    pipelines.add_stage("Sales", "[bold]Demo[/bold]", 30, position=0)
    async with shown(PipelineSettingsScreen(pipelines.default().id)) as (app, pilot):
        assert "[bold]Demo[/bold]" in screen_text(app)
        await press(app, pilot, "r", "ctrl+a", "ctrl+k", "enter")
        assert "is required" in screen_text(app)


async def test_help_lists_the_keys_of_the_pane_with_the_focus(db):
    app = CrmApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(app, pilot)
        await press(app, pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for line in ("Stages", "a         Add", "p         Probability", "K         Move up", "d         Delete",
                     "tab       Other pane", "esc       Back"):
            assert line in text
        await press(app, pilot, "escape", "tab", "question_mark")
        text = screen_text(app)
        assert "Pipelines" in text and "A         Archive" in text and "Probability" not in text
        await press(app, pilot, "escape", "escape")
        assert isinstance(app.screen, PipelineScreen)
        assert "S stages" in str(app.screen.query_one("#board-title").visual)
