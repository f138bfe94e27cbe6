"""A record's history from the audit log, and the trash of every kind with its purges."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime, timedelta

import pytest

from crm_tui.core import activities, companies, contacts, deals, demo
from crm_tui.core.audit import history, trash, undo
from crm_tui.core.contacts.service import ContactDraft
from crm_tui.core.errors import NotFoundError, ValidationError
from crm_tui.core.interop.csv import read as csv_read
from crm_tui.core.interop.importer import run_import
from crm_tui.core.models import Contact, database
from crm_tui.core.records import set_remote_user, set_source


def test_history_lists_each_change_newest_first_with_its_fields_and_source(db):
    set_source("app")
    ada = contacts.create(ContactDraft(first_name="Ada", emails=["ada@example.com"]))
    set_source("cli")
    contacts.update(ada.id, ada.version, title="Countess", tags=["vip"], emails=["ada@example.com", "a@x.org"])
    entries = history.record_history("contact", ada.id)
    assert [(entry.action, entry.source) for entry in entries] == [("edited", "command line"), ("created", "app")]
    assert [(item.field, item.old, item.new) for item in entries[0].fields] == [
        ("emails", "ada@example.com", "ada@example.com, a@x.org"), ("tags", "", "vip"), ("title", "", "Countess")]
    assert ("first name", "", "Ada") in [(item.field, item.old, item.new) for item in entries[1].fields]


def test_a_remote_session_logs_its_changes_as_made_over_ssh_by_its_user_whatever_source_is_set(db):
    set_remote_user("ann")
    try:
        set_source("app")
        ada = contacts.create(ContactDraft(first_name="Ada"))
    finally:
        set_remote_user(None)
    contacts.update(ada.id, ada.version, title="Countess")
    entries = history.record_history("contact", ada.id)
    assert [(entry.source, entry.actor) for entry in entries] == [("app", getpass.getuser()), ("SSH", "ann")]


def test_history_says_what_was_undone_by_an_undo_and_redone(db):
    ada = contacts.create(ContactDraft(first_name="Ada"))
    contacts.update(ada.id, ada.version, title="Countess")
    undo.undo_last()
    undo.redo_last()
    entries = history.record_history("contact", ada.id)
    assert [(entry.action, entry.undone) for entry in entries] == [
        ("edited (by a redo)", False), ("edited (by an undo)", False), ("edited", True), ("created", False)]
    assert [(item.field, item.old, item.new) for item in entries[1].fields] == [("title", "Countess", "")]


def test_deal_history_shows_the_value_as_money_and_stage_moves(db):
    deal = deals.create({"title": "Licence", "value": "1200", "currency": "EUR"})
    deals.move(deal.id, "Proposal")
    deal = deals.get(deal.id)
    deals.update(deal.id, deal.version, value="1500")
    entries = history.record_history("deal", deal.id)
    assert [(item.field, item.old, item.new) for item in entries[0].fields] == [
        ("value", "EUR 1,200.00", "EUR 1,500.00")]
    assert [(item.field, item.old, item.new) for item in entries[1].fields] == [("stage", "Lead", "Proposal")]


def test_an_imported_change_names_its_import(db, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("first_name,emails\nAda,ada@example.com\n", encoding="utf-8")
    run_import(csv_read.read_file(people, "contact"), source=str(people), fmt="csv", entity="contact")
    [entry] = history.record_history("contact", Contact.get().id)
    assert entry.source == f"import of {people}"


def test_history_of_an_unknown_record_is_an_error_and_of_a_purged_one_ends_with_the_purge(db):
    with pytest.raises(NotFoundError, match="contact 99 does not exist"):
        history.record_history("contact", 99)
    with pytest.raises(ValidationError, match="'pipeline' is not one of"):
        history.record_history("pipeline", 1)
    ada = contacts.create(ContactDraft(first_name="Ada"))
    contacts.delete(ada.id)
    contacts.purge(ada.id)
    assert [entry.action for entry in history.record_history("contact", ada.id)] == [
        "purged", "moved to the trash", "created"]


def test_the_trash_lists_every_kind_newest_first_and_pages_by_keyset(db):
    made = [("contact", contacts.create(ContactDraft(first_name="Ada")).id),
            ("company", companies.create({"name": "Acme"}).id),
            ("deal", deals.create({"title": "Licence"}).id),
            ("activity", activities.create({"kind": "note", "body": "A long thought"}).id)]
    stamps = {}
    for minutes, (kind, record_id) in enumerate(made):
        trash.check_kind(kind)
        {"contact": contacts, "company": companies, "deal": deals, "activity": activities}[kind].delete(record_id)
        stamps[kind] = f"2026-11-0{minutes + 1}T10:00:00.000000Z"
        database.execute_sql(f"UPDATE {kind} SET deleted_at = ? WHERE id = ?", (stamps[kind], record_id))
    listed = trash.list_trashed()
    assert [(record.kind, record.name) for record in listed] == [
        ("activity", "A long thought"), ("deal", "Licence"), ("company", "Acme"), ("contact", "Ada")]
    first = trash.list_trashed(limit=2)
    rest = trash.list_trashed(after=(first[-1].deleted_at, first[-1].kind, first[-1].id), limit=2)
    assert first + rest == listed
    assert [record.kind for record in trash.list_trashed(("deal", "contact"))] == ["deal", "contact"]
    assert trash.count_trashed() == {"contact": 1, "company": 1, "deal": 1, "activity": 1}


def test_restore_and_purge_of_any_kind_and_purge_asks_for_what_is_in_the_trash(db):
    deal = deals.create({"title": "Licence"})
    with pytest.raises(NotFoundError, match="not in the trash"):
        trash.purge("deal", deal.id)
    deals.delete(deal.id)
    trash.restore("deal", deal.id)
    assert deals.get(deal.id).deleted_at is None
    deals.delete(deal.id)
    trash.purge("deal", deal.id)
    with pytest.raises(NotFoundError):
        deals.get(deal.id, include_deleted=True)
    with pytest.raises(ValidationError, match="'pipeline' is not one of"):
        trash.restore("pipeline", 1)


def test_records_longer_in_the_trash_than_the_setting_are_purged_and_the_rest_kept(db):
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    old, recent = (contacts.create(ContactDraft(first_name=name)) for name in ("Old", "Recent"))
    task = activities.create({"kind": "task", "subject": "Old task"})
    for kind, record_id, days in (("contact", old.id, 31), ("contact", recent.id, 29), ("activity", task.id, 40)):
        {"contact": contacts, "activity": activities}[kind].delete(record_id)
        stamp = (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        database.execute_sql(f"UPDATE {kind} SET deleted_at = ? WHERE id = ?", (stamp, record_id))
    assert trash.purge_expired(0, now) == {"contact": 0, "company": 0, "deal": 0, "activity": 0}
    assert trash.purge_expired(30, now) == {"contact": 1, "company": 0, "deal": 0, "activity": 1}
    assert [record.name for record in trash.list_trashed()] == ["Recent"]
    assert undo.undo_last() == "Undid: moved contact 'Recent' to the trash"  # a purge is final: undo passes it
    with pytest.raises(NotFoundError):
        contacts.get(old.id, include_deleted=True)


def test_a_record_loaded_in_bulk_shows_its_fields_but_not_link_ids(db):
    demo.fill(40, seed=3)
    [created] = history.record_history("deal", 1)
    shown = {item.field: item.new for item in created.fields}
    assert created.action == "created" and shown["title"] == deals.get(1).title
    assert not {"contact", "company", "pipeline", "stage"} & set(shown)
