"""Duplicate detection: the keys, the scan's groups on contacts with known duplicates and decoys, dismissals and
the quick check a form runs."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from crm_tui.core import contacts, duplicates
from crm_tui.core.audit import undo
from crm_tui.core.contacts.service import ContactDraft
from crm_tui.core.duplicates import check as duplicate_check, groups as duplicate_groups
from crm_tui.core.duplicates.keys import email_key, name_keys, name_ratio, name_score, phone_key, shared_domain
from crm_tui.core.errors import ValidationError
from crm_tui.core.models import database


@pytest.mark.parametrize(("email", "key"), [
    ("Ann.Lee@Example.COM", "ann.lee@example.com"),
    ("  ann@example.com ", "ann@example.com"),
    ("Ann.Lee@gmail.com", "annlee@gmail.com"),
    ("a.n.n.lee+news@googlemail.com", "annlee@gmail.com"),
    ("ann+work@outlook.com", "ann@outlook.com"),
    ("ann.lee+x@hotmail.com", "ann.lee@hotmail.com"),
    ("ann+x@me.com", "ann@me.com"),
    ("ann+x@icloud.com", "ann@icloud.com"),
    ("ann+x@pm.me", "ann@pm.me"),
    ("ann+x@fastmail.com", "ann@fastmail.com"),
    ("ann+x@zoho.com", "ann@zoho.com"),
    ("ann+sales@example.com", "ann+sales@example.com"),
    ("ann.lee@example.com", "ann.lee@example.com"),
    ("ann+x@yahoo.com", "ann+x@yahoo.com"),
    ("ann-shopping@yahoo.com", "ann-shopping@yahoo.com"),
    ("ann+x@gmx.de", "ann+x@gmx.de"),
    ("no-at-sign", "no-at-sign"),
])
def test_email_key(email, key):
    assert email_key(email) == key


@pytest.mark.parametrize(("phone", "key"), [
    ("+31 20 555 0101", "31205550101"),
    ("0031 20 555 0101", "31205550101"),
    ("+31 (0)20 555 0101", "31205550101"),
    ("0031 (0)20-555-0101", "31205550101"),
    ("+31205550101", "31205550101"),
    ("+1 212 555 0101 ext. 12", "12125550101"),
    ("020 555 0101", "0205550101"),
    ("(0)20 555 0101", "0205550101"),
    ("12345", ""),
    ("+44 123", ""),
    ("", ""),
])
def test_phone_key(phone, key):
    assert phone_key(phone) == key


def test_name_keys_fold_case_accents_and_order():
    assert name_keys("Lee, Ann") == ("lee ann", "ann lee")
    assert name_ratio(name_keys("Lee, Ann"), name_keys("ÅNN  Lee")) == 100
    assert name_ratio(name_keys("Eva de Bruijn"), name_keys("Eva de Uruijn")) >= duplicates.NAME_CUTOFF
    assert name_ratio(name_keys("Anna"), name_keys("Anne")) < duplicates.NAME_CUTOFF
    assert (name_score(duplicates.NAME_CUTOFF), name_score(100)) == (70, 95)


def test_shared_domain_leaves_out_free_mail():
    assert shared_domain("ann@Acme.com") == "acme.com"
    assert [shared_domain(f"ann@{domain}") for domain in ("gmail.com", "outlook.com", "web.de", "ziggo.nl")] == [""] * 4


@given(st.from_regex(r"[a-z0-9.+]{1,20}@(gmail\.com|outlook\.com|example\.com|icloud\.com)", fullmatch=True))
def test_email_key_is_stable(email):
    assert email_key(email_key(email)) == email_key(email)
    assert email_key(email.upper()) == email_key(email)


@given(st.text("0123456789", min_size=6, max_size=15).filter(lambda digits: not digits.startswith("0")),
       st.integers(1, 4))
def test_phone_key_is_one_number_however_written(digits, group):
    spaced = " ".join(digits[i:i + group] for i in range(0, len(digits), group))
    assert phone_key(f"+{digits}") == phone_key(f"00{spaced}") == phone_key(f"+{spaced}") == digits


@pytest.fixture
def people(make_contact):
    """Contacts with known duplicates (each rule) and decoys that must stay apart; by a short name each."""
    made = {
        "ann": make_contact(first_name="Ann", last_name="Lee", emails=["ann.lee@gmail.com"]),
        "ann2": make_contact(first_name="Ann", last_name="Lee", emails=["A.N.N.Lee+crm@googlemail.com"],
                             phones=["+31 20 555 0101"]),
        "annie": make_contact(first_name="Annie", last_name="Leeuw", phones=["0031 20 555 0101"]),
        "jan": make_contact(first_name="Jan", last_name="Jansen", company="Acme"),
        "jan2": make_contact(first_name="Jan", last_name="Janssen", company="ACME"),
        "piet": make_contact(first_name="Piet", last_name="de Vries", emails=["piet@bakker.nl"]),
        "piet2": make_contact(first_name="Piet", last_name="de Vris", emails=["p.devries@bakker.nl"]),
        # decoys
        "maria": make_contact(first_name="Maria", last_name="Garcia", company="Acme"),
        "maria2": make_contact(first_name="Maria", last_name="Garcia", company="Globex"),
        "tom": make_contact(first_name="Tom", last_name="Smith", emails=["tom.smith1@gmail.com"]),
        "tom2": make_contact(first_name="Tom", last_name="Smith", emails=["tom.smith2@gmail.com"]),
        "bo": make_contact(first_name="Bo", last_name="Berg", emails=["bo+sales@example.com"], phones=["12345"]),
        "bo2": make_contact(first_name="Bob", last_name="Borg", emails=["bo@example.com"], phones=["12345"]),
        "gone": make_contact(first_name="Gone", last_name="Person", emails=["ann.lee@gmail.com"], company="Acme"),
        "gone2": make_contact(first_name="Jan", last_name="Jansen", company="Acme"),
    }
    contacts.delete(made["gone"].id)
    contacts.delete(made["gone2"].id)
    return {name: contact.id for name, contact in made.items()}


def test_scan_groups_known_duplicates_and_no_decoys(people):
    groups = duplicates.scan()
    p = people
    assert [group.contact_ids for group in groups] == [
        (p["ann"], p["ann2"], p["annie"]), (p["piet"], p["piet2"]), (p["jan"], p["jan2"]),
    ]
    ann, piet, jan = groups
    assert ann.score == 100
    assert ann.names == ("Ann Lee", "Ann Lee", "Annie Leeuw")
    assert ann.reasons == ("same email ann.lee@gmail.com", "same phone +31 20 555 0101")
    assert jan.reasons == ("similar names Jan Jansen / Jan Janssen at Acme (95)",)
    assert (piet.score, jan.score) == (87, 85)
    assert piet.reasons == ("similar names Piet de Vries / Piet de Vris at bakker.nl (96)",)


def test_identical_names_at_one_company_read_as_the_same_name(make_contact):
    first = make_contact(first_name="Sara", last_name="Kok", company="Acme")
    second = make_contact(first_name="sara", last_name="KOK", company="Acme")
    [group] = duplicates.scan()
    assert group.contact_ids == (first.id, second.id)
    assert group.score == 95
    assert group.reasons == ("same name Sara Kok at Acme",)


def test_a_number_many_contacts_share_is_a_switchboard(make_contact):
    for number in range(duplicates.SHARED_KEY_LIMIT + 1):
        make_contact(first_name=f"Person {number}", phones=["+31 20 555 0100"])
    assert duplicates.scan() == []
    contacts.delete(1)
    assert len(duplicates.scan()[0].contact_ids) == duplicates.SHARED_KEY_LIMIT


def test_likely_duplicates_pass_over_a_switchboard_too(make_contact):
    sharing = [make_contact(first_name=f"Person {number}", phones=["+31 20 555 0100"]).id
               for number in range(duplicates.SHARED_KEY_LIMIT)]
    draft = ContactDraft(first_name="New", phones=["0031 20 555 0100"])
    assert duplicates.likely_duplicates(draft) == []
    assert [hit.contact_id for hit in duplicates.likely_duplicates(draft, exclude_id=sharing[0])] == sharing[1:4]


def test_scan_reports_progress(people):
    calls = []
    duplicates.scan(on_progress=lambda stage, done, total: calls.append((stage, done, total)))
    live = len(people) - 2
    assert calls[0] == ("contacts", live, live)
    assert calls[-1][0] == "names" and calls[-1][1] == calls[-1][2] > 0


def test_big_blocks_are_compared_in_slices(monkeypatch):
    keys = [name_keys(name) for name in ("Ann Lee", "Bob Ray", "Anne Lee", "Cy Twombly", "Ann Leee", "Bob Raye")]
    whole = sorted(duplicates.similar_pairs(keys))
    monkeypatch.setattr(duplicate_groups, "ROW_SLICE", 2)
    monkeypatch.setattr(duplicates, "BIG_BLOCK", 3)
    assert sorted(duplicates.similar_pairs(keys)) == whole
    assert {(0, 2), (0, 4), (1, 5)} <= {(i, j) for i, j, _ in whole}
    assert all(3 not in (i, j) and (i, j) != (0, 1) for i, j, _ in whole)


def test_a_dismissed_pair_never_links(people):
    p = people
    assert duplicates.dismiss(p["jan2"], p["jan"]) is True
    assert duplicates.dismiss(p["jan"], p["jan2"]) is False
    assert duplicates.is_dismissed(p["jan"], p["jan2"]) and duplicates.is_dismissed(p["jan2"], p["jan"])
    duplicates.dismiss(p["ann"], p["ann2"])
    groups = [group.contact_ids for group in duplicates.scan()]
    assert groups == [(p["ann2"], p["annie"]), (p["piet"], p["piet2"])]
    assert duplicates.undismiss(p["jan"], p["jan2"]) is True
    assert duplicates.undismiss(p["jan"], p["jan2"]) is False
    assert (p["jan"], p["jan2"]) in [group.contact_ids for group in duplicates.scan()]


def test_dismissing_a_group_dismisses_every_pair(people):
    p = people
    assert duplicates.dismiss_group([p["annie"], p["ann"], p["ann2"]]) == 3
    assert duplicates.dismiss_group([p["ann"], p["ann2"]]) == 0
    assert p["ann"] not in {contact_id for group in duplicates.scan() for contact_id in group.contact_ids}


def test_dismiss_refuses_one_contact_twice_and_unknown_ids(people):
    with pytest.raises(ValidationError, match="itself"):
        duplicates.dismiss(people["ann"], people["ann"])
    with pytest.raises(ValidationError, match="no contact 9999"):
        duplicates.dismiss(people["ann"], 9999)
    with pytest.raises(ValidationError, match="itself"):
        duplicates.undismiss(people["ann"], people["ann"])
    assert duplicates.dismiss(people["ann"], people["gone"]) is True  # one in the trash is still a contact
    (count,) = database.execute_sql("SELECT count(*) FROM duplicate_dismissal").fetchone()
    assert count == 1


def _found(draft: ContactDraft, **kwargs) -> list[tuple[int, str]]:
    return [(hit.contact_id, hit.reason) for hit in duplicates.likely_duplicates(draft, **kwargs)]


def test_likely_duplicates_by_email_and_phone(people):
    p = people
    assert _found(ContactDraft(first_name="X", emails=["ANN.LEE@gmail.com"])) == [
        (p["ann"], "same email ann.lee@gmail.com"), (p["ann2"], "same email A.N.N.Lee+crm@googlemail.com")]
    assert _found(ContactDraft(first_name="X", phones=["+31 (0)20 555 0101"])) == [
        (p["ann2"], "same phone +31 20 555 0101"), (p["annie"], "same phone 0031 20 555 0101")]
    assert _found(ContactDraft(first_name="X", emails=["bo@example.com"])) == [(p["bo2"], "same email bo@example.com")]
    assert _found(ContactDraft(first_name="X", emails=["bo+other@example.com"], phones=["12345"])) == []


def test_likely_duplicates_finds_plus_tags_at_providers_that_drop_them(make_contact):
    tagged = make_contact(first_name="Kim", emails=["kim+news@outlook.com"])
    plain = make_contact(first_name="Kim", emails=["Kim@Outlook.com"])
    assert _found(ContactDraft(first_name="X", emails=["kim@outlook.com"])) == [
        (tagged.id, "same email kim+news@outlook.com"), (plain.id, "same email Kim@outlook.com")]
    assert [hit[0] for hit in _found(ContactDraft(first_name="X", emails=["kim+work@outlook.com"]))] == [
        tagged.id, plain.id]


def test_likely_duplicates_finds_gmail_dots_with_the_undotted_index(make_contact):
    dotted = make_contact(first_name="Kim", emails=["k.i.m.lee+x@gmail.com"])
    database.execute_sql(f"CREATE INDEX IF NOT EXISTS {duplicate_check.UNDOTTED_INDEX} "
                         "ON contact_email (replace(lower(email), '.', ''))")
    assert _found(ContactDraft(first_name="X", emails=["kimlee@googlemail.com"])) == [
        (dotted.id, "same email k.i.m.lee+x@gmail.com")]


def test_likely_duplicates_by_name_at_the_company_or_its_domain(people):
    p = people
    assert _found(ContactDraft(first_name="jan", last_name="JANSEN", company="acme")) == [
        (p["jan"], "same name at Acme"), (p["jan2"], "similar name at Acme (95)")]
    assert _found(ContactDraft(first_name="Jan", last_name="Jansen", company="Globex")) == []
    assert _found(ContactDraft(first_name="Piet", last_name="de Vries", emails=["pdv@bakker.nl"])) == [
        (p["piet"], "same name at bakker.nl")]
    assert _found(ContactDraft(first_name="Tom", last_name="Smith", emails=["tom@gmail.com"])) == []


def test_likely_duplicates_leaves_out_the_contact_itself_and_those_dismissed(people):
    p = people
    jan = contacts.get(p["jan"])
    assert [hit[0] for hit in _found(jan.to_draft(), exclude_id=jan.id)] == [p["jan2"]]
    duplicates.dismiss(p["jan"], p["jan2"])
    assert _found(jan.to_draft(), exclude_id=jan.id) == []
    assert [hit[0] for hit in _found(jan.to_draft())] == [p["jan"], p["jan2"]]


def test_likely_duplicates_strongest_first_and_at_most_limit(people):
    p = people
    draft = ContactDraft(first_name="Ann", last_name="Lee", emails=["ANN.LEE@gmail.com"], phones=["+31205550101"])
    hits = duplicates.likely_duplicates(draft)
    assert [(hit.contact_id, hit.score) for hit in hits] == [(p["ann"], 100), (p["ann2"], 100), (p["annie"], 90)]
    assert hits[0].name == "Ann Lee"
    assert [hit.contact_id for hit in duplicates.likely_duplicates(draft, limit=1)] == [p["ann"]]


def test_not_duplicates_is_one_change_that_undo_and_redo_take_back(make_contact):
    ann, anne, annie = (make_contact(first_name=name, emails=["ann@example.org"]) for name in ("Ann", "Anne", "Annie"))
    assert duplicates.dismiss_group([ann.id, anne.id, annie.id]) == 3
    assert undo.undo_last() == f"Undid: said contacts #{ann.id}, #{anne.id}, #{annie.id} are not duplicates"
    assert not duplicates.is_dismissed(ann.id, anne.id)
    assert undo.redo_last().startswith("Redid: said contacts")
    assert duplicates.is_dismissed(ann.id, annie.id) and duplicates.is_dismissed(anne.id, annie.id)
    assert duplicates.undismiss(ann.id, anne.id)
    assert undo.undo_last() == f"Undid: let contacts #{ann.id}, #{anne.id} count as possible duplicates again"
    assert duplicates.is_dismissed(ann.id, anne.id)
