"""A contact's, company's or deal's detail screen opened on its own, from a search result, an agenda row, the
activity log, a form or another record, with its kind's whole list behind `n` and `p`; and which record an
activity opens."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from crm_tui.ui.kit.record_source import ListQuery


def detail_screen(kind: str, record_id: int) -> Screen:
    """The detail screen of the contact, company or deal `record_id`."""
    # Detail screens import forms, timelines and lists that in turn open detail screens: loaded when first used.
    from crm_tui.core.deals.listing import DealFilter
    from crm_tui.ui.screens.companies.detail import CompanyDetailScreen
    from crm_tui.ui.screens.contacts.detail import ContactDetailScreen
    from crm_tui.ui.screens.deals.detail import DealDetailScreen
    from crm_tui.ui.sources import CompanySource, ContactSource, DealSource

    if kind == "contact":
        return ContactDetailScreen(record_id, ContactSource(), ListQuery(ContactSource.sorts[0]))
    if kind == "company":
        return CompanyDetailScreen(record_id, CompanySource(), ListQuery(CompanySource.sorts[0]))
    deal_source = DealSource(DealFilter())
    return DealDetailScreen(record_id, deal_source, ListQuery(deal_source.sorts[0]))


def linked_record(activity: Any) -> tuple[str, int] | None:
    """What an activity (or a log entry) is about, as `(kind, id)`: its deal, else its contact, else its company.
    A link whose record is in the trash (no name) is passed over; None if nothing is left."""
    for kind, record_id, name in (("deal", activity.deal_id, activity.deal),
                                  ("contact", activity.contact_id, activity.contact),
                                  ("company", activity.company_id, activity.company)):
        if record_id is not None and name is not None:
            return kind, record_id
    return None
