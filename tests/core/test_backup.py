"""The JSON backup: export, restore into an empty database, export again gives the same bytes; bad files and
non-empty databases are refused with nothing written; both directions stream."""

from __future__ import annotations

import io
import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crm_tui.core import activities, companies, contacts, deals, search_index
from crm_tui.core.audit import undo
from crm_tui.core.contacts.service import ContactDraft
from crm_tui.core.db import SCHEMA_VERSION, close_database, open_database
from crm_tui.core.deals import pipelines
from crm_tui.core.errors import CannotUndoError, CrmError
from crm_tui.core.interop.backup import write as backup
from crm_tui.core.interop.backup.restore import restore_backup
from crm_tui.core.interop.backup.write import write_backup
from crm_tui.core.models import MODELS, DuplicateDismissal, Meta, SavedSearch, database

# What a restore must reproduce, table by table (the row ids of emails and phones are not part of a backup).
CONTENTS = {table: f"SELECT * FROM {table} ORDER BY 1, 2" for table in (
    "company", "contact", "tag", "contact_tag", "pipeline", "stage", "deal", "deal_stage_change", "activity", "meta")}
CONTENTS["contact_email"] = "SELECT contact_id, email, label, is_primary, position FROM contact_email ORDER BY 1, 5"
CONTENTS["contact_phone"] = ("SELECT contact_id, phone, digits, label, is_primary, position FROM contact_phone "
                             "ORDER BY 1, 6")


def backup_text() -> str:
    out = io.StringIO()
    write_backup(out)
    return out.getvalue()


def database_rows() -> dict[str, list[tuple]]:
    return {table: database.execute_sql(sql).fetchall() for table, sql in CONTENTS.items()}


def fresh_database(path: Path):
    close_database()
    return open_database(path)


def build_everything() -> None:
    """Every kind of record and state a backup must carry."""
    acme = companies.create({"name": "Acme GmbH", "domain": "acme.example", "phone": "+49 30 1234567",
                             "address": "Hauptstraße 1, Berlin", "notes": "Großkunde, \"key\" account"})
    gone = companies.create({"name": "Defunct Ltd"})
    companies.delete(gone.id)
    ada = contacts.create(ContactDraft(
        first_name="Ada", last_name="Lovelace", title="Countess", company="Acme GmbH",
        emails=["ada@acme.example", "ada@home.example"], phones=["+44 20 7946 0018", "+44 7700 900123"],
        tags=["VIP", "Ünïcode"], street="12 St James's Square", city="London", postal_code="SW1Y 4JH",
        country="GB", birthday="--12-10", notes="Line one\nLine two, \\ and ⟨math⟩ \u2028 too",
        custom={"shoe size": "38", "言語": "日本語"}, keep_in_touch_days=30))
    database.execute_sql("UPDATE contact_email SET label = 'work' WHERE contact_id = ? AND position = 0", (ada.id,))
    database.execute_sql("UPDATE contact_phone SET label = 'mobile' WHERE contact_id = ? AND position = 1", (ada.id,))
    contacts.create(ContactDraft(first_name="محمد", emails=["m@example.ae"], tags=["VIP"], birthday="1980-02-29"))
    old = contacts.create(ContactDraft(display_name="Old Friend", company="Defunct Ltd"))
    contacts.delete(old.id)

    partners = pipelines.create("Partners", ["Intro", "Pilot", "Contract"])
    pipelines.add_stage("Partners", "Legal review", 60)
    pipelines.archive(pipelines.create("Old pipeline").id)
    licence = deals.create({"title": "Licence", "value": "12500.50", "currency": "EUR", "contact": ada.id,
                            "company": acme.id, "expected_close": "2027-01-31", "notes": "multi\nline"})
    deals.move(licence.id, "Proposal")
    yen = deals.create({"title": "Yen deal", "value": "150000", "currency": "JPY", "pipeline": "Partners",
                        "stage": "Intro"})
    deals.move(yen.id, "Pilot")
    deals.delete_stage(partners.stage("Intro").id)  # a deleted stage the history still names
    deals.won(deals.create({"title": "Dinar deal", "value": "1.234", "currency": "KWD"}).id)
    deals.lost(deals.create({"title": "Dollar deal", "value": "99.99", "currency": "USD"}).id, "Too expensive")
    deals.delete(deals.create({"title": "Trashed deal", "value": "5", "currency": "GBP"}).id)

    when = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    for kind in ("call", "meeting", "email", "note"):
        activities.create({"kind": kind, "subject": f"A {kind}", "body": "said\n\"hello\"", "occurred_at": when,
                           "contact_id": ada.id, "company_id": acme.id, "deal_id": licence.id})
    activities.create({"kind": "task", "subject": "Open task", "due_at": when + timedelta(days=3),
                       "deal_id": licence.id})
    done = activities.create({"kind": "task", "subject": "Done task", "due_at": when})
    activities.set_done(done.id, True)
    activities.delete(activities.create({"kind": "note", "subject": "Trashed note"}).id)
    Meta.create(key="demo", value="7")
    SavedSearch.create(name="VIPs in Berlin", name_key="vips in berlin", query='tag:vip "Berlin" -cancelled',
                       pinned=True)
    DuplicateDismissal.create(contact_low=ada.id, contact_high=old.id)


@pytest.fixture
def everything(tmp_path):
    open_database(tmp_path / "source.sqlite3")
    build_everything()
    yield backup_text(), database_rows()
    close_database()


def test_export_restore_export_gives_identical_bytes_and_the_same_database(everything, tmp_path):
    text, rows = everything
    fresh_database(tmp_path / "restored.sqlite3")

    summary = restore_backup(io.StringIO(text))

    assert backup_text() == text
    assert database_rows() == rows
    assert summary.counts == {"tags": 2, "companies": 3, "contacts": 3, "pipelines": 3, "stages": 18, "deals": 5,
                              "deal_stage_changes": 9, "activities": 7, "saved_searches": 1,
                              "duplicate_dismissals": 1}
    assert summary.lines()[0].startswith("restored 52 records: tags 2, companies 3, contacts 3")


def test_the_document_is_one_record_a_line_in_id_order_with_every_column(everything):
    text, _ = everything
    lines = text.split("\n")
    header = json.loads(lines[0].rstrip(",") + "}")
    assert header == {"format": "crm-tui-backup", "version": 2, "schema_version": SCHEMA_VERSION,
                      "meta": {"demo": "7"}}
    assert text.endswith("]\n}\n") and lines[1] == '"tags":['
    document = json.loads(text)
    assert list(document)[4:] == [table.key for table in backup.TABLES]
    ada = document["contacts"][0]
    assert list(ada)[:3] == ["id", "first_name", "last_name"] and ada["custom"] == {"shoe size": "38", "言語": "日本語"}
    assert ada["emails"][0] == {"email": "ada@acme.example", "label": "work", "is_primary": True, "position": 0}
    assert ada["phones"][1]["label"] == "mobile" and ada["tags"] == ["VIP", "Ünïcode"]
    assert (ada["birthday"], ada["keep_in_touch_days"]) == ("--12-10", 30)
    assert "⟨math⟩" in text  # not \u escapes
    assert [deal["value_minor"] for deal in document["deals"]] == [1250050, 150000, 1234, 9999, 500]
    assert [deal["currency"] for deal in document["deals"]] == ["EUR", "JPY", "KWD", "USD", "GBP"]
    assert document["deals"][3]["lost_reason"] == "Too expensive" and document["deals"][2]["status"] == "won"
    assert any(stage["deleted_at"] for stage in document["stages"])
    assert sum(1 for company in document["companies"] if company["deleted_at"]) == 1
    for table in backup.TABLES:
        ids = [record["id"] for record in document[table.key]]
        assert ids == sorted(ids)
    assert all(line.startswith("{") for line in lines[2:lines.index("],")])


def test_a_version_1_backup_without_saved_searches_and_dismissals_still_restores(everything, tmp_path):
    text, _ = everything
    document = json.loads(text)
    del document["saved_searches"], document["duplicate_dismissals"]
    document["version"] = 1
    fresh_database(tmp_path / "restored.sqlite3")
    summary = restore_backup(io.StringIO(json.dumps(document)))
    assert summary.counts["contacts"] == 3 and summary.counts["saved_searches"] == 0
    assert contacts.count() == 2
    document["version"] = 2
    fresh_database(tmp_path / "restored-again.sqlite3")
    with pytest.raises(CrmError, match="it has no 'saved_searches', 'duplicate_dismissals'; the file is incomplete"):
        restore_backup(io.StringIO(json.dumps(document)))


def test_a_restored_database_is_searchable_and_undo_refuses_to_take_the_restore_back(everything, tmp_path):
    text, rows = everything
    fresh_database(tmp_path / "restored.sqlite3")
    restore_backup(io.StringIO(text))

    found = {(hit.kind, hit.title) for hit in search_index.search_all("lovelace")}
    assert ("contact", "Ada Lovelace") in found
    assert search_index.search_all("Old Friend") == []  # in the trash, so not in the index
    assert {hit.kind for hit in search_index.search_all("Dinar")} == {"deal"}
    assert database.execute_sql("SELECT entity, action FROM change").fetchall() == [("backup", "import")]
    with pytest.raises(CannotUndoError, match="a restored backup is not undone record by record"):
        undo.undo_last()
    assert database_rows() == rows


def test_restoring_into_a_database_that_holds_records_is_refused_and_changes_nothing(everything, tmp_path):
    text, _ = everything
    fresh_database(tmp_path / "busy.sqlite3")
    companies.create({"name": "Already here"})
    before = database_rows()
    stream = io.StringIO(text)
    stream.name = "backup.json"

    with pytest.raises(CrmError, match="restores into an empty database only") as refused:
        restore_backup(stream)

    assert "holds companies" in str(refused.value)
    assert "crm-tui --db NEW.sqlite3 import backup.json" in str(refused.value)
    assert database_rows() == before


def test_every_column_of_every_table_is_in_the_backup_or_left_out_on_purpose(db):
    for table in (*backup.TABLES, backup.EMAILS, backup.PHONES):
        columns = {row[1] for row in database.execute_sql(f"PRAGMA table_info({table.name})")}
        if table in (backup.EMAILS, backup.PHONES):
            columns -= {"id", "contact_id"}
        assert columns == set(table.columns), table.name
    held_elsewhere = {"contact_email", "contact_phone", "contact_tag", "meta"}
    left_out = {"change", "import_batch"}
    assert {model._meta.table_name for model in MODELS} == {table.name for table in backup.TABLES} | held_elsewhere \
        | left_out


@pytest.fixture
def small(tmp_path):
    """A small backup, and a fresh database to restore it into."""
    open_database(tmp_path / "small-source.sqlite3")
    ada = contacts.create(ContactDraft(first_name="Ada", emails=["ada@example.com"], tags=["VIP"]))
    deal = deals.create({"title": "Licence", "value": "100", "contact": ada.id})
    activities.create({"kind": "call", "subject": "Hello", "deal_id": deal.id})
    text = backup_text()
    fresh_database(tmp_path / "small-target.sqlite3")
    yield text, database_rows()
    close_database()


def _swap(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def _contact_line(text: str) -> str:
    return next(line for line in text.split("\n") if line.startswith('{"id": 1, "first_name"'))


BAD_DOCUMENTS = {
    "cut in a record": (lambda text: text[: text.index('"first_name"') + 5], "the file is incomplete"),
    "cut after a line": (lambda text: text[: text.index('"deals":[')], "ends early"),
    "empty": (lambda text: "", "it is empty"),
    "a CSV file": (lambda text: "first_name,last_name\nAda,Lovelace\n", "not a crm-tui backup"),
    "another JSON file": (lambda text: '{"name": "x"}', "not a crm-tui backup"),
    "another format": (lambda text: _swap(text, "crm-tui-backup", "other-backup"), "not a crm-tui backup"),
    "a newer format": (lambda text: _swap(text, '"version":2,', '"version":3,'), "newer crm-tui"),
    "a newer schema": (lambda text: _swap(text, f'"schema_version":{SCHEMA_VERSION}',
                                          f'"schema_version":{SCHEMA_VERSION + 1}'), "upgrade crm-tui"),
    "a missing column": (lambda text: _swap(text, '"city":"",', ""), "contacts record 1 (line 7, id 1): has no city"),
    "a wrong type": (lambda text: _swap(text, '"value_minor":10000', '"value_minor":"100.00"'),
                     "deals record 1 (line 21, id 1): value_minor must be a whole number"),
    "an unknown column": (lambda text: _swap(text, '"city":""', '"city":"","town":""'), "unknown keys 'town'"),
    "a garbled line": (lambda text: _swap(text, '{"id":1,"title"', '{"id":1,title'), "line 21: not valid JSON"),
    "a missing comma": (lambda text: _swap(text, 'null},\n{"id":2', 'null}\n{"id":2'),
                        "line 14: expected ',' or ']' after a record of stages, found '{'"),
    "a dangling reference": (lambda text: _swap(text, '"stage_id":1,', '"stage_id":99,'),
                             "deals record with id 1: stage_id 99 is not the id of any of its stages"),
    "an id twice": (lambda text: _swap(text, '"id":2,"pipeline_id"', '"id":1,"pipeline_id"'),
                    "stages record with id 1: another record has the same id"),
    "an unknown tag": (lambda text: _swap(text, '"tags":["VIP"]', '"tags":["VIP","Nope"]'),
                       "tag 'Nope' is not one of the backup's tags"),
    "a bad outcome": (lambda text: _swap(text, '"outcome":"won"', '"outcome":"maybe"'), "outcome must be"),
    "a missing table": (lambda text: text[: text.index(',\n"activities"')] + "\n}\n", "it has no 'activities'"),
    "an unknown key": (lambda text: _swap(text, '"meta":{}', '"meta":{},"extra":1'), "unknown key 'extra'"),
    "trailing text": (lambda text: text + "{}", "something follows the end"),
    "a table twice": (lambda text: _swap(text, '"tags":[', '"tags":[],"tags":['), "'tags' appears twice"),
    "emails not a list": (lambda text: _swap(text, '"emails":[{"email":"ada@example.com","label":"",'
                                             '"is_primary":true,"position":0}]', '"emails":"ada@example.com"'),
                          "contacts record 1 (line 7, id 1): emails must be a list"),
    "a bad email": (lambda text: _swap(text, '"is_primary":true', '"is_primary":1'),
                    "contacts record 1 (line 7, id 1), emails 1: is_primary must be true or false"),
}


@pytest.mark.parametrize("name", BAD_DOCUMENTS)
def test_a_bad_document_is_refused_with_a_clear_message_and_nothing_written(small, name):
    text, fresh = small
    mangle, message = BAD_DOCUMENTS[name]

    with pytest.raises(CrmError) as refused:
        restore_backup(io.StringIO(mangle(text)))

    assert message in str(refused.value)
    assert str(refused.value).startswith("cannot restore the backup: ")
    assert str(refused.value).endswith("nothing was restored")
    assert database_rows() == fresh
    assert database.execute_sql("SELECT count(*) FROM change").fetchone() == (0,)


def test_a_file_that_is_not_utf8_is_refused(small, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(small[0].encode("utf-8").replace(b"Ada", b"Zo\xeb"))
    with path.open(encoding="utf-8") as stream, pytest.raises(CrmError, match="latin1.json: it is not UTF-8 text"):
        restore_backup(stream)
    assert database_rows() == small[1]


class Trickle(io.StringIO):
    """A stream that hands out a few characters a read, as a pipe might."""

    def read(self, size: int = -1) -> str:
        return super().read(3)


@pytest.mark.parametrize("layout", ["pretty-printed", "keys sorted", "a trickle", "a byte-order mark",
                                    "Windows line ends"])
def test_any_layout_of_the_document_restores_the_same(everything, tmp_path, layout):
    text, rows = everything
    document = json.loads(text)
    stream = {
        "pretty-printed": lambda: io.StringIO(json.dumps(document, indent=2, ensure_ascii=False)),
        "keys sorted": lambda: io.StringIO(json.dumps(document, sort_keys=True)),  # contacts before their tags
        "a trickle": lambda: Trickle(text),
        "a byte-order mark": lambda: io.StringIO("\ufeff" + text),
        "Windows line ends": lambda: io.StringIO(text.replace("\n", "\r\n")),
    }[layout]()
    fresh_database(tmp_path / "restored.sqlite3")

    restore_backup(stream)

    assert backup_text() == text
    assert database_rows() == rows


# A refused restore writes nothing, and the one that may succeed is rolled back: each example finds the fixture's
# database as it was.
REUSES_THE_DATABASE = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@REUSES_THE_DATABASE
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_any_truncated_backup_is_refused(small, cut):
    text, fresh = small
    cut = cut % len(text.rstrip())
    with pytest.raises(CrmError, match="cannot restore"):
        restore_backup(io.StringIO(text[:cut]))
    assert database_rows() == fresh


@REUSES_THE_DATABASE
@given(position=st.integers(min_value=0, max_value=10_000), character=st.characters())
def test_a_changed_character_is_restored_or_refused_never_a_crash(small, position, character):
    text, _ = small
    position %= len(text)
    changed = text[:position] + character + text[position + 1:]
    with database.atomic() as transaction:
        try:
            restore_backup(io.StringIO(changed))
        except CrmError as refused:
            assert "nothing was restored" in str(refused)
        transaction.rollback()


def test_progress_is_reported_and_raising_from_it_cancels_the_restore(small, monkeypatch):
    text, fresh = small
    monkeypatch.setattr(backup, "CHUNK", 1)
    seen = []

    def cancel_at_deals(table: str, done: int, total: int | None) -> None:
        seen.append((table, done, total))
        if table == "deals":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        restore_backup(io.StringIO(text), on_progress=cancel_at_deals)

    assert seen[:3] == [("tags", 1, None), ("tags", 1, None), ("companies", 0, None)]
    assert database_rows() == fresh
    written = []
    write_backup(io.StringIO(), on_progress=lambda *step: written.append(step))
    assert ("stages", 6, 6) in written


def _bulk_contacts(count: int) -> None:
    """Contacts with an email, a phone and a tag each, made by SQLite itself: far quicker than demo data."""
    numbers = f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "
    stamp = "'2026-01-01T00:00:00.000000Z'"
    database.execute_sql(f"INSERT INTO tag (id, name, name_key, created_at) VALUES (1, 'bulk', 'bulk', {stamp})")
    database.execute_sql(
        numbers + "INSERT INTO contact (id, first_name, last_name, display_name, title, street, city, region, "
        "postal_code, country, birthday, notes, custom, sort_name, sort_company, created_at, updated_at, version) "
        f"SELECT i, 'Person', 'Number ' || i, '', '', '', '', '', '', '', '', '', '{{\"n\": \"1\"}}', "
        f"'person number ' || i, '', {stamp}, {stamp}, 1 FROM n")
    database.execute_sql(numbers + "INSERT INTO contact_email (contact_id, email, label, is_primary, position) "
                         "SELECT i, 'p' || i || '@example.com', '', 1, 0 FROM n")
    database.execute_sql(numbers + "INSERT INTO contact_phone (contact_id, phone, digits, label, is_primary, position) "
                         "SELECT i, '+31 6 ' || i, '316' || i, '', 1, 0 FROM n")
    database.execute_sql(numbers + "INSERT INTO contact_tag (contact_id, tag_id) SELECT i, 1 FROM n")


def test_200k_contacts_back_up_and_restore_in_bounded_memory(tmp_path):
    open_database(tmp_path / "big.sqlite3")
    with database.atomic():
        _bulk_contacts(200_000)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    tracemalloc.start()
    try:
        with first.open("w", encoding="utf-8", newline="") as out:
            assert write_backup(out).counts["contacts"] == 200_000
        _, writing_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    fresh_database(tmp_path / "big-restored.sqlite3")
    restoring_peaks = []

    def trace_the_first_and_last_contacts(table: str, done: int, total: int | None) -> None:
        """Tracing every allocation makes a restore three times slower, so trace the start, where a reader that
        loaded the whole document would show, and the end, where anything kept per record piles up."""
        if (table, done) == ("contacts", 20_000):
            restoring_peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        elif (table, done) == ("contacts", 180_000):
            tracemalloc.start()

    tracemalloc.start()
    try:
        with first.open(encoding="utf-8") as stream:
            restored = restore_backup(stream, on_progress=trace_the_first_and_last_contacts)
        restoring_peaks.append(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()
    with second.open("w", encoding="utf-8", newline="") as out:
        write_backup(out)
    close_database()

    assert restored.counts["contacts"] == 200_000
    assert first.stat().st_size > 80_000_000
    assert writing_peak < 8_000_000 and max(restoring_peaks) < 8_000_000, (writing_peak, restoring_peaks)
    assert first.read_bytes() == second.read_bytes()
