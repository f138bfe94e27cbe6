"""Reading CSV: encodings and dialects, automatic mapping of our own, Google's and Outlook's headers and of any
other, the values each row gives, and rows that cannot be read becoming problems rather than exceptions."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from crm_tui.core import activities, companies, deals
from crm_tui.core.contacts.data import DRAFT_FIELDS
from crm_tui.core.errors import CrmError
from crm_tui.core.interop.csv.read import (
    FIELDS_BY_ENTITY,
    CsvFormat,
    auto_mapping,
    check_field,
    plan,
    read_csv,
    read_file,
    read_header,
    sniff,
)
from crm_tui.core.interop.csv.write import EXPORT_COLUMNS
from crm_tui.core.interop.rows import ENTITIES

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def read(data: bytes, entity: str = "contact", **kwargs) -> list:
    return list(read_csv(io.BytesIO(data), entity, **kwargs))


class Pipe(io.RawIOBase):
    """A stream that cannot seek, as stdin from a pipe."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(min(len(buffer), 7))
        buffer[:len(chunk)] = chunk
        return len(chunk)


# Encodings and dialects ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("google_contacts.csv", CsvFormat("utf-8", ",", False)),
    ("outlook_contacts.csv", CsvFormat("utf-16-le", ",", True)),
    ("latin1_semicolon.csv", CsvFormat("cp1252", ";", False)),
    ("utf8_bom_tab.csv", CsvFormat("utf-8", "\t", True)),
])
def test_sniff_finds_the_encoding_and_delimiter_of_each_fixture(name, expected):
    assert sniff(FIXTURES / name) == expected


def test_a_latin1_file_reads_with_its_accents_and_semicolons_inside_cells():
    rows = list(read_csv(FIXTURES / "latin1_semicolon.csv", "contact"))
    assert [(row.values.first_name, row.values.last_name, row.values.city) for row in rows] == [
        ("Renée", "Dupré", "Paris"), ("Søren", "Ærø", "Århus")]
    assert rows[0].values.company == "Café Crème SARL"
    assert rows[0].values.notes == "Prix: 12,50 ; livraison à domicile"


def test_a_utf8_file_with_a_bom_and_tabs_keeps_its_first_column_name_clean():
    assert read_header(FIXTURES / "utf8_bom_tab.csv") == ["Name", "Email", "Mobile", "Tags", "Birthday"]
    rows = list(read_csv(FIXTURES / "utf8_bom_tab.csv", "contact"))
    assert [row.values.display_name for row in rows] == ["Łukasz Żółć", "小林 花子"]
    assert rows[0].values.tags == ["partner", "2024"] and rows[0].values.birthday == "1990-01-31"


@pytest.mark.parametrize(("encoding", "bom", "expected"), [
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
    ("utf-16-le", b"", "utf-16-le"),
    ("utf-16-be", b"", "utf-16-be"),
    ("utf-8", codecs.BOM_UTF8, "utf-8"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32-le"),
])
def test_unicode_files_with_and_without_a_byte_order_mark(encoding, bom, expected):
    data = bom + csv_bytes([["First name", "Last name"], ["Zoë", "Ærø"]], encoding=encoding)
    assert sniff(io.BytesIO(data)) == CsvFormat(expected, ",", bool(bom))
    [row] = read(data)
    assert (row.values.first_name, row.values.last_name) == ("Zoë", "Ærø")


def test_windows_1252_characters_beyond_latin1_read_right():
    [row] = read(csv_bytes([["Name", "Notes"], ["Anna", "costs 5 € – “quoted”"]], encoding="cp1252"))
    assert row.values.notes == "costs 5 € – “quoted”"


def test_a_stray_latin1_byte_after_the_sniffed_start_of_a_utf8_file_is_kept_and_said():
    data = csv_bytes([["Name", "Notes"]] + [["Anna", "ok"]] * 20_000) + "Ren\xe9e,caf\xe9\r\n".encode("latin-1")
    rows = read(data)
    assert len(rows) == 20_001 and all(row.problem is None for row in rows)
    assert rows[-1].values.display_name == "Renée" and rows[-1].values.notes == "café"
    assert rows[-1].kept_aside == ["bytes that are not utf-8 → read as Windows-1252"]
    assert rows[-1].raw == {"Name": "Renée", "Notes": "café"}


def test_broken_utf16_becomes_a_problem_row_not_an_exception():
    data = codecs.BOM_UTF16_LE + "Name,Notes\r\nAnna,x\r\n".encode("utf-16-le") + b"B\x00,\x00\x00\xdc\r\x00\n\x00"
    rows = read(data)
    assert rows[0].values.display_name == "Anna"
    assert rows[1].problem == "line 3: holds bytes that are not utf-16-le"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_found_from_the_header(delimiter):
    data = csv_bytes([["First name", "Last name", "Phone"], ["Ann", "Lee", "+1 555 0100"]], delimiter)
    assert sniff(io.BytesIO(data)).delimiter == delimiter
    assert read(data)[0].values.phones == ["+1 555 0100"]


def test_excels_sep_line_sets_the_delimiter_and_is_not_the_header():
    data = b"sep=;\r\nFirst name;Last name\r\nAnn;Lee\r\n"
    assert sniff(io.BytesIO(data)) == CsvFormat("utf-8", ";", False, sep_line=True)
    assert read_header(io.BytesIO(data)) == ["First name", "Last name"]
    [row] = read(data)
    assert (row.number, row.values.first_name, row.values.last_name) == (3, "Ann", "Lee")


def test_a_sep_line_naming_no_delimiter_is_an_ordinary_first_line():
    assert sniff(io.BytesIO(b'sep="\nA,B\n')) == CsvFormat("utf-8", ",", False)


def test_sniff_reads_only_the_start_and_puts_a_stream_back():
    stream = io.BytesIO(b"Name;Email\r\n" + b"x;y\r\n" * 100_000)
    stream.seek(0)
    assert sniff(stream).delimiter == ";"
    assert stream.tell() == 0


def test_a_pipe_that_cannot_seek_is_read_whole():
    data = csv_bytes([["Name", "Email"]] + [[f"P{i}", f"p{i}@example.com"] for i in range(30_000)])
    rows = list(read_csv(io.BufferedReader(Pipe(data)), "contact"))
    assert len(rows) == 30_000 and rows[-1].values.emails == ["p29999@example.com"]


# Mapping -------------------------------------------------------------------------------------------------------


def test_google_header_maps_every_column_without_asking():
    mapping = auto_mapping(read_header(FIXTURES / "google_contacts.csv"), "contact")
    assert mapping.source == "google" and mapping.unmatched == ()
    columns = mapping.columns
    assert (columns["First Name"], columns["Last Name"], columns["Organization Name"], columns["Labels"]) == (
        "first_name", "last_name", "company", "tags")
    assert columns["E-mail 1 - Value"] == columns["E-mail 2 - Value"] == "emails"
    assert columns["Phone 2 - Value"] == "phones" and columns["Address 1 - Postal Code"] == "postal_code"
    assert columns["E-mail 1 - Label"] is None and columns["Address 1 - Formatted"] is None
    assert columns["Middle Name"] == "custom:Middle name"


def test_outlook_header_maps_every_column_without_asking():
    mapping = auto_mapping(read_header(FIXTURES / "outlook_contacts.csv"), "contact")
    assert mapping.source == "outlook" and mapping.unmatched == ()
    columns = mapping.columns
    assert (columns["Job Title"], columns["Company"], columns["Categories"], columns["E-mail 2 Address"]) == (
        "title", "company", "tags", "emails")
    assert columns["Title"] == "custom:Name prefix"  # Outlook's Title is Mr. or Dr., not a job title
    assert columns["Mobile Phone"] == columns["Business Phone"] == "phones"
    assert columns["Priority"] is None and columns["E-mail Display Name"] is None
    assert columns["Home Street"] == "custom:Home Street"


def test_our_own_header_is_recognised_for_each_entity():
    for entity in ENTITIES:
        mapping = auto_mapping(list(EXPORT_COLUMNS[entity]), entity)
        assert mapping.source == "crm-tui" and mapping.unmatched == ()
        assert {target for target in mapping.columns.values() if target} == set(FIELDS_BY_ENTITY[entity])
        assert mapping.columns["id"] is None and mapping.columns["created_at"] is None


def test_any_other_header_maps_by_column_name_and_leaves_the_rest_to_the_person():
    header = ["First Name", "SURNAME", "e-mail", "Work Email", "Mobile", "Tel 2", "Zip", "Organisation", "Skype",
              "custom: Shoe size", "Fax"]
    mapping = auto_mapping(header, "contact")
    assert mapping.source is None
    assert mapping.columns == {
        "First Name": "first_name", "SURNAME": "last_name", "e-mail": "emails", "Work Email": "emails",
        "Mobile": "phones", "Tel 2": "phones", "Zip": "postal_code", "Organisation": "company", "Skype": None,
        "custom: Shoe size": "custom:Shoe size", "Fax": None}
    assert mapping.unmatched == ("Skype", "Fax")


def test_columns_placed_by_hand_and_the_errors_for_wrong_ones():
    mapping = auto_mapping(["Name", "Skype", "Fax"], "contact")
    placed = mapping.with_columns("contact", {"Skype": "custom:Skype", "Fax": "ignore"})
    assert placed.columns == {"Name": "display_name", "Skype": "custom:Skype", "Fax": None}
    assert placed.unmatched == () and placed.targets() == {"display_name", "custom"}
    assert check_field("contact", "Postal code") == "postal_code" and check_field("deal", "stage") == "stage"
    with pytest.raises(CrmError, match="no column 'Phone'"):
        mapping.with_columns("contact", {"Phone": "phones"})
    with pytest.raises(CrmError, match="'shoe' is not a company field"):
        check_field("company", "shoe")
    with pytest.raises(CrmError, match="not a deal field"):
        check_field("deal", "custom:x")


def test_read_file_applies_overrides_and_refuses_wrong_ones_before_reading(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([["Name", "Skype", "Fax"], ["Ann", "ann.l", "+1 555 0199"]], ";"))
    fmt, mapping = plan(path, "contact", {"Skype": "custom:Skype"})
    assert fmt.delimiter == ";" and mapping.unmatched == ("Fax",)
    [row] = read_file(path, "contact", {"Skype": "custom:Skype", "Fax": "phones"})
    assert row.values.custom == {"Skype": "ann.l"} and row.values.phones == ["+1 555 0199"]
    with pytest.raises(CrmError, match="the file has no column 'Telefax'; its columns are Name, Skype, Fax"):
        read_file(path, "contact", {"Telefax": "phones"})
    with pytest.raises(CrmError, match="'fax' is not a contact field"):
        read_file(path, "contact", {"Fax": "fax"})


def test_repeated_and_blank_header_names_become_distinct_columns():
    rows = read(b"Phone,Phone,,Name\r\n+1 555 0100,+1 555 0199,x,Ann\r\n")
    assert rows[0].raw == {"Phone": "+1 555 0100", "Phone (2)": "+1 555 0199", "column 3": "x", "Name": "Ann"}
    assert rows[0].values.phones == ["+1 555 0100", "+1 555 0199"]


def test_the_fields_offered_are_the_ones_the_services_take():
    assert set(FIELDS_BY_ENTITY["company"]) == set(companies.FIELDS)
    assert set(FIELDS_BY_ENTITY["deal"]) == {*deals.FIELDS, *deals.CLOSING_FIELDS}
    assert set(FIELDS_BY_ENTITY["activity"]) == set(activities.FIELDS)
    assert set(FIELDS_BY_ENTITY["contact"]) == set(DRAFT_FIELDS)


# Contacts ------------------------------------------------------------------------------------------------------


def test_google_contacts_give_the_right_drafts():
    rows = list(read_csv(FIXTURES / "google_contacts.csv", "contact"))
    assert [row.number for row in rows] == [2, 6, 7, 8]  # the first contact's notes and address span lines
    juergen, anna, nameless, bad_email = rows
    draft = juergen.values
    assert (draft.first_name, draft.last_name, draft.company, draft.title) == (
        "Jürgen", "Müller", "Bäckerei Müller GmbH", "Inhaber")
    assert draft.emails == ["juergen@baeckerei-mueller.de", "info@baeckerei-mueller.de", "jm@example.de"]
    assert draft.phones == ["+49 151 2345 6789", "+49 30 1234567"]
    assert draft.tags == ["Suppliers"]  # "* myContacts" and "* starred" are Google's own
    assert (draft.street, draft.postal_code, draft.city, draft.country) == (
        "Hauptstraße 5", "10115", "Berlin", "Germany")
    assert draft.birthday == "1975-03-15" and draft.notes == "Met at the fair.\nLikes rye bread."
    assert draft.custom == {"Middle name": "K.", "Nickname": "Jü", "Department": "Verkauf",
                            "Website (Homepage)": "https://baeckerei-mueller.de", "Customer number": "K-1042"}
    assert "Custom Field 1 - Value → custom (Customer number)" in juergen.kept_aside
    assert anna.values.birthday == "--04-12" and anna.values.tags == ["Friends", "Book club"]
    assert nameless.problem is None  # Google's address books are full of people known by their email alone
    assert nameless.values.emails == ["noname@example.com"] and not nameless.values.first_name
    assert bad_email.problem.startswith("line 8: emails: 'bob@@example' is not an email address")


def test_outlook_contacts_give_the_right_drafts():
    carlos, zoe, pat = read_csv(FIXTURES / "outlook_contacts.csv", "contact")
    draft = carlos.values
    assert (draft.first_name, draft.last_name, draft.title, draft.company) == (
        "Carlos", "García", "Sales Director", "Acme Ibérica S.L.")
    assert draft.emails == ["carlos.garcia@acme.es", "carlos@example.com"]
    assert draft.phones == ["+34 91 123 4567", "+34 600 123 456"]
    assert draft.tags == ["Customers", "VIP"] and draft.birthday == "1980-04-12"
    assert (draft.street, draft.city, draft.postal_code, draft.country) == (
        "Calle Mayor 10, Planta 3", "Madrid", "28013", "Spain")
    assert draft.custom == {"Name prefix": "Mr.", "Department": "Sales", "Home Street": "Calle Luna 2",
                            "Home City": "Madrid", "Home Postal Code": "28004", "Business Fax": "+34 91 123 4568",
                            "Gender": "Male", "Spouse": "Lucía", "Website": "www.acme.es"}
    # No business address: the home one is the contact's; "0/0/00" and "Unspecified" are Outlook's blanks.
    assert (zoe.values.street, zoe.values.city, zoe.values.postal_code, zoe.values.country) == (
        "12 Elm Road", "Leeds", "LS1 4AB", "United Kingdom")
    assert zoe.values.birthday == "" and zoe.values.custom == {} and zoe.kept_aside == []
    assert pat.problem.startswith("line 4: phones: 'call reception first' is not a phone number")


def test_a_second_value_for_one_field_goes_to_the_notes():
    rows = read(csv_bytes([["Name", "Company", "Organisation", "Notes", "Comments"],
                           ["Ann", "Acme", "Acme Ltd", "a", "b"]]))
    assert rows[0].values.company == "Acme"
    assert rows[0].values.notes == "a\nb\nOrganisation: Acme Ltd"
    assert rows[0].kept_aside == ["Organisation → notes"]


def test_contact_rows_that_cannot_be_read_say_why_and_keep_their_cells():
    data = csv_bytes([["Name", "Email", "custom"], ["Ann", "ann@example.com", "{}"], ["Bo", "bo@example.com"],
                      ["Cy", "", "", "", ""], ["Di", "", "", "surplus"], ["Ed", "", "[1, 2]"]])
    rows = read(data, mapping=auto_mapping(["Name", "Email", "custom"], "contact"))
    assert [row.problem for row in rows] == [
        None,
        "line 3: 2 cells, but the header has 3 columns",
        None,  # empty cells past the header's end are a trailing delimiter, not data
        "line 5: 4 cells, but the header has 3 columns",
        'line 6: custom: is not a JSON object such as {"Skype": "anna.lee"}',
    ]
    assert rows[1].raw == {"Name": "Bo", "Email": "bo@example.com", "custom": ""}
    assert rows[3].raw == {"Name": "Di", "Email": "", "custom": "", "column 4": "surplus"}


def test_row_numbers_are_physical_lines_past_blank_lines_and_multi_line_cells():
    data = b'Name,Notes\r\n\r\nAnn,"one\r\ntwo"\r\n,\r\nBo,x\r\n'
    rows = read(data)
    assert [(row.number, row.values.display_name) for row in rows] == [(3, "Ann"), (6, "Bo")]
    assert rows[0].values.notes == "one\ntwo" and rows[0].raw["Notes"] == "one\r\ntwo"


def test_an_unclosed_quote_becomes_problems_not_an_exception():
    data = b'Name,Notes\r\nAnn,"never closed\r\n' + b"x" * 200_000 + b"\r\nBo,fine\r\n"
    rows = read(data)
    assert rows[0].problem.startswith("line 2: cannot be read as CSV (field larger than field limit")
    assert all(row.problem or row.values for row in rows)


def test_an_empty_file_and_a_header_only_file_have_no_rows():
    assert read(b"") == [] and read(b"Name,Email\r\n") == [] and read_header(io.BytesIO(b"")) == []


# Companies, deals and activities -------------------------------------------------------------------------------


def test_company_rows_give_the_fields_companies_create_takes():
    data = csv_bytes([["Company", "Website", "Telephone", "Address", "Description"],
                      ["Acme", "https://acme.example", "+1 555 0100", "1 Main St", "Big"]])
    [row] = read(data, "company")
    assert row.values == {"name": "Acme", "domain": "https://acme.example", "phone": "+1 555 0100",
                          "address": "1 Main St", "notes": "Big"}


def test_deal_rows_name_their_stage_contact_and_company():
    data = csv_bytes([["Deal name", "Amount", "Currency", "Pipeline", "Stage", "Contact", "Account", "Close date"],
                      ["Licences", "12.500,50", "EUR", "Sales", "Proposal", "Ann Lee", "Acme", "2026-03-01"]])
    [row] = read(data, "deal")
    assert row.values == {"title": "Licences", "value": "12.500,50", "currency": "EUR", "pipeline": "Sales",
                          "stage": "Proposal", "contact": "Ann Lee", "company": "Acme",
                          "expected_close": "2026-03-01"}


def test_activity_rows_leave_out_an_empty_kind_so_the_default_applies():
    data = csv_bytes([["Type", "Subject", "Description", "Date", "contact_id"],
                      ["", "Called", "went well", "2026-01-02T10:00:00Z", "12"]])
    [row] = read(data, "activity")
    assert row.values == {"subject": "Called", "body": "went well", "occurred_at": "2026-01-02T10:00:00Z",
                          "contact_id": "12"}


# Fuzzing -------------------------------------------------------------------------------------------------------


def assert_well_formed(rows) -> None:
    for row in rows:
        assert (row.values is None) == (row.problem is not None)
        assert row.problem is None or row.problem.startswith(f"line {row.number}")
        assert all(isinstance(key, str) and isinstance(value, str) for key, value in row.raw.items())
        for text in (*row.raw, *row.raw.values(), row.problem or ""):
            text.encode("utf-8")  # the rejects file can be written


@given(st.binary(max_size=600), st.sampled_from(ENTITIES))
def test_arbitrary_bytes_never_raise(data, entity):
    sniff(io.BytesIO(data))
    assert_well_formed(read(data, entity))


CELL = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


KNOWN_HEADERS = st.lists(st.sampled_from(["Name", "E-mail", "Phone", "Tags", "Birthday", "custom", "Notes", "Labels",
                                          "E-mail 1 - Value", "Categories", "x"]), min_size=1, max_size=6)


@given(KNOWN_HEADERS.flatmap(lambda header: st.lists(st.lists(CELL, min_size=len(header), max_size=len(header) + 1),
                                                     max_size=4).map(lambda rows: [header, *rows])),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_arbitrary_cells_under_known_headers_never_raise(table, delimiter, encoding):
    assert_well_formed(read(csv_bytes(table, delimiter, encoding)))


NAME = st.text("abcdefghij XYZ", min_size=1, max_size=8).map(str.strip).filter(bool)


@given(st.lists(NAME, min_size=2, max_size=5, unique=True).flatmap(
    lambda header: st.tuples(st.just(header), st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)),
                                                       max_size=5))),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "utf-16", "utf-8-sig", "utf-16-be"]))
def test_what_a_csv_writer_wrote_is_what_is_read(table, delimiter, encoding):
    header, rows = table
    data = csv_bytes([header, *rows], delimiter, encoding)
    read_rows = read(data, "company", mapping=auto_mapping(header, "company"))
    wanted = [dict(zip(header, cells, strict=False)) for cells in rows if any(cell.strip() for cell in cells)]
    assert [row.raw for row in read_rows] == wanted
