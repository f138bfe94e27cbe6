"""Search everywhere: a query (see search_syntax for the language) run over contacts, companies, deals,
activities and notes, fast enough to run at every keystroke on a million contacts.

Each group is read in two steps: the ids of its first matches, then their titles. Words, phrases and exclusions
go through the group's search index (search_index.py), and so do `company:` and a prefilter for `tag:` on contacts and
companies, whose indexes hold their company's name and their tags. The rest (a tag named exactly, a stage, a state,
a kind, another record's company) are conditions on the table. There are several ways to read the same ids (walk
the index matches in id order, walk the table, or let a condition's index drive), cheapest first when it works:
each but the last runs under a time budget (`search_index.run_plans`), and they all give the same ids.

The activity index holds no kind, so notes (or calls) among many matches of other kinds cost a row lookup each:
on the demo database, whose tasks fill the top sixth of the activity ids, a one-letter search spends most of its
time there. A `kind` column in activity_fts would make that an index intersection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from crm_tui.core import search_index
from crm_tui.core.models import Stage, contact_name_sql, database, format_timestamp, tuple_rows, utc_now
from crm_tui.core.search.syntax import (
    GROUPS,
    KINDS,
    OPERATORS,
    STATES,
    SearchQuery,
    excluded_pieces,
    parse,
    pieces,
)
from crm_tui.core.search_index import SearchHit
from crm_tui.core.text import fold

__all__ = ["GROUPS", "KINDS", "OPERATORS", "STATES", "SearchGroup", "SearchHit", "SearchQuery", "contact_filter_sql",
           "contact_ids_sql", "parse", "search", "search_groups"]

KEYSTROKE_BUDGET = 0.025  # seconds a search as you type may take (`budget=`), over every group
MAX_TERMS = 16  # on each side of a match (what must match, what must not): more cost more and narrow nothing
WALK_BUDGET = 0.004  # to walk the index matches in id order, before walking the table instead
SCAN_BUDGET = 0.020  # to walk a table in id order
DRIVE_BUDGET = 0.010  # to read one company's deals from their index and sort them
BROAD_MATCHES = 20_000  # index matches past which the walk may take over ~30 ms at a million contacts
PREFIX_INDEXED = max(int(size) for size in search_index.PREFIX_INDEXES.split())  # the longest prefix with its own index
_LAST_CHARACTER = "\U0010ffff"
_TABLES = {  # group: (table, alias, search index, newest first)
    "contact": ("contact", "c", search_index.CONTACT_INDEX, False),
    "company": ("company", "co", search_index.COMPANY_INDEX, False),
    "deal": ("deal", "d", search_index.DEAL_INDEX, True),
    "activity": ("activity", "a", search_index.ACTIVITY_INDEX, True),
    "note": ("activity", "a", search_index.ACTIVITY_INDEX, True),
}
# The tags `tag:X` takes: the one named X if there is one, else every one whose name starts with X.
_TAG_IDS = ("SELECT t.id FROM tag t WHERE t.name_key = ? OR (t.name_key > ? AND t.name_key < ? "
            "AND NOT EXISTS (SELECT 1 FROM tag x WHERE x.name_key = ?))")
_COMPANY_IDS = f"SELECT rowid FROM {search_index.COMPANY_INDEX} WHERE {search_index.COMPANY_INDEX} MATCH ?"
_HITS = {
    "contact": f"""SELECT c.id, {contact_name_sql()},
                         coalesce((SELECT e.email FROM contact_email e WHERE e.contact_id = c.id
                                    ORDER BY e.position LIMIT 1), '')
                    FROM contact c WHERE c.id IN ({{ids}}) ORDER BY c.sort_name, c.id""",
    "company": "SELECT id, name, domain FROM company WHERE id IN ({ids}) ORDER BY sort_name, id",
    "deal": "SELECT d.id, d.title, s.name FROM deal d JOIN stage s ON s.id = d.stage_id WHERE d.id IN ({ids})",
    # An activity's detail: its kind and whom it is about (its contact, else its company, else its deal).
    "activity": f"""SELECT a.id, a.subject,
                          a.kind || coalesce(' · ' || coalesce(
                              nullif({contact_name_sql()}, ''),
                              co.name, d.title), ''),
                          a.body
                     FROM activity a LEFT JOIN contact c ON c.id = a.contact_id
                          LEFT JOIN company co ON co.id = a.company_id LEFT JOIN deal d ON d.id = a.deal_id
                    WHERE a.id IN ({{ids}})""",
}
_TITLE_FROM_BODY = 80


@dataclass(frozen=True)
class SearchGroup:
    """One kind of result. `complete` is False when a time budget ran out first: `hits` are then the first of the
    group's matches in its order, and more may match even below the limit."""

    kind: str
    hits: tuple[SearchHit, ...]
    complete: bool = True


@dataclass(frozen=True)
class _Condition:
    """A condition on a group's table. `sql` checks one row; `{plus}` goes before its columns so that a read in
    another order does not use their index. With `index`, the rows passing it can drive a read from that index;
    `few` says they usually are few (a company's, the overdue tasks), so that read comes first."""

    sql: str
    params: tuple
    index: str | None = None
    few: bool = False


@dataclass(frozen=True)
class _Plan:
    """One way to read a group's first ids. One `in_order` yields them in their final order one at a time, so
    when it runs out of time the ids it found are still the first ones."""

    sql: str
    params: list
    in_order: bool
    budget: float = WALK_BUDGET


def _prefixes(parts: list[str]) -> str:
    return " ".join(f'"{part}"*' for part in parts)


def _marks(values) -> str:
    return ", ".join("?" * len(values))


def _positive_terms(query: SearchQuery, group: str) -> list[str]:
    """FTS5 terms that must all match: operators first, so a very long query drops words before them."""
    terms = []
    if group == "contact":
        terms += [f"company : ({_prefixes(pieces(name))})" for name in query.companies]
        terms += [f'tags : "{" ".join(pieces(tag))}"*' for tag in query.tags if pieces(tag)]
    elif group == "company":
        terms += [f"name : ({_prefixes(pieces(name))})" for name in query.companies]
    terms += [f'"{part}"*' for word in query.words for part in pieces(word)]
    terms += [f'"{" ".join(pieces(phrase))}"' for phrase in query.phrases]
    return terms[:MAX_TERMS]


def _match(query: SearchQuery, group: str) -> tuple[str | None, str | None]:
    """(what the group's index must match, what it must not) as FTS5 queries. Exclusions go into the match when
    there is one; alone, they are returned for a check row by row."""
    positive = _positive_terms(query, group)
    negative = [_prefixes(excluded_pieces(word)) for word in query.excluded]
    negative = [*negative, *(f'"{" ".join(pieces(phrase))}"' for phrase in query.excluded_phrases)][:MAX_TERMS]
    excluded = " OR ".join(f"({term})" for term in negative)
    if not positive:
        return None, excluded or None
    matched = " AND ".join(f"({term})" for term in positive)
    return (f"({matched}) NOT ({excluded})" if excluded else matched), None


def _tag_params(tag: str) -> tuple:
    key = fold(tag)
    return key, key, key + _LAST_CHARACTER, key


def _tag_condition(id_sql: str, tag: str) -> tuple[str, tuple]:
    return (f"EXISTS (SELECT 1 FROM contact_tag ct WHERE ct.contact_id = {id_sql} AND ct.tag_id IN ({_TAG_IDS}))",
            _tag_params(tag))


def _stage_ids(names: tuple[str, ...]) -> list[int]:
    """Stages are few (a handful per pipeline): their names are folded here rather than in SQL."""
    stages = [(stage_id, fold(name)) for stage_id, name in
              tuple_rows(Stage.select(Stage.id, Stage.name).where(Stage.deleted_at.is_null()))]
    found: set[int] = set()
    for name in names:
        key = fold(name)
        exact = {stage_id for stage_id, stage in stages if stage == key}
        found |= exact or {stage_id for stage_id, stage in stages if stage.startswith(key)}
    return sorted(found)


def _conditions(group: str, query: SearchQuery, now: datetime) -> list[_Condition] | None:
    """The group's conditions (an activity group's kinds last); None when nothing can match."""
    conditions: list[_Condition] = []
    companies = " AND ".join(f"(name : ({_prefixes(pieces(name))}))" for name in query.companies)
    if group == "contact":
        conditions += [_Condition(*_tag_condition("c.id", tag)) for tag in query.tags]
    elif group == "deal":
        if companies:
            conditions.append(_Condition(f"{{plus}}d.company_id IN ({_COMPANY_IDS})", (companies,),
                                         "deal_company_id", few=True))
        if query.stages:
            stage_ids = _stage_ids(query.stages)
            if not stage_ids:
                return None
            conditions.append(_Condition(f"{{plus}}d.stage_id IN ({_marks(stage_ids)})", tuple(stage_ids)))
        if query.states:
            conditions.append(_Condition(f"{{plus}}d.status IN ({_marks(query.states)})", query.states))
    elif group in ("activity", "note"):
        if companies:
            conditions.append(_Condition(f"{{plus}}a.company_id IN ({_COMPANY_IDS})", (companies,),
                                         "activity_company_id_occurred_at_id", few=True))
        kinds = ["note"] if group == "note" else [kind for kind in query.kinds or KINDS if kind != "note"]
        if "overdue" in query.states:
            kinds = ["task"]
            conditions.append(_Condition("{plus}a.due_at < ? AND {plus}a.kind = 'task' AND {plus}a.done_at IS NULL",
                                         (format_timestamp(now),), "activity_due_at_id", few=True))
        conditions.append(_Condition(f"{{plus}}a.kind IN ({_marks(kinds)})", tuple(kinds),
                                     "activity_kind_occurred_at_id"))
    return conditions


def _cheap_to_ask(query: SearchQuery) -> bool:
    """Whether asking the search index about one row at a time is cheap: a prefix of four letters or more has no
    prefix index, and FTS5 then merges the matches of every word it starts anew for each row asked about (seconds
    over a thousand rows), where reading all its matches once costs what one such question does."""
    return all(len(part) <= PREFIX_INDEXED for word in (*query.words, *query.excluded) for part in pieces(word))


def _broad(index: str, match: str) -> bool:
    """Whether the index holds many matches: counting them up to a cap reads the index alone, a millisecond."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {index} WHERE {index} MATCH ? LIMIT ?)"
    return database.execute_sql(sql, (match, BROAD_MATCHES)).fetchone()[0] >= BROAD_MATCHES


def _plans(group: str, query: SearchQuery, now: datetime, limit: int) -> list[_Plan] | None:
    """The ways to read the group's first ids, to try in this order; None when nothing can match.

    With words or phrases, the first matches are the newest (contacts and companies: the oldest) by id, the order
    the search index yields them in. With operators alone, activities and notes are the latest by when they
    happened (open tasks, which have not, last; overdue tasks the most recently due first), the order the
    activity indexes hold them in."""
    table, alias, index, newest_first = _TABLES[group]
    conditions = _conditions(group, query, now)
    if conditions is None:
        return None
    match, exclusions = _match(query, group)
    direction = "DESC" if newest_first else "ASC"
    by_id = f"{alias}.id {direction}"
    if match is not None and not conditions:
        return [_Plan(f"SELECT rowid FROM {index} WHERE {index} MATCH ? ORDER BY rowid {direction} LIMIT ?",
                      [match, limit], True)]
    cheap = _cheap_to_ask(query)
    if cheap:
        asked = f"EXISTS (SELECT 1 FROM {index} WHERE {index} MATCH ? AND rowid = {alias}.id)"
    else:  # every match read once, into a temporary index
        asked = f"{alias}.id IN (SELECT rowid FROM {index} WHERE {index} MATCH ?)"

    def read(source: str, order: str, in_order: bool, driver: _Condition | None = None, check: str = "",
             budget: float = WALK_BUDGET) -> _Plan:
        parts = [f"{index} MATCH ?"] if source.startswith(index) else []
        params: list = [match] if parts else []
        parts.append(f"{alias}.deleted_at IS NULL")
        for condition in conditions:
            parts.append(condition.sql.format(plus="" if condition is driver else "+"))
            params += condition.params
        if check:
            parts.append(check)
            params.append(match if match is not None else exclusions)
        return _Plan(f"SELECT {alias}.id FROM {source} WHERE {' AND '.join(parts)} ORDER BY {order} LIMIT ?",
                     [*params, limit], in_order, budget)

    few = next((condition for condition in conditions if condition.few), None)
    if match is not None:
        # The index yields its matches in id order; each is checked against the conditions until enough pass.
        # Its cost is bounded by the number of matches, so it is the one way when they are few, and the last.
        walk = read(f"{index} CROSS JOIN {table} {alias} ON {alias}.id = {index}.rowid",
                    f"{index}.rowid {direction}", True)
        if group not in ("activity", "note") or not cheap or not _broad(index, match):
            return [walk]
        # The table in id order, its kind checked before the index is asked: when many matches of other kinds
        # come first (the demo's block of tasks), the walk pays a row lookup for each, this a tenth of that.
        return [walk, read(f"{table} {alias} NOT INDEXED", by_id, True, check=asked, budget=SCAN_BUDGET), walk]
    check = f"NOT {asked}" if exclusions else ""
    if group not in ("activity", "note"):
        plans = [read(f"{table} {alias} NOT INDEXED", by_id, True, check=check)]
        if few is not None:  # the deals of a company or two: read them from their index and sort them
            plans.insert(0, read(f"{table} {alias} INDEXED BY {few.index}", by_id, False, few, check, DRIVE_BUDGET))
        return plans
    if few is not None and few.index == "activity_due_at_id":
        return [read(f"{table} {alias} INDEXED BY {few.index}", f"{alias}.due_at DESC, {alias}.id DESC", True, few,
                     check)]
    recent = f"{alias}.occurred_at DESC, {alias}.id DESC"
    kind = conditions[-1]
    if len(kind.params) == 1:
        plans = [read(f"{table} {alias} INDEXED BY {kind.index}", recent, True, kind, check)]
    else:
        plans = [read(f"{table} {alias} INDEXED BY activity_occurred_at_id", recent, True, check=check)]
    if few is not None:  # a company's activities: read them from their index and sort them
        plans.append(read(f"{table} {alias} INDEXED BY {few.index}", recent, False, few, check))
    return plans


def _first_ids(plans: list[_Plan], deadline: float | None) -> tuple[list[int], bool]:
    """The ids from the first plan that finishes within its budget, and whether they are complete.

    Without a deadline the last plan runs to the end. With one, no plan runs past it, and when it comes first,
    the most ids a read in order had found are kept."""
    found: list[list[int]] = []

    def run(number: int) -> tuple[list[int], bool]:
        if number == len(plans):
            return max(found, key=len, default=[]), False
        ids: list[int] = []
        if plans[number].in_order:
            found.append(ids)
        for row in database.execute_sql(plans[number].sql, plans[number].params):
            ids.append(row[0])
        return ids, True

    if deadline is None:
        if len(plans) == 1:
            return run(0)
        in_turn: list[int | tuple[int, float]] = [
            *((number, plan.budget) for number, plan in enumerate(plans[:-1])), len(plans) - 1
        ]
        return search_index.run_plans(in_turn, run)
    schedule: list = []
    left = deadline - time.perf_counter()
    for number, plan in enumerate(plans):
        budget = left if number == len(plans) - 1 else min(plan.budget, left)
        if budget > 0:
            schedule.append((number, budget))
            left -= budget
    return search_index.run_plans([*schedule, len(plans)], run)


def _first_line(body: str) -> str:
    line = next((line.strip() for line in body.splitlines() if line.strip()), "")
    return line if len(line) <= _TITLE_FROM_BODY else line[: _TITLE_FROM_BODY - 1] + "…"


def _hits(group: str, ids: list[int]) -> tuple[SearchHit, ...]:
    """Contacts and companies by name; deals, activities and notes in the order they were found."""
    if not ids:
        return ()
    rows = database.execute_sql(_HITS["activity" if group == "note" else group].format(ids=_marks(ids)), ids)
    if group in ("contact", "company"):
        return tuple(SearchHit(group, row[0], row[1], row[2] or "") for row in rows)
    if group == "deal":
        hits = {row[0]: SearchHit(group, row[0], row[1], row[2]) for row in rows}
    else:
        hits = {row[0]: SearchHit(group, row[0], row[1] or _first_line(row[3]), row[2]) for row in rows}
    return tuple(hits[record_id] for record_id in ids)


def search_groups(text_or_query: str | SearchQuery, limit_per_kind: int = 10, now: datetime | None = None,
                  budget: float | None = None) -> list[SearchGroup]:
    """The groups a query can fill (`SearchQuery.groups`), each with its hits, as `search` gives them.

    With `budget` (seconds; KEYSTROKE_BUDGET while typing), each group gets an even share of the time left, and
    one that runs out says so (`complete` False) and keeps the first hits it found."""
    query = parse(text_or_query) if isinstance(text_or_query, str) else text_or_query
    moment = now or utc_now()
    deadline = None if budget is None else time.perf_counter() + budget
    wanted = query.groups if limit_per_kind >= 1 else ()
    groups: list[SearchGroup] = []
    for position, group in enumerate(wanted):
        plans = _plans(group, query, moment, limit_per_kind)
        if plans is None:
            groups.append(SearchGroup(group, ()))
            continue
        share = None
        if deadline is not None:
            clock = time.perf_counter()
            share = clock + max(deadline - clock, 0.0) / (len(wanted) - position)
        ids, complete = _first_ids(plans, share)
        groups.append(SearchGroup(group, _hits(group, ids), complete))
    return groups


def search(text_or_query: str | SearchQuery, limit_per_kind: int = 10, now: datetime | None = None,
           budget: float | None = None) -> list[SearchHit]:
    """Every kind of record matching a query, grouped: contacts, companies, deals, activities, notes.

    Notes are activities of kind note, in a group of their own; the activities group holds the other kinds. Each
    group holds up to `limit_per_kind` hits, its first matches (see `_plans`), contacts and companies by name.
    What each operator selects:
    - `tag:` contacts with that tag (see search_syntax for how a tag is named);
    - `company:` companies whose name has words starting with each word of the value, and the contacts, deals
      and activities linked to such a company;
    - `stage:` deals in a stage of that name (in any pipeline); `is:won`, `is:lost` deals with that outcome;
    - `kind:` activities of that kind (`kind:note` the notes); `is:overdue` open tasks due before `now`.
    An operator limits the results to the groups it applies to, so `tag:vip stage:won` finds nothing. Trashed
    records never show; nothing does when only exclusions are given. `budget`: see `search_groups`.
    """
    return [hit for group in search_groups(text_or_query, limit_per_kind, now, budget) for hit in group.hits]


def _contact_part(query: str | SearchQuery) -> SearchQuery:
    query = parse(query) if isinstance(query, str) else query
    return SearchQuery(words=query.words, phrases=query.phrases, excluded=query.excluded,
                       excluded_phrases=query.excluded_phrases, tags=query.tags, companies=query.companies)


def contact_ids_sql(query: str | SearchQuery) -> tuple[str, list]:
    """An SQL subquery and its parameters selecting the ids of the live contacts matching the contact part of a
    query (words, phrases, exclusions, `tag:` and `company:`; other operators are left out), for a list to pin as
    `c.id IN (<sql>)`; a part with nothing positive selects no contact.

    It reads the contacts' search index and tag index, never a list of ids: a set of 100,000 contacts (a common
    tag, at 1M) takes ~40 ms to build, one of a few thousand a few ms. For a list walking its own order through a
    large set, `contact_filter_sql` asks row by row instead."""
    part = _contact_part(query)
    if not part.is_positive:
        return "SELECT NULL WHERE 0", []
    match, exclusions = _match(part, "contact")
    tagged = f"SELECT ct.contact_id FROM contact_tag ct WHERE ct.tag_id IN ({_TAG_IDS})"
    tag_params = [value for tag in part.tags for value in _tag_params(tag)]
    if match is not None:
        conditions = [f"{search_index.CONTACT_INDEX} MATCH ?", *(f"+rowid IN ({tagged})" for _ in part.tags)]
        return f"SELECT rowid FROM {search_index.CONTACT_INDEX} WHERE {' AND '.join(conditions)}", [match, *tag_params]
    # Tags without a letter or digit, which the index cannot prefilter.
    conditions = ["c.deleted_at IS NULL", *(f"c.id IN ({tagged})" for _ in part.tags)]
    if exclusions is not None:
        index = search_index.CONTACT_INDEX
        conditions.append(f"c.id NOT IN (SELECT rowid FROM {index} WHERE {index} MATCH ?)")
        tag_params.append(exclusions)
    return f"SELECT c.id FROM contact c WHERE {' AND '.join(conditions)}", tag_params


def contact_filter_sql(query: str | SearchQuery, id_column: str = "c.id") -> tuple[str, list] | None:
    """The condition `contact_ids_sql` pins, asked of one contact at a time (`id_column`), and its parameters; None
    when that would be slow.

    For a list reading its own order (by name, by company) and keeping the rows that pass: a page of a large set
    costs a few questions per row shown, where building the set costs one step per contact in it. A question
    about a word of four letters or more (a word, an exclusion, a company) costs about what building the set does,
    as FTS5 has no prefix index for it: then this is None, and `contact_ids_sql` is the way. Trashed contacts pass
    when only tags select; lists leave them out anyway."""
    part = _contact_part(query)
    if not part.is_positive:
        return "0", []
    if any(len(piece) > PREFIX_INDEXED for word in (*part.words, *part.excluded, *part.companies)
           for piece in pieces(word)):
        return None
    match, exclusions = _match(SearchQuery(**{**part.__dict__, "tags": ()}), "contact")
    index = search_index.CONTACT_INDEX
    asked = f"EXISTS (SELECT 1 FROM {index} WHERE {index} MATCH ? AND rowid = {id_column})"
    conditions, params = [], []
    if match is not None or exclusions is not None:
        conditions.append(asked if match is not None else f"NOT {asked}")
        params.append(match if match is not None else exclusions)
    for tag in part.tags:
        sql, values = _tag_condition(id_column, tag)
        conditions.append(sql)
        params += values
    return " AND ".join(conditions), params
