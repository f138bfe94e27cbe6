"""The bulk write path: many records in few statements, with the same validation, history and search index as
one-at-a-time writes. Import and demo data go through here.

Each chunk is one IMMEDIATE transaction: ids are allocated while holding the write lock, rows go in with
`executemany`, every record gets its Change row under the batch id (so a whole import can be reverted), and the
search index is filled for the chunk's id range in one INSERT ... SELECT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from crm_tui.core import companies, search_index
from crm_tui.core.contacts import service as contacts, tags
from crm_tui.core.errors import FieldError, ValidationError
from crm_tui.core.models import (
    Company,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    Tag,
    now_text,
    tuple_rows,
)
from crm_tui.core.records import allocate_ids, change_batch, chunked, insert_changes, insert_rows, write_transaction
from crm_tui.core.text import fold

CHUNK_SIZE = 2000
OPTIMIZE_AFTER = 50_000


@dataclass
class BulkResult:
    batch_id: str
    created: int = 0
    rejected: list[tuple[int, list[FieldError]]] = field(default_factory=list)
    first_id: int | None = None
    last_id: int | None = None


CONTACT_COLUMNS = (
    "id", "first_name", "last_name", "display_name", "title", "company", "street", "city", "region", "postal_code",
    "country", "birthday", "notes", "custom", "sort_name", "sort_company", "keep_in_touch_days", "created_at",
    "updated_at", "version",
)


def _company_ids(names: set[str], batch_id: str) -> dict[str, tuple[int, str]]:
    """(id, stored name) of the live companies with these names, by folded name; missing ones are created."""
    wanted = {fold(name): name for name in names}
    found = companies.find_by_names(wanted.values())
    missing = [{"name": name} for key, name in wanted.items() if key not in found]
    missing_names = (values["name"] for values in missing)
    for company_id, name in zip(insert_companies(missing, batch_id), missing_names, strict=False):
        found[fold(name)] = (company_id, name)
    return found


_COMPANY_COLUMNS = ("id", *companies.FIELDS, "sort_name", "created_at", "updated_at")


def insert_companies(records: Sequence[dict], batch_id: str) -> range:
    """Store companies (dicts of company fields) validated, with history and search entries; returns their ids.

    Call inside a write transaction.
    """
    clean = [companies.validate(values) for values in records]
    if not clean:
        return range(0)
    first_id = allocate_ids(Company, len(clean))
    ids = range(first_id, first_id + len(clean))
    stamp = now_text()
    rows = [(company_id, *(values[name] for name in companies.FIELDS), fold(values["name"]), stamp, stamp)
            for company_id, values in zip(ids, clean, strict=False)]
    insert_rows(Company, _COMPANY_COLUMNS, rows)
    insert_changes("company", ids, [dict(zip(_COMPANY_COLUMNS, row, strict=False)) for row in rows], batch_id)
    search_index.reindex_id_range(search_index.COMPANY_INDEX, ids[0], ids[-1])
    return ids


def _write_contact_chunk(drafts: list[contacts.ContactDraft], batch_id: str) -> range:
    stored_companies = _company_ids({draft.company for draft in drafts if draft.company}, batch_id)
    tag_ids = tags.ensure(name for draft in drafts for name in draft.tags)
    stored_tags = dict(tuple_rows(Tag.select(Tag.name_key, Tag.name).where(Tag.id.in_(list(tag_ids.values())))))
    first_id = allocate_ids(Contact, len(drafts))
    ids = range(first_id, first_id + len(drafts))
    stamp = now_text()
    contact_rows, email_rows, phone_rows, tag_rows, snapshots = [], [], [], [], []
    for contact_id, draft in zip(ids, drafts, strict=False):
        company_id, company_name = stored_companies[fold(draft.company)] if draft.company else (None, "")
        values = contacts.row_values(draft, company_id)
        contact_rows.append((contact_id, *(values[name] for name in CONTACT_COLUMNS[1:-3]), stamp, stamp, 1))
        emails, phones, tag_links = contacts.list_rows(contact_id, draft, tag_ids)
        email_rows += emails
        phone_rows += phones
        tag_rows += tag_links
        tag_names = [stored_tags[fold(name)] for name in draft.tags]
        snapshots.append(contacts.snapshot_of_new(contact_id, draft, company_id, company_name, tag_names, stamp))
    insert_rows(Contact, CONTACT_COLUMNS, contact_rows)
    insert_rows(ContactEmail, contacts.EMAIL_COLUMNS, email_rows)
    insert_rows(ContactPhone, contacts.PHONE_COLUMNS, phone_rows)
    insert_rows(ContactTag, contacts.TAG_COLUMNS, tag_rows)
    insert_changes("contact", ids, snapshots, batch_id)
    search_index.reindex_id_range(search_index.CONTACT_INDEX, ids[0], ids[-1])
    return ids


def create_contacts(
    drafts: Iterable[contacts.ContactDraft],
    batch_id: str,
    on_progress: Callable[[BulkResult], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
    validated: bool = False,
) -> BulkResult:
    """Validate and store many contacts. Invalid drafts are reported by position, never silently dropped.

    Tags the drafts bring in are created in the change batch `batch_id` too, so the whole load reverts as one.
    `validated`: the drafts are what `contacts.validate` returned already (an import's readers check every row
    as they read it), so checking them again would only cost time: a third of an import's.
    """
    result = BulkResult(batch_id)
    position = 0
    with change_batch(batch_id):
        for chunk in chunked(drafts, chunk_size):
            valid = []
            for draft in chunk:
                try:
                    valid.append(draft if validated else contacts.validate(draft))
                except ValidationError as exc:
                    result.rejected.append((position, exc.errors))
                position += 1
            if not valid:
                continue
            with write_transaction():
                ids = _write_contact_chunk(valid, batch_id)
            result.created += len(ids)
            result.first_id = ids[0] if result.first_id is None else result.first_id
            result.last_id = ids[-1]
            if on_progress is not None:
                on_progress(result)
    if result.created >= OPTIMIZE_AFTER:
        with write_transaction():
            search_index.optimize_index(search_index.CONTACT_INDEX, search_index.COMPANY_INDEX)
    return result
