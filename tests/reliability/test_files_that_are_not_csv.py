"""Files that are not CSV files of records: a header of 100,000 columns, plain text and binary data are refused in
one line with nothing imported; a row far wider than its header is rejected on its own, and the rest imports."""

from __future__ import annotations

import sqlite3

from crm_tui.cli import main
from crm_tui.core.db import close_database, open_database


def a_database(path):
    open_database(path)
    close_database()
    return path


def stored(path) -> tuple[int, int]:
    connection = sqlite3.connect(path)
    try:
        return (connection.execute("SELECT count(*) FROM contact").fetchone()[0],
                connection.execute("SELECT count(*) FROM import_batch").fetchone()[0])
    finally:
        connection.close()


def test_a_header_of_100000_columns_is_refused_at_once_with_nothing_imported(tmp_path, capsys):
    path, wide = a_database(tmp_path / "crm.sqlite3"), tmp_path / "wide.csv"
    wide.write_text(",".join(["first_name", *[""] * 99_999]) + "\n" + ",".join(["Ann", *["x"] * 99_999]) + "\n")
    assert main(["--db", str(path), "import", str(wide)]) == 1
    assert capsys.readouterr().err == ("error: line 1 has 100,000 columns; crm-tui reads CSV files of up to 1,000 "
                                       "columns (is it a CSV file of records, one a line?); nothing was imported\n")
    assert stored(path) == (0, 0)


def test_a_row_far_wider_than_its_header_is_rejected_and_the_rest_imported(tmp_path, capsys):
    path, people = a_database(tmp_path / "crm.sqlite3"), tmp_path / "people.csv"
    people.write_text("first_name,last_name\nBo,Lee\n" + ",".join(["Ann", *["x"] * 5_000]) + "\nCy,Ng\n")
    assert main(["--db", str(path), "import", str(people)]) == 0
    assert "Created 2, updated 0, skipped 0, rejected 1" in capsys.readouterr().out
    assert stored(path) == (2, 1)
    rejects = (tmp_path / "people.rejects.csv").read_text()
    assert '3,"5,001 cells, where a row holds at most 1,000"' in rejects


def test_a_plain_text_or_binary_file_is_refused_with_no_batch(tmp_path, capsys):
    path, notes, picture = a_database(tmp_path / "crm.sqlite3"), tmp_path / "notes.txt", tmp_path / "photo.csv"
    notes.write_text("Meeting notes\nCall Ann tomorrow about the quote.\nShe said yes.\n", encoding="utf-8")
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    assert main(["--db", str(path), "import", str(notes)]) == 1
    assert capsys.readouterr().err == (
        "error: notes.txt does not look like a CSV file of records: its first line ('Meeting notes') is one column "
        "that names no field. A CSV file starts with a header row, such as first_name,last_name,emails; nothing was "
        "imported\n")
    assert main(["--db", str(path), "import", str(picture)]) == 1
    assert capsys.readouterr().err == ("error: photo.csv is not a text file (it holds binary data): crm-tui imports "
                                       "CSV, vCard and JSON backup files; nothing was imported\n")
    assert stored(path) == (0, 0)
    assert not list(tmp_path.glob("*.rejects.csv"))
