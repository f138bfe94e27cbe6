"""Pipelines and their stages, managed from the keyboard: `S` on the deals board opens it.

The pipelines (archived ones too) on the left, the stages of the highlighted one on the right. The same keys act
on whichever pane has the focus. Every change runs in a thread worker, is one change that `u` undoes, and is
followed by reading everything again (the lists are tiny), keeping the highlight on the same pipeline and stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from crm_tui.core import deals
from crm_tui.core.db import connection
from crm_tui.core.deals import pipelines
from crm_tui.core.deals.pipelines import PipelineData, StageData
from crm_tui.core.errors import CrmError
from crm_tui.core.text import plural
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.kit.dialogs import ConfirmScreen
from crm_tui.ui.screens.deals.pipeline_dialogs import PromptField, PromptScreen, StagePickerScreen

STAGE_NAME_WIDTH = 22
PIPELINE_NAME_WIDTH = 24
ARCHIVED = "  archived"
STAGE_ACTIONS = {"add_stage", "rename_stage", "probability", "move_stage", "delete_stage"}
PIPELINE_ACTIONS = {"add_pipeline", "rename_pipeline", "move_pipeline", "archive", "unarchive"}
HINT = "  tab/h/l pane · K/J move up/down · u undoes"


@dataclass(frozen=True)
class Snapshot:
    """Every pipeline with its stages, and how many deals each stage holds (those in the trash too: a stage
    holding only trashed deals still needs a place to send them before it can go)."""

    pipelines: list[PipelineData] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)


def read_snapshot() -> Snapshot:
    return Snapshot(pipelines.list_pipelines(include_archived=True), pipelines.deal_counts())


def _cell(text: str, width: int, style: str = "") -> Text:
    cell = Text(text, style=style, no_wrap=True)
    cell.truncate(width, overflow="ellipsis", pad=True)
    return cell


def stage_line(stage: StageData, count: int) -> Text:
    """`Proposal               50%         3 deals`; the outcomes marked won and lost."""
    mark = {"won": ("won", "bold green"), "lost": ("lost", "bold red")}.get(stage.outcome, ("", ""))
    return Text.assemble(_cell(stage.name, STAGE_NAME_WIDTH), f" {stage.probability:>3}%  ",
                         _cell(mark[0], 4, mark[1]), f"  {plural(count, 'deal'):>11}")


def pipeline_line(pipeline: PipelineData) -> Text:
    if pipeline.archived_at is None:
        return _cell(pipeline.name, PIPELINE_NAME_WIDTH)
    name = _cell(pipeline.name, PIPELINE_NAME_WIDTH - len(ARCHIVED))
    name.rstrip()
    return Text.assemble(name, Text(ARCHIVED, style="dim italic"))


def _keep(ids: list[int], wanted: int | None, index: int) -> int | None:
    """Where the highlight goes after a redraw: on `wanted` if it is still there, else near where it was."""
    if not ids:
        return None
    return ids.index(wanted) if wanted in ids else max(0, min(index, len(ids) - 1))


class PipelineSettingsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="pipeline_settings.back"),
        Binding("tab", "switch_pane", "Other pane", show=False, id="pipeline_settings.switch_pane"),
        Binding("h", "pane('pipelines')", "Pipelines pane", show=False, id="pipeline_settings.pipelines_pane"),
        Binding("l", "pane('stages')", "Stages pane", show=False, id="pipeline_settings.stages_pane"),
        Binding("j", "cursor(1)", "Down", show=False, id="pipeline_settings.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="pipeline_settings.up"),
        # The same key acts on the pane with the focus: check_action leaves out the other pane's binding.
        Binding("a", "add_stage", "Add", id="pipeline_settings.add_stage"),
        Binding("r", "rename_stage", "Rename", id="pipeline_settings.rename_stage"),
        Binding("p", "probability", "Probability", id="pipeline_settings.probability"),
        Binding("K", "move_stage(-1)", "Move up", show=False, id="pipeline_settings.stage_up"),
        Binding("J", "move_stage(1)", "Move down", show=False, id="pipeline_settings.stage_down"),
        Binding("d", "delete_stage", "Delete", id="pipeline_settings.delete_stage"),
        Binding("a", "add_pipeline", "Add", id="pipeline_settings.add_pipeline"),
        Binding("r", "rename_pipeline", "Rename", id="pipeline_settings.rename_pipeline"),
        Binding("K", "move_pipeline(-1)", "Move up", show=False, id="pipeline_settings.pipeline_up"),
        Binding("J", "move_pipeline(1)", "Move down", show=False, id="pipeline_settings.pipeline_down"),
        Binding("A", "archive", "Archive", id="pipeline_settings.archive"),
        Binding("A", "unarchive", "Unarchive", id="pipeline_settings.unarchive"),
    ]
    DEFAULT_CSS = """
    PipelineSettingsScreen {
        & #settings-title { height: 1; padding: 0 1; background: $boost; }
        & #panes { height: 1fr; }
        & OptionList {
            height: 1fr;
            max-height: 100%;
            border: round $border-blurred;
            border-title-color: $text-muted;
            &:focus { border: round $border; border-title-color: $text; }
        }
        & #pipelines { width: 30; }
        & #stages { width: 1fr; }
    }
    """

    def __init__(self, pipeline_id: int | None = None) -> None:
        super().__init__()
        self.snapshot = Snapshot()
        self.pipeline_id = pipeline_id
        self.stage_id: int | None = None
        self._pipeline_index = 0
        self._stage_index = 0
        self._stages_of: int | None = None  # the pipeline whose stages are drawn

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(Text.assemble(Text("Pipelines and stages", style="bold"), Text(HINT, style="dim")),
                     id="settings-title")
        with Horizontal(id="panes"):
            yield OptionList(id="pipelines")
            yield OptionList(id="stages")
        yield AppFooter()

    def on_mount(self) -> None:
        self.pipeline_list.border_title = "Pipelines"
        self.stage_list.border_subtitle = "deal counts include the trash"
        (self.stage_list if self.pipeline_id is not None else self.pipeline_list).focus()
        self.reload()

    @property
    def pipeline_list(self) -> OptionList:
        return self.query_one("#pipelines", OptionList)

    @property
    def stage_list(self) -> OptionList:
        return self.query_one("#stages", OptionList)

    @property
    def pane(self) -> str:
        return "stages" if self.focused is self.stage_list else "pipelines"

    @property
    def help_title(self) -> str:
        return "Stages" if self.pane == "stages" else "Pipelines"

    @property
    def current_pipeline(self) -> PipelineData | None:
        return next((each for each in self.snapshot.pipelines if each.id == self.pipeline_id), None)

    @property
    def current_stage(self) -> StageData | None:
        pipeline = self.current_pipeline
        return next((each for each in pipeline.stages if each.id == self.stage_id), None) if pipeline else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in STAGE_ACTIONS:
            return self.pane == "stages"
        if action in PIPELINE_ACTIONS:
            if self.pane != "pipelines":
                return False
            pipeline = self.current_pipeline
            if action in ("archive", "unarchive"):
                return pipeline is not None and (pipeline.archived_at is None) == (action == "archive")
        return True

    # Reading and drawing -----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read every pipeline again: after a change here, an undo, or another process."""
        self._load()

    @work(thread=True, exclusive=True, group="pipeline-settings-load")
    def _load(self) -> None:
        try:
            with connection():
                snapshot = read_snapshot()
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if not get_current_worker().is_cancelled:  # a change shown since has newer data than this read
            self.app.call_from_thread(self._show, snapshot)

    def _show(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        ids = [pipeline.id for pipeline in snapshot.pipelines]
        index = _keep(ids, self.pipeline_id, self._pipeline_index)
        listed = self.pipeline_list
        listed.set_options(Option(pipeline_line(each), id=str(each.id)) for each in snapshot.pipelines)
        listed.highlighted = index
        self.pipeline_id = ids[index] if index is not None else None
        self._pipeline_index = index or 0
        self._show_stages()

    def _show_stages(self) -> None:
        pipeline = self.current_pipeline
        stages = list(pipeline.stages) if pipeline else []
        if pipeline is None or pipeline.id != self._stages_of:
            self._stage_index = 0  # another pipeline: start at its first stage
        self._stages_of = pipeline.id if pipeline else None
        ids = [stage.id for stage in stages]
        index = _keep(ids, self.stage_id, self._stage_index)
        listed = self.stage_list
        listed.border_title = Content(f"Stages of {pipeline.name}") if pipeline else "Stages"
        listed.set_options(Option(stage_line(each, self.snapshot.counts.get(each.id, 0)), id=str(each.id))
                           for each in stages)
        listed.highlighted = index
        self.stage_id = ids[index] if index is not None else None
        self._stage_index = index or 0
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#pipelines")
    def pipeline_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._pipeline_index = event.option_index
        picked = int(event.option.id or 0)
        if picked != self.pipeline_id:
            self.pipeline_id = picked
            self.stage_id = None
            self._show_stages()

    @on(OptionList.OptionHighlighted, "#stages")
    def stage_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._stage_index = event.option_index
        self.stage_id = int(event.option.id or 0)

    @on(OptionList.OptionSelected, "#pipelines")
    def pipeline_chosen(self) -> None:
        self.stage_list.focus()

    # Moving about ------------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_switch_pane(self) -> None:
        self.action_pane("pipelines" if self.pane == "stages" else "stages")

    def action_pane(self, pane: str) -> None:
        (self.stage_list if pane == "stages" else self.pipeline_list).focus()

    def action_cursor(self, step: int) -> None:
        listed = self.stage_list if self.pane == "stages" else self.pipeline_list
        if listed.option_count:
            listed.highlighted = max(0, min(listed.option_count - 1, (listed.highlighted or 0) + step))

    # Changing ----------------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="pipeline-settings-write")
    def _write(self, change: Callable[[], object], done: str) -> None:
        """Run one change, then read everything again; a refusal is shown with the core's own words."""
        try:
            with connection():
                change()
                snapshot = read_snapshot()
        except CrmError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self._changed, snapshot, done)

    def _changed(self, snapshot: Snapshot, done: str) -> None:
        self.workers.cancel_group(self, "pipeline-settings-load")
        self._show(snapshot)
        self.notify(done)

    def _refused(self, message: str) -> None:
        self.notify(message, severity="warning")
        self.reload()

    def _ask(self, title: str, fields: list[PromptField], save: Callable[[dict[str, str]], object],
             saved: Callable[[object], str]) -> None:
        """Open a prompt that saves through the core; once it has, highlight what was saved and say so."""

        def closed(result: object) -> None:
            if result is None:
                return
            if isinstance(result, PipelineData):
                self.pipeline_id = result.id
            elif isinstance(result, StageData):
                self.pipeline_id, self.stage_id = result.pipeline_id, result.id
            self.notify(saved(result))
            self.reload()

        self.app.push_screen(PromptScreen(title, fields, save), closed)

    def _confirm(self, question: Text, label: str, then: Callable[[], None]) -> None:
        self.app.push_screen(ConfirmScreen(question, confirm_label=label), lambda yes: then() if yes else None)

    # Stages

    def action_add_stage(self) -> None:
        pipeline, stage = self.current_pipeline, self.current_stage
        if pipeline is None:
            return
        opened = [each.id for each in pipeline.open_stages]
        position = opened.index(stage.id) + 1 if stage is not None and stage.id in opened else None
        fields = [PromptField("name", "Name", placeholder="e.g. Demo"),
                  PromptField("probability", "Probability (%)", placeholder="0 to 100, e.g. 40")]

        def save(values: dict[str, str]) -> StageData:
            chance = values["probability"].strip() or 0
            return pipelines.add_stage(pipeline.id, values["name"], chance, position)

        self._ask(f"New stage in {pipeline.name}", fields, save,
                  lambda added: f"Added stage '{added.name}' · u undoes")

    def action_rename_stage(self) -> None:
        stage = self.current_stage
        if stage is not None:
            self._ask(f"Rename stage {stage.name}", [PromptField("name", "Name", stage.name)],
                      lambda values: pipelines.update_stage(stage.id, name=values["name"]),
                      lambda renamed: f"Renamed '{stage.name}' to '{renamed.name}' · u undoes")

    def action_probability(self) -> None:
        stage = self.current_stage
        if stage is not None:
            self._ask(f"Win probability of {stage.name}",
                      [PromptField("probability", "Probability (%)", str(stage.probability), "0 to 100")],
                      lambda values: pipelines.update_stage(stage.id, probability=values["probability"]),
                      lambda changed: f"'{changed.name}' is now {changed.probability}% · u undoes")

    def action_move_stage(self, step: int) -> None:
        pipeline, stage = self.current_pipeline, self.current_stage
        if pipeline is None or stage is None:
            return
        opened = [each.id for each in pipeline.open_stages]
        # An outcome goes to the core too, which refuses and says why Won and Lost stay last.
        position = opened.index(stage.id) + step if stage.id in opened else 0
        if 0 <= position < len(opened):
            self._write(lambda: pipelines.move_stage(stage.id, position), f"Moved '{stage.name}' · u undoes")

    def action_delete_stage(self) -> None:
        pipeline, stage = self.current_pipeline, self.current_stage
        if pipeline is None or stage is None:
            return
        others = [each for each in pipeline.open_stages if each.id != stage.id]
        if stage.outcome != "open" or not others:
            # Won, Lost and the last open stage cannot go: the core refuses, in its own words, before any change.
            self._delete_stage(stage, None, 0)
            return
        count = self.snapshot.counts.get(stage.id, 0)
        if not count:
            self._confirm(Text.assemble("Delete the stage ", (stage.name, "bold"), "?"), "Delete",
                          lambda: self._delete_stage(stage, None, 0))
            return
        noun, pronoun = ("deal is", "it") if count == 1 else ("deals are", "they")
        question = Text.assemble(f"{count:,} {noun} in ", (stage.name, "bold"), f". Where should {pronoun} go?")

        def picked(target_id: int | None) -> None:
            target = next((each for each in others if each.id == target_id), None)
            if target is not None:
                self._confirm(Text.assemble("Delete the stage ", (stage.name, "bold"),
                                            f" and move its {plural(count, 'deal')} to ", (target.name, "bold"), "?"),
                              "Delete", lambda: self._delete_stage(stage, target, count))

        self.app.push_screen(StagePickerScreen(question, others), picked)

    def _delete_stage(self, stage: StageData, target: StageData | None, count: int) -> None:
        moved = f", its {plural(count, 'deal')} moved to '{target.name}'" if target else ""
        self._write(lambda: deals.delete_stage(stage.id, target.id if target else None),
                    f"Deleted stage '{stage.name}'{moved} · u undoes")

    # Pipelines

    def action_add_pipeline(self) -> None:
        self._ask("New pipeline (it gets the usual stages: rename or delete them after)",
                  [PromptField("name", "Name", placeholder="e.g. Partnerships")],
                  lambda values: pipelines.create(values["name"]),
                  lambda added: f"Added pipeline '{added.name}' · u undoes")

    def action_rename_pipeline(self) -> None:
        pipeline = self.current_pipeline
        if pipeline is not None:
            self._ask(f"Rename pipeline {pipeline.name}", [PromptField("name", "Name", pipeline.name)],
                      lambda values: pipelines.rename(pipeline.id, values["name"]),
                      lambda renamed: f"Renamed '{pipeline.name}' to '{renamed.name}' · u undoes")

    def action_move_pipeline(self, step: int) -> None:
        pipeline = self.current_pipeline
        if pipeline is None:
            return
        position = [each.id for each in self.snapshot.pipelines].index(pipeline.id) + step
        if 0 <= position < len(self.snapshot.pipelines):
            self._write(lambda: pipelines.move(pipeline.id, position), f"Moved '{pipeline.name}' · u undoes")

    def action_archive(self) -> None:
        pipeline = self.current_pipeline
        if pipeline is not None:
            question = Text.assemble("Archive the pipeline ", (pipeline.name, "bold"),
                                     "? It leaves the board; its deals stay, and A brings it back.")
            self._confirm(question, "Archive", lambda: self._write(
                lambda: pipelines.archive(pipeline.id), f"Archived '{pipeline.name}' · u undoes"))

    def action_unarchive(self) -> None:
        pipeline = self.current_pipeline
        if pipeline is not None:
            self._write(lambda: pipelines.archive(pipeline.id, archived=False),
                        f"Unarchived '{pipeline.name}' · u undoes")
