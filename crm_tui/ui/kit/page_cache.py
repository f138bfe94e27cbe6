"""What a RecordList remembers between frames: the pages it has read, and the state of the current read."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class CachedPage:
    """One page as read: its records, each record's keyset cursor, and which read it belongs to."""

    items: list
    keys: list[tuple]
    generation: int


class PageCache:
    """The pages read, least recently used dropped first: memory stays flat however far the user scrolls."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[int, CachedPage] = OrderedDict()

    def get(self, index: int) -> CachedPage | None:
        page = self._pages.get(index)
        if page is not None:
            self._pages.move_to_end(index)
        return page

    def set(self, index: int, page: CachedPage) -> None:
        self._pages[index] = page
        self._pages.move_to_end(index)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)

    def clear(self) -> None:
        self._pages.clear()


@dataclass
class ReadState:
    """Everything that a reload starts afresh. `estimate` stands in for the total while a reload counts."""

    generation: int = 0
    total: int | None = None
    estimate: int = 0
    counting: bool = False
    furthest_page: int = -1
    pending: set[int] = field(default_factory=set)
    jump_to_end: bool = False
