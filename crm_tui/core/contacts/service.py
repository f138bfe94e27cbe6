"""Contacts: validate and write with history, one at a time or many at once.

`create` here and the bulk path (bulk.py) share `validate`, `row_values` and the search index's source query, so
a contact typed in a form and one read from a file are stored the same way. What a contact is and how it is read
live in data.py, lists in listing.py; both are re-exported here, and the package's __init__ gives these names as
`contacts.<name>`, the one API.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace

from crm_tui.core import companies, search_index
from crm_tui.core.contacts import tags
from crm_tui.core.contacts.data import (
    DRAFT_FIELDS,
    ContactData as ContactData,
    ContactDraft as ContactDraft,
    draft_name as draft_name,
    get as get,
    get_many as get_many,
    shown_name as shown_name,
)
from crm_tui.core.contacts.listing import (
    SORTS as SORTS,
    count as count,
    ids as ids,
    iterate as iterate,
    list_page as list_page,
    neighbour as neighbour,
)
from crm_tui.core.errors import FieldError, ValidationError
from crm_tui.core.models import (
    Company,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    Tag,
    database,
    now_text,
    tuple_rows,
)
from crm_tui.core.phones import phone_digits
from crm_tui.core.records import (
    batched,
    change_batch,
    chunked,
    insert_rows,
    purge_from_trash,
    record_change,
    record_changes,
    save_versioned,
    set_trashed,
    set_trashed_many,
    write_transaction,
)
from crm_tui.core.text import NO_COMPANY_SORT, fold
from crm_tui.core.validation import (
    MAX_NAME,
    MAX_TEXT,
    clean_birthday,
    clean_email,
    clean_keep_in_touch,
    clean_name,
    clean_phone,
    clean_text,
)

ADDRESS_FIELDS = ("street", "city", "region", "postal_code", "country")

NAME_FIELDS = ("first_name", "last_name", "display_name", "title", "company")
_TEXT_LIMITS = tuple((name, MAX_TEXT) for name in (*ADDRESS_FIELDS, "notes"))



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

    for name in NAME_FIELDS:
        value = getattr(draft, name)
        cleaned[name] = check(clean_name, name, value, limit=MAX_NAME) if value else ""
    for name, limit in _TEXT_LIMITS:
        value = getattr(draft, name)
        cleaned[name] = check(clean_text, name, value, limit=limit) if value else ""
    cleaned["birthday"] = check(clean_birthday, draft.birthday) if draft.birthday else ""
    cleaned["keep_in_touch_days"] = check(clean_keep_in_touch, draft.keep_in_touch_days)
    emails = [check(clean_email, value, "emails") for value in draft.emails if value.strip()]
    phones = [check(clean_phone, value, "phones") for value in draft.phones if value.strip()]
    cleaned["emails"] = list(dict.fromkeys(email for email in emails if email))
    cleaned["phones"] = list(dict.fromkeys(phone for phone in phones if phone))
    cleaned["tags"] = check(tags.clean_names, draft.tags) if draft.tags else []
    cleaned["custom"] = {str(key).strip(): str(value) for key, value in draft.custom.items() if str(key).strip()}
    if not any(cleaned[name] for name in ("first_name", "last_name", "display_name")) and not cleaned["emails"]:
        errors.append(FieldError("first_name", "a contact needs a name or an email"))
    if errors:
        raise ValidationError(errors)
    return ContactDraft(**cleaned)


def _sort_fields(draft: ContactDraft) -> dict:
    return {"sort_name": fold(draft_name(draft)),
            "sort_company": fold(draft.company) if draft.company else NO_COMPANY_SORT}


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
        "keep_in_touch_days": draft.keep_in_touch_days,
        **_sort_fields(draft),
    }


def snapshot_of_new(
    contact_id: int, draft: ContactDraft, company_id: int | None, company_name: str, tag_names: list[str], stamp: str
) -> dict:
    """What `get` would return (as a dict) for a contact just stored from a clean draft, without reading it back.

    `company_name` and `tag_names` are as stored, which may be spelled differently from the draft's.
    """
    snapshot = {name: getattr(draft, name) for name in DRAFT_FIELDS}
    snapshot.update(
        id=contact_id, name=draft_name(draft),
        company=company_name or None, company_id=company_id, emails=list(draft.emails), phones=list(draft.phones),
        tags=sorted(tag_names, key=fold), custom=dict(draft.custom), created_at=stamp, updated_at=stamp,
        deleted_at=None, version=1,
    )
    return snapshot


_ROW_FIELDS = tuple(row_values(ContactDraft(), None))


EMAIL_COLUMNS = ("contact", "email", "label", "is_primary", "position")
PHONE_COLUMNS = ("contact", "phone", "digits", "label", "is_primary", "position")
TAG_COLUMNS = ("contact", "tag")


def list_rows(contact_id: int, draft: ContactDraft, tag_ids: dict[str, int]) -> tuple[list, list, list]:
    """A contact's email, phone and tag rows (in EMAIL_, PHONE_ and TAG_COLUMNS order); the first is primary."""
    emails = [(contact_id, email, "", i == 0, i) for i, email in enumerate(draft.emails)]
    phones = [(contact_id, phone, phone_digits(phone), "", i == 0, i) for i, phone in enumerate(draft.phones)]
    tag_rows = [(contact_id, tag_ids[fold(name)]) for name in draft.tags]
    return emails, phones, tag_rows


def _replace_lists(drafts: dict[int, ContactDraft], tag_ids: dict[str, int]) -> None:
    """Replace the emails, phones and tags of the contacts in `drafts` (by id) with their draft's."""
    contact_ids = list(drafts)
    rows = [list_rows(contact_id, draft, tag_ids) for contact_id, draft in drafts.items()]
    tables: tuple[tuple[type[ContactEmail | ContactPhone | ContactTag], Sequence[str]], ...] = (
        (ContactEmail, EMAIL_COLUMNS), (ContactPhone, PHONE_COLUMNS), (ContactTag, TAG_COLUMNS)
    )
    for kind, (model, columns) in enumerate(tables):
        model.delete().where(model.contact.in_(contact_ids)).execute()
        insert_rows(model, columns, [row for lists in rows for row in lists[kind]])


def create(draft: ContactDraft, batch_id: str | None = None) -> ContactData:
    clean = validate(draft)
    with change_batch(batch_id), write_transaction():
        company_id = companies.ensure(clean.company) if clean.company else None
        contact_id = Contact.insert(**row_values(clean, company_id)).execute()
        _replace_lists({contact_id: clean}, tags.ensure(clean.tags))
        search_index.reindex_contacts([contact_id])
        created = get(contact_id)
        record_change("contact", contact_id, "create", None, created)
    return created


@batched
def update(contact_id: int, expected_version: int, **changes) -> ContactData:
    """Apply `changes` (ContactDraft field names) to a contact last read at `expected_version`."""
    unknown = set(changes) - set(ContactDraft.__dataclass_fields__)
    if unknown:
        raise ValidationError([FieldError(name, "is not a contact field") for name in sorted(unknown)])
    with write_transaction():
        before = get(contact_id)
        clean = validate(replace(before.to_draft(), **changes))
        company_id = before.company_id
        if "company" in changes:
            company_id = companies.ensure(clean.company) if clean.company else None
        save_versioned(Contact, contact_id, expected_version, row_values(clean, company_id))
        _replace_lists({contact_id: clean}, tags.ensure(clean.tags))
        search_index.reindex_contacts([contact_id])
        after = get(contact_id)
        record_change("contact", contact_id, "update", before, after)
    return after


@batched
def delete(contact_id: int) -> None:
    set_trashed(Contact, contact_id, True, get_many, search_index.reindex_contacts)


@batched
def restore(contact_id: int) -> None:
    set_trashed(Contact, contact_id, False, get_many, search_index.reindex_contacts)


@batched
def delete_many(ids: Iterable[int]) -> int:
    """Move these contacts to the trash as one change batch; returns how many moved (the rest were there already)."""
    return len(set_trashed_many(Contact, ids, True, get_many, search_index.reindex_contacts))


@batched
def restore_many(ids: Iterable[int]) -> int:
    """Bring these contacts back from the trash as one change batch; returns how many came back."""
    return len(set_trashed_many(Contact, ids, False, get_many, search_index.reindex_contacts))


@batched
def purge(contact_id: int) -> None:
    """Delete a contact in the trash for good, with its emails, phones and tag links; deals and activities stay,
    without it. Final: undo cannot bring it back."""
    purge_from_trash(Contact, contact_id, lambda record_id: get(record_id, include_deleted=True))


@batched
def add_tags(ids: Iterable[int], names: Iterable[str]) -> int:
    """Give these (live) contacts the tags `names`, as one change batch; returns how many contacts changed."""
    wanted = tags.clean_names(names)
    ids = list(ids)
    if not wanted or not ids:
        return 0
    with write_transaction():
        return _retag(ids, tags.ensure(wanted), adding=True)


@batched
def remove_tags(ids: Iterable[int], names: Iterable[str]) -> int:
    """Take the tags `names` off these (live) contacts, as one change batch; returns how many contacts changed."""
    keys = [fold(name) for name in tags.clean_names(names)]
    with write_transaction():
        found = dict(tuple_rows(Tag.select(Tag.name_key, Tag.id).where(Tag.name_key.in_(keys)))) if keys else {}
        return _retag(ids, found, adding=False) if found else 0


def _retag(contact_ids: Iterable[int], tag_ids: dict[str, int], adding: bool) -> int:
    """Add or remove the tags `tag_ids` (by folded name) where that changes a live contact; one update Change each.

    A chunk at a time, with set-based statements, so thousands of contacts take well under a second.
    """
    changed_count = 0
    for chunk in chunked(dict.fromkeys(contact_ids)):
        before, new_links = [], []
        for contact in get_many(chunk):
            has = {fold(name) for name in contact.tags}
            missing = [tag_id for key, tag_id in tag_ids.items() if key not in has]
            if contact.deleted_at is None and (missing if adding else has & tag_ids.keys()):
                before.append(contact)
                new_links += [(contact.id, tag_id) for tag_id in missing]
        changed = [contact.id for contact in before]
        if not changed:
            continue
        if adding:
            insert_rows(ContactTag, TAG_COLUMNS, new_links)
        else:
            removed = ContactTag.contact.in_(changed) & ContactTag.tag.in_(list(tag_ids.values()))
            ContactTag.delete().where(removed).execute()
        Contact.update(version=Contact.version + 1, updated_at=now_text()).where(Contact.id.in_(changed)).execute()
        search_index.reindex_contacts(changed)
        record_changes("contact", "update", zip(changed, before, get_many(changed), strict=False))
        changed_count += len(changed)
    return changed_count


def write_back(snapshots: Sequence[dict]) -> None:
    """Put contacts back as audit-log snapshots (`get` as JSON) show them: fields, lists, tags and company (undo).

    The caller has checked that nobody changed them since. The company is the very one the snapshot names while it
    exists, else one of that name. Many contacts go in a few statements, so undoing a bulk edit takes a moment.
    """
    assignments = [f"{Contact._meta.fields[name].column_name} = {database.param}" for name in _ROW_FIELDS]
    update_sql = (f"UPDATE contact SET {', '.join(assignments)}, version = version + 1, "
                  f"updated_at = {database.param} WHERE id = {database.param}")
    with write_transaction():
        for chunk in chunked(snapshots):
            contact_ids = [snapshot["id"] for snapshot in chunk]
            before = get_many(contact_ids)
            companies_now = _companies_for(chunk)
            drafts, rows, stamp = {}, [], now_text()
            for snapshot in chunk:
                company_id, company_name = companies_now[snapshot["id"]]
                fields = {name: snapshot[name] for name in DRAFT_FIELDS if name in snapshot}
                draft = validate(ContactDraft(**{**fields, "company": company_name}))
                drafts[snapshot["id"]] = draft
                values = row_values(draft, company_id)
                rows.append((*(values[name] for name in _ROW_FIELDS), stamp, snapshot["id"]))
            database.cursor().executemany(update_sql, rows)
            _replace_lists(drafts, tags.ensure(name for draft in drafts.values() for name in draft.tags))
            search_index.reindex_contacts(contact_ids)
            record_changes("contact", "update", zip(contact_ids, before, get_many(contact_ids), strict=False))


def _companies_for(snapshots: Sequence[dict]) -> dict[int, tuple[int | None, str]]:
    """(company id, name it shows as now) for each snapshot's contact; a company removed for good is found again by
    name (or made anew), and a company in the trash shows no name, as everywhere else."""
    linked = {snapshot["company_id"] for snapshot in snapshots if snapshot.get("company_id") is not None}
    rows = tuple_rows(Company.select(Company.id, Company.name, Company.deleted_at).where(Company.id.in_(list(linked))))
    names = {company_id: "" if deleted_at else name for company_id, name, deleted_at in rows}
    result = {}
    for snapshot in snapshots:
        company_id = snapshot.get("company_id")
        if company_id in names:
            result[snapshot["id"]] = (company_id, names[company_id])
        elif snapshot.get("company"):
            result[snapshot["id"]] = (companies.ensure(snapshot["company"]), snapshot["company"])
        else:
            result[snapshot["id"]] = (None, "")
    return result
