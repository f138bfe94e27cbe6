"""Turning a fresh database back into an older schema version, to test the migrations from it honestly."""

from __future__ import annotations

import sqlite3

V5_INDEXES = {"deal_stage_close", "deal_stage_id_currency_value_minor", "deal_pipeline_id_value_minor_id",
              "deal_pipeline_id_created_at_id"}
V6_INDEXES = {"contact_keep_in_touch_days", "activity_contact_id_occurred_at_id", "activity_company_id_occurred_at_id",
              "activity_deal_id_occurred_at_id", "activity_deal_next_step", "deal_stage_change_changed_at_id",
              "activity_kind_occurred_at_id"}


def index_names(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def make_version_7(conn: sqlite3.Connection) -> None:
    """What version 8 added, taken away: redo and the source of changes, saved searches, duplicate dismissals."""
    conn.execute("DROP INDEX change_redoes")
    conn.execute("DROP INDEX contact_email_undotted")
    for table in ("contact", "company", "deal", "activity"):
        conn.execute(f"DROP INDEX {table}_deleted_at_id")
    conn.execute("ALTER TABLE change DROP COLUMN redoes")
    conn.execute("ALTER TABLE change DROP COLUMN source")
    conn.execute("DROP TABLE saved_search")
    conn.execute("DROP TABLE duplicate_dismissal")
    conn.execute("PRAGMA user_version = 7")


def make_version_6(conn: sqlite3.Connection) -> None:
    """What version 7 added, taken away: the record of imports and the email index they match through."""
    make_version_7(conn)
    conn.execute("DROP TABLE import_batch")
    conn.execute("DROP INDEX contact_email_lower_email")
    conn.execute("PRAGMA user_version = 6")


def make_version_5(conn: sqlite3.Connection) -> None:
    """What version 6 added, taken away: stay in touch, and the timeline and activity log indexes."""
    make_version_6(conn)
    for name in V6_INDEXES:
        conn.execute(f"DROP INDEX {name}")
    conn.execute("ALTER TABLE contact DROP COLUMN keep_in_touch_days")
    conn.execute("PRAGMA user_version = 5")


def make_version_4(conn: sqlite3.Connection) -> None:
    """Version 5 taken away too: the board indexes and stage.deleted_at."""
    make_version_5(conn)
    for name in V5_INDEXES:
        conn.execute(f"DROP INDEX {name}")
    conn.execute("ALTER TABLE stage DROP COLUMN deleted_at")
    conn.execute("PRAGMA user_version = 4")
