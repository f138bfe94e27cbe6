"""Saved searches: a query kept under a name, listed in the command palette, pinnable as a contacts list filter.

Names are unique ignoring case and accents ("VIPs" and "vips" are one name), like tags. The query is kept as
typed (search_syntax reads it when it runs), so it reads back exactly as it was saved.

Saving, deleting and pinning are not in the audit log: a saved search is a view of the data, not data, so undo
and history pass it by. (That may change if people expect `u` to bring back a deleted one.)
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_tui.core.errors import NotFoundError, ValidationError
from crm_tui.core.models import SavedSearch, now_text
from crm_tui.core.records import write_transaction
from crm_tui.core.search.syntax import parse
from crm_tui.core.text import fold
from crm_tui.core.validation import clean_text

MAX_NAME = 80
MAX_QUERY = 1_000


@dataclass(frozen=True)
class SavedSearchData:
    id: int
    name: str
    query: str
    pinned: bool
    created_at: str
    updated_at: str


def _data(row: SavedSearch) -> SavedSearchData:
    return SavedSearchData(row.id, row.name, row.query, bool(row.pinned), row.created_at, row.updated_at)


def _clean_name(name: str) -> str:
    cleaned = " ".join(clean_text("name", name, limit=MAX_NAME).split())
    if not cleaned:
        raise ValidationError.single("name", "a saved search needs a name")
    return cleaned


def _clean_query(query: str) -> str:
    cleaned = clean_text("query", query, limit=MAX_QUERY)
    if not parse(cleaned).is_positive:
        raise ValidationError.single("query", "finds nothing: it needs a word, a phrase or an operator")
    return cleaned


def _find(name: str) -> SavedSearch:
    row = SavedSearch.get_or_none(SavedSearch.name_key == fold(" ".join(name.split())))
    if row is None:
        raise NotFoundError(f"there is no saved search named {name!r}")
    return row


def save(name: str, query: str, replace: bool = False) -> SavedSearchData:
    """Keep `query` under `name`. A name already taken (in any case) is refused unless `replace`, which gives
    that search the new query and keeps its name, its pin and when it was created."""
    clean_name, clean_query = _clean_name(name), _clean_query(query)
    with write_transaction():
        existing = SavedSearch.get_or_none(SavedSearch.name_key == fold(clean_name))
        if existing is not None:
            if not replace:
                raise ValidationError.single("name", f"a saved search named {existing.name!r} already exists")
            SavedSearch.update(query=clean_query, updated_at=now_text()).where(
                SavedSearch.id == existing.id).execute()
            return _data(SavedSearch.get_by_id(existing.id))
        saved_id = SavedSearch.insert(name=clean_name, name_key=fold(clean_name), query=clean_query).execute()
        return _data(SavedSearch.get_by_id(saved_id))


def list_saved() -> list[SavedSearchData]:
    """Every saved search, by name (ignoring case and accents)."""
    return [_data(row) for row in SavedSearch.select().order_by(SavedSearch.name_key)]


def pinned() -> list[SavedSearchData]:
    """The saved searches pinned as a contacts list filter, by name."""
    return [_data(row) for row in SavedSearch.select().where(SavedSearch.pinned).order_by(SavedSearch.name_key)]


def get(name: str) -> SavedSearchData:
    return _data(_find(name))


def delete(name: str) -> None:
    with write_transaction():
        _find(name).delete_instance()


def set_pinned(name: str, pinned: bool) -> SavedSearchData:
    with write_transaction():
        row = _find(name)
        SavedSearch.update(pinned=pinned, updated_at=now_text()).where(SavedSearch.id == row.id).execute()
        return _data(SavedSearch.get_by_id(row.id))
