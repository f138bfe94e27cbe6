"""The bulk write path: valid drafts stored, invalid ones reported by position, one Change row a contact."""

from __future__ import annotations

import dataclasses
import json

from crm_tui.core import companies, contacts, search_index
from crm_tui.core.contacts import bulk
from crm_tui.core.contacts.service import ContactDraft
from crm_tui.core.models import Change, Company, Contact, Tag
from crm_tui.core.records import new_batch_id

DRAFTS = [
    ContactDraft(first_name="Émile", last_name="Zola", emails=["emile@zola.example"], company="Charpentier",
                 tags=["auteur"], phones=["+33 1 42 65 00 11"]),
    ContactDraft(first_name="Broken", emails=["no-at-sign"]),
    ContactDraft(first_name="Jürgen", last_name="Müller", company="charpentier", tags=["Auteur", "vip"]),
    ContactDraft(first_name="", last_name="  "),
    ContactDraft(first_name="王", last_name="秀英", emails=["wang@huaxin.example"], birthday="--02-29"),
    ContactDraft(first_name="Bad", birthday="1999-02-29", phones=["xx"]),
]


def run(drafts=DRAFTS, chunk_size=2):
    batch = new_batch_id()
    progress = []
    result = bulk.create_contacts(iter(drafts), batch, lambda r: progress.append((r.created, len(r.rejected))),
                                  chunk_size=chunk_size)
    return batch, result, progress


def test_valid_drafts_are_stored_and_invalid_ones_reported_by_position(db):
    batch, result, _ = run()
    assert result.batch_id == batch and result.created == 3
    assert [position for position, _ in result.rejected] == [1, 3, 5]
    fields = {position: {error.field for error in errors} for position, errors in result.rejected}
    assert fields == {1: {"emails"}, 3: {"first_name"}, 5: {"birthday", "phones"}}
    stored = list(contacts.iterate())
    assert sorted(c.name for c in stored) == ["Jürgen Müller", "Émile Zola", "王 秀英"]
    assert result.first_id == min(c.id for c in stored) and result.last_id == max(c.id for c in stored)


def test_bulk_contacts_are_stored_like_single_ones(db):
    _, result, _ = run()
    by_name = {c.name: c for c in contacts.iterate()}
    emile, jurgen, wang = by_name["Émile Zola"], by_name["Jürgen Müller"], by_name["王 秀英"]
    assert emile.company == jurgen.company == "Charpentier"
    assert Company.select().count() == 1
    assert emile.phones == ["+33 1 42 65 00 11"] and emile.emails == ["emile@zola.example"]
    assert jurgen.tags == ["auteur", "vip"] and Tag.select().count() == 2
    assert wang.birthday == "--02-29"
    assert companies.get(emile.company_id).contacts_count == 2
    assert emile.version == 1 and emile.created_at == emile.updated_at and emile.deleted_at is None


def test_one_change_row_a_contact_under_the_batch_id(db):
    batch, result, _ = run()
    rows = list(Change.select().where((Change.batch_id == batch) & (Change.entity == "contact")).order_by(Change.id))
    assert [row.entity_id for row in rows] == list(range(result.first_id, result.last_id + 1))
    assert {row.action for row in rows} == {"create"} and all(row.before is None for row in rows)
    assert Change.select().where(Change.entity == "contact").count() == 3
    for row in rows:
        snapshot = json.loads(row.after)
        assert snapshot["id"] == row.entity_id
        assert snapshot["name"] == contacts.get(row.entity_id).name


def test_audit_snapshot_is_what_get_returns(db):
    """The Change row of a bulk-created contact must describe the stored contact, as `contacts.create`'s does."""
    companies.create({"name": "Acme"})
    contacts.create(ContactDraft(first_name="Existing", tags=["VIP"]))
    batch, result, _ = run([ContactDraft(first_name="New", company="ACME", tags=["vip", "Zeta"])])
    row = Change.get((Change.batch_id == batch) & (Change.entity == "contact"))
    stored = dataclasses.asdict(contacts.get(result.first_id))
    assert json.loads(row.after) == json.loads(json.dumps(stored))


def test_search_index_finds_bulk_contacts(db):
    run()
    assert {h.title for h in search_index.search_all("zola")} == {"Émile Zola"}
    assert {h.title for h in search_index.search_all("muller")} == {"Jürgen Müller"}
    assert {h.title for h in search_index.search_all("charpentier") if h.kind == "contact"} == {"Émile Zola",
                                                                                        "Jürgen Müller"}
    assert [h.kind for h in search_index.search_all("charpentier")].count("company") == 1
    assert {h.title for h in search_index.search_all("33142650011")} == {"Émile Zola"}
    assert contacts.count(text="auteur") == 2 and contacts.count(tag="AUTEUR") == 2


def test_progress_is_reported_per_stored_chunk(db):
    _, result, progress = run(chunk_size=2)
    assert progress == [(1, 1), (2, 2), (3, 3)]
    assert progress[-1] == (result.created, len(result.rejected))


def test_all_invalid_writes_nothing(db):
    batch, result, progress = run([ContactDraft(), ContactDraft(emails=["x"])])
    assert result.created == 0 and result.first_id is None and progress == []
    assert [position for position, _ in result.rejected] == [0, 1]
    assert Contact.select().count() == 0 and Change.select().count() == 0


def test_bulk_reuses_live_companies_and_keeps_ids_after_existing_ones(db):
    first = contacts.create(ContactDraft(first_name="Before", company="Äpfel AG"))
    _, result, _ = run([ContactDraft(first_name=f"P{i}", company="apfel ag") for i in range(5)], chunk_size=3)
    assert result.first_id == first.id + 1 and result.last_id == first.id + 5
    assert Company.select().count() == 1
    assert companies.get(first.company_id).contacts_count == 6


def test_a_large_load_ends_by_merging_the_search_index(db, monkeypatch):
    merged = []
    real_optimize = search_index.optimize_index
    monkeypatch.setattr(bulk, "OPTIMIZE_AFTER", 3)
    monkeypatch.setattr(search_index, "optimize_index", lambda *tables: (merged.append(tables), real_optimize(*tables)))
    drafts = [ContactDraft(first_name=f"Merle {n}", company="Acme") for n in range(3)]
    bulk.create_contacts(drafts, "batch-1")
    assert merged == [(search_index.CONTACT_INDEX, search_index.COMPANY_INDEX)]
    assert [hit.title for hit in search_index.search_all("merle")] == ["Merle 0", "Merle 1", "Merle 2"]
    bulk.create_contacts(drafts[:2], "batch-2")
    assert len(merged) == 1
