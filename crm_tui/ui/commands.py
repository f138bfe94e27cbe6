"""The command palette's record finder: go to any contact, company or deal by name, through the search service,
or run a saved search ("Search: VIPs in Berlin")."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from crm_tui.core import search_index
from crm_tui.core.db import connection
from crm_tui.core.errors import CrmError
from crm_tui.core.search import saved as saved_searches
from crm_tui.core.search.saved import SavedSearchData

KINDS = {"contact": "Contact", "company": "Company", "deal": "Deal"}
LIMIT_PER_KIND = 8
SAVED_PREFIX = "Search: "


def find_records(text: str) -> list[search_index.SearchHit]:
    with connection():
        return [hit for hit in search_index.search_all(text, LIMIT_PER_KIND) if hit.kind in KINDS]


def read_saved() -> list[SavedSearchData]:
    try:
        with connection():
            return saved_searches.list_saved()
    except CrmError:
        return []  # the palette goes on with what else it finds


class RecordsProvider(Provider):
    """Saved searches by name, and contacts, companies and deals whose name, email, phone, title or notes match
    what is typed."""

    saved: list[SavedSearchData] = []

    async def startup(self) -> None:
        """The saved searches are read once when the palette opens, not at every keystroke."""
        self.saved = await asyncio.to_thread(read_saved)

    async def discover(self) -> Hits:
        for saved in self.saved:
            yield DiscoveryHit(SAVED_PREFIX + saved.name, self._run(saved), help=saved.query)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for saved in self.saved:
            title = SAVED_PREFIX + saved.name
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._run(saved), text=title, help=saved.query)
        if len(query.strip()) < 2:
            return
        hits = await asyncio.to_thread(find_records, query)
        for hit in hits:
            score = matcher.match(hit.title)
            yield Hit(
                max(score, 0.5),
                matcher.highlight(hit.title) if score else hit.title,
                partial(self.app.open_record, hit.kind, hit.id),
                text=hit.title,
                help=f"{KINDS[hit.kind]}" + (f" · {hit.detail}" if hit.detail else ""),
            )

    def _run(self, saved: SavedSearchData):
        return partial(self.app.action_search, saved.query)
