"""Merging contacts: the preview's choices, unions and joined notes, the merge as one change batch that moves deals
and activities and trashes the others, the mistakes refused, and one undo that takes it all back."""

from __future__ import annotations

import pytest

from crm_tui.core import activities, contacts, deals, records, search_index
from crm_tui.core.activities import listing as activity_list
from crm_tui.core.audit import undo
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.duplicates import merge
from crm_tui.core.errors import ConflictError, NotFoundError, ValidationError
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
)
from crm_tui.core.validation import MAX_TEXT


def choice(plan: merge.MergePlan, field: str) -> merge.FieldChoice:
    return next(found for found in plan.fields if found.field == field)


def _columns(model, *left_out: str) -> list:
    return [field for name, field in model._meta.fields.items() if name not in left_out]


def state() -> dict:
    """Every user-visible row, versions and update times left out. Email and phone rows are compared by what they
    hold, not their row ids: every contact edit writes a contact's lists afresh."""
    tables = {}
    for model in (Contact, Company, Deal, Activity):
        tables[model.__name__] = list(
            model.select(*_columns(model, "version", "updated_at")).order_by(model.id).tuples())
    for model in (ContactEmail, ContactPhone, ContactTag):
        tables[model.__name__] = sorted(model.select(*_columns(model, "id")).tuples())
    tables["Tag"] = list(Tag.select().order_by(Tag.id).tuples())
    tables["DealStageChange"] = list(DealStageChange.select().order_by(DealStageChange.id).tuples())
    return tables


@pytest.fixture
def pair(make_contact):
    """Ann (kept) and Anne (her duplicate), who disagree on several fields."""
    ann = make_contact(first_name="Ann", last_name="Lee", company="Acme", emails=["ann@acme.com"],
                       phones=["+31 20 555 0101"], tags=["VIP"], notes="Met at the fair.", custom={"source": "fair"})
    anne = make_contact(first_name="Anne", last_name="Lee", title="CTO", company="Globex",
                        emails=["ANN@acme.com", "anne@globex.com"], phones=["0031 20 555 0101", "+1 555 0100"],
                        tags=["vip", "Lead"], city="Amsterdam", country="NL", birthday="1980-02-03",
                        notes="Prefers email.", custom={"source": "web", "shoe": "42"})
    return ann, anne


def test_the_kept_contacts_values_win_and_its_gaps_are_filled_from_the_others_in_order(make_contact):
    keep = make_contact(first_name="Ann", last_name="")
    first = make_contact(first_name="Anne", title="", birthday="1980-02-03")
    second = make_contact(first_name="Annie", last_name="Lee", title="CEO", birthday="1999-09-09")
    plan = merge.plan_merge(keep.id, [first.id, second.id])
    assert choice(plan, "first_name").options == ((keep.id, "Ann"), (first.id, "Anne"), (second.id, "Annie"))
    assert choice(plan, "first_name").chosen == keep.id
    assert choice(plan, "last_name").chosen == second.id and plan.result.last_name == "Lee"
    assert choice(plan, "title").options == ((second.id, "CEO"),)
    assert choice(plan, "birthday").chosen == first.id and plan.result.birthday == "1980-02-03"
    assert choice(plan, "display_name").options == () and choice(plan, "display_name").chosen is None
    assert not choice(plan, "display_name").contested and choice(plan, "birthday").contested
    assert (plan.keep.id, plan.merged_ids) == (keep.id, (first.id, second.id))


def test_a_pick_takes_another_contacts_value_and_the_company_is_a_choice_like_any_other(pair):
    ann, anne = pair
    plan = merge.plan_merge(ann.id, [anne.id])
    assert choice(plan, "company").options == ((ann.id, "Acme"), (anne.id, "Globex"))
    assert plan.result.company == "Acme"
    picked = merge.plan_merge(ann.id, [anne.id], {"company": anne.id, "first_name": anne.id})
    assert choice(picked, "company").chosen == anne.id
    assert (picked.result.company, picked.result.first_name) == ("Globex", "Anne")
    done = merge.merge(ann.id, [anne.id], {"company": anne.id})
    assert (done.contact.company, done.contact.company_id) == ("Globex", anne.company_id)
    assert contacts.get(ann.id).first_name == "Ann"


def test_picking_a_value_two_contacts_share_chooses_the_first_that_has_it(make_contact):
    keep = make_contact(first_name="Ann", title="CEO")
    other = make_contact(first_name="Bo", title="CEO")
    plan = merge.plan_merge(keep.id, [other.id], {"title": other.id})
    assert choice(plan, "title").options == ((keep.id, "CEO"),) and choice(plan, "title").chosen == keep.id


def test_the_address_is_one_choice_never_a_mix_of_two(make_contact):
    keep = make_contact(first_name="Ann", city="Utrecht")
    other = make_contact(first_name="Bo", street="Main 1", city="Amsterdam", postal_code="1011", country="NL")
    plan = merge.plan_merge(keep.id, [other.id])
    address = choice(plan, "address")
    assert address.options == ((keep.id, ("", "Utrecht", "", "", "")),
                               (other.id, ("Main 1", "Amsterdam", "", "1011", "NL")))
    assert (plan.result.street, plan.result.city, plan.result.country) == ("", "Utrecht", "")
    assert merge.shown(address.options[1][1]) == "Main 1, Amsterdam, 1011, NL"
    picked = merge.plan_merge(keep.id, [other.id], {"address": other.id}).result
    assert (picked.street, picked.city, picked.postal_code, picked.country) == ("Main 1", "Amsterdam", "1011", "NL")


def test_emails_phones_and_tags_are_unions_matched_by_case_digits_and_folding(pair):
    ann, anne = pair
    result = merge.plan_merge(ann.id, [anne.id]).result
    assert result.emails == ["ann@acme.com", "anne@globex.com"]
    assert result.phones == ["+31 20 555 0101", "+1 555 0100"]
    assert result.tags == ["VIP", "Lead"]
    merged = merge.merge(ann.id, [anne.id]).contact
    assert merged.emails[0] == "ann@acme.com" and sorted(merged.tags) == ["Lead", "VIP"]


def test_custom_fields_are_a_union_and_a_clash_keeps_the_kept_value_unless_picked(pair):
    ann, anne = pair
    plan = merge.plan_merge(ann.id, [anne.id])
    assert plan.result.custom == {"source": "fair", "shoe": "42"}
    assert choice(plan, "custom:source").options == ((ann.id, "fair"), (anne.id, "web"))
    picked = merge.plan_merge(ann.id, [anne.id], {"custom:source": anne.id})
    assert picked.result.custom == {"source": "web", "shoe": "42"}


def test_notes_are_joined_so_nothing_typed_is_lost(make_contact):
    keep = make_contact(first_name="Ann", notes="Met at the fair.")
    same = make_contact(first_name="Bo", notes="Met at the fair.")
    empty = make_contact(first_name="Cy")
    other = make_contact(first_name="Di", notes="Prefers email.\nNever call before ten.")
    merged = merge.merge(keep.id, [same.id, empty.id, other.id]).contact
    assert merged.notes == "Met at the fair.\n\nPrefers email.\nNever call before ten."
    blank = make_contact(first_name="Ed")
    noted = make_contact(first_name="Flo", notes="Vegetarian.")
    assert merge.plan_merge(blank.id, [noted.id]).result.notes == "Vegetarian."


def test_the_preview_writes_nothing(pair):
    ann, anne = pair
    deals.create({"title": "Licences", "contact": anne.id})
    before, changes = state(), Change.select().count()
    plan = merge.plan_merge(ann.id, [anne.id], {"company": anne.id})
    assert plan.deals_moved == 1 and plan.activities_moved == 0
    assert state() == before and Change.select().count() == changes


def test_a_merge_moves_live_deals_and_activities_to_the_kept_contact_and_trashes_the_others(pair, make_contact):
    ann, anne = pair
    third = make_contact(first_name="A.", last_name="Lee")
    own_deal = deals.create({"title": "Renewal", "contact": ann.id})
    moved_deal = deals.create({"title": "Licences", "contact": anne.id})
    trashed_deal = deals.create({"title": "Old", "contact": anne.id})
    deals.delete(trashed_deal.id)
    call = activities.create({"kind": "call", "subject": "Intro call", "contact_id": anne.id})
    task = activities.create({"kind": "task", "subject": "Send offer", "contact_id": third.id,
                              "deal_id": moved_deal.id})
    done = merge.merge(ann.id, [anne.id, third.id])
    assert (done.merged_ids, done.deals_moved, done.activities_moved) == ((anne.id, third.id), 1, 2)
    assert {deal.id for deal in deal_list.iterate(deal_list.DealFilter(contact_id=ann.id))} == {own_deal.id,
                                                                                                moved_deal.id}
    shown = activity_list.iterate(activity_list.ActivityFilter(contact_id=ann.id))
    assert [activity.id for activity in shown] == [call.id]
    assert activities.get(task.id).contact_id == ann.id and activities.get(task.id).deal_id == moved_deal.id
    assert deals.get(trashed_deal.id, include_deleted=True).contact_id == anne.id
    assert contacts.count() == 1
    assert all(contacts.get(i, include_deleted=True).deleted_at for i in (anne.id, third.id))
    assert [hit.id for hit in search_index.search_all("Lee") if hit.kind == "contact"] == [ann.id]
    rows = list(Change.select().where(Change.batch_id == done.batch_id).order_by(Change.id))
    assert {row.batch_id for row in Change.select().where(Change.id >= rows[0].id)} == {done.batch_id}
    assert [(row.entity, row.action) for row in rows] == [
        ("contact", "update"), ("deal", "update"), ("activity", "update"), ("activity", "update"),
        ("contact", "delete"), ("contact", "delete"), ("contact", "merge")]
    assert rows[1].entity_id == moved_deal.id and f'"contact_id": {anne.id}' in rows[1].before
    marker = rows[-1]
    assert (marker.entity_id, marker.before) == (ann.id, None)
    assert f'"merged": [{anne.id}, {third.id}]' in marker.after and '"name": "Ann Lee"' in marker.after


def test_a_merge_that_changes_no_field_leaves_the_kept_contact_unwritten(make_contact):
    keep = make_contact(first_name="Ann", emails=["ann@acme.com"])
    other = make_contact(first_name="Ann", emails=["ANN@ACME.COM"])
    done = merge.merge(keep.id, [other.id])
    assert done.contact.version == keep.version
    actions = Change.select(Change.entity, Change.action).where(Change.batch_id == done.batch_id).tuples()
    assert list(actions) == [("contact", "delete"), ("contact", "merge")]


@pytest.mark.parametrize(("others", "message"), [
    ([], "others: name at least one contact"),
    (list(range(100, 121)), "others: at most 20 contacts merge at once, not 21"),
    (["keep"], "is the one kept; it cannot be merged into itself"),
    (["other", "other"], "is named more than once"),
])
def test_the_contacts_named_are_checked(pair, others, message):
    ann, anne = pair
    ids = [{"keep": ann.id, "other": anne.id}.get(item, item) for item in others]
    with pytest.raises(ValidationError, match=message):
        merge.plan_merge(ann.id, ids)


def test_missing_and_trashed_contacts_are_not_found(pair):
    ann, anne = pair
    with pytest.raises(NotFoundError, match="contact 999 does not exist"):
        merge.plan_merge(ann.id, [999])
    contacts.delete(anne.id)
    with pytest.raises(NotFoundError, match=f"contact {anne.id} does not exist or is in the trash"):
        merge.merge(ann.id, [anne.id])
    with pytest.raises(NotFoundError, match=f"contact {anne.id} does not exist or is in the trash"):
        merge.plan_merge(anne.id, [ann.id])


def test_picks_must_name_a_field_and_a_contact_of_the_merge_that_has_a_value(pair, make_contact):
    ann, anne = pair
    stranger = make_contact(first_name="Zed", title="CFO")
    with pytest.raises(ValidationError) as refused:
        merge.plan_merge(ann.id, [anne.id], {"city": anne.id, "emails": anne.id, "colour": anne.id,
                                             "title": stranger.id, "display_name": anne.id,
                                             "custom:nothing": anne.id})
    assert {error.field: error.message for error in refused.value.errors} == {
        "city": "the address is one choice: pick it as a whole, address=ID",
        "emails": "is merged from every contact, not picked",
        "colour": "is not a field to pick; pick one of first_name, last_name, display_name, title, company, "
                  "address, birthday, keep_in_touch_days or custom:KEY",
        "title": f"contact {stranger.id} is not part of this merge",
        "display_name": f"contact {anne.id} has no display name to pick",
        "custom:nothing": "is not a field to pick; pick one of first_name, last_name, display_name, title, "
                          "company, address, birthday, keep_in_touch_days or custom:KEY",
    }


def test_a_merged_contact_that_would_not_be_valid_names_the_field(make_contact):
    keep = make_contact(first_name="Ann", notes="a" * (MAX_TEXT - 10))
    other = make_contact(first_name="Bo", notes="b" * 100)
    with pytest.raises(ValidationError) as refused:
        merge.plan_merge(keep.id, [other.id])
    [error] = refused.value.errors
    assert error.field == "notes"
    assert error.message == f"is too long ({MAX_TEXT + 92} characters; at most {MAX_TEXT}) once merged"


def test_a_contact_changed_since_the_preview_refuses_the_whole_merge(pair):
    ann, anne = pair
    deals.create({"title": "Licences", "contact": anne.id})
    plan = merge.plan_merge(ann.id, [anne.id])
    seen = {contact.id: contact.version for contact in (plan.keep, *plan.others)}
    contacts.update(anne.id, anne.version, title="CIO")
    before, changes = state(), Change.select().count()
    with pytest.raises(ConflictError, match=f"contact {anne.id} was changed elsewhere"):
        merge.merge(ann.id, [anne.id], expected_versions=seen)
    assert state() == before and Change.select().count() == changes
    with pytest.raises(ValidationError, match="contact 999 is not part of this merge"):
        merge.merge(ann.id, [anne.id], expected_versions={999: 1})
    stale_keep = {ann.id: ann.version - 1}
    with pytest.raises(ConflictError, match=f"contact {ann.id} was changed elsewhere"):
        merge.merge(ann.id, [anne.id], expected_versions=stale_keep)
    current = {contact.id: contact.version for contact in contacts.get_many([ann.id, anne.id])}
    assert merge.merge(ann.id, [anne.id], expected_versions=current).deals_moved == 1


def test_a_merge_too_large_for_one_undo_is_refused_before_anything_is_written(pair, monkeypatch):
    ann, anne = pair
    for number in range(3):
        activities.create({"kind": "call", "subject": f"Call {number}", "contact_id": anne.id})
    monkeypatch.setattr(records, "MAX_UNDO_CHANGES", 4)
    before = state()
    with pytest.raises(ValidationError, match="would log 6 changes .* more than one undo takes back"):
        merge.merge(ann.id, [anne.id])
    assert state() == before


def test_a_merge_and_its_complete_undo_leave_the_database_as_it_was(pair, make_contact):
    ann, anne = pair
    third = make_contact(first_name="A.", last_name="Lee", company="Initech", tags=["partner"])
    deals.create({"title": "Renewal", "contact": ann.id, "company": "Acme"})
    licences = deals.create({"title": "Licences", "contact": anne.id, "value": "1200"})
    deals.move(licences.id, "Proposal")
    activities.create({"kind": "call", "subject": "Intro call", "contact_id": anne.id})
    activities.create({"kind": "task", "subject": "Send offer", "contact_id": third.id, "deal_id": licences.id})
    before = state()
    done = merge.merge(ann.id, [anne.id, third.id], {"company": third.id, "custom:source": anne.id,
                                                    "address": anne.id})
    assert state() != before
    assert undo.undo_last() == "Undid: merged 3 contacts into 'Ann Lee'"
    assert state() == before
    assert contacts.count() == 3 and contacts.get(ann.id).company == "Acme"
    assert {hit.id for hit in search_index.search_all("Lee") if hit.kind == "contact"} == {ann.id, anne.id, third.id}
    assert [activity.contact_id for activity in activity_list.iterate(
        activity_list.ActivityFilter(tasks="all"))] == [third.id]
    assert Change.select().where(Change.undoes == done.batch_id).count() > 0
