"""Lists of deals: every sort, keyset pages forwards and backwards, offsets, neighbours, positions, filters, and the
index a board column reads (checked by query plan, not by timing)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crm_tui.core import deals
from crm_tui.core.deals import listing as deal_list, pipelines
from crm_tui.core.deals.listing import DealFilter
from crm_tui.core.errors import NotFoundError, ValidationError
from crm_tui.core.models import Deal, database, now_text

ALL = DealFilter()


@pytest.fixture
def board(db, make_contact):
    """Seven deals, by title: {title: DealData}, created in this order (so ids and ages follow it)."""
    ada = make_contact(first_name="Ada", last_name="Lovelace")
    rows = [
        ("Alpha", {"stage": "Lead", "value": "500", "expected_close": "2026-03-01", "company": "Acme"}),
        ("Bravo", {"stage": "Lead", "value": "1500", "notes": "annual renewal", "contact": ada.id}),
        ("Charlie", {"stage": "Qualified", "value": "1500", "expected_close": "2026-01-15", "company": "Zenith"}),
        ("Delta", {"stage": "Proposal", "value": "200", "currency": "USD", "expected_close": "2026-02-01"}),
        ("Echo", {"stage": "Lead", "value": "900", "expected_close": "2026-01-15", "contact": ada.id}),
        ("Foxtrot", {"stage": "Lost", "value": "50", "company": "Acme"}),
        ("Golf", {"stage": "Won", "value": "7000", "expected_close": "2025-12-24"}),
    ]
    return {title: deals.create({"title": title, **values}) for title, values in rows}


def titles(items) -> list[str]:
    return [deal.title for deal in items]


def walk(wanted: DealFilter, sort: str, size: int) -> list[str]:
    """Every deal of a list read `size` at a time through the cursors, checking no page overlaps another."""
    seen: list[str] = []
    cursor = None
    while True:
        page = deal_list.list_page(wanted, sort, cursor, size)
        assert len(page.items) <= size and len(page.keys) == len(page.items)
        seen += titles(page.items)
        if page.next_cursor is None:
            return seen
        assert page.next_cursor == page.keys[-1]
        cursor = page.next_cursor


ORDERS = {
    # Soonest expected close first, undated last; ties by id.
    "close": ["Golf", "Charlie", "Echo", "Delta", "Alpha", "Bravo", "Foxtrot"],
    # Largest value first (whatever the currency: a list, not a sum), ties by the newer id first.
    "value": ["Golf", "Charlie", "Bravo", "Echo", "Alpha", "Delta", "Foxtrot"],
    # Stage position, then id.
    "stage": ["Alpha", "Bravo", "Echo", "Charlie", "Delta", "Golf", "Foxtrot"],
    # Oldest first.
    "age": ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"],
}


@pytest.mark.parametrize("sort", list(ORDERS))
def test_each_sort_order(board, sort):
    assert titles(deal_list.list_page(ALL, sort).items) == ORDERS[sort]
    assert titles(deal_list.iterate(ALL, sort)) == ORDERS[sort]
    assert titles(deal_list.iterate(ALL, sort, limit=3)) == ORDERS[sort][:3]


@pytest.mark.parametrize("sort", list(ORDERS))
@pytest.mark.parametrize("size", [1, 2, 3, 7, 50])
def test_keyset_pages_give_every_deal_once_in_order(board, sort, size):
    assert walk(ALL, sort, size) == ORDERS[sort]


@pytest.mark.parametrize("sort", list(ORDERS))
def test_paging_backwards_returns_the_page_before(board, sort):
    first = deal_list.list_page(ALL, sort, limit=3)
    second = deal_list.list_page(ALL, sort, first.next_cursor, limit=3)
    back = deal_list.list_page(ALL, sort, second.keys[0], limit=3, backwards=True)
    assert titles(back.items) == titles(first.items) == ORDERS[sort][:3]
    assert back.keys == first.keys and back.next_cursor == first.keys[0]
    start = deal_list.list_page(ALL, sort, first.keys[0], limit=3, backwards=True)
    assert (start.items, start.next_cursor) == ([], None)
    tail = deal_list.list_page(ALL, sort, second.keys[1], limit=3, backwards=True)
    assert titles(tail.items) == ORDERS[sort][1:4]


@pytest.mark.parametrize("sort", list(ORDERS))
def test_offset_jumps_to_a_row(board, sort):
    assert titles(deal_list.list_page(ALL, sort, limit=2, offset=3).items) == ORDERS[sort][3:5]
    first = deal_list.list_page(ALL, sort, limit=2)
    assert titles(deal_list.list_page(ALL, sort, first.next_cursor, 2, offset=1).items) == ORDERS[sort][3:5]
    assert deal_list.list_page(ALL, sort, offset=7).items == []
    with pytest.raises(ValidationError):
        deal_list.list_page(ALL, sort, offset=-1)


def test_unknown_sort_is_refused(board):
    with pytest.raises(ValidationError) as raised:
        deal_list.list_page(ALL, "colour")
    assert raised.value.errors[0].field == "sort"


@pytest.mark.parametrize("sort", list(ORDERS))
def test_neighbour_and_position_follow_the_list(board, sort):
    order = ORDERS[sort]
    for index, title in enumerate(order):
        deal_id = board[title].id
        assert deal_list.position(deal_id, ALL, sort) == index
        after = deal_list.neighbour(deal_id, 1, ALL, sort)
        before = deal_list.neighbour(deal_id, -1, ALL, sort)
        assert after == (board[order[index + 1]].id if index + 1 < len(order) else None)
        assert before == (board[order[index - 1]].id if index > 0 else None)
    assert deal_list.neighbour(board[order[0]].id, 3, ALL, sort) == board[order[3]].id
    assert deal_list.neighbour(board[order[-1]].id, -6, ALL, sort) == board[order[0]].id
    assert deal_list.neighbour(board[order[-1]].id, -7, ALL, sort) is None


def test_position_is_none_outside_the_list(board):
    lead = DealFilter(stage_id=board["Alpha"].stage_id)
    assert [deal_list.position(board[t].id, lead) for t in ("Echo", "Alpha", "Bravo", "Golf")] == [0, 1, 2, None]
    deals.delete(board["Echo"].id)
    assert deal_list.position(board["Echo"].id, lead) is None
    assert deal_list.position(board["Alpha"].id, lead) == 0
    assert deal_list.position(board["Echo"].id, DealFilter(trash=True)) == 0
    with pytest.raises(NotFoundError):
        deal_list.neighbour(999, 1, ALL)
    with pytest.raises(ValidationError):
        deal_list.neighbour(board["Alpha"].id, 0, ALL)


def test_count_and_ids(board):
    assert deal_list.count(ALL) == 7
    assert list(deal_list.ids(ALL)) == sorted(deal.id for deal in board.values())
    open_deals = DealFilter(statuses=("open",))
    assert deal_list.count(open_deals) == 5
    assert list(deal_list.ids(open_deals)) == [board[t].id for t in ("Alpha", "Bravo", "Charlie", "Delta", "Echo")]
    assert deal_list.count(DealFilter(statuses=())) == 0 and list(deal_list.ids(DealFilter(statuses=()))) == []


FILTERS = {
    "stage Lead": (lambda b: DealFilter(stage_id=b["Alpha"].stage_id), ["Echo", "Alpha", "Bravo"]),
    "open": (lambda b: DealFilter(statuses=("open",)), ["Charlie", "Echo", "Delta", "Alpha", "Bravo"]),
    "won or lost": (lambda b: DealFilter(statuses=("won", "lost")), ["Golf", "Foxtrot"]),
    "contact": (lambda b: DealFilter(contact_id=b["Bravo"].contact_id), ["Echo", "Bravo"]),
    "company": (lambda b: DealFilter(company_id=b["Alpha"].company_id), ["Alpha", "Foxtrot"]),
    "title": (lambda b: DealFilter(text="char"), ["Charlie"]),
    "notes": (lambda b: DealFilter(text="renewal"), ["Bravo"]),
    "company name": (lambda b: DealFilter(text="acme"), ["Alpha", "Foxtrot"]),
    "company name or title": (lambda b: DealFilter(text="ZENITH"), ["Charlie"]),
    "text and status": (lambda b: DealFilter(text="acme", statuses=("open",)), ["Alpha"]),
    "no match": (lambda b: DealFilter(text="nothing"), []),
    "punctuation only": (lambda b: DealFilter(text="--"), ORDERS["close"]),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_filters(board, name):
    make, expected = FILTERS[name]
    wanted = make(board)
    assert walk(wanted, "close", 2) == expected
    assert deal_list.count(wanted) == len(expected)
    assert sorted(deal_list.ids(wanted)) == sorted(board[t].id for t in expected)


def test_pipeline_filter_and_trash(board):
    renewals = pipelines.create("Renewals")
    other = deals.create({"title": "Hotel", "pipeline": "Renewals", "expected_close": "2026-01-01"})
    assert titles(deal_list.iterate(DealFilter(pipeline_id=renewals.id))) == ["Hotel"]
    sales = DealFilter(pipeline_id=board["Alpha"].pipeline_id)
    assert titles(deal_list.iterate(sales)) == ORDERS["close"]
    assert titles(deal_list.iterate(ALL))[:2] == ["Golf", "Hotel"]
    deals.delete_many([other.id, board["Alpha"].id])
    assert titles(deal_list.iterate(DealFilter(trash=True))) == ["Hotel", "Alpha"]
    assert titles(deal_list.iterate(DealFilter(trash=True, company_id=board["Alpha"].company_id))) == ["Alpha"]
    assert "Alpha" not in titles(deal_list.iterate(ALL)) and deal_list.count(ALL) == 6
    assert deal_list.count(DealFilter(trash=True)) == 2


def test_a_trashed_company_no_longer_names_its_deals(board):
    from crm_tui.core import companies

    companies.delete(board["Charlie"].company_id)
    assert deals.get(board["Charlie"].id).company is None
    assert deal_list.count(DealFilter(text="zenith")) == 0


def test_a_deal_edited_to_another_stage_changes_lists(board):
    alpha = board["Alpha"]
    moved = deals.move(alpha.id, "Negotiation")
    assert deal_list.position(alpha.id, DealFilter(stage_id=alpha.stage_id)) is None
    assert deal_list.position(alpha.id, DealFilter(stage_id=moved.stage_id)) == 0
    deals.update(moved.id, moved.version, title="Zulu", expected_close="")
    assert deal_list.count(DealFilter(text="alpha")) == 0
    assert titles(deal_list.iterate(DealFilter(text="zulu"))) == ["Zulu"]
    assert titles(deal_list.iterate(ALL))[-3:] == ["Zulu", "Bravo", "Foxtrot"]  # undated, by id


# Property: pages of any size give exactly what sorting in Python gives. -------------------------------------------

CLOSE_DATES = st.sampled_from(["", "2026-01-01", "2026-01-02", "2026-06-30", "2027-12-31"])


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(CLOSE_DATES, st.integers(0, 3) | st.integers(0, 10**12)), max_size=25),
       size=st.integers(1, 4))
def test_paging_equals_sorting_in_python(db, rows, size):
    Deal.delete().execute()
    sales = pipelines.default()
    stamp = now_text()
    for close, value in rows:
        Deal.insert(title="d", value_minor=value, pipeline=sales.id, stage=sales.stages[0].id,
                    expected_close=close, stage_entered_at=stamp).execute()
    stored = list(Deal.select(Deal.id, Deal.expected_close, Deal.value_minor).tuples())
    expected = {
        "close": [i for i, _, _ in sorted(stored, key=lambda r: (r[1] or "~", r[0]))],
        "value": [i for i, _, _ in sorted(stored, key=lambda r: (r[2], r[0]), reverse=True)],
    }
    for sort, order in expected.items():
        for wanted in (ALL, DealFilter(stage_id=sales.stages[0].id)):
            got, cursor = [], None
            while True:
                page = deal_list.list_page(wanted, sort, cursor, size)
                got += [deal.id for deal in page.items]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            assert got == order
        if order:  # and backwards from the last row
            back, cursor = [order[-1]], deal_list.list_page(ALL, sort, offset=len(order) - 1).keys[0]
            while cursor is not None:
                page = deal_list.list_page(ALL, sort, cursor, size, backwards=True)
                back = [deal.id for deal in page.items] + back
                cursor = page.next_cursor
            assert back == order


# Query plans: a board column is an index seek, with no sorting, on any page. ----------------------------------


def query_plans(monkeypatch, run) -> list[str]:
    """The query plan of every statement `run()` sends, as SQLite explains it."""
    sent: list[tuple[str, list]] = []
    connection = database.obj
    original = connection.execute_sql

    def record(sql, params=None, *args, **kwargs):
        sent.append((sql, list(params or [])))
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(connection, "execute_sql", record)
    run()
    monkeypatch.undo()
    return [" | ".join(row[-1] for row in database.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in sent]


def test_a_board_column_page_reads_the_stage_close_index_without_sorting(db, monkeypatch):
    lead = pipelines.default().stages[0]
    for index in range(30):
        deals.create({"title": f"D{index}", "expected_close": f"2026-01-{index % 28 + 1:02d}" if index % 4 else ""})
    column = DealFilter(stage_id=lead.id)
    first = deal_list.list_page(column, "close", limit=10)
    [plan] = query_plans(monkeypatch, lambda: deal_list.list_page(column, "close", limit=10))
    assert "USING INDEX deal_stage_close (stage_id=?)" in plan and "TEMP B-TREE" not in plan
    [plan] = query_plans(monkeypatch, lambda: deal_list.list_page(column, "close", first.next_cursor, 10))
    # A later page seeks to its cursor rather than reading the column from its start.
    assert "USING INDEX deal_stage_close (stage_id=? AND <expr>>?)" in plan and "TEMP B-TREE" not in plan
    [plan] = query_plans(monkeypatch, lambda: deal_list.list_page(column, "close", first.keys[-1], 10, True))
    assert "USING INDEX deal_stage_close (stage_id=? AND <expr><?)" in plan and "TEMP B-TREE" not in plan


def test_the_deals_table_of_a_pipeline_reads_its_indexes(db, monkeypatch):
    sales = DealFilter(pipeline_id=pipelines.default().id)
    deals.create({"title": "A"})
    for sort, index in (("value", "deal_pipeline_id_value_minor_id"), ("age", "deal_pipeline_id_created_at_id")):
        [plan] = query_plans(monkeypatch, lambda sort=sort: deal_list.list_page(sales, sort, limit=10))
        assert f"USING INDEX {index}" in plan and "TEMP B-TREE" not in plan
