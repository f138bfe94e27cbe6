"""How the app words an activity in a list: its summary, and whom it is with. The log, the timelines and the agenda
share these, so an activity reads the same wherever it is shown."""

from __future__ import annotations

from typing import Any

from crm_tui.core.activities.feed import EVERYTHING, FeedEntry, FeedFilter


def summary(entry: FeedEntry) -> str:
    """The subject, and the body's first line after it when there is both."""
    first_line = entry.body.split("\n", 1)[0]
    if entry.subject and first_line:
        return f"{entry.subject} · {first_line}"
    return entry.name


def with_whom(entry: Any, narrowed: FeedFilter = EVERYTHING) -> str:
    """Who and what a log entry or a task is linked to, but for the record a timeline is narrowed to (it would be
    on every row); a stage change names its deal first, since its subject does not."""
    links = [(entry.contact, entry.contact_id == narrowed.contact_id),
             (entry.company, entry.company_id == narrowed.company_id), (entry.deal, entry.deal_id == narrowed.deal_id)]
    if getattr(entry, "is_stage_change", False):
        links.insert(0, links.pop())
    return " · ".join(name for name, hidden in links if name and not hidden)
