"""One deal with every field and its stage history, stepping through the list it was opened from; its contact and
company are links."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from crm_tui import config
from crm_tui.core import deals
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.deals.listing import StageMove
from crm_tui.core.deals.service import DealData
from crm_tui.core.money import format_money
from crm_tui.core.text import plural
from crm_tui.core.when import local_time
from crm_tui.ui import sources
from crm_tui.ui.kit.detail import (
    FieldRow,
    Section,
    detail_bindings,
    paragraph,
    plain,
    time_rows,
)
from crm_tui.ui.kit.record_source import ListQuery
from crm_tui.ui.navigation import detail_screen
from crm_tui.ui.screens.activities.timeline import TimelineDetail, timeline_binding
from crm_tui.ui.screens.deals.dialogs import LostReasonScreen
from crm_tui.ui.screens.deals.form import DealFormScreen
from crm_tui.ui.sources import DealSource


def history_lines(moves: list[StageMove]) -> str:
    """`2026-11-20 09:30  Lead → Qualified` a line, oldest first, in local time."""
    return "\n".join(
        f"{local_time(move.at)}  " + (f"{move.from_stage} → {move.to_stage}" if move.from_stage else
                                      f"added in {move.to_stage}")
        for move in moves
    )


def next_step_row(deal: DealData) -> FieldRow:
    """The open task due soonest, or a warning that the deal has none: a deal without a next step stalls."""
    if deal.next_step is None:
        return MarkedRow("Next step", "", "none · t adds a task")
    due = local_time(deal.next_step_due) if deal.next_step_due else "no due date"
    return FieldRow("Next step", f"{deal.next_step} · {due}")



class MarkedRow(FieldRow):
    """A field row with a warning after the value, such as `overdue` or `stale`."""

    DEFAULT_CSS = """
    MarkedRow {
        & > .field-value.-marked { width: auto; }
        & > .field-mark { width: 1fr; padding: 0 0 0 2; color: $text-warning; text-style: bold; }
    }
    """

    def __init__(self, label: str, value: str, mark: str = "") -> None:
        super().__init__(label, value)
        self.mark = mark

    def compose(self) -> ComposeResult:
        yield from super().compose()
        if self.mark:
            yield Static(plain(self.mark), classes="field-mark")

    def on_mount(self) -> None:
        if self.mark:
            self.query_one(".field-value").add_class("-marked")


class LinkRow(FieldRow, can_focus=True):
    """A field row naming another record; enter on it (or a click, or the screen's key for it) opens it."""

    BINDINGS = [Binding("enter", "open", "Open", show=False, id="deal_detail.open_link")]
    DEFAULT_CSS = """
    LinkRow:focus > .field-value { background: $accent 40%; text-style: bold; }
    """

    class Opened(Message):
        def __init__(self, link: LinkRow) -> None:
            super().__init__()
            self.link = link

    def __init__(self, label: str, value: str, target: str, key: str) -> None:
        super().__init__(label, value)
        self.target = target
        self.key = key

    def compose(self) -> ComposeResult:
        yield Static(plain(self.label), classes="field-label")
        yield Static(Text.assemble((self.values[0], "underline"), (f"  {self.key} or enter opens", "dim")),
                     classes="field-value")

    def action_open(self) -> None:
        self.post_message(self.Opened(self))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_open()


class DealDetailScreen(TimelineDetail):
    """Everything about one deal: keys step through the list, mark it won or lost, edit, trash, or open its
    contact or company."""

    BINDINGS = [
        *detail_bindings("deal_detail"),
        Binding("w", "won", "Won", id="deal_detail.won"),
        Binding("x", "lost", "Lost", id="deal_detail.lost"),
        Binding("o", "contact", "Contact", id="deal_detail.contact"),
        Binding("c", "company", "Company", id="deal_detail.company"),
        timeline_binding("deal_detail"),
    ]
    service = deals
    form_type = DealFormScreen
    noun = "deal"
    link_field = "deal_id"

    def __init__(self, deal_id: int, source: DealSource, query: ListQuery) -> None:
        super().__init__(deal_id, source, query)
        self.histories: dict[int, list[StageMove]] = {}

    def fetch(self, record_id: int) -> DealData:
        """The deal, its timeline and (kept aside for `sections`) its stage history, on the worker thread."""
        deal = super().fetch(record_id)
        self.histories[deal.id] = deal_list.stage_history(deal.id)
        return deal

    def sections(self, record: DealData) -> Iterable[Widget]:
        stale_days = config.stale_days(getattr(self.app, "settings", {}))
        value = format_money(record.value_minor, record.currency)
        weighted = format_money(record.weighted_minor, record.currency)
        status = record.status if record.closed_at is None else f"{record.status} on {local_time(record.closed_at)}"
        rows = [
            FieldRow("Value", value),
            FieldRow("Weighted", f"{weighted}  ({record.probability}% of the value)"),
            FieldRow("Pipeline", record.pipeline),
            FieldRow("Stage", record.stage),
            FieldRow("Status", status),
        ]
        if record.status == "lost":
            rows.append(FieldRow("Lost because", record.lost_reason))
        now = sources.current_time()
        overdue = record.is_overdue(now.astimezone().date())
        rows.append(MarkedRow("Close by", record.expected_close, "overdue" if overdue else ""))
        if record.status == "open":
            stale = f"stale: over {plural(stale_days, 'day')}" if record.is_stale(stale_days, now) else ""
            rows.append(MarkedRow("In stage", plural(record.days_in_stage(now), "day"), stale))
            rows.append(next_step_row(record))
        yield Section("Deal", *rows)
        yield Section("With", self.link("Contact", record.contact, "contact", "o"),
                      self.link("Company", record.company, "company", "c"))
        yield Section("Notes", paragraph(record.notes))
        yield Section("Stage history", paragraph(history_lines(self.histories.get(record.id, []))))
        yield from self.timeline_sections(record)
        yield Section("Record", *time_rows(record))

    def link(self, label: str, name: str | None, target: str, key: str) -> FieldRow:
        """A live contact or company is a link (tab reaches it); none, or one in the trash, is a plain dash."""
        if name is None or self.record is None or self.record.deleted_at is not None:
            return FieldRow(label, name or "")
        return LinkRow(label, name, target, key)

    # Keys --------------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        live = self.record is not None and self.record.deleted_at is None
        if action == "won":
            return live and self.record.status != "won"
        if action == "lost":
            return live
        if action == "contact":
            return live and self.record.contact is not None
        if action == "company":
            return live and self.record.company is not None
        return allowed

    def action_won(self) -> None:
        deal = self.record
        if deal is not None:
            self.run_change(lambda: deals.won(deal.id, deal.version), lambda: self.closed(f"Marked '{deal.title}' won"))

    def action_lost(self) -> None:
        deal = self.record
        if deal is None:
            return

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.run_change(lambda: deals.lost(deal.id, reason, deal.version),
                                lambda: self.closed(f"Marked '{deal.title}' lost: {reason}"))

        self.app.push_screen(LostReasonScreen(deal.title, deal.lost_reason), answered)

    def closed(self, message: str) -> None:
        self.notify(f"{message} — u undoes", markup=False)
        self.reload()

    def on_link_row_opened(self, event: LinkRow.Opened) -> None:
        event.stop()
        {"contact": self.action_contact, "company": self.action_company}[event.link.target]()

    def action_contact(self) -> None:
        if self.record is not None and self.record.contact_id is not None:
            self.app.push_screen(detail_screen("contact", self.record.contact_id), lambda _steps: self.reload())

    def action_company(self) -> None:
        if self.record is not None and self.record.company_id is not None:
            self.app.push_screen(detail_screen("company", self.record.company_id), lambda _steps: self.reload())
