"""Lists of contacts: keyset pages in every sort order, filtered by tag, search text, trash, company and a saved
search (`pinned`: its query text, of which the contact part applies; see search_query.contact_ids_sql).

Every read fetches the narrow sort keys first and the full rows of one page after, so sorting large match sets
stays cheap; search-filtered reads go through `search_index.run_plans`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from crm_tui.core import search_index
from crm_tui.core.contacts.data import ContactData, get_many
from crm_tui.core.models import CONTACT_SORT_KEYS_INDEX, database
from crm_tui.core.records import (
    Page,
    iterate_ids,
    iterate_pages,
    keyset_page,
    keyset_select,
    neighbour_id,
    record_keys,
    sort_keys,
)
from crm_tui.core.search import query as search_query
from crm_tui.core.text import fold

SORTS = ("name", "company", "updated")
_SORT_KEYS = {
    "name": (("c.sort_name", "c.id"), False),
    "company": (("c.sort_company", "c.sort_name", "c.id"), False),
    "updated": (("c.updated_at", "c.id"), True),
}
_BY_ID = ("c.id",)


# A tag filter, like a search, is cheapest one of two ways: a rare tag by looking up its few contacts, a common
# one by walking the list's sort order and checking each row, which finds a page of matches within a few rows.
TAG_PLANS = {
    "lookup": "c.id IN (SELECT ct.contact_id FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id WHERE t.name_key = ?)",
    "probe": "EXISTS (SELECT 1 FROM contact_tag ct WHERE ct.contact_id = c.id "
             "AND ct.tag_id = (SELECT id FROM tag WHERE name_key = ?))",
}
COMMON_TAG = 20_000
# A saved search's contacts are read like a tag's: a set under this size is looked up and sorted, a larger one
# is checked row by row while walking the sort order (where the check is cheap: see contact_filter_sql).
PINNED_LOOKUP = 3_000


def _tag_plan(tag_key: str) -> str:
    """Counting a tag's contacts up to a cap costs well under a millisecond; 97k "vip" contacts on 1M take
    110 ms to look up and sort, and 2 ms to probe."""
    sql = ("SELECT count(*) FROM (SELECT 1 FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
           "WHERE t.name_key = ? LIMIT ?)")
    return "probe" if database.execute_sql(sql, (tag_key, COMMON_TAG)).fetchone()[0] >= COMMON_TAG else "lookup"


def _pinned_condition(query: str, count_only: bool = False) -> tuple[str, list, bool]:
    """A saved search's contacts as a condition on `c.id`, its parameters, and whether they are few enough to look
    up (then their sort keys are best read from the narrow index).

    Counting the set up to PINNED_LOOKUP reads the search index alone, a millisecond or so. A large set is walked in
    the list's order: checked row by row when that is cheap, else built once (`+` keeps SQLite from driving the read
    from it). A count always builds the set: checking a million rows one at a time costs more than that."""
    ids_sql, params = search_query.contact_ids_sql(query)
    if count_only:
        return f"c.id IN ({ids_sql})", params, True
    found = database.execute_sql(f"SELECT count(*) FROM ({ids_sql} LIMIT {PINNED_LOOKUP})", params).fetchone()[0]
    if found < PINNED_LOOKUP:
        return f"c.id IN ({ids_sql})", params, True
    checked = search_query.contact_filter_sql(query, "c.id")
    if checked is not None:
        return f"({checked[0]})", list(checked[1]), False
    return f"+c.id IN ({ids_sql})", params, False


def _filters(
    tag: str | None, match: str | None, trash: bool, company_id: int | None, plan: str = "lookup",
    tag_plan: str = "lookup", pinned: tuple[str, list, bool] | None = None,
) -> tuple[list[str], list]:
    """SQL conditions (on alias `c`) and their parameters for the trash, tag, company, saved search and search
    filters; the search condition, when there is one, comes last."""
    conditions = ["c.deleted_at IS NOT NULL" if trash else "c.deleted_at IS NULL"]
    params: list = []
    if tag:
        conditions.append(TAG_PLANS[tag_plan])
        params.append(fold(tag))
    if pinned is not None:
        conditions.append(pinned[0])
        params += pinned[1]
    if company_id is not None:
        conditions.append(f"c.company_id = {database.param}")
        params.append(company_id)
    if match:
        conditions.append(search_index.contact_filter_sql("c.id", plan))
        params.append(match)
    return conditions, params


def _key_rows(
    keys: Sequence[str], descending: bool, after: tuple | None, limit: int, offset: int,
    tag: str | None, text: str | None, trash: bool, company_id: int | None, pinned: str | None = None,
) -> list[tuple]:
    """The sort keys (id last) of a page alone: sorting narrow rows is what makes large match sets cheap.

    When a set of ids drives the read (search matches or a rare tag looked up), their sort keys come from the
    narrow sort-keys index rather than the wide contact rows."""
    match = search_index.match_query(text or "")
    tag_plan = _tag_plan(fold(tag)) if tag else "lookup"
    pinned_condition = _pinned_condition(pinned) if pinned else None

    def fetch(plan: str) -> list[tuple]:
        conditions, params = _filters(tag, match, trash, company_id, plan, tag_plan, pinned_condition)
        looked_up = ((match and plan == "lookup") or (tag and tag_plan == "lookup" and not match)
                     or (pinned_condition is not None and pinned_condition[2] and not match))
        source = f"contact c INDEXED BY {CONTACT_SORT_KEYS_INDEX}" if looked_up and not trash else "contact c"
        if match and plan == "lookup":
            conditions[-1] = search_index.JOINED_MATCH
            source = search_index.contact_lookup_source(source, "c.id")
        return keyset_select(", ".join(keys), source, conditions, params, keys, descending, after, limit, offset)

    return search_index.run_plans(search_index.filter_plans(match), fetch) if match else fetch("lookup")


def list_page(
    sort: str = "name",
    after: tuple | None = None,
    limit: int = 50,
    tag: str | None = None,
    text: str | None = None,
    trash: bool = False,
    backwards: bool = False,
    offset: int = 0,
    company_id: int | None = None,
    pinned: str | None = None,
) -> Page[ContactData]:
    """One page in `sort` order after the cursor `after` (or, with `backwards`, before it, e.g. the last page).

    `offset` skips that many rows first (counted from the end when going backwards): a jump to row N. `pinned`, a
    saved search's query, keeps the contacts matching its contact part (with the other filters, if any).
    """
    keys, descending = sort_keys(_SORT_KEYS, sort)
    key_rows = _key_rows(keys, descending != backwards, after, limit, offset, tag, text, trash, company_id, pinned)
    if backwards:
        key_rows.reverse()
    return keyset_page(get_many([row[-1] for row in key_rows]), key_rows, limit, backwards)


def iterate(
    sort: str = "name",
    tag: str | None = None,
    text: str | None = None,
    trash: bool = False,
    limit: int | None = None,
    company_id: int | None = None,
    pinned: str | None = None,
) -> Iterator[ContactData]:
    """Every matching contact (or the first `limit`), a page at a time, so memory stays flat on any size."""
    return iterate_pages(
        lambda cursor, size: list_page(sort, cursor, size, tag, text, trash, company_id=company_id, pinned=pinned),
        limit,
    )


def count(tag: str | None = None, text: str | None = None, trash: bool = False, company_id: int | None = None,
          pinned: str | None = None) -> int:
    pinned_condition = _pinned_condition(pinned, count_only=True) if pinned else None
    conditions, params = _filters(tag, search_index.match_query(text or ""), trash, company_id,
                                  pinned=pinned_condition)
    sql = f"SELECT count(*) FROM contact c WHERE {' AND '.join(conditions)}"
    return database.execute_sql(sql, params).fetchone()[0]


def ids(
    tag: str | None = None, text: str | None = None, trash: bool = False, company_id: int | None = None,
    pinned: str | None = None,
) -> Iterator[int]:
    """The id of every matching contact, in id order, a page at a time: the input of a bulk action."""
    return iterate_ids(
        lambda after, size: _key_rows(_BY_ID, False, after, size, 0, tag, text, trash, company_id, pinned)
    )


def neighbour(
    contact_id: int, step: int, sort: str = "name", tag: str | None = None, text: str | None = None,
    trash: bool = False, company_id: int | None = None, pinned: str | None = None,
) -> int | None:
    """The id of the contact `step` places after (negative: before) `contact_id` in that list; None past an end."""
    keys, descending = sort_keys(_SORT_KEYS, sort)
    origin = record_keys("contact c", keys, contact_id, "contact")
    return neighbour_id(
        lambda after, backwards, offset: _key_rows(
            keys, descending != backwards, after, 1, offset, tag, text, trash, company_id, pinned
        ),
        origin, step,
    )
