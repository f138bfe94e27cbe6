"""vCard in and out: the shared corpus, the formats real products write, broken files, and round trips."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import assume, given, strategies as st

from crm_tui.core import contacts
from crm_tui.core.contacts.data import ContactData, ContactDraft, shown_name
from crm_tui.core.errors import ValidationError
from crm_tui.core.interop.vcard.read import read_vcards
from crm_tui.core.interop.vcard.write import write_vcards

CORPUS = Path("/work/shared/corpus")
FIXTURES = Path(__file__).parent.parent / "fixtures" / "vcard"
EDS = CORPUS / "syncevolution-eds_contact.vcf"
V21 = CORPUS / "syncevolution-vcard21.vcf"


def read(path: Path) -> list:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(read_vcards(stream))


def card(*lines: str, version: str = "3.0"):
    """The one row read from a card made of these lines."""
    [row] = read_vcards("\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD", ""]))
    return row


def by_nickname(rows) -> dict:
    return {row.values.custom["nickname"]: row for row in rows}


def assert_valid(rows) -> None:
    for row in rows:
        assert (row.values is None) != (row.problem is None), row
        if row.values is not None:
            assert contacts.validate(row.values) == row.values


# The shared corpus ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "expected"), [(EDS, 17), (V21, 16)])
def test_every_corpus_card_imports(path, expected):
    rows = read(path)
    assert [row.number for row in rows] == list(range(1, expected + 1))
    assert [row.problem for row in rows] == [None] * expected
    assert_valid(rows)
    assert all(shown_name(r.values.first_name, r.values.last_name, r.values.display_name) for r in rows)


@pytest.mark.parametrize("path", [EDS, V21])
def test_corpus_names_keep_their_umlauts(path):
    umlaut = by_nickname(read(path))["user2"].values
    assert (umlaut.first_name, umlaut.last_name, umlaut.display_name) == ("Ä", "Ü", "Umlaut Ä Ö Ü ß")
    assert umlaut.tags == ["Business"]
    assert (umlaut.street, umlaut.city, umlaut.region, umlaut.postal_code, umlaut.country) == (
        "Umlaut Ä in Line 1, Line 2, test 5", "test 1", "test 3", "test 2", "test 4")


@pytest.mark.parametrize("path", [EDS, V21])
def test_corpus_multi_email_card_keeps_every_email(path):
    row = by_nickname(read(path))["user1"]
    john = row.values
    assert (john.first_name, john.last_name, john.display_name) == ("John", "Doe", "")
    assert john.emails == ["john.doe@work.com", "john.doe@home.priv", "john.doe@other.world",
                           "john.doe@yet.another.world"]
    assert (john.company, john.title, john.birthday, john.tags) == ("Test Inc.", "Senior Tester", "2006-01-08",
                                                                   ["TEST"])
    assert john.street == "Test Drive 2, Test Box #2" and john.city == "Test Town"
    # The phones are words ("business 1"), which no phone field takes: they are kept under their type.
    assert john.phones == []
    assert john.custom["tel (work)"] == "business 1" and john.custom["tel (pager)"] == "pager 6"
    assert john.custom["adr (home)"] == "Test Drive 1, Test Box #1, Test Village, Lower Test County, 12345, Testovia"
    assert john.custom["url"] == "http://john.doe.com"
    assert john.custom["department"] == "Testing, test#1"
    assert john.custom["x-evolution-anniversary"] == "2006-01-09"
    assert "TEL 'business 1' is not a phone number → custom 'tel (work)'" in row.kept_aside


def test_corpus_3_0_extensions_are_kept_not_dropped():
    row = by_nickname(read(EDS))["user1"]
    assert row.values.custom["x-skype"] == "SKYPE DOE"
    assert row.values.custom["x-foobar-extension"].endswith("testExtensions test; never sent to a peer")
    assert "x-test:\nContent with\nMultiple\nText lines\nand national chars: äöü" in row.values.notes
    assert "X-SKYPE → custom 'x-skype'" in row.kept_aside and "X-TEST → notes" in row.kept_aside


def test_corpus_quoted_printable_is_decoded_and_matches_the_3_0_card():
    old, new = by_nickname(read(V21)), by_nickname(read(EDS))
    breaks = old["user7"].values
    assert breaks.notes == ("This test case uses line breaks. This is line 1.\nLine 2.\n\n"
                            "Line breaks in vcard 2.1 are encoded as =0D=0A.\nThat means the = has to be encoded "
                            "itself...")
    assert breaks.street == "Address Line 1, Address Line 2, Address Line 3"
    assert old["user2"].values.notes.startswith("This user tests some of the advanced aspects of vcards:\n- non-ASCII")
    for nickname, row in old.items():
        twin = new[nickname].values
        names = ("first_name", "last_name", "display_name")
        assert [getattr(row.values, n) for n in names] == [getattr(twin, n) for n in names], nickname
        assert row.values.notes == twin.notes.split("\n\nx-test:")[0], nickname  # X-TEST is in 3.0 only


@pytest.mark.parametrize("path", [EDS, V21])
def test_corpus_escapes_folding_and_photos(path):
    rows = by_nickname(read(path))
    special = rows["user6"].values
    assert (special.first_name, special.last_name) == ("First ; special ;", "Last")
    assert special.display_name == "Mr. First ; special ; middle Last"
    # vCard 2.1 never escapes commas; the whole note survives (vobject's own decoding stops at the comma)
    assert rows["user8"].values.notes == "Here are some special characters: comma , colon : semicolon ;"
    assert rows["user11"].values.notes.endswith("vCard 2.1 inserts before a space, 3.0 inserts line break plus space.")
    assert len(rows["user10"].values.notes) == 7270
    assert rows["user16"].values.emails == [] and rows["user16"].values.last_name == "incomplete"
    for nickname in ("user3", "user4", "user5"):
        assert "PHOTO skipped" in rows[nickname].kept_aside
    assert rows["user5"].values.display_name == "Ms. JPG" and rows["user5"].values.first_name == "JPG"


# Formats real products write -----------------------------------------------------------------------------------


def test_apple_item_groups_keep_every_email_and_url_with_labels():
    ada, grace, babbage, company = read(FIXTURES / "apple-3.0.vcf")
    assert ada.values.emails == ["ada@example.com", "ada@engines.example", "ada.lovelace@mail.example"]
    assert ada.values.phones == ["+44 20 7946 0018", "(020) 7946 0019"]
    assert {key: ada.values.custom[key] for key in ("url (homepage)", "url (GitHub)", "url (blog)")} == {
        "url (homepage)": "https://ada.example.com", "url (GitHub)": "https://github.com/ada",
        "url (blog)": "https://blog.ada.example"}
    assert ada.values.custom["x-abdate (anniversary)"] == "1835-07-08"
    assert ada.values.custom["impp (home)"] == "skype:ada.lovelace"
    assert ada.values.birthday == "--12-10"  # Apple writes a year-less birthday as 1604-12-10
    assert ada.values.notes == "Wrote the first program, for the Analytical Engine.\nMet Babbage in 1833."
    assert ada.values.tags == ["math", "history"]
    assert (ada.values.street, ada.values.city, ada.values.postal_code) == ("12 St James's Square", "London",
                                                                           "SW1Y 4JH")
    assert "PHOTO skipped" in ada.kept_aside
    # only N: the parts a person would see become the display name
    assert (grace.values.first_name, grace.values.last_name) == ("Grace", "Hopper")
    assert grace.values.display_name == "Rear Admiral Grace Brewster Murray Hopper"
    # only FN, and an empty EMAIL line that is skipped
    assert (babbage.values.display_name, babbage.values.emails) == ("Babbage", ["charles@engines.example"])
    assert (company.values.display_name, company.values.company) == ("Analytical Engines Ltd",
                                                                    "Analytical Engines Ltd")


def test_vcard_4_0_from_rfc_6350():
    simon, jane = read(FIXTURES / "rfc6350-4.0.vcf")
    assert simon.values.birthday == "--02-03"
    assert simon.values.phones == ["+1-418-656-9254 ext 102", "+1-418-262-6501"]
    assert simon.values.company == "Viagenie"
    assert (simon.values.street, simon.values.city, simon.values.region, simon.values.country) == (
        "2875 Laurier, Suite D2-630", "Quebec", "QC", "Canada")
    assert simon.values.custom["anniversary"] == "20090808T1430-0500"
    assert simon.values.custom["geo (work)"] == "geo:46.772673,-71.282945"
    assert simon.values.custom["name suffix"] == "ing. jr,M.Sc."
    assert (simon.values.custom["lang"], simon.values.custom["lang 2"]) == ("fr", "en")
    assert jane.values.emails == ["jane@work.example", "jane@home.example"]  # PREF=1 first
    assert jane.values.birthday == "1985-04-12"
    assert jane.values.notes == "Met at the conference; follow up in May."
    assert "PHOTO skipped" in jane.kept_aside


def test_vcard_2_1_quoted_printable_soft_breaks_and_charsets():
    juergen, rene = read(FIXTURES / "quoted-printable-2.1.vcf")
    assert (juergen.values.first_name, juergen.values.last_name) == ("Jürgen", "Müller")
    assert juergen.values.notes == ("Erste Zeile\nZweite Zeile mit ä und einem langen Text, der weich umbrochen ist "
                                    "und weiter geht.")
    assert juergen.values.phones == ["+49 171 1234567", "030 123456"]
    assert juergen.values.tags == ["Familie", "Freunde"]
    assert juergen.values.birthday == "1970-01-01"
    assert juergen.values.custom == {"x-anniversary": "1995-06-17"}
    assert (rene.values.first_name, rene.values.last_name) == ("René", "François")
    assert rene.values.street == "12 rue de la Paix, Bâtiment B"
    assert rene.values.notes == "Dupont, Durand, and others"


def test_a_broken_card_is_a_problem_and_the_rest_still_import():
    rows = read(FIXTURES / "broken.vcf")
    assert [row.number for row in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert_valid(rows)
    first, unclosed, second, nameless, stray, third, cut_off = rows
    assert first.values.display_name == "First Good"
    assert unclosed.problem == "card 2 (line 6): the card has no END:VCARD before the next card starts on line 10"
    assert "never@example.com" in unclosed.raw["vcard"] and "Second" not in unclosed.raw["vcard"]
    assert (second.values.first_name, second.values.last_name) == ("Good", "Second")
    assert second.values.custom == {"line 13": "this line has no colon at all"}
    assert nameless.problem is None  # an email is enough to know someone by
    assert (nameless.values.emails, nameless.values.notes) == (["nameless@example.com"], "no FN and no N here")
    assert stray.problem == "line 20: text outside BEGIN:VCARD … END:VCARD"
    assert stray.raw == {"vcard": "stray text between cards"}
    assert third.values.custom == {"email": "not-an-address", "tel": "call me maybe"}
    assert third.values.notes == "birthday: sometime in spring"
    assert "card has no END:VCARD (the file ends first)" in cut_off.problem


# Field by field ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "params", "expected"), [
    ("--0315", "", "--03-15"),
    ("--03-15", "", "--03-15"),
    ("1985-04-12", "", "1985-04-12"),
    ("19850412", "", "1985-04-12"),
    ("1985-04-12T00:00:00Z", "", "1985-04-12"),
    ("1604-03-15", ";X-APPLE-OMIT-YEAR=1604", "--03-15"),
])
def test_birthdays(value, params, expected):
    row = card("FN:Ann", f"BDAY{params}:{value}", version="4.0")
    assert row.values.birthday == expected


@pytest.mark.parametrize("value", ["sometime", "2023-02-30", "--13-01", "1985", "12/04/1985"])
def test_a_birthday_that_is_no_day_goes_to_the_notes(value):
    row = card("FN:Ann", f"BDAY:{value}")
    assert row.problem is None and row.values.birthday == ""
    assert row.values.notes == f"birthday: {value}"
    assert f"BDAY {value!r} is not a date → notes" in row.kept_aside


def test_a_card_with_neither_name_nor_email_is_rejected_with_its_text_and_one_with_an_email_imports():
    row = card("TEL:+31 20 555 0101", "ORG:Acme")
    assert row.values is None and "a card needs a name or an email" in row.problem
    assert "TEL:+31 20 555 0101" in row.raw["vcard"]
    known_by_email = card("EMAIL:ann@example.com", "ORG:Acme")
    assert known_by_email.problem is None
    assert (known_by_email.values.emails, known_by_email.values.company) == (["ann@example.com"], "Acme")


def test_nickname_is_custom_and_names_a_card_that_has_nothing_else():
    named = card("FN:Ann Lee", "NICKNAME:annie")
    assert named.values.display_name == "Ann Lee" and named.values.custom == {"nickname": "annie"}
    nick_only = card("NICKNAME:annie,al")
    assert nick_only.values.display_name == "annie, al"
    assert "NICKNAME used as the name (the card has no FN or N)" in nick_only.kept_aside


def test_values_the_validator_refuses_are_moved_aside_not_fatal():
    row = card("FN:" + "A" * 250, "TITLE:" + "T" * 250, "EMAIL:ann@localhost", "EMAIL:ann@example.com",
               "CATEGORIES:ok," + "x" * 70, "NOTE:" + "n" * 10_050)
    ann = row.values
    assert row.problem is None and contacts.validate(ann) == ann
    assert ann.display_name == "A" * 200 and ann.custom["display name (full)"] == "A" * 250
    assert ann.title == "" and ann.custom["title"] == "T" * 250
    assert ann.emails == ["ann@example.com"] and ann.custom["email"] == "ann@localhost"
    assert ann.tags == ["ok"] and ann.custom["categories"] == "x" * 70
    assert len(ann.notes) == 10_000 and ann.custom["notes (continued)"] == "n" * 50


def test_a_blank_line_ends_a_quoted_printable_value_left_open():
    row = card("FN:Ann", "NOTE;ENCODING=QUOTED-PRINTABLE:caf=C3=A9=", "", "TEL:+49 30 1234", version="2.1")
    assert (row.values.notes, row.values.phones) == ("café", ["+49 30 1234"])


def test_control_characters_and_cr_never_reach_a_field():
    row = card("FN:Ann\x01 Lee", "NOTE;ENCODING=QUOTED-PRINTABLE:a=0D=0Ab=0Dc=07d", version="2.1")
    assert (row.values.display_name, row.values.notes) == ("Ann Lee", "a\nb\ncd")


def test_escapes_in_3_0_and_a_comma_left_unescaped():
    row = card("N:O\\;Neil;Ann\\, Jr;;;", "FN:Ann O;Neil", "NOTE:one\\ntwo\\Nthree, four\\\\five\\x")
    assert (row.values.first_name, row.values.last_name) == ("Ann, Jr", "O;Neil")
    assert row.values.notes == "one\ntwo\nthree, four\\five\\x"


def test_a_note_with_a_raw_line_break_keeps_its_second_line():
    row = card("FN:Ann", "NOTE:first line", "second line without a fold", "EMAIL:ann@example.com")
    assert row.values.notes == "first line\nsecond line without a fold"
    assert row.values.emails == ["ann@example.com"]


def test_vcard_2_1_agent_card_is_kept_in_the_notes():
    row = card("FN:Boss", "AGENT:", "BEGIN:VCARD", "VERSION:2.1", "FN:Assistant", "END:VCARD",
               "EMAIL:boss@example.com", version="2.1")
    assert row.problem is None and row.values.display_name == "Boss"
    assert row.values.emails == ["boss@example.com"]
    assert "FN:Assistant" in row.values.notes


def test_a_line_vobject_would_backtrack_on_for_hours_is_kept_at_once():
    garbage = "X-JUNK" + ";a=b" * 40 + ";c=\"unclosed"
    row = card("FN:Ann", garbage, "EMAIL:ann@example.com")
    assert row.values.emails == ["ann@example.com"]
    assert row.values.custom == {"line 4": garbage}


def test_a_photo_folded_over_thousands_of_lines_is_skipped():
    photo = "\r\n ".join(["QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="] * 20_000)
    row = card("FN:Ann", f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}", "NOTE:after the photo")
    assert row.values.notes == "after the photo" and row.kept_aside == ["PHOTO skipped"]


def test_a_stream_that_fails_to_decode_ends_with_a_problem_row():
    data = b"BEGIN:VCARD\r\nFN:Ann\r\nEND:VCARD\r\n" * 1000 + b"BEGIN:VCARD\r\nFN:Ren\xe9\r\nEND:VCARD\r\n"
    rows = list(read_vcards(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")))
    assert rows[0].values.display_name == "Ann" and len(rows) > 100
    assert rows[-1].values is None and "the file cannot be read on" in rows[-1].problem
    assert all(row.values is not None for row in rows[:-1])


def test_a_string_and_a_stream_read_the_same():
    text = EDS.read_text("utf-8")
    assert list(read_vcards(text)) == list(read_vcards(io.StringIO(text)))


# Writing and round trips ---------------------------------------------------------------------------------------


def contact_data(contact_id: int, draft: ContactDraft) -> ContactData:
    draft = contacts.validate(draft)
    fields = {name: getattr(draft, name) for name in draft.__dataclass_fields__}
    fields["company"] = fields["company"] or None
    return ContactData(id=contact_id, name=shown_name(draft.first_name, draft.last_name, draft.display_name),
                       company_id=None, created_at="", updated_at="", deleted_at=None, version=1, **fields)


ANN = ContactDraft(
    first_name="Zoë", last_name="O'Brien; Jr", title="CTO, Ops", company="Acme; Inc",
    emails=["zoe@example.com", "z@x.org"], phones=["+49 30 1234 ext 5", "030 98765"], tags=["vip", "partner"],
    street="Hauptstr. 1", city="Berlin", postal_code="10115", country="DE", birthday="--03-15",
    notes="Line one\nLine two, with comma; semi \\ backslash\t" + "ü" * 80, custom={"Skype id": "zoe.o"},
    keep_in_touch_days=30,
)


@pytest.mark.parametrize("version", ["4.0", "3.0"])
def test_written_cards_use_crlf_fold_at_75_octets_and_name_their_uid(version):
    out = io.StringIO(newline="")
    assert write_vcards([contact_data(7, ANN)], out, version) == 1
    text = out.getvalue()
    assert text.startswith(f"BEGIN:VCARD\r\nVERSION:{version}\r\nUID:crm-tui-contact-7\r\n")
    assert text.endswith("END:VCARD\r\n") and "\n" not in text.replace("\r\n", "")
    assert max(len(line.encode("utf-8")) for line in text.split("\r\n")) <= 75
    assert any(line.startswith(" ") for line in text.split("\r\n"))
    assert ("BDAY:--0315" if version == "4.0" else "BDAY:--03-15") in text
    assert "FN:Zoë O'Brien\\; Jr\r\nN:O'Brien\\; Jr;Zoë;;;\r\nORG:Acme\\; Inc\r\nTITLE:CTO\\, Ops" in text
    assert "item1.X-CRM-CUSTOM:zoe.o\r\nitem1.X-ABLabel:Skype id" in text


def test_writing_an_unknown_version_is_refused():
    with pytest.raises(ValueError, match="2.1"):
        write_vcards([], io.StringIO(), "2.1")


@pytest.mark.parametrize("version", ["4.0", "3.0"])
def test_round_trip_through_the_database(db, make_contact, version):
    made = [
        make_contact(**{name: getattr(ANN, name) for name in ANN.__dataclass_fields__}),
        make_contact(first_name="", display_name="Acme Front Desk", birthday="1985-04-12", emails=["desk@acme.io"]),
        make_contact(first_name="Ann", last_name="Lee", display_name="Dr. Ann Lee", notes="", tags=[]),
    ]
    out = io.StringIO(newline="")
    assert write_vcards(contacts.iterate(sort="name"), out, version) == 3
    rows = list(read_vcards(out.getvalue()))
    assert [row.problem for row in rows] == [None] * 3 and all(row.kept_aside == [] for row in rows)
    expected = sorted((contact.to_draft() for contact in made), key=lambda d: d.display_name or d.first_name)
    read_back = sorted((row.values for row in rows), key=lambda d: d.display_name or d.first_name)
    assert read_back == [contacts.validate(draft) for draft in expected]


single_line = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
any_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=300)
drafts = st.builds(
    ContactDraft,
    first_name=single_line, last_name=single_line, display_name=single_line, title=single_line,
    company=single_line, city=single_line, street=single_line, country=single_line,
    emails=st.lists(st.from_regex(r"[a-z0-9._%+-]{1,12}@[a-z0-9-]{1,10}\.(com|org|de)", fullmatch=True), max_size=3),
    phones=st.lists(st.from_regex(r"\+?[0-9]{3,12}( ext [0-9]{1,4})?", fullmatch=True), max_size=3),
    tags=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=","), max_size=20),
                  max_size=3),
    birthday=st.one_of(st.just(""), st.dates().map(lambda d: d.isoformat() if d.year >= 1000 else ""),
                       st.dates().map(lambda d: d.strftime("--%m-%d"))),
    notes=any_text,
    custom=st.dictionaries(single_line, single_line, max_size=3),
    keep_in_touch_days=st.one_of(st.none(), st.integers(1, 3650)),
)


@given(drafts, st.sampled_from(["4.0", "3.0"]))
def test_round_trip_of_any_valid_contact(draft, version):
    try:
        clean = contacts.validate(draft)
    except ValidationError:
        assume(False)
    assume(clean.display_name != shown_name(clean.first_name, clean.last_name, ""))  # FN would read back as N
    assume(not any(key.startswith("_$!<") for key in clean.custom))
    out = io.StringIO(newline="")
    write_vcards([contact_data(1, clean)], out, version)
    [row] = read_vcards(out.getvalue())
    assert row.problem is None and row.kept_aside == []
    assert row.values == clean


# Fuzzing: nothing escapes the reader ---------------------------------------------------------------------------


CORPUS_CARDS = [row.raw["vcard"] for path in (EDS, V21) for row in read(path)]


@given(st.text(max_size=2000))
def test_arbitrary_text_never_raises(text):
    assert_valid(read_vcards(text))


@given(st.lists(st.text(max_size=80), max_size=30), st.sampled_from(["2.1", "3.0", "4.0"]))
def test_arbitrary_lines_inside_a_card_never_raise(lines, version):
    assert_valid(read_vcards("\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"])))


@given(st.data())
def test_mutated_corpus_cards_never_raise(data):
    text = data.draw(st.sampled_from(CORPUS_CARDS))
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:at] + text[at + data.draw(st.integers(1, 20)):]
        else:
            noise = st.one_of(st.text(max_size=10), st.sampled_from([":", ";", "\\", "=", "\r\n", "\n ", "=\r\n",
                                                                     "BEGIN:VCARD\n", "END:VCARD\n", ",", "item1."]))
            text = text[:at] + data.draw(noise) + text[at:]
    rows = list(read_vcards(text))
    assert_valid(rows)
    assert rows
