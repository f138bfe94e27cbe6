"""The quick duplicate check a contact form runs before saving: is this person in the CRM already?

Unlike the scan (duplicates.py) it looks at one draft, with a handful of index seeks, so it answers in a few
milliseconds at a million contacts: the draft's email keys, its phone keys, the same name at the same company
or the same company email domain, and a similar name among the company's contacts while the company is small.
The rules are the scan's (keys.py), so the form warns of what the scan would report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from crm_tui.core import companies
from crm_tui.core.contacts.data import ContactDraft, shown_name
from crm_tui.core.duplicates.keys import (
    EMAIL_SCORE,
    GMAIL_DOMAINS,
    NAME_CUTOFF,
    PHONE_SCORE,
    SHARED_KEY_LIMIT,
    drops_tags,
    email_key,
    name_keys,
    name_score,
    phone_key,
    shared_domain,
    split_email,
)
from crm_tui.core.models import contact_name_sql, database
from crm_tui.core.text import fold

SAME_NAME_SCORE = name_score(100)
# A company with more contacts than this is not searched for similar names (reading them all would take longer
# than a form should wait); the same exact name is still found there.
SMALL_COMPANY = 2000
# At most this many contacts of one exact name are looked at (a common name in a million contacts).
SAME_NAME_LIMIT = 500
# Rows read for one email or phone at most: enough to tell a switchboard (SHARED_KEY_LIMIT holders or more).
MATCHES_READ = 64
# An index on emails without dots finds Gmail's `a.nn@` for `ann@` with a seek; where the database has none
# (before schema 9), Gmail addresses are matched by case and `+tag` only.
UNDOTTED_INDEX = "contact_email_undotted"
UNDOTTED = "replace(lower(e.email), '.', '')"

# SQLite's lower() folds ASCII letters only: the lookups lower the same way, and keys are compared in Python.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_LIVE_EMAILS = ("SELECT e.contact_id, e.email FROM contact_email e JOIN contact c ON c.id = e.contact_id "
                "WHERE c.deleted_at IS NULL AND ")


@dataclass(frozen=True)
class LikelyDuplicate:
    """A live contact that may be the person being saved: its id and shown name, why in a person's words
    ("same email ann@acme.com"), and the scan's score for that reason."""

    contact_id: int
    name: str
    reason: str
    score: int


def _has_undotted_index() -> bool:
    return database.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (UNDOTTED_INDEX,)).fetchone() is not None


def _tag_range(column: str, local: str) -> tuple[str, tuple[str, str]]:
    """Addresses whose part before the @ is `local` plus a `+tag`: a range seek (`,` follows `+`)."""
    return f"{column} >= ? AND {column} < ?", (f"{local}+", f"{local},")


def _email_matches(email: str) -> Iterator[tuple[int, str]]:
    """(contact id, stored email) of live contacts whose email key is the key of `email`."""
    local, domain = split_email(email)
    if not domain or not local:
        return
    key = email_key(email)
    key_local = key.rpartition("@")[0]
    written = email.strip().translate(_ASCII_LOWER)
    lookups: list[tuple[str, tuple[str, ...]]] = [("lower(e.email) IN (?, ?)", (written, key))]
    if drops_tags(domain):
        lookups.append(_tag_range("lower(e.email)", key_local))
    if domain in GMAIL_DOMAINS:
        lookups.append(("lower(e.email) IN (?, ?)", tuple(f"{key_local}@{other}" for other in GMAIL_DOMAINS)))
        if _has_undotted_index():
            undotted = tuple(f"{key_local}@{other.replace('.', '')}" for other in GMAIL_DOMAINS)
            lookups += [(f"{UNDOTTED} IN (?, ?)", undotted), _tag_range(UNDOTTED, key_local)]
    seen = set()
    for condition, params in lookups:
        for contact_id, stored in database.execute_sql(f"{_LIVE_EMAILS}{condition} LIMIT {MATCHES_READ}", params):
            if (contact_id, stored) not in seen and email_key(stored) == key:
                seen.add((contact_id, stored))
                yield contact_id, stored


def _phone_matches(phone: str) -> Iterator[tuple[int, str]]:
    """(contact id, stored phone) of live contacts whose phone key is the key of `phone`.

    The stored digits of a number with key K are K, 00K, or K with the trunk `(0)` after a 1-3 digit country
    code, each with or without 00: one seek on contact_phone.digits each.
    """
    key = phone_key(phone)
    if not key:
        return
    forms = {key, *(key[:cut] + "0" + key[cut:] for cut in (1, 2, 3))}
    digits = sorted(forms | {"00" + form for form in forms})
    marks = ", ".join([database.param] * len(digits))
    rows = database.execute_sql(
        "SELECT p.contact_id, p.phone FROM contact_phone p JOIN contact c ON c.id = p.contact_id "
        f"WHERE c.deleted_at IS NULL AND p.digits IN ({marks}) LIMIT {MATCHES_READ}", digits)
    for contact_id, stored in rows:
        if phone_key(stored) == key:
            yield contact_id, stored


def _shared_domains(contact_ids: list[int]) -> dict[int, set[str]]:
    if not contact_ids:
        return {}
    marks = ", ".join([database.param] * len(contact_ids))
    found: dict[int, set[str]] = {}
    for contact_id, email in database.execute_sql(
            f"SELECT contact_id, email FROM contact_email WHERE contact_id IN ({marks})", contact_ids):
        found.setdefault(contact_id, set()).add(shared_domain(email))
    return found


def _name_matches(draft: ContactDraft) -> Iterator[tuple[int, int, str]]:
    """(contact id, score, reason) for the same name at the same company or company email domain, and for a
    similar name among a small company's contacts."""
    name = shown_name(draft.first_name, draft.last_name, draft.display_name)
    keys = name_keys(name)
    if not keys[0]:
        return
    company = companies.find_by_names([draft.company]).get(fold(draft.company)) if draft.company.strip() else None
    domains = {shared_domain(email) for email in draft.emails} - {""}
    if company is None and not domains:
        return
    same_name = database.execute_sql(
        "SELECT id, company_id FROM contact WHERE deleted_at IS NULL AND sort_name = ? LIMIT ?",
        (fold(name), SAME_NAME_LIMIT)).fetchall()
    if company is not None:
        for contact_id, company_id in same_name:
            if company_id == company[0]:
                yield contact_id, SAME_NAME_SCORE, f"same name at {company[1]}"
    if domains:
        others = _shared_domains([contact_id for contact_id, _ in same_name])
        for contact_id, their_domains in others.items():
            for domain in sorted(domains & their_domains):
                yield contact_id, SAME_NAME_SCORE, f"same name at {domain}"
    if company is not None:
        yield from _similar_at(company, keys)


def _similar_at(company: tuple[int, str], keys: tuple[str, str]) -> Iterator[tuple[int, int, str]]:
    rows = database.execute_sql(
        "SELECT id, sort_name FROM contact WHERE company_id = ? AND deleted_at IS NULL LIMIT ?",
        (company[0], SMALL_COMPANY + 1)).fetchall()
    if len(rows) > SMALL_COMPANY:
        return
    theirs = {contact_id: name_keys(sort_name) for contact_id, sort_name in rows}
    best: dict[int, float] = {}
    for form in (0, 1):
        choices = {contact_id: their_keys[form] for contact_id, their_keys in theirs.items()}
        for _, ratio, contact_id in process.extract(keys[form], choices, scorer=fuzz.ratio,
                                                    score_cutoff=NAME_CUTOFF, limit=None):
            best[contact_id] = max(ratio, best.get(contact_id, 0))
    for contact_id, ratio in best.items():
        yield contact_id, name_score(ratio), f"similar name at {company[1]} ({round(ratio)})"


def _dismissed_with(contact_id: int | None) -> set[int]:
    if contact_id is None:
        return set()
    rows = database.execute_sql(
        "SELECT contact_low_id + contact_high_id - ? FROM duplicate_dismissal "
        "WHERE contact_low_id = ? OR contact_high_id = ?", (contact_id, contact_id, contact_id))
    return {row[0] for row in rows}


def likely_duplicates(draft: ContactDraft, exclude_id: int | None = None, limit: int = 3) -> list[LikelyDuplicate]:
    """Live contacts that may be the person `draft` describes, strongest first, at most `limit`.

    `exclude_id` is the contact being edited: it is left out, and so is every contact someone said is not it.
    """
    best: dict[int, tuple[int, str]] = {}

    def offer(contact_id: int, score: int, reason: str) -> None:
        if contact_id not in best or best[contact_id][0] < score:
            best[contact_id] = (score, reason)

    for values, matches, score, noun in ((draft.emails, _email_matches, EMAIL_SCORE, "email"),
                                         (draft.phones, _phone_matches, PHONE_SCORE, "phone")):
        for value in values:
            holders = {contact_id: stored for contact_id, stored in matches(value) if contact_id != exclude_id}
            if len(holders) < SHARED_KEY_LIMIT:  # else a switchboard or shared mailbox, as the scan reads it
                for contact_id, stored in holders.items():
                    offer(contact_id, score, f"same {noun} {stored}")
    for contact_id, score, reason in _name_matches(draft):
        offer(contact_id, score, reason)
    hidden = _dismissed_with(exclude_id) | {exclude_id}
    ranked = sorted((item for item in best.items() if item[0] not in hidden), key=lambda item: (-item[1][0], item[0]))
    chosen = ranked[:max(limit, 0)]
    if not chosen:
        return []
    ids = [contact_id for contact_id, _ in chosen]
    marks = ", ".join([database.param] * len(ids))
    names = dict(database.execute_sql(f"SELECT c.id, {contact_name_sql()} FROM contact c WHERE c.id IN ({marks})", ids))
    return [LikelyDuplicate(contact_id, names[contact_id], reason, score) for contact_id, (score, reason) in chosen]
