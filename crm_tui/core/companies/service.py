"""Companies: the organisations contacts work for."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from peewee import fn

from crm_tui.core import search_index
from crm_tui.core.errors import FieldError, NotFoundError, ValidationError
from crm_tui.core.models import Company, Contact, database, tuple_rows
from crm_tui.core.records import (
    Page,
    batched,
    change_batch,
    chunked,
    iterate_ids,
    iterate_pages,
    keyset_select,
    neighbour_id,
    purge_from_trash,
    read_page,
    record_change,
    record_keys,
    save_versioned,
    set_trashed,
    set_trashed_many,
    sort_keys,
    write_transaction,
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


def _refresh_contacts_of(company_ids: list[int]) -> None:
    """Contacts show, sort by and are found by their company's name: keep that in step with the companies."""
    for chunk in chunked(company_ids):
        for company in Company.select(Company.id, Company.name, Company.deleted_at).where(Company.id.in_(chunk)):
            sort_company = fold(company.name) if company.deleted_at is None else NO_COMPANY_SORT
            Contact.update(sort_company=sort_company).where(Contact.company == company.id).execute()
        contact_ids = tuple_rows(Contact.select(Contact.id).where(Contact.company.in_(chunk)))
        search_index.reindex_contacts(row[0] for row in contact_ids)


def create(values: dict, batch_id: str | None = None) -> CompanyData:
    clean = validate(values)
    with change_batch(batch_id), write_transaction():
        company_id = Company.insert(**clean, sort_name=fold(clean["name"])).execute()
        search_index.reindex_companies([company_id])
        created = get(company_id)
        record_change("company", company_id, "create", None, created)
    return created


def find_by_names(names: Iterable[str]) -> dict[str, tuple[int, str]]:
    """(id, stored name) of the live companies with these names, keyed by folded name; the oldest wins a tie."""
    keys = list({fold(name) for name in names})
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(keys), 500):
        rows = tuple_rows(
            Company.select(Company.sort_name, fn.MIN(Company.id), Company.name)
            .where(Company.sort_name.in_(keys[start : start + 500]) & Company.deleted_at.is_null())
            .group_by(Company.sort_name)
        )
        found.update((key, (company_id, name)) for key, company_id, name in rows)
    return found


def ensure(name: str, batch_id: str | None = None) -> int:
    """The id of the live company called `name` (ignoring case and accents), created if there is none."""
    found = find_by_names([name]).get(fold(name))
    return found[0] if found else create({"name": name}, batch_id).id


@batched
def update(company_id: int, expected_version: int, **changes) -> CompanyData:
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError([FieldError(name, "is not a company field") for name in sorted(unknown)])
    with write_transaction():
        before = get(company_id)
        clean = validate({**{name: getattr(before, name) for name in FIELDS}, **changes})
        save_versioned(Company, company_id, expected_version, {**clean, "sort_name": fold(clean["name"])})
        search_index.reindex_companies([company_id])
        if clean["name"] != before.name:
            _refresh_contacts_of([company_id])
        after = get(company_id)
        record_change("company", company_id, "update", before, after)
    return after


def _set_trashed(company_ids: Iterable[int], trashed: bool) -> list[int]:
    with write_transaction():
        moved = set_trashed_many(Company, company_ids, trashed, get_many, search_index.reindex_companies)
        _refresh_contacts_of(moved)
    return moved


def _set_one_trashed(company_id: int, trashed: bool) -> None:
    with write_transaction():
        set_trashed(Company, company_id, trashed, get_many, search_index.reindex_companies)
        _refresh_contacts_of([company_id])


@batched
def delete(company_id: int) -> None:
    _set_one_trashed(company_id, True)


@batched
def restore(company_id: int) -> None:
    _set_one_trashed(company_id, False)


@batched
def delete_many(ids: Iterable[int]) -> int:
    """Move these companies to the trash as one change batch; returns how many moved."""
    return len(_set_trashed(ids, True))


@batched
def restore_many(ids: Iterable[int]) -> int:
    """Bring these companies back from the trash as one change batch; returns how many came back."""
    return len(_set_trashed(ids, False))


@batched
def purge(company_id: int) -> None:
    """Delete a company in the trash for good. Its contacts, deals and activities stay, without a company.
    Final: undo cannot bring it back."""
    purge_from_trash(Company, company_id, lambda record_id: get(record_id, include_deleted=True))


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


def get_many(company_ids: Sequence[int]) -> list[CompanyData]:
    """The companies of `company_ids` that exist, trashed ones too, in the order given."""
    found: dict[int, CompanyData] = {}
    for chunk in chunked(company_ids):
        marks = ", ".join([database.param] * len(chunk))
        rows = database.execute_sql(f"SELECT {_COLUMNS} FROM company co WHERE co.id IN ({marks})", chunk)
        found.update((row[0], _data(row)) for row in rows)
    return [found[company_id] for company_id in company_ids if company_id in found]


def _filters(text: str | None, trash: bool) -> tuple[list[str], list]:
    conditions = ["co.deleted_at IS NOT NULL" if trash else "co.deleted_at IS NULL"]
    match = search_index.match_query(text or "")
    return (conditions + [search_index.company_filter_sql("co.id")], [match]) if match else (conditions, [])


def _select(
    columns: str, keys: Sequence[str], descending: bool, after: tuple | None, limit: int, offset: int,
    text: str | None, trash: bool,
) -> list[tuple]:
    conditions, params = _filters(text, trash)
    return keyset_select(columns, "company co", conditions, params, keys, descending, after, limit, offset)


def list_page(
    sort: str = "name", after: tuple | None = None, limit: int = 50, text: str | None = None, trash: bool = False,
    backwards: bool = False, offset: int = 0,
) -> Page[CompanyData]:
    """One page in `sort` order after the cursor `after` (or, with `backwards`, before it), skipping `offset` rows
    first (counted from the end when going backwards)."""
    keys, descending = sort_keys(_SORT_KEYS, sort)
    conditions, params = _filters(text, trash)
    return read_page(_COLUMNS, "company co", conditions, params, keys, descending, after, limit, backwards, offset,
                     _data)


def iterate(
    sort: str = "name", text: str | None = None, trash: bool = False, limit: int | None = None
) -> Iterator[CompanyData]:
    return iterate_pages(lambda cursor, size: list_page(sort, cursor, size, text, trash), limit)


def count(text: str | None = None, trash: bool = False) -> int:
    conditions, params = _filters(text, trash)
    sql = f"SELECT count(*) FROM company co WHERE {' AND '.join(conditions)}"
    return database.execute_sql(sql, params).fetchone()[0]


def ids(text: str | None = None, trash: bool = False) -> Iterator[int]:
    """The id of every matching company, in id order, a page at a time: the input of a bulk action."""
    return iterate_ids(lambda after, size: _select("co.id", ("co.id",), False, after, size, 0, text, trash))


def neighbour(
    company_id: int, step: int, sort: str = "name", text: str | None = None, trash: bool = False
) -> int | None:
    """The id of the company `step` places after (negative: before) `company_id` in that list; None past an end."""
    keys, descending = sort_keys(_SORT_KEYS, sort)
    origin = record_keys("company co", keys, company_id, "company")
    return neighbour_id(
        lambda after, backwards, offset: _select(
            ", ".join(keys), keys, descending != backwards, after, 1, offset, text, trash
        ),
        origin, step,
    )
