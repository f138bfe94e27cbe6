"""The trash of every kind at once: what was deleted, newest first, to restore or purge, and the purge of what has
been there longer than the settings keep it (`trash_days`, default 30).

Deleting moves a record here (`deleted_at` set); restoring brings it back whole, and undo can take either back.
Purging removes it for good: undo cannot bring a purged record back, so the app asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm_tui.core import activities, companies, contacts, deals
from crm_tui.core.errors import ValidationError
from crm_tui.core.models import contact_name_sql, database, format_timestamp, utc_now
from crm_tui.core.records import batched, write_transaction

KINDS = ("contact", "company", "deal", "activity")
_NAME_SQL = {
    "contact": contact_name_sql("contact"),
    "company": "name",
    "deal": "title",
    "activity": "CASE WHEN subject != '' THEN subject ELSE substr(body, 1, 80) END",
}
_DETAIL_SQL = {"contact": "title", "company": "domain", "deal": "currency", "activity": "kind"}
_VERBS: dict[str, tuple[Callable[[int], object], Callable[[int], object]]] = {
    "contact": (contacts.restore, contacts.purge),
    "company": (companies.restore, companies.purge),
    "deal": (deals.restore, deals.purge),
    "activity": (activities.restore, activities.purge),
}


@dataclass(frozen=True)
class TrashedRecord:
    kind: str
    id: int
    name: str
    detail: str
    deleted_at: str


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError.single("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    return kind


def list_trashed(kinds: tuple[str, ...] = KINDS, after: tuple[str, str, int] | None = None,
                 limit: int = 50) -> list[TrashedRecord]:
    """A page of the trash, newest deletion first; `after` is the (deleted_at, kind, id) of the last row shown.
    Each kind is read through its index of trashed rows, so a large database with a small trash reads little."""
    for kind in kinds:
        check_kind(kind)
    arms, params = [], []
    for kind in kinds:
        where = "deleted_at IS NOT NULL"
        if after is not None:
            where += " AND (deleted_at, ?, id) < (?, ?, ?)"
            params += [kind, *after]
        arms.append(f"SELECT * FROM (SELECT '{kind}' AS kind, id, {_NAME_SQL[kind]}, {_DETAIL_SQL[kind]}, deleted_at "
                    f"FROM {kind} WHERE {where} ORDER BY deleted_at DESC, id DESC LIMIT {int(limit)})")
    sql = " UNION ALL ".join(arms) + f" ORDER BY deleted_at DESC, kind DESC, id DESC LIMIT {int(limit)}"
    return [TrashedRecord(kind, record_id, name or f"{kind} {record_id}", detail or "", deleted_at)
            for kind, record_id, name, detail, deleted_at in database.execute_sql(sql, params)]


def count_trashed() -> dict[str, int]:
    return {kind: database.execute_sql(f"SELECT count(*) FROM {kind} WHERE deleted_at IS NOT NULL").fetchone()[0]
            for kind in KINDS}


def restore(kind: str, record_id: int) -> None:
    _VERBS[check_kind(kind)][0](record_id)


def purge(kind: str, record_id: int) -> None:
    """Remove one record in the trash for good (refused for a record that is not in the trash)."""
    _VERBS[check_kind(kind)][1](record_id)


@batched
def purge_older_than(days: int, now: datetime | None = None) -> dict[str, int]:
    """Purge everything deleted more than `days` days ago, as one change; returns how many of each kind."""
    if days < 0:
        raise ValidationError.single("days", "must be 0 or more")
    now = now or utc_now()
    if days > (now - datetime.min.replace(tzinfo=now.tzinfo)).days:
        return dict.fromkeys(KINDS, 0)  # nothing was deleted before the first year of the calendar
    cutoff = format_timestamp(now - timedelta(days=days))
    purged = {}
    with write_transaction():
        for kind in KINDS:
            ids = [row[0] for row in database.execute_sql(
                f"SELECT id FROM {kind} WHERE deleted_at IS NOT NULL AND deleted_at < ? ORDER BY id", (cutoff,))]
            for record_id in ids:
                _VERBS[kind][1](record_id)
            purged[kind] = len(ids)
    return purged


def purge_expired(settings_days: int, now: datetime | None = None) -> dict[str, int]:
    """The automatic purge: what has been in the trash longer than the settings keep it. 0 days keeps it all."""
    if settings_days == 0:
        return dict.fromkeys(KINDS, 0)
    return purge_older_than(settings_days, now)
