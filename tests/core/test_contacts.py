"""The contacts service: writes with history, validation naming fields, optimistic locking and the trash."""

from __future__ import annotations

import dataclasses
import json

import pytest

from crm_tui.core import contacts, search_index
from crm_tui.core.contacts.service import ContactDraft
from crm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from crm_tui.core.models import Change, Company, Contact, ContactEmail, ContactTag, Tag


def changes_of(contact_id: int) -> list[Change]:
    return list(Change.select().where((Change.entity == "contact") & (Change.entity_id == contact_id))
                .order_by(Change.id))


def as_json(data) -> dict:
    """What the audit log should hold for a dataclass: the same thing through a JSON round trip."""
    return json.loads(json.dumps(dataclasses.asdict(data), default=str))


def field_names(raised: pytest.ExceptionInfo) -> set[str]:
    return {error.field for error in raised.value.errors}


def snapshot_db() -> dict:
    return {
        "contacts": list(Contact.select().order_by(Contact.id).dicts()),
        "emails": list(ContactEmail.select().order_by(ContactEmail.id).dicts()),
        "tags": list(Tag.select().order_by(Tag.id).dicts()),
        "contact_tags": sorted(ContactTag.select().tuples()),
        "companies": list(Company.select().order_by(Company.id).dicts()),
        "changes": Change.select().count(),
    }


def test_create_stores_clean_values_and_logs_a_create_change(db):
    created = contacts.create(ContactDraft(
        first_name="  Émile ", last_name="Zola", company="Éditions Charpentier", title="Author",
        emails=["Emile.Zola@Charpentier.FR", "  ", "emile.zola@charpentier.fr"], phones=["+33 1 42  65 00 11"],
        tags=["VIP", "auteur", "vip"], birthday="1840-04-02", custom={"  pen name ": "EZ", " ": "dropped"},
    ))
    assert created.first_name == "Émile" and created.name == "Émile Zola"
    assert created.emails == ["Emile.Zola@charpentier.fr", "emile.zola@charpentier.fr"]
    assert created.phones == ["+33 1 42 65 00 11"]
    assert created.tags == ["auteur", "VIP"]
    assert created.company == "Éditions Charpentier" and created.company_id is not None
    assert created.custom == {"pen name": "EZ"}
    assert created.version == 1 and created.deleted_at is None
    assert contacts.get(created.id) == created
    [change] = changes_of(created.id)
    assert change.action == "create" and change.before is None
    assert json.loads(change.after) == as_json(created)


def test_update_changes_fields_bumps_version_and_logs_before_and_after(db, make_contact):
    original = make_contact(first_name="Anna", last_name="Jansen", emails=["anna@example.com"], tags=["old"])
    updated = contacts.update(original.id, original.version, last_name="de Vries", tags=["new"],
                              emails=["anna@devries.nl", "anna@example.com"])
    assert updated.version == original.version + 1
    assert updated.name == "Anna de Vries"
    assert updated.emails == ["anna@devries.nl", "anna@example.com"]
    assert updated.tags == ["new"]
    assert updated.updated_at >= original.updated_at and updated.created_at == original.created_at
    assert contacts.get(original.id) == updated
    create, update = changes_of(original.id)
    assert (create.action, update.action) == ("create", "update")
    assert json.loads(update.before) == as_json(original)
    assert json.loads(update.after) == as_json(updated)


def test_delete_and_restore_log_changes_with_trash_state(db, make_contact):
    contact = make_contact(first_name="Trash", last_name="Me")
    contacts.delete(contact.id)
    trashed = contacts.get(contact.id, include_deleted=True)
    assert trashed.deleted_at is not None
    with pytest.raises(NotFoundError):
        contacts.get(contact.id)
    contacts.restore(contact.id)
    restored = contacts.get(contact.id)
    assert restored.deleted_at is None and restored.version == contact.version + 2
    _, deleted, back = changes_of(contact.id)
    assert deleted.action == "delete"
    assert json.loads(deleted.before)["deleted_at"] is None
    assert json.loads(deleted.after)["deleted_at"] == trashed.deleted_at
    assert back.action == "restore"
    assert json.loads(back.before)["deleted_at"] == trashed.deleted_at
    assert json.loads(back.after) == as_json(restored)


def test_deleting_twice_or_restoring_a_live_contact_is_refused(db, make_contact):
    contact = make_contact()
    with pytest.raises(NotFoundError):
        contacts.restore(contact.id)
    contacts.delete(contact.id)
    with pytest.raises(NotFoundError):
        contacts.delete(contact.id)
    assert [c.action for c in changes_of(contact.id)] == ["create", "delete"]


def test_get_update_delete_of_missing_contact_raise_not_found(db):
    with pytest.raises(NotFoundError):
        contacts.get(999)
    with pytest.raises(NotFoundError):
        contacts.update(999, 1, first_name="X")
    with pytest.raises(NotFoundError):
        contacts.delete(999)


@pytest.mark.parametrize(("draft", "field"), [
    (ContactDraft(first_name="Anna", emails=["not-an-email"]), "emails"),
    (ContactDraft(first_name="Anna", emails=["ok@example.com", "two@@example.com"]), "emails"),
    (ContactDraft(first_name="   ", last_name="", phones=["+31 20 555 0101"]), "first_name"),
    (ContactDraft(first_name="Anna", birthday="1990-02-30"), "birthday"),
    (ContactDraft(first_name="Anna", birthday="next tuesday"), "birthday"),
    (ContactDraft(first_name="Anna", phones=["call me"]), "phones"),
    (ContactDraft(first_name="Anna", tags=["a,b"]), "tags"),
    (ContactDraft(first_name="A" * 201), "first_name"),
    (ContactDraft(first_name="Anna", notes="bell\x07"), "notes"),
])
def test_invalid_drafts_are_refused_naming_the_field(db, draft, field):
    with pytest.raises(ValidationError) as raised:
        contacts.create(draft)
    assert field in field_names(raised)
    assert field in str(raised.value)
    assert Contact.select().count() == 0
    assert Change.select().count() == 0


def test_validation_reports_every_wrong_field_at_once(db):
    with pytest.raises(ValidationError) as raised:
        contacts.create(ContactDraft(emails=["nope"], birthday="13/13", phones=["x"]))
    assert field_names(raised) == {"emails", "birthday", "phones", "first_name"}


@pytest.mark.parametrize(("typed", "stored"), [
    ("--04-02", "--04-02"), ("--0402", "--04-02"), ("04-02", "--04-02"), ("1840-04-02", "1840-04-02"),
    ("--02-29", "--02-29"), ("", ""),
])
def test_birthdays_with_and_without_year_are_kept(db, make_contact, typed, stored):
    contact = make_contact(birthday=typed)
    assert contact.birthday == stored
    assert contacts.get(contact.id).birthday == stored


def test_unknown_field_in_update_is_a_validation_error(db, make_contact):
    contact = make_contact()
    with pytest.raises(ValidationError) as raised:
        contacts.update(contact.id, contact.version, favourite_colour="blue")
    assert field_names(raised) == {"favourite_colour"}


def test_invalid_update_leaves_the_contact_unchanged(db, make_contact):
    contact = make_contact(emails=["anna@example.com"])
    before = snapshot_db()
    with pytest.raises(ValidationError):
        contacts.update(contact.id, contact.version, emails=["broken"], company="New Co")
    assert snapshot_db() == before


def test_stale_version_raises_conflict_and_changes_nothing(db, make_contact):
    contact = make_contact(first_name="Anna", tags=["vip"])
    fresh = contacts.update(contact.id, contact.version, title="CEO")
    before = snapshot_db()
    with pytest.raises(ConflictError) as raised:
        contacts.update(contact.id, contact.version, first_name="Overwritten", company="Brand New Co",
                        tags=["brand-new-tag"], emails=["new@example.com"])
    assert str(contact.version) in str(raised.value) and str(fresh.version) in str(raised.value)
    assert snapshot_db() == before
    assert contacts.get(contact.id) == fresh
    assert search_index.search_all("overwritten") == []


def test_trash_hides_from_lists_counts_and_search_and_restore_brings_back(db, make_contact):
    keep = make_contact(first_name="Keep", last_name="Visible", tags=["team"])
    gone = make_contact(first_name="Zacharias", last_name="Trashed", emails=["zach@example.com"], tags=["team"])
    contacts.delete(gone.id)
    assert [c.id for c in contacts.list_page().items] == [keep.id]
    assert contacts.count() == 1 and contacts.count(tag="team") == 1
    assert contacts.count(text="zacharias") == 0
    assert search_index.search_all("zacharias") == [] and search_index.search_all("zach@example.com") == []
    assert [c.id for c in contacts.list_page(trash=True).items] == [gone.id]
    assert contacts.count(trash=True) == 1
    contacts.restore(gone.id)
    assert [c.id for c in contacts.list_page().items] == [keep.id, gone.id]
    assert contacts.count() == 2 and contacts.count(trash=True) == 0
    assert [(h.kind, h.id) for h in search_index.search_all("zacharias")] == [("contact", gone.id)]


def test_display_name_wins_over_first_and_last(db, make_contact):
    contact = make_contact(first_name="Robert", last_name="Zimmerman", display_name="Bob Dylan")
    assert contact.name == "Bob Dylan"
    assert [h.title for h in search_index.search_all("dylan")] == ["Bob Dylan"]


def test_user_text_with_markup_is_stored_exactly(db, make_contact):
    contact = make_contact(first_name="[bold]x[/]", notes="[red]not red[/red] \\[escaped]")
    assert contacts.get(contact.id).first_name == "[bold]x[/]"
    assert contacts.get(contact.id).notes == "[red]not red[/red] \\[escaped]"
