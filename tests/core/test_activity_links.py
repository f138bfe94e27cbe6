"""Finding what an activity links to from typed names or ids, and the links a record brings along."""

from __future__ import annotations

import pytest

from crm_tui.core import companies, contacts, deals
from crm_tui.core.activities import links as activity_links
from crm_tui.core.activities.links import find_link, find_links, link_presets, presets_for
from crm_tui.core.errors import ValidationError


def message(error: pytest.ExceptionInfo[ValidationError]) -> tuple[str, str]:
    (only,) = error.value.errors
    return only.field, only.message


def test_ids_with_or_without_hash_and_empty_text(make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee")
    assert find_link("contact_id", f"#{ann.id}") == ann.id
    assert find_link("contact_id", f" {ann.id} ") == ann.id
    assert find_link("contact_id", "   ") is None


def test_a_name_is_found_ignoring_case_accents_and_spaces(make_contact):
    zoe = make_contact(first_name="Zoë", last_name="Ångström", company="Café Noir")
    deal = deals.create({"title": "Big  Renewal", "company": "Café Noir"})
    assert find_link("contact_id", "zoe  angstrom") == zoe.id
    assert find_link("company_id", "CAFE NOIR") == zoe.company_id
    assert find_link("deal_id", "big renewal") == deal.id


def test_a_deal_title_must_match_whole_not_as_a_prefix(db):
    deals.create({"title": "Renewal 2027"})
    with pytest.raises(ValidationError) as error:
        find_link("deal_id", "Renewal")
    assert message(error) == ("deal_id", 'no deal is called "Renewal"; type a name as listed, or #id')


def test_a_name_matching_several_records_is_refused_with_their_ids(make_contact):
    first, second = make_contact(first_name="Ann", last_name="Lee"), make_contact(first_name="Ann", last_name="Lee")
    with pytest.raises(ValidationError) as error:
        find_link("contact_id", "ann lee")
    assert message(error) == ("contact_id", f'2 contacts are called "ann lee" (#{first.id}, #{second.id}); type #id')


def test_many_namesakes_list_only_the_first_ids(db):
    made = [deals.create({"title": "Renewal"}).id for _ in range(7)]
    with pytest.raises(ValidationError) as error:
        find_link("deal_id", "Renewal")
    shown = ", ".join(f"#{deal_id}" for deal_id in made[:5])
    assert message(error) == ("deal_id", f'7 deals are called "Renewal" ({shown}, …); type #id')


def test_missing_and_trashed_records_are_refused(make_contact):
    ann = make_contact(first_name="Ann")
    contacts.delete(ann.id)
    with pytest.raises(ValidationError) as error:
        find_link("contact_id", f"#{ann.id}")
    assert message(error) == ("contact_id", f"contact #{ann.id} is in the trash; restore it first")
    with pytest.raises(ValidationError) as error:
        find_link("company_id", "#999")
    assert message(error) == ("company_id", "there is no company #999")
    with pytest.raises(ValidationError) as error:
        find_link("contact_id", "Ann")
    assert message(error)[1].startswith('no contact is called "Ann"')


def test_a_missing_company_name_is_refused_not_created(db):
    with pytest.raises(ValidationError):
        find_link("company_id", "Typo Inc")
    assert companies.count() == 0


def test_every_failing_field_is_named_at_once(db):
    with pytest.raises(ValidationError) as error:
        find_links({"contact_id": "Nobody", "company_id": "", "deal_id": "#4"})
    assert [item.field for item in error.value.errors] == ["contact_id", "deal_id"]
    assert find_links({"contact_id": "", "deal_id": " "}) == {"contact_id": None, "deal_id": None}


def test_a_deal_brings_its_contact_and_company(make_contact):
    ann = make_contact(first_name="Ann", company="Acme")
    deal = deals.create({"title": "Rollout", "contact": f"#{ann.id}", "company": "Acme"})
    assert presets_for("deal", deal.id) == {"deal_id": ("Rollout", deal.id), "contact_id": ("Ann", ann.id),
                                            "company_id": ("Acme", ann.company_id)}
    assert presets_for("contact", ann.id) == {"contact_id": ("Ann", ann.id), "company_id": ("Acme", ann.company_id)}
    assert presets_for("company", ann.company_id) == {"company_id": ("Acme", ann.company_id)}
    with pytest.raises(ValueError):
        presets_for("task", 1)


def test_records_given_win_over_those_brought_along_and_missing_ones_are_skipped(make_contact):
    ann = make_contact(first_name="Ann", company="Acme")
    bob = make_contact(first_name="Bob", company="Bolt")
    deal = deals.create({"title": "Rollout", "contact": f"#{ann.id}", "company": "Acme"})
    assert link_presets(contact_id=bob.id, deal_id=deal.id) == {
        "deal_id": ("Rollout", deal.id), "contact_id": ("Bob", bob.id), "company_id": ("Acme", ann.company_id)}
    assert link_presets(contact_id=bob.id) == {"contact_id": ("Bob", bob.id), "company_id": ("Bolt", bob.company_id)}
    assert link_presets(contact_id=9999, company_id=bob.company_id) == {"company_id": ("Bolt", bob.company_id)}
    assert activity_links.link_presets() == {}
