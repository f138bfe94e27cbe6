"""`crm-tui import` and `crm-tui export` as a person runs them: summaries, rejects, dry runs, batches and undo,
formats in and out, and clear errors."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

CORPUS = Path("/work/shared/corpus")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding, newline="")
    return path


def test_a_csv_import_prints_its_summary_keeps_unknown_columns_and_rejects_bad_rows(cli, tmp_path):
    people = write(tmp_path / "people.csv", "First Name,Last Name,E-mail,Shoe size\r\n"
                                            "Ann,Lee,ann@x.org,39\r\nBob,Stone,not-an-email,44\r\n")
    result = cli("import", str(people))
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "Created 1, updated 0, skipped 0, rejected 1"
    assert "kept as custom fields, as no field matches them: Shoe size" in result.err
    assert "line 3: reject (emails: 'not-an-email' is not an email address" in result.err and "line 2" not in result.err
    ann = cli("contacts", "list", "--json").json()[0]
    assert (ann["name"], ann["emails"], ann["custom"]) == ("Ann Lee", ["ann@x.org"], {"Shoe size": "39"})
    with open(tmp_path / "people.rejects.csv", encoding="utf-8", newline="") as rejects:
        [bob] = list(csv.DictReader(rejects))
    assert (bob["line"], bob["First Name"], bob["E-mail"], bob["Shoe size"]) == ("3", "Bob", "not-an-email", "44")


def test_dry_run_says_what_each_row_would_become_and_json_gives_the_summary(cli, tmp_path):
    cli("contacts", "add", "--first", "Ann", "--email", "ann@x.org")
    people = write(tmp_path / "people.csv", "first_name,emails,title\nAnn,ANN@x.org,CTO\nCy,,\n")
    result = cli("import", str(people), "--mode", "upsert", "--dry-run")
    assert result.out.splitlines()[:3] == [
        "line 2: update 'Ann' (#1, matched by email ANN@x.org)", "line 3: create 'Cy'",
        "Would create 1, update 1, skip 0 and reject 0 (a dry run: nothing was written)"]
    assert [c["name"] for c in cli("contacts", "list", "--json").json()] == ["Ann"]
    summary = cli("import", str(people), "--mode", "upsert", "--json").json()
    assert (summary["created"], summary["updated"], summary["dry_run"], summary["mode"]) == (1, 1, False, "upsert")
    assert cli("contacts", "show", "1", "--json").json()["title"] == "CTO"


def test_import_list_and_import_undo_take_a_batch_back(cli, tmp_path):
    people = write(tmp_path / "people.csv", "first_name\nAnn\nBob\n")
    batch = cli("import", str(people), "--json").json()["batch_id"]
    listed = cli("import", "list", "--json").json()
    assert [(b["id"], b["created"], b["undone_at"]) for b in listed] == [(batch, 2, None)]
    assert batch[:12] in cli("import", "list").out
    undone = cli("import", "undo", batch[:8])
    assert undone.code == 0 and undone.out.startswith("Undid: import of ")
    assert cli("contacts", "list", "--json").json() == []
    again = cli("import", "undo", batch)
    assert again.code == 1 and again.err.startswith(f"error: import {batch} was already undone on ")


def test_a_missing_file_a_bad_map_and_a_vcard_of_companies_are_clear_errors(cli, tmp_path):
    missing = cli("import", str(tmp_path / "nope.csv"))
    assert missing.code == 1 and missing.err.startswith("error: ") and "is not a file" in missing.err
    people = write(tmp_path / "people.csv", "Name,Mail\nAnn,ann@x.org\n")
    bad_map = cli("import", str(people), "--map", "Nope=emails")
    assert bad_map.code == 1 and "the file has no column 'Nope'" in bad_map.err
    bad_field = cli("import", str(people), "--map", "Mail=shoe")
    assert bad_field.code == 1 and bad_field.err.startswith("error: ")
    card = write(tmp_path / "ann.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEND:VCARD\r\n")
    wrong = cli("import", str(card), "--entity", "companies")
    assert wrong.code == 1 and "a vCard file holds contacts" in wrong.err


def test_map_places_a_column_and_export_escapes_formulas_but_not_numbers(cli, tmp_path):
    people = write(tmp_path / "people.csv", "Name,Mail,Remark\n=HYPERLINK(\"x\"),ann@x.org,+1 and more\n")
    assert cli("import", str(people), "--map", "Mail=emails", "--map", "Remark=notes").code == 0
    exported = cli("export", "--format", "csv", "--entity", "contacts").out
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["display_name"] == "'=HYPERLINK(\"x\")" and row["notes"] == "'+1 and more" and row["id"] == "1"
    cli("deals", "add", "--title", "-5% off", "--value", "1200.50")
    deal = next(csv.DictReader(io.StringIO(cli("export", "--format", "csv", "--entity", "deals").out)))
    assert deal["title"] == "'-5% off" and deal["value"] == "1200.50"
    back = write(tmp_path / "again.csv", exported)
    assert cli("--db", str(tmp_path / "other.sqlite3"), "import", str(back), db=False).code == 0


def test_a_json_backup_restores_into_an_empty_database_only(cli, tmp_path, db_path):
    cli("demo", "--contacts", "50")
    first = tmp_path / "a.json"
    assert cli("export", "--format", "json", "--output", str(first)).code == 0
    other = tmp_path / "other.sqlite3"
    restored = cli("--db", str(other), "import", str(first), db=False)
    assert restored.code == 0 and restored.out.startswith("restored ")
    second = tmp_path / "b.json"
    cli("--db", str(other), "export", "--format", "json", "--output", str(second), db=False)
    assert first.read_bytes() == second.read_bytes()
    refused = cli("import", str(first))
    assert refused.code == 1 and "restores into an empty database only" in refused.err
    assert first.read_text(encoding="utf-8").startswith('{"format":"crm-tui-backup","version":2,')


def test_every_card_of_the_shared_corpus_imports_and_a_vcard_export_reads_back(cli, tmp_path):
    three = cli("import", str(CORPUS / "syncevolution-eds_contact.vcf"), "--json").json()
    two = cli("import", str(CORPUS / "syncevolution-vcard21.vcf"), "--json").json()
    assert (three["created"], three["rejected"], two["created"], two["rejected"]) == (17, 0, 16, 0)
    people = cli("contacts", "list", "--json").json()
    assert "Umlaut Ä Ö Ü ß" in {person["name"] for person in people}
    exported = tmp_path / "all.vcf"
    assert cli("export", "--format", "vcard", "--output", str(exported)).code == 0
    cards = exported.read_text(encoding="utf-8")
    assert cards.count("BEGIN:VCARD") == 33 and "VERSION:4.0" in cards
    other = tmp_path / "other.sqlite3"
    again = cli("--db", str(other), "import", str(exported), "--json", db=False).json()
    assert (again["created"], again["rejected"]) == (33, 0)
    older = cli("export", "--format", "vcard", "--vcard-version", "3.0").out
    assert older.count("VERSION:3.0") == 33


def test_the_dry_run_of_a_vcard_file_names_its_cards(cli, tmp_path):
    cards = write(tmp_path / "two.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@x.org\r\nEND:VCARD\r\n"
                                        "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:nobody@x.org\r\nEND:VCARD\r\n"
                                        "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:+31 20 555 0101\r\nEND:VCARD\r\n")
    lines = cli("import", str(cards), "--dry-run").out.splitlines()
    assert lines[:2] == ["card 1: create 'Ann Lee'", "card 2: create 'nobody@x.org'"]
    assert lines[2].startswith("card 3: reject (") and "a card needs a name or an email" in lines[2]


def test_an_export_to_a_folder_that_does_not_exist_is_a_clear_error(cli, tmp_path):
    nowhere = tmp_path / "missing" / "out.csv"
    failed = cli("export", "--format", "csv", "--output", str(nowhere))
    assert failed.code == 1 and failed.err == f"error: No such file or directory: {nowhere}\n"
    assert not nowhere.parent.exists()


def test_a_name_with_a_terminal_escape_is_imported_without_it_and_the_summary_says_so(cli, tmp_path):
    people = write(tmp_path / "people.csv", "first_name,last_name,emails\r\nAnn,Lee\x1b[31m,ann@x.org\r\n"
                                            "Bo,Ng,bo@x.org\r\n")
    done = cli("import", str(people))
    assert done.code == 0
    assert "1 record had control characters (a terminal escape, a tab) taken out of a name" in done.out
    assert "kept values without a field" not in done.out
    assert sorted(row["name"] for row in cli("contacts", "list", "--json").json()) == ["Ann Lee", "Bo Ng"]
    cards = write(tmp_path / "one.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Okafor\x1b[0m;Zed;;;\r\nFN:Zed Okafor\r\n"
                                        "END:VCARD\r\n")
    assert cli("import", str(cards)).code == 0  # a vCard's values lose control characters as they are read
    zed = next(row for row in cli("contacts", "list", "--json").json() if row["first_name"] == "Zed")
    assert (zed["last_name"], zed["name"]) == ("Okafor", "Zed Okafor")


def test_the_form_and_the_command_line_take_control_characters_out_of_a_name_too(cli):
    made = cli("contacts", "add", "--first", "Cy\tRus", "--last", "Ok\x07", "--title", "\x1b[1mCEO\x1b[0m",
               "--json").json()
    assert (made["first_name"], made["last_name"], made["title"], made["name"]) == ("Cy Rus", "Ok", "CEO", "Cy Rus Ok")
    assert cli("contacts", "add", "--first", "Dee", "--note", "bell\x07").code == 1  # notes keep their rule


def test_rejects_go_to_the_data_folder_when_the_inputs_folder_may_not_be_written(cli, tmp_path, monkeypatch):
    from crm_tui import config

    shared = tmp_path / "share"
    shared.mkdir()
    people = write(shared / "people.csv", "first_name,emails\r\nAnn,ann@x.org\r\nBo,broken@\r\n")
    real_access = os.access
    monkeypatch.setattr(config.os, "access", lambda path, mode: False if Path(path) == shared else
                        real_access(path, mode))  # a read-only share (the tests may run as root, who writes anyway)
    done = cli("import", str(people))
    kept = config.data_dir() / "rejects" / "people.rejects.csv"
    assert done.code == 0 and f"rejected rows went to {kept}" in done.out
    assert kept.read_text().splitlines()[1].startswith("3,")
    assert not (shared / "people.rejects.csv").exists()
    assert kept.parent.stat().st_mode & 0o777 == 0o700
