"""Merging duplicate contacts: the contacts side by side, a value picked for each field, the result previewed below.

The screen never decides anything itself: every pick or change of the kept contact asks `merge.plan_merge` again
(in a worker), and the table and preview show that plan, so what the screen shows is what `ctrl+s` writes. The
versions of the contacts as first shown go with the merge, so a contact changed elsewhere meanwhile makes it refuse
instead of merging values nobody looked at; the screen then shows the contacts as they are now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from crm_tui.core.contacts.data import shown_name
from crm_tui.core.db import connection
from crm_tui.core.duplicates import merge
from crm_tui.core.errors import ConflictError, CrmError, ValidationError
from crm_tui.core.text import plural
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.widgets.merge_table import EMPTY, LABEL_WIDTH, MergeTable, contact_value, label

PICK_KEYS = Binding.Group("Pick", compact=True)


def preview(plan: merge.MergePlan) -> Text:
    """The merged contact's joined fields and what else the merge does, a line each (cut to the width by CSS)."""
    result = plan.result

    def line(name: str, value: str) -> Text:
        return Text.assemble((f"{name:<{LABEL_WIDTH}}", "bold"), value or (EMPTY, "dim"))

    notes = " · ".join(dict.fromkeys(
        contact.notes.strip().splitlines()[0] for contact in (plan.keep, *plan.others) if contact.notes.strip()
    ))
    name = shown_name(result.first_name, result.last_name, result.display_name)
    whole = " · ".join(part for part in (name, result.title, result.company) if part)
    others = (f"{plan.others[0].name} #{plan.others[0].id}" if len(plan.others) == 1
              else plural(len(plan.others), "other contact"))
    goes = "goes" if len(plan.others) == 1 else "go"
    lines = [
        line("Result", whole), line("Emails", ", ".join(result.emails)), line("Phones", ", ".join(result.phones)),
        line("Tags", ", ".join(result.tags)), line("Notes", notes),
        Text.assemble(f"Moves {plural(plan.deals_moved, 'deal')} and ",
                      f"{plan.activities_moved:,} {'activity' if plan.activities_moved == 1 else 'activities'} to ",
                      (f"{plan.keep.name} #{plan.keep.id}", "bold"), f"; {others} {goes} to the trash",
                      style="italic"),
    ]
    return Text("\n").join(lines)


class MergeScreen(Screen[merge.MergeResult | None]):
    """Merge `contact_ids` into one; the first is kept unless `k` keeps another. Dismisses with the MergeResult,
    or None when cancelled; the app is told "Merged 2 contacts into 'Ann Lee' · u undoes"."""

    BINDINGS = [
        Binding("up", "move(-1)", "Previous field", show=False, id="merge.up"),
        Binding("down", "move(1)", "Next field", show=False, id="merge.down"),
        Binding("left", "pick_next(-1)", "Pick left", id="merge.pick_left", group=PICK_KEYS),
        Binding("right", "pick_next(1)", "Pick right", id="merge.pick_right", group=PICK_KEYS),
        Binding("space,enter", "pick_here", "Pick this value", show=False, id="merge.pick"),
        *(Binding(str(n), f"pick_column({n - 1})", "Pick from contact 1-9", show=False,
                  id=f"merge.pick_{n}")
          for n in range(1, 10)),
        Binding("k", "keep", "Keep this contact", id="merge.keep"),
        Binding("ctrl+s", "merge", "Merge", id="merge.merge"),
        Binding("escape", "cancel", "Cancel", id="merge.cancel"),
    ]
    DEFAULT_CSS = """
    MergeScreen #merge-title { height: 1; padding: 0 1; }
    MergeScreen #merge-preview {
        height: auto;
        padding: 0 1;
        border-top: solid $panel-lighten-2;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    MergeScreen #merge-message { height: auto; padding: 0 1; display: none; }
    MergeScreen #merge-message.-error { color: $text-error; text-style: bold; }
    MergeScreen #merge-message.-note { color: $text-muted; }
    """

    def __init__(self, contact_ids: Sequence[int]) -> None:
        super().__init__()
        self.contact_ids = tuple(dict.fromkeys(contact_ids))
        self.keep_id = self.contact_ids[0]
        self.picks: dict[str, int] = {}
        """The picks asked for, some perhaps still being planned."""
        self.plan: merge.MergePlan | None = None
        self.shown_picks: dict[str, int] = {}
        """The picks of the plan on screen: what ctrl+s merges with."""
        self.versions: dict[int, int] = {}
        """The version of each contact as the person first saw it: the merge refuses if one changed since."""
        self.merging = False
        self._asked = 0
        self._reread = False

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static(Text(f"Merge {len(self.contact_ids)} contacts", style="bold"), id="merge-title")
        yield MergeTable(self.contact_ids, id="merge-table")
        yield Static("", id="merge-preview")
        yield Static("", id="merge-message")
        yield AppFooter()

    @property
    def table(self) -> MergeTable:
        return self.query_one(MergeTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.ask(self.keep_id, self.picks)

    # Planning ----------------------------------------------------------------------------------------------

    def ask(self, keep_id: int, picks: Mapping[str, int], warning: str = "") -> None:
        """Show the merge with this contact kept and these picks, as planned from what is stored now, and
        `warning` (why it is shown again) with it."""
        self._asked += 1
        others = [contact_id for contact_id in self.contact_ids if contact_id != keep_id]
        self.read_plan(self._asked, keep_id, others, dict(picks), warning)

    @work(thread=True, exclusive=True, group="merge-plan")
    def read_plan(self, asked: int, keep_id: int, others: list[int], picks: dict[str, int], warning: str) -> None:
        try:
            with connection():
                plan, used, dropped = plan_keeping_valid_picks(keep_id, others, picks)
        except CrmError as exc:
            self.app.call_from_thread(self.refused, asked, str(exc))
            return
        if dropped:
            warning = " ".join(filter(None, (warning, f"No longer on offer, so back to the default: {dropped}.")))
        self.app.call_from_thread(self.planned, asked, plan, used, warning)

    def planned(self, asked: int, plan: merge.MergePlan, picks: dict[str, int], warning: str) -> None:
        if asked != self._asked:
            return  # a later pick is being planned
        self.plan = plan
        self.keep_id = plan.keep.id
        self.picks = dict(picks)
        self.shown_picks = dict(picks)
        seen = {contact.id: contact.version for contact in (plan.keep, *plan.others)}
        self.versions = seen if self._reread else {**seen, **self.versions}
        self._reread = False
        self.table.show(plan)
        self.query_one("#merge-title", Static).update(Text.assemble(
            (f"Merge {len(self.contact_ids)} contacts into ", "bold"), (plan.keep.name, "bold")))
        self.query_one("#merge-preview", Static).update(preview(plan))
        self.say(warning)

    def refused(self, asked: int, message: str) -> None:
        if asked == self._asked:
            self.picks = dict(self.shown_picks)
            self.say(message)

    def say(self, message: str, error: bool = True) -> None:
        line = self.query_one("#merge-message", Static)
        line.update(Text(message))
        line.set_class(error, "-error")
        line.set_class(not error, "-note")
        line.display = bool(message)

    # Picking -----------------------------------------------------------------------------------------------

    def action_move(self, rows: int) -> None:
        self.table.move(rows=rows)

    def action_pick_next(self, step: int) -> None:
        self.table.move(columns=step)
        self.action_pick_here()

    def action_pick_column(self, column: int) -> None:
        if column < len(self.contact_ids):
            self.table.move_to_column(column)
            self.action_pick_here()

    def action_pick_here(self) -> None:
        """Take the current field's value from the contact under the cursor."""
        table = self.table
        choice, contact = table.current_field, table.current_contact
        if self.merging or choice is None or contact is None:
            return
        if contact_value(contact, choice.field) is None:
            self.say(f"{contact.name} has no {label(choice.field).lower()} to pick; k keeps this contact", False)
            return
        if contact_value(contact, choice.field) != choice.value:
            self.picks[choice.field] = contact.id
            self.ask(self.keep_id, self.picks)

    def action_keep(self) -> None:
        contact = self.table.current_contact
        if not self.merging and contact is not None and contact.id != self.keep_id:
            self.ask(contact.id, self.picks)

    # Merging -----------------------------------------------------------------------------------------------

    def action_merge(self) -> None:
        if self.plan is None or self.merging:
            return
        self.merging = True
        self.say("Merging…", error=False)
        plan = self.plan
        self.write(plan.keep.id, list(plan.merged_ids), dict(self.shown_picks), dict(self.versions))

    @work(thread=True, exclusive=True, group="merge-write")
    def write(self, keep_id: int, others: list[int], picks: dict[str, int], versions: dict[int, int]) -> None:
        try:
            with connection():
                result = merge.merge(keep_id, others, picks, versions)
        except ConflictError as exc:
            self.app.call_from_thread(self.changed_elsewhere, str(exc))
            return
        except CrmError as exc:
            self.app.call_from_thread(self.not_merged, str(exc))
            return
        self.app.call_from_thread(self.merged, result)

    def changed_elsewhere(self, message: str) -> None:
        """Nothing was merged: show the contacts as they are now, so ctrl+s merges what the person has seen."""
        self.merging = False
        self._reread = True
        self.ask(self.keep_id, self.picks, warning=f"Nothing was merged: {message}. Above is the merge as it is now.")

    def not_merged(self, message: str) -> None:
        self.merging = False
        self.say(f"Nothing was merged: {message}")

    def merged(self, result: merge.MergeResult) -> None:
        count = len(result.merged_ids) + 1
        self.app.notify(f"Merged {count} contacts into {result.contact.name!r} · u undoes")
        self.dismiss(result)

    def action_cancel(self) -> None:
        if not self.merging:
            self.dismiss(None)


def plan_keeping_valid_picks(keep_id: int, others: Sequence[int], picks: dict[str, int]
                             ) -> tuple[merge.MergePlan, dict[str, int], str]:
    """The plan, the picks it was made with, and the names of the picks left out because the stored data no
    longer allows them (a value cleared elsewhere, say); runs in a worker."""
    try:
        return merge.plan_merge(keep_id, others, picks), picks, ""
    except ValidationError as exc:
        stale = {error.field for error in exc.errors}
        if not stale or not stale <= picks.keys():
            raise
    kept = {field: contact_id for field, contact_id in picks.items() if field not in stale}
    return merge.plan_merge(keep_id, others, kept), kept, ", ".join(label(field) for field in sorted(stale))
