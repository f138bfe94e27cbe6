"""What a contact is, as a person supplies it (ContactDraft) and as the CRM gives it back (ContactData), and the
plain-SQL reads that turn rows into ContactData for every list, form and audit snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from crm_tui.core.errors import NotFoundError
from crm_tui.core.models import database
from crm_tui.core.records import chunked


@dataclass(frozen=True)
class ContactDraft:
    """What a person or an import supplies for a contact. Lists keep their order; the first is primary."""

    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    title: str = ""
    company: str = ""
    emails: Sequence[str] = ()
    phones: Sequence[str] = ()
    tags: Sequence[str] = ()
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    birthday: str = ""
    notes: str = ""
    custom: dict[str, str] = field(default_factory=dict)
    keep_in_touch_days: int | None = None


@dataclass(frozen=True)
class ContactData:
    id: int
    first_name: str
    last_name: str
    display_name: str
    name: str
    title: str
    company: str | None
    company_id: int | None
    emails: list[str]
    phones: list[str]
    tags: list[str]
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    birthday: str
    notes: str
    custom: dict[str, str]
    keep_in_touch_days: int | None
    created_at: str
    updated_at: str
    deleted_at: str | None
    version: int

    def to_draft(self) -> ContactDraft:
        return ContactDraft(
            **{name: getattr(self, name) for name in DRAFT_FIELDS if name != "company"},
            company=self.company or "",
        )


DRAFT_FIELDS = tuple(ContactDraft.__dataclass_fields__)


def draft_name(draft: ContactDraft) -> str:
    """The name a contact made from `draft` will be shown by."""
    return shown_name(draft.first_name, draft.last_name, draft.display_name, next(iter(draft.emails), ""))


def shown_name(first_name: str, last_name: str, display_name: str, email: str = "") -> str:
    """The name a contact is shown by: its display name, else first and last, else its first email (models.
    contact_name_sql is the same in SQL)."""
    return display_name or " ".join(part for part in (first_name, last_name) if part) or email


_COLUMNS = """c.id, c.first_name, c.last_name, c.display_name, c.title, c.company_id, co.name, c.street, c.city,
       c.region, c.postal_code, c.country, c.birthday, c.notes, c.custom, c.keep_in_touch_days, c.created_at,
       c.updated_at, c.deleted_at, c.version"""
_FROM = "contact c LEFT JOIN company co ON co.id = c.company_id AND co.deleted_at IS NULL"


def in_list(ids: Sequence[int]) -> str:
    return ", ".join([database.param] * len(ids))


def _assemble(rows: list[tuple]) -> list[ContactData]:
    """Turn contact rows into ContactData, fetching emails, phones and tags for all of them in three queries.

    Plain SQL rather than ORM queries: this runs for every page a list shows, and building the statements
    cost more than running them.
    """
    ids = [row[0] for row in rows]
    lists: dict[str, dict[int, list[str]]] = {kind: {i: [] for i in ids} for kind in ("emails", "phones", "tags")}
    if ids:
        marks = in_list(ids)
        for kind, sql in (
            ("emails", f"SELECT contact_id, email FROM contact_email WHERE contact_id IN ({marks}) ORDER BY position"),
            ("phones", f"SELECT contact_id, phone FROM contact_phone WHERE contact_id IN ({marks}) ORDER BY position"),
            ("tags", "SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
                     f"WHERE ct.contact_id IN ({marks}) ORDER BY t.name_key"),
        ):
            for contact_id, value in database.execute_sql(sql, ids):
                lists[kind][contact_id].append(value)
    result = []
    for (cid, first, last, display, title, company_id, company_name, street, city, region, postal, country,
         birthday, notes, custom, keep_in_touch_days, created, updated, deleted, version) in rows:
        result.append(ContactData(
            id=cid, first_name=first, last_name=last, display_name=display,
            name=shown_name(first, last, display, next(iter(lists["emails"][cid]), "")),
            title=title, company=company_name, company_id=company_id, emails=lists["emails"][cid],
            phones=lists["phones"][cid], tags=lists["tags"][cid], street=street, city=city, region=region,
            postal_code=postal, country=country, birthday=birthday, notes=notes, custom=json.loads(custom or "{}"),
            keep_in_touch_days=keep_in_touch_days, created_at=created, updated_at=updated, deleted_at=deleted,
            version=version,
        ))
    return result


def _rows_by_id(ids: Sequence[int]) -> list[tuple]:
    """Full contact rows for those of `ids` that exist, in that order."""
    if not ids:
        return []
    rows = database.execute_sql(f"SELECT {_COLUMNS} FROM {_FROM} WHERE c.id IN ({in_list(ids)})", ids)
    by_id = {row[0]: row for row in rows}
    return [by_id[contact_id] for contact_id in ids if contact_id in by_id]


def get(contact_id: int, include_deleted: bool = False) -> ContactData:
    found = _assemble(_rows_by_id([contact_id]))
    if not found or (found[0].deleted_at is not None and not include_deleted):
        raise NotFoundError(f"contact {contact_id} does not exist" + ("" if include_deleted else " or is in the trash"))
    return found[0]


def get_many(ids: Sequence[int]) -> list[ContactData]:
    """The contacts of `ids` that exist, trashed ones too, in the order given."""
    return [contact for chunk in chunked(ids) for contact in _assemble(_rows_by_id(chunk))]
