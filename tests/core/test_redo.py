"""Redo: an undo taken back, newest first, only while nothing new was done; and the property that any run of edits
undone step by step gives the database back as it was, and redone gives the edits back."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crm_tui.core import activities, companies, contacts, deals
from crm_tui.core.audit import undo
from crm_tui.core.contacts import tags
from crm_tui.core.contacts.service import ContactDraft
from crm_tui.core.db import close_database, open_database
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.errors import CannotUndoError, CrmError, NothingToUndoError
from crm_tui.core.interop.csv import read as csv_read
from crm_tui.core.interop.importer import run_import
from crm_tui.core.models import (
    Activity,
    Change,
    Company,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    Deal,
    DealStageChange,
    Tag,
    database,
)

# What a person sees of their data: every table but the audit log, without the bookkeeping an undo or a redo
# must change (the version counter, when a row was last written, and when it went to the trash: only whether).
USER_TABLES = (Contact, Company, ContactEmail, ContactPhone, Tag, ContactTag, Deal, DealStageChange, Activity)
BOOKKEEPING = {"version", "updated_at"}


def user_data() -> dict:
    snapshot = {}
    for model in USER_TABLES:
        names = [name for name in model._meta.fields if name not in BOOKKEEPING]
        rows = []
        for row in model.select(*(model._meta.fields[name] for name in names)).dicts():
            if "deleted_at" in row:
                row["deleted_at"] = row["deleted_at"] is not None
            rows.append(tuple(sorted(row.items())))
        snapshot[model.__name__] = sorted(rows, key=repr)
    return snapshot


def live_data() -> dict:
    """What the lists show: live records and what hangs off live contacts. Undoing an addition moves the record
    to the trash (where it can be got back), so the trash may hold more than before; nothing live may differ."""
    live = {}
    data = user_data()
    live_contacts = {dict(row)["id"] for row in data["Contact"] if not dict(row)["deleted_at"]}
    for table, rows in data.items():
        kept = []
        for row in rows:
            values = dict(row)
            if values.get("deleted_at") or values.get("contact", next(iter(live_contacts), None)) not in (
                    live_contacts | {None}) and table in ("ContactEmail", "ContactPhone", "ContactTag"):
                continue
            kept.append(row)
        live[table] = kept
    used = {dict(row)["tag"] for row in live["ContactTag"]}
    live["Tag"] = [row for row in live["Tag"] if dict(row)["id"] in used]
    return live


def test_nothing_to_redo_on_a_new_database_or_before_any_undo(db):
    with pytest.raises(NothingToUndoError, match="nothing to redo"):
        undo.redo_last()
    contacts.create(ContactDraft(first_name="Ada"))
    with pytest.raises(NothingToUndoError, match="nothing to redo"):
        undo.redo_last()


def test_redo_takes_back_undos_newest_first_and_undo_takes_back_a_redo(db):
    ada = contacts.create(ContactDraft(first_name="Ada", emails=["ada@example.com"]))
    contacts.update(ada.id, ada.version, title="Countess")
    assert undo.undo_last() == "Undid: edited contact 'Ada'"
    assert undo.undo_last() == "Undid: added contact 'Ada'"
    assert contacts.count() == 0
    assert undo.redo_last() == "Redid: added contact 'Ada'"
    assert contacts.get(ada.id).title == ""
    assert undo.redo_last() == "Redid: edited contact 'Ada'"
    assert contacts.get(ada.id).title == "Countess"
    with pytest.raises(NothingToUndoError, match="nothing to redo"):
        undo.redo_last()
    assert undo.undo_last() == "Undid: edited contact 'Ada'"
    assert contacts.get(ada.id).title == ""
    assert undo.redo_last() == "Redid: edited contact 'Ada'"
    assert contacts.get(ada.id).title == "Countess"
    assert Change.select().where(Change.redoes.is_null(False), Change.action == "redo").count() == 3


def test_a_new_change_after_an_undo_ends_what_can_be_redone(db):
    ada = contacts.create(ContactDraft(first_name="Ada"))
    undo.undo_last()
    contacts.create(ContactDraft(first_name="Grace"))
    with pytest.raises(NothingToUndoError, match="nothing to redo"):
        undo.redo_last()
    assert contacts.get(ada.id, include_deleted=True).deleted_at is not None


def test_a_purge_since_does_not_end_redo(db):
    old = contacts.create(ContactDraft(first_name="Old"))
    contacts.delete(old.id)
    ada = contacts.create(ContactDraft(first_name="Ada"))
    undo.undo_last()
    contacts.purge(old.id)
    assert undo.redo_last() == "Redid: added contact 'Ada'"
    assert contacts.get(ada.id).deleted_at is None


def test_a_board_move_undone_and_redone_keeps_its_stage_history(db):
    deal = deals.create({"title": "Licence"})
    deals.move(deal.id, "Proposal")
    assert undo.undo_last() == "Undid: moved deal 'Licence' from Lead to Proposal"
    assert [(m.from_stage, m.to_stage) for m in deal_list.stage_history(deal.id)] == [(None, "Lead")]
    assert undo.redo_last() == "Redid: moved deal 'Licence' from Lead to Proposal"
    assert deals.get(deal.id).stage == "Proposal"
    assert [(m.from_stage, m.to_stage) for m in deal_list.stage_history(deal.id)] == [
        (None, "Lead"), ("Lead", "Proposal")]


def test_an_edit_made_behind_the_history_s_back_refuses_the_redo_and_changes_nothing(tmp_path):
    path = tmp_path / "crm.sqlite3"
    open_database(path)
    ada = contacts.create(ContactDraft(first_name="Ada"))
    contacts.update(ada.id, ada.version, title="Countess")
    undo.undo_last()
    database.execute_sql("UPDATE contact SET title = 'Poet', version = version + 1 WHERE id = ?", (ada.id,))
    before = user_data()
    with pytest.raises(Exception, match="changed since outside crm-tui's history"):
        undo.redo_last()
    assert user_data() == before
    close_database()


def test_redo_survives_a_restart(tmp_path):
    path = tmp_path / "crm.sqlite3"
    open_database(path)
    ada = contacts.create(ContactDraft(first_name="Ada"))
    undo.undo_last()
    close_database()
    open_database(path)
    assert undo.redo_last() == "Redid: added contact 'Ada'"
    assert contacts.get(ada.id).first_name == "Ada"
    close_database()


def test_an_undone_import_is_not_redone_but_said_why(db, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("first_name,emails\nAda,ada@example.com\n", encoding="utf-8")
    run_import(csv_read.read_file(people, "contact"), source=str(people), fmt="csv", entity="contact")
    undo.undo_last()
    with pytest.raises(CannotUndoError, match="redo does not apply an import again"):
        undo.redo_last()
    assert contacts.count() == 0


# Any edits, undone and redone ------------------------------------------------------------------------------------

NAMES = st.sampled_from(["Ada", "Grace", "Alan", "Émilie", "Katherine"])
COMPANIES = st.sampled_from(["", "Acme", "Globex", "Initech"])
TAGS = st.lists(st.sampled_from(["vip", "lead", "partner"]), max_size=2, unique=True)
EDITS = st.lists(st.one_of(
    st.tuples(st.just("add contact"), NAMES, COMPANIES, TAGS),
    st.tuples(st.just("edit contact"), st.integers(0, 9), NAMES, COMPANIES, TAGS),
    st.tuples(st.just("trash contact"), st.integers(0, 9)),
    st.tuples(st.just("restore contact"), st.integers(0, 9)),
    st.tuples(st.just("add deal"), NAMES, st.integers(0, 9)),
    st.tuples(st.just("move deal"), st.integers(0, 9), st.sampled_from(["Qualified", "Proposal", "Won", "Lost"])),
    st.tuples(st.just("log call"), st.integers(0, 9), NAMES),
    st.tuples(st.just("add task"), NAMES),
    st.tuples(st.just("tick task"), st.integers(0, 9)),
    st.tuples(st.just("edit company"), st.integers(0, 9), NAMES),
    st.tuples(st.just("rename tag"), st.sampled_from(["vip", "lead", "partner"]), st.sampled_from(["VIP", "key"])),
), min_size=1, max_size=8)


def _nth(model, index: int, **where):
    query = model.select().order_by(model.id)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    rows = list(query)
    return rows[index % len(rows)] if rows else None


def apply_edit(edit: tuple) -> bool:
    """Make one edit as a person would; False when there is nothing to make it on (not a change)."""
    kind = edit[0]
    if kind == "add contact":
        contacts.create(ContactDraft(first_name=edit[1], company=edit[2], tags=list(edit[3])))
        return True
    if kind == "edit contact":
        row = _nth(Contact, edit[1], deleted_at=None)
        if row is None:
            return False
        contacts.update(row.id, row.version, first_name=edit[2], company=edit[3], tags=list(edit[4]))
        return True
    if kind in ("trash contact", "restore contact"):
        trashed = kind == "restore contact"
        row = _nth(Contact, edit[1]) if not trashed else next(
            (c for c in Contact.select().order_by(Contact.id) if c.deleted_at is not None), None)
        if row is None or (row.deleted_at is not None) != trashed:
            return False
        (contacts.restore if trashed else contacts.delete)(row.id)
        return True
    if kind == "add deal":
        contact = _nth(Contact, edit[2], deleted_at=None)
        deals.create({"title": f"{edit[1]} deal", "value": "100", "contact": contact.id if contact else ""})
        return True
    if kind == "move deal":
        row = _nth(Deal, edit[1], deleted_at=None)
        if row is None or deals.get(row.id).stage == edit[2]:
            return False
        deals.move(row.id, edit[2])
        return True
    if kind == "log call":
        contact = _nth(Contact, edit[1], deleted_at=None)
        activities.create({"kind": "call", "subject": f"Called {edit[2]}", "contact_id": contact.id if contact else ""})
        return True
    if kind == "add task":
        activities.create({"kind": "task", "subject": f"Follow up {edit[1]}"})
        return True
    if kind == "tick task":
        row = _nth(Activity, edit[1], kind="task", deleted_at=None)
        if row is None:
            return False
        activities.set_done(row.id, row.done_at is None)
        return True
    if kind == "edit company":
        row = _nth(Company, edit[1], deleted_at=None)
        if row is None:
            return False
        companies.update(row.id, row.version, notes=f"Met {edit[2]}")
        return True
    if kind == "rename tag":
        old, new = edit[1], edit[2]
        if not Tag.select().where(Tag.name == old).exists() or Tag.select().where(Tag.name_key == new.lower()).exists():
            return False
        tags.rename(old, new)
        return True
    raise AssertionError(kind)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(setup=EDITS, edits=EDITS)
def test_any_edits_undone_give_the_database_back_and_redone_give_the_edits_back(db, setup, edits):
    """N edits, N undos: every live record is as it was (what the edits added is in the trash), unless an undo is
    refused, which must say why and change nothing. Then as many redos: the database is as the edits left it."""
    for model in (Activity, DealStageChange, Deal, ContactTag, Tag, ContactEmail, ContactPhone, Contact, Company,
                  Change):
        model.delete().execute()
    for edit in setup:
        apply_edit(edit)
    original, original_ids = live_data(), {dict(row)["id"] for row in user_data()["Contact"]}
    made = sum(apply_edit(edit) for edit in edits)
    edited = user_data()
    undone = 0
    for _ in range(made):
        before = user_data()
        try:
            undo.undo_last()
        except CrmError as refused:
            assert "cannot undo" in str(refused) and user_data() == before
            break
        undone += 1
    if undone == made:
        assert live_data() == original
        assert all(dict(row)["deleted_at"] for row in user_data()["Contact"] if dict(row)["id"] not in original_ids)
    for _ in range(undone):
        undo.redo_last()
    assert user_data() == edited
    with pytest.raises(NothingToUndoError):
        undo.redo_last()
