"""The one place that opens a record's screen by its kind: a contact's, company's or deal's detail screen on its
own (from a search result, an agenda row, the activity log, a form or another record), and which record an
activity opens.

Screens ask here rather than import each other's modules: the app, which knows every screen, registers how each
kind's detail screen is made when it starts (`register_detail_screens`), so no screen imports a sibling to open it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from textual.screen import Screen

DetailFactory = Callable[[int], Screen]

_detail_screens: dict[str, DetailFactory] = {}


def register_detail_screens(factories: Mapping[str, DetailFactory]) -> None:
    """How the detail screen of each kind of record is made, given its id."""
    _detail_screens.update(factories)


def detail_screen(kind: str, record_id: int) -> Screen:
    """The detail screen of the contact, company or deal `record_id`, with its kind's whole list behind `n`/`p`."""
    try:
        factory = _detail_screens[kind]
    except KeyError:
        raise LookupError(f"no detail screen for {kind!r}: the app registers them when it starts") from None
    return factory(record_id)


def linked_record(activity: Any) -> tuple[str, int] | None:
    """What an activity (or a log entry) is about, as `(kind, id)`: its deal, else its contact, else its company.
    A link whose record is in the trash (no name) is passed over; None if nothing is left."""
    for kind, record_id, name in (("deal", activity.deal_id, activity.deal),
                                  ("contact", activity.contact_id, activity.contact),
                                  ("company", activity.company_id, activity.company)):
        if record_id is not None and name is not None:
            return kind, record_id
    return None
