"""What the lists read: contacts and companies through their services, and the filter language of `/`.

Each source runs in a worker thread (see RecordList); it turns a ListQuery into a service call.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from crm_tui.core import companies, contacts, money
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.deals.listing import DealFilter
from crm_tui.core.deals.service import DealData
from crm_tui.core.records import Page
from crm_tui.ui.kit.record_source import Column, ListQuery


@dataclass(frozen=True)
class ContactFilter:
    text: str
    tag: str | None
    pinned: str | None = None


@dataclass(frozen=True)
class PinnedQuery(ListQuery):
    """The contacts list filtered by a pinned saved search instead of typed text: `filter` holds the search's name,
    which is what the status line shows ("filter: VIPs in Berlin"), and `search` its query. Being a ListQuery, it
    travels wherever the list's query does (a detail screen's n and p, the marks, a sort change)."""

    search: str = ""


def parse_contact_filter(typed: str) -> ContactFilter:
    """Split `tag:NAME` (or `tag:"two words"`) from the words to search for. Unbalanced quotes are plain text."""
    try:
        words = shlex.split(typed)
    except ValueError:
        words = typed.split()
    tag = None
    rest = []
    for word in words:
        if word.lower().startswith("tag:") and len(word) > 4 and tag is None:
            tag = word[4:]
        else:
            rest.append(word)
    return ContactFilter(" ".join(rest), tag)


def contact_filter(query: ListQuery) -> ContactFilter:
    """What a contacts list query selects: a pinned saved search, or the `/` filter as typed."""
    if isinstance(query, PinnedQuery):
        return ContactFilter("", None, query.search)
    return parse_contact_filter(query.filter)


def first(values: list[str]) -> str:
    return values[0] if values else ""


CONTACT_COLUMNS = (
    Column("Name", lambda contact: contact.name, min_width=18, max_width=40, weight=2),
    Column("Company", lambda contact: contact.company or "", min_width=16, max_width=30, weight=2),
    Column("Email", lambda contact: first(contact.emails), min_width=22, max_width=40, weight=3),
    Column("Phone", lambda contact: first(contact.phones), min_width=16, max_width=18, weight=0),
)

COMPANY_COLUMNS = (
    Column("Name", lambda company: company.name, min_width=20, max_width=50, weight=3),
    Column("Domain", lambda company: company.domain, min_width=16, max_width=40, weight=2),
    Column("Phone", lambda company: company.phone, min_width=14, max_width=20, weight=1),
    Column("People", lambda company: f"{company.contacts_count:>6,}", min_width=6, max_width=8, weight=0),
)


class ContactSource:
    """Contacts, or with `company_id` the people at one company."""

    plural = "contacts"
    columns = CONTACT_COLUMNS
    sorts = contacts.SORTS

    def __init__(self, company_id: int | None = None) -> None:
        self.company_id = company_id

    def fetch(self, query: ListQuery, after: tuple | None, backwards: bool, offset: int, limit: int) -> Page:
        wanted = contact_filter(query)
        return contacts.list_page(
            query.sort, after, limit, tag=wanted.tag, text=wanted.text, trash=query.trash, backwards=backwards,
            offset=offset, company_id=self.company_id, pinned=wanted.pinned,
        )

    def count(self, query: ListQuery) -> int:
        wanted = contact_filter(query)
        return contacts.count(tag=wanted.tag, text=wanted.text, trash=query.trash, company_id=self.company_id,
                              pinned=wanted.pinned)

    def ids(self, query: ListQuery) -> Iterator[int]:
        wanted = contact_filter(query)
        return contacts.ids(tag=wanted.tag, text=wanted.text, trash=query.trash, company_id=self.company_id,
                            pinned=wanted.pinned)

    def neighbour(self, record_id: int, step: int, query: ListQuery) -> int | None:
        wanted = contact_filter(query)
        return contacts.neighbour(record_id, step, query.sort, tag=wanted.tag, text=wanted.text, trash=query.trash,
                                  company_id=self.company_id, pinned=wanted.pinned)


class CompanySource:
    plural = "companies"
    columns = COMPANY_COLUMNS
    sorts = companies.SORTS

    def fetch(self, query: ListQuery, after: tuple | None, backwards: bool, offset: int, limit: int) -> Page:
        return companies.list_page(query.sort, after, limit, text=query.filter, trash=query.trash,
                                   backwards=backwards, offset=offset)

    def count(self, query: ListQuery) -> int:
        return companies.count(text=query.filter, trash=query.trash)

    def ids(self, query: ListQuery) -> Iterator[int]:
        return companies.ids(text=query.filter, trash=query.trash)

    def neighbour(self, record_id: int, step: int, query: ListQuery) -> int | None:
        return companies.neighbour(record_id, step, query.sort, text=query.filter, trash=query.trash)


def current_time() -> datetime:
    """Now, for a deal's age, days in stage and overdue marks (tests and screenshots fix it)."""
    return datetime.now(UTC)


def deal_age(deal: DealData) -> str:
    """Days since the deal was added: what the table's `age` sort orders by."""
    return f"{(current_time() - datetime.fromisoformat(deal.created_at)).days:,}d"


DEAL_COLUMNS = (
    Column("Title", lambda deal: deal.title, min_width=16, max_width=50, weight=3),
    Column("Client", lambda deal: deal.client, min_width=12, max_width=30, weight=2),
    Column("Stage", lambda deal: deal.stage, min_width=10, max_width=16, weight=1),
    Column("Value", lambda deal: money.format_money(deal.value_minor, deal.currency), min_width=14, max_width=20,
           weight=0),
    Column("Close", lambda deal: deal.expected_close, min_width=10, max_width=10, weight=0),
    Column("Age", deal_age, min_width=5, max_width=6, weight=0),
)


class DealSource:
    """Deals that `wanted` selects (a pipeline, a stage, a contact's, a company's), filtered by what is typed."""

    plural = "deals"
    columns = DEAL_COLUMNS

    def __init__(self, wanted: DealFilter, sorts: tuple[str, ...] = ("value", "close", "stage", "age")) -> None:
        self.wanted = wanted
        self.sorts = sorts

    def _wanted(self, query: ListQuery) -> DealFilter:
        return replace(self.wanted, text=query.filter, trash=query.trash)

    def fetch(self, query: ListQuery, after: tuple | None, backwards: bool, offset: int, limit: int) -> Page:
        return deal_list.list_page(self._wanted(query), query.sort, after, limit, backwards, offset)

    def count(self, query: ListQuery) -> int:
        return deal_list.count(self._wanted(query))

    def ids(self, query: ListQuery) -> Iterator[int]:
        return deal_list.ids(self._wanted(query))

    def neighbour(self, record_id: int, step: int, query: ListQuery) -> int | None:
        return deal_list.neighbour(record_id, step, self._wanted(query), query.sort)

    def position(self, record_id: int, query: ListQuery) -> int | None:
        return deal_list.position(record_id, self._wanted(query), query.sort)
