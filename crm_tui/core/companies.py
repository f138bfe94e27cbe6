"""Companies: the organisations contacts work for."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from peewee import fn

from crm_tui.core import search
from crm_tui.core.errors import FieldError, NotFoundError, ValidationError
from crm_tui.core.models import Company, Contact, database
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
from crm_tui.core.validation import MAX_NAME, clean_phone, clean_text

SORTS = ("name", "updated")
FIELDS = ("name", "domain", "phone", "address", "notes")
_DOMAIN = re.compile(r"^(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,}$")


@dataclass(frozen=True)
class CompanyData:
    id: int
    name: str
    domain: str
    phone: str
    address: str
    notes: str
    contacts_count: int
    created_at: str
    updated_at: str
    deleted_at: str | None
    version: int


def validate(values: dict) -> dict:
    errors: list[FieldError] = []
    cleaned: dict = {}
    for name in FIELDS:
        try:
            value = clean_text(name, values.get(name, ""), limit=MAX_NAME if name != "notes" else 10_000)
            if name == "domain" and value:
                value = value.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
                value = value.rstrip("/")
                if not _DOMAIN.match(value):
                    raise ValidationError.single("domain", f"{value!r} is not a domain name such as example.com")
            if name == "phone" and value:
                value = clean_phone(value)
            cleaned[name] = value
        except ValidationError as exc:
            errors.extend(exc.errors)
    if not errors and not cleaned["name"]:
        errors.append(FieldError("name", "a company needs a name"))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _refresh_contacts_of(company_id: int) -> None:
    """Contacts show, sort by and are found by their company's name: keep that in step with the company."""
    company = Company.get_by_id(company_id)
    sort_company = fold(company.name) if company.deleted_at is None else NO_COMPANY_SORT
    Contact.update(sort_company=sort_company).where(Contact.company == company_id).execute()
    contact_ids = [row[0] for row in Contact.select(Contact.id).where(Contact.company == company_id).tuples()]
    search.reindex_contacts(contact_ids)


def create(values: dict, batch_id: str | None = None) -> CompanyData:
    clean = validate(values)
    with database.atomic():
        company_id = Company.insert(**clean, sort_name=fold(clean["name"])).execute()
        search.reindex_companies([company_id])
        created = get(company_id)
        record_change("company", company_id, "create", None, created, batch_id)
    return created


def find_by_names(names: Iterable[str]) -> dict[str, tuple[int, str]]:
    """(id, stored name) of the live companies with these names, keyed by folded name; the oldest wins a tie."""
    keys = list({fold(name) for name in names})
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(keys), 500):
        rows = (
            Company.select(Company.sort_name, fn.MIN(Company.id), Company.name)
            .where(Company.sort_name.in_(keys[start : start + 500]) & Company.deleted_at.is_null())
            .group_by(Company.sort_name)
            .tuples()
        )
        found.update((key, (company_id, name)) for key, company_id, name in rows)
    return found


def ensure(name: str, batch_id: str | None = None) -> int:
    """The id of the live company called `name` (ignoring case and accents), created if there is none."""
    found = find_by_names([name]).get(fold(name))
    return found[0] if found else create({"name": name}, batch_id).id


def update(company_id: int, expected_version: int, **changes) -> CompanyData:
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError([FieldError(name, "is not a company field") for name in sorted(unknown)])
    with database.atomic():
        before = get(company_id)
        clean = validate({**{name: getattr(before, name) for name in FIELDS}, **changes})
        save_versioned(Company, company_id, expected_version, {**clean, "sort_name": fold(clean["name"])})
        search.reindex_companies([company_id])
        if clean["name"] != before.name:
            _refresh_contacts_of(company_id)
        after = get(company_id)
        record_change("company", company_id, "update", before, after)
    return after


def _set_trashed(company_id: int, trashed: bool) -> None:
    with database.atomic():
        set_trashed(Company, company_id, trashed, lambda i: get(i, include_deleted=True), search.reindex_companies)
        _refresh_contacts_of(company_id)


def delete(company_id: int) -> None:
    _set_trashed(company_id, True)


def restore(company_id: int) -> None:
    _set_trashed(company_id, False)


_COLUMNS = """co.id, co.name, co.domain, co.phone, co.address, co.notes, co.created_at, co.updated_at,
       co.deleted_at, co.version,
       (SELECT count(*) FROM contact c WHERE c.company_id = co.id AND c.deleted_at IS NULL)"""
_SORT_KEYS = {
    "name": (("co.sort_name", "co.id"), False),
    "updated": (("co.updated_at", "co.id"), True),
}


def _data(row: tuple) -> CompanyData:
    (company_id, name, domain, phone, address, notes, created, updated, deleted, version, contacts_count) = row
    return CompanyData(company_id, name, domain, phone, address, notes, contacts_count, created, updated, deleted,
                       version)


def get(company_id: int, include_deleted: bool = False) -> CompanyData:
    live = "" if include_deleted else " AND co.deleted_at IS NULL"
    sql = f"SELECT {_COLUMNS} FROM company co WHERE co.id = {database.param}{live}"
    row = database.execute_sql(sql, (company_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"company {company_id} does not exist" + ("" if include_deleted else " or is in the trash"))
    return _data(row)


def _filters(text: str | None, trash: bool) -> tuple[list[str], list]:
    conditions = ["co.deleted_at IS NOT NULL" if trash else "co.deleted_at IS NULL"]
    match = search.match_query(text or "")
    return (conditions + [search.company_filter_sql("co.id")], [match]) if match else (conditions, [])


def list_page(
    sort: str = "name", after: tuple | None = None, limit: int = 50, text: str | None = None, trash: bool = False
) -> Page[CompanyData]:
    if sort not in _SORT_KEYS:
        raise ValidationError.single("sort", f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    keys, descending = _SORT_KEYS[sort]
    conditions, params = _filters(text, trash)
    after_condition, after_params = keyset_sql(keys, after, descending)
    sql = (f"SELECT {_COLUMNS}, {keys[0]} FROM company co WHERE {' AND '.join(conditions + after_condition)} "
           f"ORDER BY {order_sql(keys, descending)} LIMIT {int(limit)}")
    rows = database.execute_sql(sql, params + after_params).fetchall()
    next_cursor = (rows[-1][-1], rows[-1][0]) if rows and len(rows) == limit else None
    return Page([_data(row[:-1]) for row in rows], next_cursor)


def iterate(
    sort: str = "name", text: str | None = None, trash: bool = False, limit: int | None = None
) -> Iterator[CompanyData]:
    return iterate_pages(lambda cursor, size: list_page(sort, cursor, size, text, trash), limit)


def count(text: str | None = None, trash: bool = False) -> int:
    conditions, params = _filters(text, trash)
    sql = f"SELECT count(*) FROM company co WHERE {' AND '.join(conditions)}"
    return database.execute_sql(sql, params).fetchone()[0]
