"""The activity log (section 4): every call, meeting, email, note, done task and deal stage change, newest first.

The same screen, narrowed to one contact, company or deal, is that record's timeline. The list reads the feed a
page at a time (core/activities/feed.py), so it is as quick on two million entries as on ten. Filters: the kind
(`f`), the words typed after `/`, a date range (`r`) and the linked record (`backspace` drops it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from crm_tui.core import activities, companies, contacts, deals
from crm_tui.core.activities import feed
from crm_tui.core.activities.feed import EVERYTHING, FeedFilter
from crm_tui.core.db import connection
from crm_tui.core.errors import CrmError, FieldError, ValidationError
from crm_tui.core.models import format_timestamp
from crm_tui.core.records import Page
from crm_tui.core.when import When, instant, local_time, parse_when
from crm_tui.ui import sources
from crm_tui.ui.kit.app_header import AppFooter, AppHeader
from crm_tui.ui.kit.dialogs import ConfirmScreen, DialogScreen
from crm_tui.ui.kit.filter_box import FilterBox
from crm_tui.ui.kit.record_list import RecordList
from crm_tui.ui.kit.record_source import Column, ListQuery
from crm_tui.ui.navigation import detail_screen, linked_record
from crm_tui.ui.screens.activities.form import open_editor
from crm_tui.ui.text import summary, with_whom

KIND_CYCLE: tuple[str | None, ...] = (None, *feed.KINDS)
EMPTY_LOG = "Nothing logged yet · l on a contact, company or deal logs a call, meeting, email or note"
NOTHING_MATCHES = "Nothing matches · esc clears the words, f the kind, r the dates, backspace the record"



def feed_columns(narrowed: FeedFilter = EVERYTHING) -> tuple[Column, ...]:
    return (
        Column("When", lambda entry: local_time(entry.at), min_width=16, max_width=16, weight=0),
        Column("Kind", lambda entry: entry.kind, min_width=7, max_width=7, weight=0),
        Column("Summary", summary, min_width=20, max_width=80, weight=3),
        Column("With", lambda entry: with_whom(entry, narrowed), min_width=14, max_width=40, weight=2),
    )


FEED_COLUMNS = feed_columns()


class FeedSource:
    """The log as a RecordList reads it: `wanted` narrows it (kind, record, dates); the typed filter is the text."""

    plural = "entries"
    columns = FEED_COLUMNS
    sorts = ("recent",)

    def __init__(self, wanted: FeedFilter = EVERYTHING) -> None:
        self.wanted = wanted
        linked = (wanted.contact_id, wanted.company_id, wanted.deal_id) != (None, None, None)
        self.columns = feed_columns(wanted) if linked else FEED_COLUMNS

    def _wanted(self, query: ListQuery) -> FeedFilter:
        return replace(self.wanted, text=query.filter)

    def fetch(self, query: ListQuery, after: tuple | None, backwards: bool, offset: int, limit: int) -> Page:
        return feed.list_page(self._wanted(query), after, limit, backwards, offset)

    def count(self, query: ListQuery) -> int:
        return feed.count(self._wanted(query))

    def ids(self, query: ListQuery) -> Iterator[int]:
        return (entry.id for entry in feed.iterate(self._wanted(query)))


# The date range ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateRange:
    """What was typed for From and To, and the UTC bounds it means: `since` inclusive, `until` exclusive."""

    since_text: str = ""
    until_text: str = ""
    since: str | None = None
    until: str | None = None
    label: str = ""


def read_range(since_text: str, until_text: str, now: datetime) -> DateRange:
    """The range typed as natural dates, read as the past (`when.instant`): From a bare day is its start, To a bare
    day takes in the whole day. A ValidationError names each field that cannot be read."""
    errors: list[FieldError] = []
    understood: dict[str, When] = {}
    for name, text in (("since", since_text), ("until", until_text)):
        if text.strip():
            try:
                understood[name] = parse_when(text, now, direction="past", field=name)
            except ValidationError as exc:
                errors += exc.errors
    since = instant(since_text, now, direction="past") if "since" in understood else None
    until = None
    if "until" in understood:
        until = understood["until"].at
        if not understood["until"].has_time:
            next_day = datetime.combine(until.astimezone().date() + timedelta(days=1), datetime.min.time())
            until = next_day.astimezone()
    if since is not None and until is not None and until <= since:
        errors.append(FieldError("until", "must come after From"))
    if errors:
        raise ValidationError(errors)
    label = " ".join(f"{word} {understood[name].describe(now)}" for name, word in (("since", "from"), ("until", "to"))
                     if name in understood)
    return DateRange(since_text.strip(), until_text.strip(), since and format_timestamp(since),
                     until and format_timestamp(until), label)


class DateRangeScreen(DialogScreen[DateRange | None]):
    """From and To as natural dates ("mon", "1 dec", "-2w"), each showing what it understood or what is wrong
    under it; dismisses with the DateRange (both empty: any date), or None when cancelled."""

    AUTO_FOCUS = "#since"
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="date_range.apply"),
        Binding("escape", "cancel", "Cancel", id="date_range.cancel"),
    ]
    DEFAULT_CSS = """
    DateRangeScreen Input { margin: 0; background: $boost; }
    DateRangeScreen Input:focus { background: $accent 30%; }
    DateRangeScreen .range-note { color: $text-muted; width: 1fr; margin: 0 0 1 0; }
    DateRangeScreen .range-note.-error { color: $error; }
    """

    def __init__(self, current: DateRange) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Show what happened between", classes="dialog-title")
            yield Label("From")
            yield Input(self.current.since_text, placeholder='e.g. "1 dec", "mon", "-2w"; empty: the start',
                        id="since", compact=True)
            yield Label("", id="since-note", classes="range-note")
            yield Label("To")
            yield Input(self.current.until_text, placeholder='e.g. "today", "fri"; empty: now', id="until",
                        compact=True)
            yield Label("", id="until-note", classes="range-note")
            yield Label("enter apply · empty fields: any date · esc cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.show_understood()

    def read(self) -> DateRange:
        return read_range(self.query_one("#since", Input).value, self.query_one("#until", Input).value,
                          sources.current_time())

    @on(Input.Changed)
    def show_understood(self) -> DateRange | None:
        """Under each field, what it was read as, or why it cannot be."""
        now = sources.current_time()
        problems: dict[str, str] = {}
        try:
            wanted = self.read()
        except ValidationError as exc:
            wanted = None
            problems = {error.field: error.message for error in exc.errors}
        for name in ("since", "until"):
            text = self.query_one(f"#{name}", Input).value
            message = problems.get(name, "")
            if not message and text.strip():
                message = "→ " + parse_when(text, now, direction="past", field=name).describe(now)
            note = self.query_one(f"#{name}-note", Label)
            note.update(Text(message))
            note.set_class(name in problems, "-error")
        return wanted

    @on(Input.Submitted)
    def action_apply(self) -> None:
        wanted = self.show_understood()
        if wanted is not None:
            self.dismiss(wanted)

    def action_cancel(self) -> None:
        self.dismiss(None)


# The screen ----------------------------------------------------------------------------------------------------


class ActivityLogScreen(Screen[None]):
    """The log, or one record's timeline: filters, edit and trash an activity, and enter to open what it is about."""

    BINDINGS = [
        Binding("f", "cycle_kind", "Kind", id="activity_log.kind"),
        Binding("slash", "filter", "Filter", id="activity_log.filter"),
        Binding("r", "dates", "Dates", id="activity_log.dates"),
        Binding("e", "edit", "Edit", id="activity_log.edit"),
        Binding("d", "delete", "Delete", id="activity_log.delete"),
        Binding("backspace", "clear_link", "Everyone's", id="activity_log.clear_link"),
        Binding("escape", "clear_filter", "Clear filter / back", show=False, id="activity_log.clear_filter"),
    ]
    DEFAULT_CSS = """
    ActivityLogScreen #empty-note { display: none; height: auto; padding: 1 2; color: $text-muted; }
    ActivityLogScreen.empty #empty-note { display: block; }
    ActivityLogScreen #log-status { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """
    help_title = "Activity log"

    def __init__(self, wanted: FeedFilter = EVERYTHING) -> None:
        super().__init__()
        self.wanted = replace(wanted, text="")
        self.initial_text = wanted.text
        bounds = {"from": wanted.since, "to": wanted.until}
        self.range = DateRange(local_time(wanted.since), local_time(wanted.until), wanted.since, wanted.until,
                               " ".join(f"{word} {local_time(at)}" for word, at in bounds.items() if at))
        self.link_label = ""
        self._actions_state: tuple[bool, bool] | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield FilterBox("Filter: words in the subject or notes, or a deal's title")
        yield Static(EMPTY_LOG, id="empty-note")
        yield RecordList(FeedSource(self.wanted), ListQuery("recent", filter=self.initial_text), id="records")
        yield Static("", id="log-status")
        yield AppFooter()

    @property
    def records(self) -> RecordList:
        return self.query_one("#records", RecordList)

    @property
    def kind(self) -> str | None:
        kinds = self.wanted.kinds
        return kinds[0] if kinds is not None and len(kinds) == 1 else None

    @property
    def linked(self) -> bool:
        wanted = self.wanted
        return wanted.contact_id is not None or wanted.company_id is not None or wanted.deal_id is not None

    def activity_links(self) -> dict[str, int]:
        """A timeline's record, for `l` and `t` (see CrmApp.action_log); the whole log links nothing."""
        wanted = self.wanted
        links = {"contact_id": wanted.contact_id, "company_id": wanted.company_id, "deal_id": wanted.deal_id}
        return {field: record_id for field, record_id in links.items() if record_id is not None}

    def history_target(self) -> tuple[str, int] | None:
        """The activity under the cursor, or a stage change's deal, for `h` (see CrmApp.action_history)."""
        entry = self.records.current
        if entry is None:
            return None
        if entry.activity_id is not None:
            return "activity", entry.activity_id
        return ("deal", entry.deal_id) if entry.deal_id is not None else None

    def on_mount(self) -> None:
        if self.initial_text:
            box = self.query_one(FilterBox)
            box.value = self.initial_text
            box.open()
        self.records.focus()
        self.show_status()
        if self.linked:
            self.read_link_label()

    def on_screen_resume(self) -> None:
        if self.records.loaded:
            self.reload()

    def reload(self) -> None:
        """Read the log again: after a change here, an undo, ctrl+r, or a write by another process."""
        self.records.reload()

    def narrow(self, wanted: FeedFilter) -> None:
        """Show the log `wanted` selects, from its first row."""
        self.wanted = wanted
        records = self.records
        records.source = FeedSource(wanted)
        records.clear_marks()
        records.set_query(records.list_query)
        self.show_status()

    # The status line and the empty log -----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="activity-log-link")
    def read_link_label(self) -> None:
        wanted = self.wanted
        parts = []
        try:
            with connection():
                if wanted.contact_id is not None:
                    parts.append(contacts.get(wanted.contact_id, include_deleted=True).name)
                if wanted.company_id is not None:
                    parts.append(companies.get(wanted.company_id, include_deleted=True).name)
                if wanted.deal_id is not None:
                    parts.append(deals.get(wanted.deal_id, include_deleted=True).title)
        except CrmError as exc:
            parts = [str(exc)]
        self.app.call_from_thread(self.set_link_label, " · ".join(parts))

    def set_link_label(self, label: str) -> None:
        self.link_label = label
        self.show_status()

    def show_status(self) -> None:
        """The filters in force, each with the key that changes it."""
        parts = [f"f kind: {self.kind or 'all'}", f"r dates: {self.range.label or 'any'}"]
        if self.linked:
            parts.append(f"only {self.link_label or '…'} (backspace shows all)")
        status = Text(" · ".join(parts), no_wrap=True, overflow="ellipsis")
        self.query_one("#log-status", Static).update(status)

    @on(RecordList.Changed)
    def list_changed(self) -> None:
        records = self.records
        empty = records.total == 0
        if empty:
            filtered = bool(records.list_query.filter or self.kind or self.range.label)
            self.query_one("#empty-note", Static).update(NOTHING_MATCHES if filtered else EMPTY_LOG)
        self.set_class(empty, "empty")
        state = (self.can_edit(), self.can_delete())
        if state != self._actions_state:
            self._actions_state = state
            self.refresh_bindings()

    # Filters -------------------------------------------------------------------------------------------------

    def action_cycle_kind(self) -> None:
        kind = KIND_CYCLE[(KIND_CYCLE.index(self.kind) + 1) % len(KIND_CYCLE)]
        self.narrow(replace(self.wanted, kinds=None if kind is None else (kind,)))

    def action_filter(self) -> None:
        self.query_one(FilterBox).open()

    @on(Input.Changed, "#filter")
    def filter_records(self, event: Input.Changed) -> None:
        self.records.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def focus_records(self) -> None:
        self.records.focus()

    def action_clear_filter(self) -> None:
        """The typed filter first, then the marks; a timeline pushed over another screen then goes back."""
        if self.query_one(FilterBox).close():
            self.records.set_filter("")
        elif self.records.marked_count:
            self.records.clear_marks()
        elif len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.dismiss(None)
            return
        self.records.focus()

    def action_dates(self) -> None:
        def chosen(picked: DateRange | None) -> None:
            if picked is not None:
                self.range = picked
                self.narrow(replace(self.wanted, since=picked.since, until=picked.until))

        self.app.push_screen(DateRangeScreen(self.range), chosen)

    def action_clear_link(self) -> None:
        self.link_label = ""
        self.narrow(replace(self.wanted, contact_id=None, company_id=None, deal_id=None))

    # Acting on entries ---------------------------------------------------------------------------------------

    def can_edit(self) -> bool:
        current = self.records.current
        return current is not None and not current.is_stage_change

    def can_delete(self) -> bool:
        return bool(self.records.marked_count) or self.can_edit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Stage changes are history, not records: e and d pass over them (shown dimmed, so the keys stay put)."""
        if action in ("edit", "delete"):
            if self.records.current is None and not self.records.marked_count:
                return False
            return (self.can_edit() if action == "edit" else self.can_delete()) or None
        if action == "clear_link":
            return self.linked
        return True

    def action_edit(self) -> None:
        if self.can_edit():
            open_editor(self, self.records.current.activity_id, self.saved)

    def saved(self, activity_id: int | None) -> None:
        if activity_id is not None:
            self.notify("Saved the activity · u undoes")
            self.reload()

    def action_delete(self) -> None:
        records = self.records
        marked = records.marked_count
        if marked:
            question = Text(f"Move the {marked:,} marked entries to the trash? (Stage changes among them stay.)")
        elif self.can_edit():
            question = Text.assemble("Move ", (records.current.name, "bold"), " to the trash?")
        else:
            return
        activity_id = None if marked else records.current.activity_id

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete_activities(activity_id)

        self.app.push_screen(ConfirmScreen(question, confirm_label="Move to trash"), confirmed)

    @work(thread=True, exclusive=True, group="activity-log-delete")
    def delete_activities(self, activity_id: int | None) -> None:
        """One activity, or the activities among the marked entries (stage changes are left alone), as one change."""
        try:
            with connection():
                ids = [activity_id] if activity_id is not None else [
                    entry_id for entry_id in self.records.marked_ids() if entry_id > 0]
                moved = activities.delete_many(ids)
        except CrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.deleted, moved)

    def deleted(self, count: int) -> None:
        self.records.clear_marks()
        noun = "activity" if count == 1 else "activities"
        self.notify(f"Moved {count:,} {noun} to the trash · u undoes")
        self.reload()

    @on(RecordList.Opened, "#records")
    def open_linked(self, event: RecordList.Opened) -> None:
        """The deal an entry is about if it has one, else its contact, else its company."""
        linked = linked_record(event.record)
        if linked is None:
            self.notify("This activity is not linked to a contact, company or deal")
            return
        self.app.push_screen(detail_screen(*linked))
