"""A schema-version-1 database grown to many contacts (tests/fixtures/schema_v1.sql and copies of its first contact),
whose migration takes long enough to be killed part-way: used by test_kill_9.py and benchmarks/bench_reliability.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

FIXTURE = Path(__file__).parent.parent / "fixtures" / "schema_v1.sql"
FIXTURE_CONTACTS = 3


def grow_v1(path: Path, contacts: int) -> int:
    """Write the schema-1 fixture at `path` with `contacts` more contacts; how many contacts it holds in all."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript(FIXTURE.read_text("utf-8"))
        connection.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {int(contacts)})
            INSERT INTO contact (created_at, updated_at, version, first_name, last_name, display_name, title,
                                 company_id, street, city, region, postal_code, country, birthday, notes, custom,
                                 sort_name, sort_company)
            SELECT created_at, updated_at, 1, first_name || i, last_name, '', '', company_id, '', city, '', '',
                   country, '', 'met at the fair', '{{}}', sort_name || i, sort_company
              FROM n, (SELECT * FROM contact WHERE id = 1)""")
        connection.commit()
    finally:
        connection.close()
    return contacts + FIXTURE_CONTACTS
