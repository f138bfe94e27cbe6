"""What a RecordList shows: its columns, the query (sort, filter, trash), the source it reads, and the marks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from crm_tui.core.records import Page

MARK_WIDTH = 2


@dataclass(frozen=True)
class Column:
    """One column: its title, how to get its text from a record, and how it shares the width."""

    title: str
    value: Callable[[Any], str]
    min_width: int
    max_width: int = 60
    weight: int = 1


@dataclass(frozen=True)
class ListQuery:
    """What the list shows: the sort, the filter as typed, and whether it is the trash."""

    sort: str
    filter: str = ""
    trash: bool = False


class RecordSource(Protocol):
    """Where a RecordList reads its records. Every method runs in a reader thread, inside a connection."""

    plural: str
    columns: Sequence[Column]
    sorts: Sequence[str]

    def fetch(self, query: ListQuery, after: tuple | None, backwards: bool, offset: int, limit: int) -> Page: ...

    def count(self, query: ListQuery) -> int: ...

    def ids(self, query: ListQuery) -> Iterator[int]: ...


@dataclass(frozen=True)
class Marks:
    """Marked record ids; `inverted` means every record of `query` except those ids."""

    ids: frozenset[int] = frozenset()
    inverted: bool = False
    query: ListQuery | None = None

    def holds(self, record_id: int) -> bool:
        return (record_id in self.ids) != self.inverted


@lru_cache(maxsize=32)
def column_widths(columns: Sequence[Column], width: int) -> tuple[int, ...]:
    """Each column's width for a row `width` cells wide (each column followed by a space): minimums first, then
    the rest shared by weight. Cached: every drawn line asks, and the answer changes only with the width."""
    available = max(0, width - MARK_WIDTH - len(columns))
    widths = [column.min_width for column in columns]
    spare = available - sum(widths)
    while spare > 0:
        growable = [i for i, column in enumerate(columns) if widths[i] < column.max_width]
        if not growable:
            break
        weights = [columns[i].weight for i in growable]
        if not any(weights):  # only fixed-weight columns can still grow: they share the rest evenly
            weights = [1] * len(growable)
        total_weight = sum(weights)
        given = 0
        for i, weight in zip(growable, weights, strict=False):
            share = max(1, spare * weight // total_weight)
            share = min(share, columns[i].max_width - widths[i], spare - given)
            widths[i] += share
            given += share
        spare -= given
        if given == 0:
            break
    if spare < 0:
        for i in reversed(range(len(widths))):
            cut = min(-spare, widths[i] - 4)
            widths[i] -= max(0, cut)
            spare += max(0, cut)
    return tuple(widths)
