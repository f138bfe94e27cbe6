"""Companies: validation, renames that reach their contacts, the trash, and live contact counts."""

from __future__ import annotations

import json

import pytest

from crm_tui.core import companies, contacts, search_index
from crm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from crm_tui.core.models import Change, Company
from crm_tui.core.text import fold


def test_create_cleans_domain_and_logs_a_change(db):
    created = companies.create({"name": "  Acme Corp ", "domain": "https://www.Acme.example/", "phone": "+1 555 0100"})
    assert (created.name, created.domain, created.phone) == ("Acme Corp", "acme.example", "+1 555 0100")
    assert created.contacts_count == 0 and created.version == 1
    assert companies.get(created.id) == created
    [change] = Change.select().where(Change.entity == "company")
    assert (change.entity_id, change.action, change.before) == (created.id, "create", None)
    assert json.loads(change.after)["name"] == "Acme Corp"


@pytest.mark.parametrize(("values", "field"), [
    ({"name": ""}, "name"),
    ({"name": "Acme", "domain": "not a domain"}, "domain"),
    ({"name": "Acme", "phone": "ring ring"}, "phone"),
    ({"name": "x" * 201}, "name"),
])
def test_invalid_company_is_refused_naming_the_field(db, values, field):
    with pytest.raises(ValidationError) as raised:
        companies.create(values)
    assert field in {error.field for error in raised.value.errors}
    assert Company.select().count() == 0


def test_contact_company_is_matched_ignoring_case_and_accents(db, make_contact):
    first = make_contact(first_name="Ann", company="Äpfel AG")
    second = make_contact(first_name="Ben", company="apfel ag")
    assert first.company_id == second.company_id
    assert Company.select().count() == 1
    assert companies.get(first.company_id).contacts_count == 2


def test_renaming_a_company_renames_it_for_its_contacts_and_search(db, make_contact):
    anna = make_contact(first_name="Anna", company="Oldname Ltd")
    make_contact(first_name="Zed", company="Middle Co")
    company = companies.get(anna.company_id)
    renamed = companies.update(company.id, company.version, name="Newname Ltd")
    assert renamed.name == "Newname Ltd" and renamed.version == company.version + 1
    assert contacts.get(anna.id).company == "Newname Ltd"
    hits = {(hit.kind, hit.id) for hit in search_index.search_all("newname")}
    assert hits == {("contact", anna.id), ("company", company.id)}
    assert search_index.search_all("oldname") == []
    assert [c.id for c in contacts.iterate(text="newname")] == [anna.id]
    assert [c.first_name for c in contacts.iterate("company")] == ["Zed", "Anna"]
    update = Change.select().where((Change.entity == "company") & (Change.action == "update")).get()
    assert json.loads(update.before)["name"] == "Oldname Ltd"
    assert json.loads(update.after)["name"] == "Newname Ltd"


def test_company_update_with_stale_version_conflicts(db):
    company = companies.create({"name": "Acme"})
    companies.update(company.id, company.version, notes="first edit")
    with pytest.raises(ConflictError):
        companies.update(company.id, company.version, name="Lost Edit")
    assert companies.get(company.id).name == "Acme"


def test_company_update_refuses_unknown_fields(db):
    company = companies.create({"name": "Acme"})
    with pytest.raises(ValidationError) as raised:
        companies.update(company.id, company.version, ceo="Wile E.")
    assert [error.field for error in raised.value.errors] == ["ceo"]


def test_deleting_a_company_hides_it_from_contacts_and_restore_brings_it_back(db, make_contact):
    anna = make_contact(first_name="Anna", company="Vanishing BV")
    company_id = anna.company_id
    companies.delete(company_id)
    assert contacts.get(anna.id).company is None
    assert companies.count() == 0 and companies.count(trash=True) == 1
    assert [h.kind for h in search_index.search_all("vanishing")] == []
    with pytest.raises(NotFoundError):
        companies.get(company_id)
    companies.restore(company_id)
    assert contacts.get(anna.id).company == "Vanishing BV"
    assert {h.kind for h in search_index.search_all("vanishing")} == {"contact", "company"}
    assert [c.action for c in Change.select().where(Change.entity == "company").order_by(Change.id)] == [
        "create", "delete", "restore"]


def test_editing_a_contact_while_its_company_is_trashed_keeps_the_link(db, make_contact):
    anna = make_contact(first_name="Anna", company="Paused GmbH")
    companies.delete(anna.company_id)
    current = contacts.get(anna.id)
    contacts.update(anna.id, current.version, title="CTO")
    companies.restore(anna.company_id)
    assert contacts.get(anna.id).company == "Paused GmbH"
    assert companies.get(anna.company_id).contacts_count == 1


def test_contacts_count_counts_live_contacts_only(db, make_contact):
    people = [make_contact(first_name=name, company="Counted Inc.") for name in ("A", "B", "C")]
    make_contact(first_name="Elsewhere", company="Other Inc.")
    contacts.delete(people[0].id)
    counted = {c.name: c.contacts_count for c in companies.iterate()}
    assert counted == {"Counted Inc.": 2, "Other Inc.": 1}


def test_company_pages_cover_every_company_once_in_name_and_updated_order(db):
    names = [f"{prefix} {i}" for i in range(23) for prefix in ("Ölmühle", "acme")][:37]
    made = [companies.create({"name": name}) for name in names]
    for sort, expected in (
        ("name", sorted(made, key=lambda c: (fold(c.name), c.id))),
        ("updated", sorted(made, key=lambda c: (c.updated_at, c.id), reverse=True)),
    ):
        seen, cursor = [], None
        while True:
            page = companies.list_page(sort, after=cursor, limit=10)
            seen += [c.id for c in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == [c.id for c in expected], sort
    assert companies.count(text="olmuhle") == 19


def test_company_pages_carry_keys_jump_by_offset_and_go_backwards(db):
    made = [companies.create({"name": f"{prefix} {i:02d}"}) for i in range(12) for prefix in ("Zeta", "Äpfel")]
    expected = [c.id for c in sorted(made, key=lambda c: (fold(c.name), c.id))]
    page = companies.list_page("name", limit=5)
    assert [key[-1] for key in page.keys] == expected[:5] and page.keys[-1] == page.next_cursor
    assert [c.id for c in companies.list_page("name", after=page.keys[1], limit=2).items] == expected[2:4]
    assert [c.id for c in companies.list_page("name", limit=5, offset=11).items] == expected[11:16]
    last = companies.list_page("name", limit=5, backwards=True)
    assert [c.id for c in last.items] == expected[-5:] and last.next_cursor == last.keys[0]
    assert [c.id for c in companies.list_page("name", limit=5, offset=3, backwards=True).items] == expected[-8:-3]
    apfel = [i for i in expected if companies.get(i).name.startswith("Äpfel")]
    assert [c.id for c in companies.list_page("name", limit=3, offset=2, text="apfel").items] == apfel[2:5]


def test_company_ids_and_neighbours(db):
    made = [companies.create({"name": name}) for name in ("Beta", "alpha", "Gamma", "delta")]
    companies.delete(made[2].id)
    assert list(companies.ids()) == sorted(c.id for c in made if c.name != "Gamma")
    assert list(companies.ids(trash=True)) == [made[2].id]
    assert list(companies.ids(text="delt")) == [made[3].id]
    alpha, beta, delta = made[1].id, made[0].id, made[3].id
    assert companies.neighbour(alpha, 1) == beta and companies.neighbour(beta, 1) == delta
    assert companies.neighbour(alpha, -1) is None and companies.neighbour(delta, 1) is None
    assert companies.neighbour(alpha, 2) == delta
    assert companies.neighbour(delta, 1, sort="updated") == alpha and companies.neighbour(beta, 1, "updated") is None
