"""Writing our CSV: formula escaping in text columns only, every field of every entity surviving write → read (and
the services taking what is read), and export and import of a large file in constant memory."""

from __future__ import annotations

import csv
import io
import tracemalloc

import pytest
from hypothesis import assume, given, strategies as st

from crm_tui.core import activities, companies, contacts, deals
from crm_tui.core.contacts.data import ContactDraft
from crm_tui.core.errors import ValidationError
from crm_tui.core.interop.csv.read import read_csv
from crm_tui.core.interop.csv.write import (
    EXPORT_COLUMNS,
    FORMULA_TRIGGERS,
    escape_cell,
    export,
    iterate_records,
    unescape_cell,
    write_csv,
)


def exported(entity: str, records) -> str:
    out = io.StringIO(newline="")
    write_csv(entity, records, out)
    return out.getvalue()


def cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_back(entity: str, text: str) -> list:
    rows = list(read_csv(io.BytesIO(text.encode("utf-8")), entity))
    assert [row.problem for row in rows] == [None] * len(rows)
    return [row.values for row in rows]


# Formula escaping ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", sorted(FORMULA_TRIGGERS))
def test_each_formula_trigger_is_escaped_with_a_quote_and_read_back_exactly(trigger):
    text = f"{trigger}SUM(A1)"
    written = cells(exported("company", [{"name": text, "notes": f"{trigger}cmd|' /C calc'!A0"}]))[0]
    assert written["name"] == "'" + text
    assert written["notes"] == f"'{trigger}cmd|' /C calc'!A0"
    assert unescape_cell(written["name"]) == text


@pytest.mark.parametrize(("text", "written"), [
    ("'=already quoted", "''=already quoted"), ("''+twice", "'''+twice"), ("'plain", "'plain"), ("plain", "plain"),
    ("a=b", "a=b"), ("", ""), ("'", "'"), ("-", "'-"),
])
def test_escaping_is_undone_exactly_even_for_text_that_starts_with_quotes(text, written):
    assert escape_cell(text) == written
    assert unescape_cell(written) == text


def test_numbers_in_their_own_columns_stay_numbers():
    deal = {"id": 7, "title": "-50% deal", "value": "-1500.00", "currency": "EUR", "contact_id": 3,
            "company_id": None, "notes": "+1"}
    written = cells(exported("deal", [deal]))[0]
    assert (written["id"], written["value"], written["contact_id"], written["company_id"]) == ("7", "-1500.00", "3",
                                                                                              "")
    assert (written["title"], written["notes"]) == ("'-50% deal", "'+1")
    contact = cells(exported("contact", [{"id": 1, "first_name": "Ann", "keep_in_touch_days": 30}]))[0]
    assert contact["keep_in_touch_days"] == "30"


def test_one_header_row_then_crlf_rows_and_the_count_returned():
    out = io.StringIO(newline="")
    assert write_csv("company", iter([{"name": "A"}, {"name": "B"}]), out) == 2
    lines = out.getvalue().split("\r\n")
    assert lines[0] == ",".join(EXPORT_COLUMNS["company"]) and lines[1].startswith(",A,") and lines[3] == ""


# Round trips through the database ------------------------------------------------------------------------------


def test_every_contact_field_survives_export_and_import(db):
    made = [
        contacts.create(ContactDraft(
            first_name="=Anna", last_name="Lee, Jr.", display_name='"Annie"', title="-Head of sales",
            company="+Plus Corp", emails=["anna@example.com", "a.lee@example.org"],
            phones=["+31 20 555 0101", "(020) 555-0102 ext 5"], tags=["vip;gold", "@home", "Zürich"],
            street="1 Main St\nFloor 2", city="Amsterdam", region="NH", postal_code="1011 AB", country="NL",
            birthday="--04-12", notes="=SUM(A1)\n\ttabbed line", custom={"Skype": "@anna", "Formula": "=1+1",
                                                                             "Quote": "'=x"},
            keep_in_touch_days=30)),
        contacts.create(ContactDraft(last_name="Ng")),
        contacts.create(ContactDraft(display_name="Ørsted A/S", birthday="1980-02-29", company="Ørsted")),
    ]
    text = exported("contact", iterate_records("contact"))
    assert cells(text)[0]["phones"] == "'+31 20 555 0101, (020) 555-0102 ext 5"
    by_name = {draft.first_name or draft.last_name or draft.display_name: draft for draft in read_back("contact",
                                                                                                         text)}
    for contact in made:
        assert by_name[contact.first_name or contact.last_name or contact.display_name] == contact.to_draft()


def test_every_company_field_survives_export_and_import(db):
    made = [companies.create({"name": "=Acme", "domain": "acme.example", "phone": "+1 555 0100",
                              "address": "1 Main St\nSpringfield", "notes": "@everyone, read this"}),
            companies.create({"name": "Bare"})]
    out = io.StringIO(newline="")
    assert export("company", out) == 2
    values = read_back("company", out.getvalue())
    assert values == [{name: getattr(company, name) for name in companies.FIELDS} for company in made]
    again = companies.create(values[0])
    assert {name: getattr(again, name) for name in companies.FIELDS} == values[0]


DEAL_FIELDS = ("title", "value", "currency", "pipeline", "stage", "contact", "company", "expected_close", "notes",
               "lost_reason", "closed_at")


def test_every_deal_field_survives_export_and_import_and_deals_create_takes_it(db, make_contact):
    make_contact(first_name="Ann", last_name="Lee")
    made = [deals.create({"title": "=Licences", "value": "12500.50", "currency": "EUR", "stage": "Proposal",
                          "contact": "Ann Lee", "company": "-Minus Ltd", "expected_close": "2026-03-01",
                          "notes": "+31 20 555 0101 called"}),
            deals.create({"title": "Yen deal", "value": "1200", "currency": "JPY"})]
    won = deals.update(made[1].id, made[1].version, stage="Won")
    lost = deals.create({"title": "Lost one", "stage": "Lost", "lost_reason": "=went with a rival",
                         "closed_at": "2025-12-01T09:30:00Z"})
    values = read_back("deal", exported("deal", iterate_records("deal")))
    expected = [{name: getattr(deal, name) or "" for name in DEAL_FIELDS} for deal in (made[0], won, lost)]
    assert values == expected
    assert values[0]["value"] == "12500.50" and values[1]["value"] == "1200" and values[1]["stage"] == "Won"
    assert values[2]["lost_reason"] == "=went with a rival" and values[2]["closed_at"] == "2025-12-01T09:30:00.000000Z"
    copies = [deals.create(value) for value in values]
    assert [{name: getattr(deal, name) or "" for name in DEAL_FIELDS} for deal in copies] == expected


ACTIVITY_FIELDS = ("kind", "subject", "body", "occurred_at", "due_at", "done_at", "contact_id", "company_id",
                   "deal_id")


def test_every_activity_field_survives_export_and_import_and_activities_create_takes_it(db, make_contact):
    ann = make_contact(first_name="Ann")
    acme = companies.create({"name": "Acme"})
    deal = deals.create({"title": "Licences"})
    made = [activities.create({"kind": "call", "subject": "=Kick-off", "body": "@Ann: went well\nNext: demo",
                               "occurred_at": "2026-01-02T03:04:05Z", "contact_id": ann.id, "company_id": acme.id,
                               "deal_id": deal.id}),
            activities.create({"kind": "task", "subject": "-Send the offer", "due_at": "2026-02-01T16:00:00Z",
                               "deal_id": deal.id}),
            activities.create({"kind": "note", "body": "just a body"})]
    done = activities.create({"kind": "task", "subject": "Call back", "due_at": "2026-01-05T17:00:00Z"})
    made.append(activities.set_done(done.id, True))
    values = read_back("activity", exported("activity", iterate_records("activity")))

    def as_read(activity) -> dict:
        return {name: "" if getattr(activity, name) is None else str(getattr(activity, name))
                for name in ACTIVITY_FIELDS}

    def order(value: dict) -> tuple[str, str]:
        return value["body"], value["subject"]

    assert sorted(values, key=order) == sorted(map(as_read, made), key=order)
    copies = [activities.create(value) for value in values]
    assert sorted(map(as_read, copies), key=order) == sorted(map(as_read, made), key=order)


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("=+-@'\t\n\",;"), max_size=15)
EMAILS = st.lists(st.sampled_from(["a@example.com", "-b@example.org", "=c@example.net", "d.e@example.co.uk"]),
                  max_size=3, unique=True)
PHONES = st.lists(st.sampled_from(["+31 20 555 0101", "-555 0100", "(020) 555-0102", "555 0103 ext 4"]),
                  max_size=3, unique=True)


@given(first_name=TEXT, last_name=TEXT, display_name=TEXT, title=TEXT, company=TEXT, street=TEXT, notes=TEXT,
       tags=st.lists(TEXT.map(lambda text: text.replace(",", "")), max_size=3), emails=EMAILS, phones=PHONES,
       custom=st.dictionaries(TEXT, TEXT, max_size=3),
       birthday=st.sampled_from(["", "--02-29", "1999-12-31"]), keep=st.sampled_from([None, 1, 3650]))
def test_any_valid_contact_survives_write_and_read(first_name, last_name, display_name, title, company, street,
                                                   notes, tags, emails, phones, custom, birthday, keep):
    draft = ContactDraft(first_name=first_name, last_name=last_name, display_name=display_name, title=title,
                         company=company, street=street, notes=notes, tags=tags, emails=emails, phones=phones,
                         custom=custom, birthday=birthday, keep_in_touch_days=keep)
    try:
        clean = contacts.validate(draft)
    except ValidationError:
        assume(False)
    assert read_back("contact", exported("contact", [clean])) == [clean]


# Streaming -----------------------------------------------------------------------------------------------------


def generated(count: int):
    for number in range(count):
        yield {"id": number, "first_name": f"Person {number}", "last_name": "Tester",
               "emails": [f"p{number}@example.com"], "phones": ["+31 20 555 0101"], "tags": ["vip"],
               "notes": "=SUM(A1)", "custom": {"Skype": f"p{number}"}, "keep_in_touch_days": 30}


def peaks(path, rows: int) -> tuple[int, int]:
    """The most memory that writing `rows` generated contacts to `path`, then reading them back, ever held."""
    tracemalloc.start()
    try:
        with path.open("w", encoding="utf-8", newline="") as out:
            assert write_csv("contact", generated(rows), out) == rows
        written = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        good = last = 0
        for row in read_csv(path, "contact"):
            good += row.problem is None
            last = row.number
        assert good == rows and last == rows + 1
        return written, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_contacts_file_is_written_and_read_in_constant_memory(tmp_path):
    """Ten times the rows, the same memory: a million contacts stream as well as 20,000 (tracemalloc makes each row
    slow, so the test stays at that). Holding the rows read would take over 2 KB each, 40 MB for these."""
    small = peaks(tmp_path / "small.csv", 2_000)
    large = peaks(tmp_path / "large.csv", 20_000)
    assert (tmp_path / "large.csv").stat().st_size > 2_000_000
    for before, after in zip(small, large, strict=False):
        assert after < before * 1.25 + 50_000, (small, large)
        assert after < 1_000_000, large
