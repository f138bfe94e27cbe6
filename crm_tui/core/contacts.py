"""Contacts: validate, write with history, read a page at a time.

`create` here and the bulk path (bulk.py) share `validate`, `row_values` and the search index's source query, so
a contact typed in a form and one read from a file are stored the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from crm_tui.core import companies, search, tags
from crm_tui.core.errors import FieldError, NotFoundError, ValidationError
from crm_tui.core.models import Contact, ContactEmail, ContactPhone, ContactTag, database
from crm_tui.core.records import (
    Page,
    iterate_pages,
    keyset_sql,
    order_sql,
    record_change,
    save_versioned,
    set_trashed,
)
from crm_tui.core.text import NO_COMPANY_SORT, fold
from crm_tui.core.validation import (
    MAX_NAME,
    MAX_TEXT,
    clean_birthday,
    clean_email,
    clean_phone,
    clean_text,
    phone_digits,
)

SORTS = ("name", "company", "updated")
ADDRESS_FIELDS = ("street", "city", "region", "postal_code", "country")


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
    created_at: str
    updated_at: str
    deleted_at: str | None
    version: int

    def to_draft(self) -> ContactDraft:
        return ContactDraft(
            **{name: getattr(self, name) for name in _DRAFT_FIELDS if name != "company"},
            company=self.company or "",
        )


_DRAFT_FIELDS = tuple(ContactDraft.__dataclass_fields__)


_TEXT_LIMITS = (
    *((name, MAX_NAME) for name in ("first_name", "last_name", "display_name", "title", "company")),
    *((name, MAX_TEXT) for name in (*ADDRESS_FIELDS, "notes")),
)


def shown_name(first_name: str, last_name: str, display_name: str) -> str:
    return display_name or " ".join(part for part in (first_name, last_name) if part)


def validate(draft: ContactDraft) -> ContactDraft:
    """The draft cleaned, or a ValidationError listing every field that is wrong."""
    errors: list[FieldError] = []
    cleaned: dict = {}

    def check(func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            errors.extend(exc.errors)
            return None

    for name, limit in _TEXT_LIMITS:
        value = getattr(draft, name)
        cleaned[name] = check(clean_text, name, value, limit=limit) if value else ""
    cleaned["birthday"] = check(clean_birthday, draft.birthday) if draft.birthday else ""
    emails = [check(clean_email, value, "emails") for value in draft.emails if value.strip()]
    phones = [check(clean_phone, value, "phones") for value in draft.phones if value.strip()]
    cleaned["emails"] = list(dict.fromkeys(email for email in emails if email))
    cleaned["phones"] = list(dict.fromkeys(phone for phone in phones if phone))
    cleaned["tags"] = check(tags.clean_names, draft.tags) if draft.tags else []
    cleaned["custom"] = {str(key).strip(): str(value) for key, value in draft.custom.items() if str(key).strip()}
    if not any(cleaned[name] for name in ("first_name", "last_name", "display_name")):
        errors.append(FieldError("first_name", "a contact needs a first name, a last name or a display name"))
    if errors:
        raise ValidationError(errors)
    return ContactDraft(**cleaned)


def _sort_fields(draft: ContactDraft) -> dict:
    name = shown_name(draft.first_name, draft.last_name, draft.display_name)
    return {"sort_name": fold(name), "sort_company": fold(draft.company) if draft.company else NO_COMPANY_SORT}


def row_values(draft: ContactDraft, company_id: int | None) -> dict:
    return {
        "first_name": draft.first_name,
        "last_name": draft.last_name,
        "display_name": draft.display_name,
        "title": draft.title,
        "company": company_id,
        **{name: getattr(draft, name) for name in ADDRESS_FIELDS},
        "birthday": draft.birthday,
        "notes": draft.notes,
        "custom": json.dumps(draft.custom, ensure_ascii=False, sort_keys=True),
        **_sort_fields(draft),
    }


def snapshot_of_new(
    contact_id: int, draft: ContactDraft, company_id: int | None, company_name: str, tag_names: list[str], stamp: str
) -> dict:
    """What `get` would return (as a dict) for a contact just stored from a clean draft, without reading it back.

    `company_name` and `tag_names` are as stored, which may be spelled differently from the draft's.
    """
    snapshot = {name: getattr(draft, name) for name in _DRAFT_FIELDS}
    snapshot.update(
        id=contact_id, name=shown_name(draft.first_name, draft.last_name, draft.display_name),
        company=company_name or None, company_id=company_id, emails=list(draft.emails), phones=list(draft.phones),
        tags=sorted(tag_names, key=fold), custom=dict(draft.custom), created_at=stamp, updated_at=stamp,
        deleted_at=None, version=1,
    )
    return snapshot


EMAIL_COLUMNS = ("contact", "email", "label", "is_primary", "position")
PHONE_COLUMNS = ("contact", "phone", "digits", "label", "is_primary", "position")
TAG_COLUMNS = ("contact", "tag")


def list_rows(contact_id: int, draft: ContactDraft, tag_ids: dict[str, int]) -> tuple[list, list, list]:
    """A contact's email, phone and tag rows (in EMAIL_, PHONE_ and TAG_COLUMNS order); the first is primary."""
    emails = [(contact_id, email, "", i == 0, i) for i, email in enumerate(draft.emails)]
    phones = [(contact_id, phone, phone_digits(phone), "", i == 0, i) for i, phone in enumerate(draft.phones)]
    tag_rows = [(contact_id, tag_ids[fold(name)]) for name in draft.tags]
    return emails, phones, tag_rows


def _write_lists(contact_id: int, draft: ContactDraft, tag_ids: dict[str, int]) -> None:
    """Replace a contact's emails, phones and tags with the draft's."""
    for model, columns, rows in zip(
        (ContactEmail, ContactPhone, ContactTag), (EMAIL_COLUMNS, PHONE_COLUMNS, TAG_COLUMNS),
        list_rows(contact_id, draft, tag_ids),
    ):
        model.delete().where(model.contact == contact_id).execute()
        if rows:
            model.insert_many(rows, fields=[model._meta.fields[name] for name in columns]).execute()


def create(draft: ContactDraft, batch_id: str | None = None) -> ContactData:
    clean = validate(draft)
    with database.atomic():
        company_id = companies.ensure(clean.company, batch_id) if clean.company else None
        contact_id = Contact.insert(**row_values(clean, company_id)).execute()
        _write_lists(contact_id, clean, tags.ensure(clean.tags))
        search.reindex_contacts([contact_id])
        created = get(contact_id)
        record_change("contact", contact_id, "create", None, created, batch_id)
    return created


def update(contact_id: int, expected_version: int, **changes) -> ContactData:
    """Apply `changes` (ContactDraft field names) to a contact last read at `expected_version`."""
    unknown = set(changes) - set(ContactDraft.__dataclass_fields__)
    if unknown:
        raise ValidationError([FieldError(name, "is not a contact field") for name in sorted(unknown)])
    with database.atomic():
        before = get(contact_id)
        clean = validate(replace(before.to_draft(), **changes))
        company_id = before.company_id
        if "company" in changes:
            company_id = companies.ensure(clean.company) if clean.company else None
        save_versioned(Contact, contact_id, expected_version, row_values(clean, company_id))
        _write_lists(contact_id, clean, tags.ensure(clean.tags))
        search.reindex_contacts([contact_id])
        after = get(contact_id)
        record_change("contact", contact_id, "update", before, after)
    return after


def delete(contact_id: int) -> None:
    set_trashed(Contact, contact_id, True, lambda i: get(i, include_deleted=True), search.reindex_contacts)


def restore(contact_id: int) -> None:
    set_trashed(Contact, contact_id, False, lambda i: get(i, include_deleted=True), search.reindex_contacts)


_COLUMNS = """c.id, c.first_name, c.last_name, c.display_name, c.title, c.company_id, co.name, c.street, c.city,
       c.region, c.postal_code, c.country, c.birthday, c.notes, c.custom, c.created_at, c.updated_at, c.deleted_at,
       c.version"""
_FROM = "contact c LEFT JOIN company co ON co.id = c.company_id AND co.deleted_at IS NULL"


def _in_list(ids: list[int]) -> str:
    return ", ".join([database.param] * len(ids))


_SORT_KEYS = {
    "name": (("c.sort_name", "c.id"), False),
    "company": (("c.sort_company", "c.sort_name", "c.id"), False),
    "updated": (("c.updated_at", "c.id"), True),
}


def _assemble(rows: list[tuple]) -> list[ContactData]:
    """Turn contact rows into ContactData, fetching emails, phones and tags for all of them in three queries.

    Plain SQL rather than ORM queries: this runs for every page a list shows, and building the statements
    cost more than running them.
    """
    ids = [row[0] for row in rows]
    lists: dict[str, dict[int, list[str]]] = {kind: {i: [] for i in ids} for kind in ("emails", "phones", "tags")}
    if ids:
        marks = _in_list(ids)
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
         birthday, notes, custom, created, updated, deleted, version) in rows:
        result.append(ContactData(
            id=cid, first_name=first, last_name=last, display_name=display, name=shown_name(first, last, display),
            title=title, company=company_name, company_id=company_id, emails=lists["emails"][cid],
            phones=lists["phones"][cid], tags=lists["tags"][cid], street=street, city=city, region=region,
            postal_code=postal, country=country, birthday=birthday, notes=notes, custom=json.loads(custom or "{}"),
            created_at=created, updated_at=updated, deleted_at=deleted, version=version,
        ))
    return result


def _rows_by_id(ids: list[int]) -> list[tuple]:
    """Full contact rows for those of `ids` that exist, in that order."""
    if not ids:
        return []
    rows = database.execute_sql(f"SELECT {_COLUMNS} FROM {_FROM} WHERE c.id IN ({_in_list(ids)})", ids)
    by_id = {row[0]: row for row in rows}
    return [by_id[contact_id] for contact_id in ids if contact_id in by_id]


def get(contact_id: int, include_deleted: bool = False) -> ContactData:
    found = _assemble(_rows_by_id([contact_id]))
    if not found or (found[0].deleted_at is not None and not include_deleted):
        raise NotFoundError(f"contact {contact_id} does not exist" + ("" if include_deleted else " or is in the trash"))
    return found[0]


def _filters(tag: str | None, match: str | None, trash: bool, plan: str = "lookup") -> tuple[list[str], list]:
    """SQL conditions (on alias `c`) and their parameters for the trash, tag and search (`match_query`) filters."""
    conditions = ["c.deleted_at IS NOT NULL" if trash else "c.deleted_at IS NULL"]
    params: list = []
    if tag:
        conditions.append(
            "c.id IN (SELECT ct.contact_id FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
            f"WHERE t.name_key = {database.param})"
        )
        params.append(fold(tag))
    if match:
        conditions.append(search.contact_filter_sql("c.id", plan))
        params.append(match)
    return conditions, params


def list_page(
    sort: str = "name",
    after: tuple | None = None,
    limit: int = 50,
    tag: str | None = None,
    text: str | None = None,
    trash: bool = False,
    backwards: bool = False,
) -> Page[ContactData]:
    """One page in `sort` order after the cursor `after` (or, with `backwards`, before it, e.g. the last page)."""
    if sort not in _SORT_KEYS:
        raise ValidationError.single("sort", f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    keys, descending = _SORT_KEYS[sort]
    descending = descending != backwards
    order = order_sql(keys, descending)
    match = search.match_query(text or "")

    def fetch_keys(plan: str) -> list[tuple]:
        """The page's sort keys (id last) alone: sorting narrow rows is what makes large match sets cheap."""
        conditions, params = _filters(tag, match, trash, plan)
        after_condition, after_params = keyset_sql(keys, after, descending)
        conditions += after_condition
        params += after_params
        sql = (f"SELECT {', '.join(keys)} FROM contact c WHERE {' AND '.join(conditions)} "
               f"ORDER BY {order} LIMIT {int(limit)}")
        return database.execute_sql(sql, params).fetchall()

    key_rows = search.run_plans(search.filter_plans(match), fetch_keys) if match else fetch_keys("lookup")
    if backwards:
        key_rows.reverse()
    items = _assemble(_rows_by_id([row[-1] for row in key_rows]))
    cursor_row = (key_rows[0] if backwards else key_rows[-1]) if key_rows else None
    return Page(items, tuple(cursor_row) if cursor_row is not None and len(key_rows) == limit else None)


def iterate(
    sort: str = "name",
    tag: str | None = None,
    text: str | None = None,
    trash: bool = False,
    limit: int | None = None,
) -> Iterator[ContactData]:
    """Every matching contact (or the first `limit`), a page at a time, so memory stays flat on any size."""
    return iterate_pages(lambda cursor, size: list_page(sort, cursor, size, tag, text, trash), limit)


def count(tag: str | None = None, text: str | None = None, trash: bool = False) -> int:
    conditions, params = _filters(tag, search.match_query(text or ""), trash)
    sql = f"SELECT count(*) FROM contact c WHERE {' AND '.join(conditions)}"
    return database.execute_sql(sql, params).fetchone()[0]
