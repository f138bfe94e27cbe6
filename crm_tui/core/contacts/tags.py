"""Tags: short labels on contacts. Names compare without case or accents, so "VIP" and "vip" are one tag."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from peewee import fn

from crm_tui.core import search_index
from crm_tui.core.errors import NotFoundError, ValidationError
from crm_tui.core.models import Contact, ContactTag, Tag, tuple_rows
from crm_tui.core.records import batched, chunked, insert_rows, record_change, write_transaction
from crm_tui.core.text import fold
from crm_tui.core.validation import clean_text

MAX_TAG = 60


@dataclass(frozen=True)
class TagData:
    id: int
    name: str
    contacts_count: int


def clean_names(names: Iterable[str]) -> list[str]:
    """Tag names stripped, checked and de-duplicated (first spelling wins), in the order given."""
    seen: dict[str, str] = {}
    for raw in names:
        name = " ".join(clean_text("tags", raw, limit=MAX_TAG).split())
        if "," in name:
            raise ValidationError.single("tags", f"{name!r}: a tag cannot contain a comma")
        if name and fold(name) not in seen:
            seen[fold(name)] = name
    return list(seen.values())


@batched
def ensure(names: Iterable[str]) -> dict[str, int]:
    """Ids for these (clean) tag names, keyed by folded name, creating the tags that do not exist yet."""
    wanted = {fold(name): name for name in names}
    if not wanted:
        return {}
    found = dict(tuple_rows(Tag.select(Tag.name_key, Tag.id).where(Tag.name_key.in_(list(wanted)))))
    for key, name in wanted.items():
        if key not in found:
            found[key] = Tag.insert(name=name, name_key=key).execute()
            record_change("tag", found[key], "create", None, {"name": name})
    return found


def list_tags() -> list[TagData]:
    live = ContactTag.select(ContactTag.tag, fn.COUNT(ContactTag.contact).alias("n")).join(Contact).where(
        Contact.deleted_at.is_null()
    ).group_by(ContactTag.tag)
    counts = dict((tag_id, n) for tag_id, n in tuple_rows(live))
    return [TagData(tag.id, tag.name, counts.get(tag.id, 0)) for tag in Tag.select().order_by(Tag.name_key)]


def _get(name: str) -> Tag:
    tag = Tag.get_or_none(Tag.name_key == fold(name))
    if tag is None:
        raise NotFoundError(f"there is no tag {name!r}")
    return tag


def _tagged_contacts(tag_id: int) -> list[int]:
    return [row[0] for row in tuple_rows(ContactTag.select(ContactTag.contact).where(ContactTag.tag == tag_id))]


@batched
def rename(old: str, new: str) -> TagData:
    [name] = clean_names([new]) or [""]
    if not name:
        raise ValidationError.single("name", "a tag needs a name")
    with write_transaction():
        tag = _get(old)
        clash = Tag.get_or_none((Tag.name_key == fold(name)) & (Tag.id != tag.id))
        if clash is not None:
            raise ValidationError.single("name", f"a tag {clash.name!r} already exists")
        Tag.update(name=name, name_key=fold(name)).where(Tag.id == tag.id).execute()
        search_index.reindex_contacts(_tagged_contacts(tag.id))
        record_change("tag", tag.id, "update", {"name": tag.name}, {"name": name})
    return next(item for item in list_tags() if item.id == tag.id)


@batched
def delete(name: str) -> None:
    """Remove a tag from every contact; the audit log keeps who had it, so it can be put back."""
    with write_transaction():
        tag = _get(name)
        contact_ids = _tagged_contacts(tag.id)
        Tag.delete().where(Tag.id == tag.id).execute()
        search_index.reindex_contacts(contact_ids)
        record_change("tag", tag.id, "delete", {"name": tag.name, "contact_ids": contact_ids}, None)


@batched
def reattach(name: str, contact_ids: Sequence[int], tag_id: int | None = None) -> int:
    """Give a deleted tag back to the contacts that had it (undo of `delete`); returns the tag's id.

    It comes back under its old id while that is free; if a tag of that name exists again, the contacts join it.
    Contacts removed for good since are left out.
    """
    with write_transaction():
        tag = Tag.get_or_none(Tag.name_key == fold(name))
        if tag is None:
            free = tag_id is not None and Tag.get_or_none(Tag.id == tag_id) is None
            tag_id = Tag.insert(name=name, name_key=fold(name), **({"id": tag_id} if free else {})).execute()
            before = None
        else:
            tag_id, before = tag.id, {"name": tag.name}
        linked = set(_tagged_contacts(tag_id))
        attached = []
        for chunk in chunked(contact_ids):
            existing = tuple_rows(Contact.select(Contact.id).where(Contact.id.in_(chunk)))
            attached += [contact_id for (contact_id,) in existing if contact_id not in linked]
        insert_rows(ContactTag, ("contact", "tag"), [(contact_id, tag_id) for contact_id in attached])
        search_index.reindex_contacts(attached)
        after = {"name": name if tag is None else tag.name, "contact_ids": attached}
        record_change("tag", tag_id, "create" if tag is None else "update", before, after)
    return tag_id
