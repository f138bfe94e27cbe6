"""The importer: modes, matching, merging, dry runs, rejects, one atomic batch, and taking a batch back."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from crm_tui.core import companies, contacts, records
from crm_tui.core.audit import batches, undo
from crm_tui.core.contacts.data import ContactDraft
from crm_tui.core.db import close_database, open_database
from crm_tui.core.deals import listing as deal_list
from crm_tui.core.deals.listing import DealFilter
from crm_tui.core.errors import ConflictError
from crm_tui.core.interop.importer import Cancelled, run_import
from crm_tui.core.interop.rows import SourceRow
from crm_tui.core.models import Contact, ImportBatch


def person(number: int, first: str, last: str = "", **fields) -> SourceRow:
    """A row as the readers hand them over: its draft validated (or the row would carry a problem instead)."""
    draft = contacts.validate(ContactDraft(first_name=first, last_name=last, **fields))
    return SourceRow(number, {"first": first, "last": last}, "contact", draft)


def broken(number: int, reason: str) -> SourceRow:
    return SourceRow(number, {"first": "?", "last": ""}, "contact", problem=reason)


def names() -> list[str]:
    return sorted(contact.name for contact in contacts.iterate())


def imported(rows, tmp_path=None, **options) -> object:
    options.setdefault("entity", "contact")
    rejects = tmp_path / "people.rejects.csv" if tmp_path is not None else None
    return run_import(rows, source="people.csv", fmt="csv", rejects_to=rejects, **options)


def test_create_adds_every_good_row_and_writes_the_bad_ones_to_the_rejects_file(db, tmp_path):
    summary = imported([person(2, "Ann", "Lee", emails=["ann@x.org"]), broken(3, "line 3: 'n/a' is not a date"),
                        broken(4, "line 4: emails: 'not an email' is not an email address"), person(5, "Cy")],
                       tmp_path)
    assert (summary.created, summary.rejected, summary.updated, summary.skipped) == (2, 2, 0, 0)
    assert names() == ["Ann Lee", "Cy"]
    with open(summary.rejects_path, encoding="utf-8", newline="") as rejected:
        rows = list(csv.DictReader(rejected))
    assert [(row["line"], row["first"]) for row in rows] == [("3", "?"), ("4", "?")]
    assert rows[0]["reason"] == "'n/a' is not a date" and "not an email address" in rows[1]["reason"]
    batch = ImportBatch.get_by_id(summary.batch_id)
    assert (batch.created, batch.rejected, batch.finished_at is not None) == (2, 2, True)


def test_upsert_matches_on_email_then_phone_then_name_at_company_and_merges(db, make_contact):
    ann = make_contact(first_name="Ann", last_name="Lee", emails=["ann@x.org"], tags=["old"], notes="Met in Rome.")
    bob = make_contact(first_name="Bob", phones=["+31 20 555 0101"])
    cy = make_contact(first_name="Cy", last_name="Ng", company="Acme")
    summary = imported([
        person(2, "Ann", "Lee", emails=["ANN@x.org", "ann.lee@y.org"], tags=["vip"], notes="Likes calls."),
        person(3, "Robert", phones=["0031-20-555-0101"]),
        person(4, "Cy", "Ng", company="ACME", title="CTO"),
        person(5, "Dee"),
    ], mode="upsert")
    assert (summary.created, summary.updated) == (1, 3)
    merged = contacts.get(ann.id)
    assert merged.emails == ["ann@x.org", "ann.lee@y.org"] and merged.tags == ["old", "vip"]
    assert merged.notes == "Met in Rome.\n\nLikes calls."
    assert contacts.get(bob.id).first_name == "Robert" and contacts.get(bob.id).phones == ["+31 20 555 0101"]
    assert contacts.get(cy.id).title == "CTO"
    assert names() == ["Ann Lee", "Cy Ng", "Dee", "Robert"]


def test_rows_of_one_file_match_each_other_and_skip_adds_only_what_matches_nothing(db, make_contact):
    make_contact(first_name="Ann", emails=["ann@x.org"])
    summary = imported([person(2, "Eve", emails=["eve@x.org"]), person(3, "Eve", phones=["+44 20 7946 0000"],
                                                                           emails=["EVE@x.org"]),
                        person(4, "Ann", emails=["ann@x.org"])], mode="upsert")
    assert (summary.created, summary.updated, summary.skipped) == (1, 1, 1)  # Ann's row holds nothing new
    eve = next(contact for contact in contacts.iterate() if contact.first_name == "Eve")
    assert eve.phones == ["+44 20 7946 0000"]
    summary = imported([person(2, "Ann", emails=["ann@x.org"]), person(3, "Fay"), person(4, "Fay")], mode="skip")
    assert (summary.created, summary.skipped) == (2, 1)  # no key to match two Fays on: both are added


def test_a_dry_run_reports_every_row_and_writes_nothing(db, make_contact, tmp_path):
    make_contact(first_name="Ann", emails=["ann@x.org"])
    said = []
    summary = imported([person(2, "Ann", emails=["ann@x.org"], title="CEO"), person(3, "Bo"), broken(4, "bad")],
                       tmp_path, mode="upsert", dry_run=True, on_outcome=lambda outcome: said.append(outcome.line()))
    assert said == ["line 2: update 'Ann' (#1, matched by email ann@x.org)", "line 3: create 'Bo'",
                    "line 4: reject (bad)"]  # in the order of the rows
    assert (summary.created, summary.updated, summary.rejected) == (1, 1, 1)
    assert names() == ["Ann"] and contacts.get(1).title == "" and ImportBatch.select().count() == 0
    assert summary.rejects_path.endswith("people.rejects.csv") and not (tmp_path / "people.rejects.csv").exists()
    assert summary.lines()[0] == "Would create 1, update 1, skip 0 and reject 1 (a dry run: nothing was written)"


def test_a_cancelled_import_keeps_nothing(db):
    rows = (person(number, f"P{number}") for number in range(2, 5000))
    with pytest.raises(Cancelled):
        imported(rows, cancelled=lambda: Contact.select().count() > 0)
    assert Contact.select().count() == 0 and ImportBatch.select().count() == 0


def test_undo_import_trashes_what_it_created_and_puts_back_what_it_updated(db, make_contact):
    ann = make_contact(first_name="Ann", emails=["ann@x.org"], title="Engineer")
    summary = imported([person(2, "Ann", emails=["ann@x.org"], title="CTO"), person(3, "Bo")], mode="upsert")
    assert contacts.get(ann.id).title == "CTO"
    message = batches.undo_import(summary.batch_id[:8])
    assert message.startswith("Undid: import of people.csv (1 created, 1 updated")
    assert names() == ["Ann"] and contacts.get(ann.id).title == "Engineer"
    assert batches.get_batch(summary.batch_id).undone_at is not None
    with pytest.raises(Exception, match="already undone"):
        batches.undo_import(summary.batch_id)
    assert undo.undo_last() == "Undid: added contact 'Ann'"  # the undone import is passed over


def test_an_import_changed_since_is_not_undone_and_u_takes_back_a_large_import_whole(db, monkeypatch):
    first = imported([person(2, "Ann"), person(3, "Bo")])
    bo = next(contact for contact in contacts.iterate() if contact.first_name == "Bo")
    contacts.update(bo.id, bo.version, title="Boss")
    with pytest.raises(ConflictError, match=f"contact #{bo.id} was changed after it"):
        batches.undo_import(first.batch_id)
    assert names() == ["Ann", "Bo"]
    monkeypatch.setattr(records, "MAX_UNDO_CHANGES", 3)
    second = imported([person(number, f"Q{number}") for number in range(2, 12)])
    assert undo.undo_last().startswith("Undid: import of people.csv (10 created")
    assert batches.get_batch(second.batch_id).undone_at is not None and names() == ["Ann", "Bo"]


def test_companies_and_deals_match_on_name_and_title(db):
    companies.create({"name": "Acme"})
    summary = imported([SourceRow(2, {}, "company", {"name": "ACME", "domain": "acme.test"}),
                        SourceRow(3, {}, "company", {"name": "Zenith"})], entity="company", mode="upsert")
    assert (summary.created, summary.updated) == (1, 1)
    assert companies.get(1).domain == "acme.test"
    summary = imported([SourceRow(2, {}, "deal", {"title": "Rollout", "value": "1.000,50", "stage": "Proposal"}),
                        SourceRow(3, {}, "deal", {"title": "Rollout", "value": "2000"}),
                        SourceRow(4, {}, "deal", {"title": "Bad", "stage": "Nowhere"})], entity="deal", mode="upsert")
    assert (summary.created, summary.updated, summary.rejected) == (1, 1, 1)
    [deal] = [d for d in deal_list.iterate(DealFilter()) if d.title == "Rollout"]
    assert (deal.stage, deal.value) == ("Proposal", "2000.00")


def test_a_killed_import_leaves_no_half_batch(tmp_path):
    path = tmp_path / "killed.sqlite3"
    open_database(path)
    close_database()
    script = textwrap.dedent(f"""
        import sys, time
        from crm_tui.core.db import open_database
        from crm_tui.core.contacts.data import ContactDraft
        from crm_tui.core.interop.importer import run_import
        from crm_tui.core.interop.rows import SourceRow
        open_database({str(path)!r})
        def rows():
            for number in range(2, 10**6):
                if number == 4100:
                    print("halfway", flush=True)
                    time.sleep(60)
                yield SourceRow(number, {{}}, "contact", ContactDraft(first_name=f"P{{number}}"))
        run_import(rows(), source="big.csv", fmt="csv", entity="contact")
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert child.stdout.readline().strip() == "halfway"  # two chunks of 2,000 are written inside the transaction
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    time.sleep(0.1)
    open_database(path)
    try:
        assert Contact.select().count() == 0 and ImportBatch.select().count() == 0
    finally:
        close_database()
