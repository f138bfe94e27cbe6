"""The command palette's record finder: go to any contact, company or deal by name, through the search service."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import Hit, Hits, Provider

from crm_tui.core import search
from crm_tui.core.db import connection

KINDS = {"contact": "Contact", "company": "Company", "deal": "Deal"}
LIMIT_PER_KIND = 8


def find_records(text: str) -> list[search.SearchHit]:
    with connection():
        return [hit for hit in search.search_all(text, LIMIT_PER_KIND) if hit.kind in KINDS]


class RecordsProvider(Provider):
    """Contacts, companies and deals whose name, email, phone, title or notes match what is typed."""

    async def search(self, query: str) -> Hits:
        if len(query.strip()) < 2:
            return
        hits = await asyncio.to_thread(find_records, query)
        matcher = self.matcher(query)
        for hit in hits:
            score = matcher.match(hit.title)
            yield Hit(
                max(score, 0.5),
                matcher.highlight(hit.title) if score else hit.title,
                partial(self.app.open_record, hit.kind, hit.id),
                text=hit.title,
                help=f"{KINDS[hit.kind]}" + (f" · {hit.detail}" if hit.detail else ""),
            )
