"""Stay in touch: contacts who carry "keep in touch every N days" and whose last activity is older than that.

A contact's last activity is the latest `occurred_at` of their live activities (a done task counts from when it
was done); a contact never in touch is listed straight away. Logging anything with them takes them off the list.
Contacts with the setting are few and indexed, and each one's latest activity is a seek, so the list is read
whole in SQL and paged by offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm_tui.core.models import contact_name_sql, database, format_timestamp, parse_timestamp

_LAST_ACTIVITY = """(SELECT max(a.occurred_at) FROM activity a
        WHERE a.contact_id = c.id AND a.deleted_at IS NULL AND a.occurred_at IS NOT NULL)"""
_DUE = f"""FROM (SELECT c.id, {contact_name_sql()} AS name,
               co.name AS company, c.keep_in_touch_days AS every, {_LAST_ACTIVITY} AS last_at
        FROM contact c LEFT JOIN company co ON co.id = c.company_id AND co.deleted_at IS NULL
        WHERE c.deleted_at IS NULL AND c.keep_in_touch_days IS NOT NULL)
     WHERE last_at IS NULL OR julianday(last_at) + every <= julianday(?)"""


@dataclass(frozen=True)
class KeepInTouch:
    """A contact it is time to get in touch with again."""

    id: int
    name: str
    company: str | None
    every_days: int
    last_at: str | None

    def days_since(self, now: datetime) -> int | None:
        """Whole days since the last activity; None when there has been none."""
        if self.last_at is None:
            return None
        return max(0, (now - parse_timestamp(self.last_at)).days)

    def due_at(self) -> str | None:
        """When getting in touch fell due; None for a contact never in touch (due from the start)."""
        if self.last_at is None:
            return None
        return format_timestamp(parse_timestamp(self.last_at) + timedelta(days=self.every_days))


def due_page(now: datetime, offset: int = 0, limit: int = 50) -> list[KeepInTouch]:
    """Contacts due for a word, longest overdue first (never in touch before all), then by name."""
    sql = (f"SELECT id, name, company, every, last_at {_DUE} "
           f"ORDER BY last_at IS NOT NULL, julianday(last_at) + every, name, id LIMIT ? "
           "OFFSET ?")
    rows: Sequence = database.execute_sql(sql, (format_timestamp(now), limit, offset)).fetchall()
    return [KeepInTouch(*row) for row in rows]


def due_count(now: datetime) -> int:
    return database.execute_sql(f"SELECT count(*) {_DUE}", (format_timestamp(now),)).fetchone()[0]
