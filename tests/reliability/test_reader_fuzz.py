"""Fuzzed CSV and vCard files: an import never ends in a traceback, and a file that is refused leaves the database as
it was (no contact, no change and no import batch of it)."""

from __future__ import annotations

import sqlite3

from hypothesis import HealthCheck, given, settings, strategies as st

from crm_tui.cli import main

CSV_PIECES = st.sampled_from(["first_name", "last_name", "emails", "phones", "tags", ",", ";", "\t", "\r\n", "\n",
                              '"', '""', "Ann", "Lee", "ann@example.com", "+31 20 555 0101", "=1+1", "\x00", "\ufeff",
                              "é", "王", "\udcff", "x" * 300, "", " "])
VCARD_PIECES = st.sampled_from(["BEGIN:VCARD\r\n", "END:VCARD\r\n", "VERSION:3.0\r\n", "VERSION:2.1\r\n",
                                "FN:Ann Lee\r\n", "N:Lee;Ann;;;\r\n", "EMAIL:ann@example.com\r\n",
                                "TEL;TYPE=CELL:+31 6 1234 5678\r\n", "ORG:Acme\r\n", " folded\r\n",
                                "NOTE;ENCODING=QUOTED-PRINTABLE:caf=C3=A9=\r\n", "PHOTO;ENCODING=b:AAAA\r\n",
                                "BDAY:1980-13-45\r\n", "X-CUSTOM:\x00\r\n", ":\r\n", ";;;\r\n", "\r\n", "é", "\udcff"])


def held(path) -> tuple[int, ...]:
    connection = sqlite3.connect(path)
    try:
        return tuple(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                     for table in ("contact", "company", "change", "import_batch"))
    finally:
        connection.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.one_of(CSV_PIECES, VCARD_PIECES), max_size=40), suffix=st.sampled_from([".csv", ".vcf"]))
def test_a_fuzzed_file_imports_or_is_refused_in_one_line(tmp_path_factory, pieces, suffix):
    folder = tmp_path_factory.mktemp("fuzz")
    source = folder / f"people{suffix}"
    source.write_bytes("".join(pieces).encode("utf-8", "surrogateescape"))
    database = folder / "crm.sqlite3"
    assert main(["--db", str(database), "info"]) == 0
    before = held(database)
    code = main(["--db", str(database), "import", str(source)])
    assert code in (0, 1)
    if code == 1:
        assert held(database) == before
