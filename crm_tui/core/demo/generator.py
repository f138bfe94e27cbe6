"""Realistic, multilingual demo data, the same for the same seed, fast enough for a million contacts.

Contacts go through the bulk write path that import uses (validation, history, search index). Deals and
activities are generated for those contacts in proportion, with dates spread around "now" so the pipeline,
the activity log and the agenda all have something to show.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crm_tui.core import search_index
from crm_tui.core.contacts import bulk
from crm_tui.core.contacts.service import ContactDraft
from crm_tui.core.demo import pools
from crm_tui.core.errors import CrmError
from crm_tui.core.models import (
    Activity,
    Contact,
    Deal,
    DealStageChange,
    Meta,
    Stage,
    database,
    format_timestamp,
    tuple_rows,
)
from crm_tui.core.records import allocate_ids, insert_changes, insert_rows, new_batch_id, write_transaction
from crm_tui.core.text import fold

DEFAULT_CONTACTS = 500
CONTACTS_PER_COMPANY = 20
DEALS_PER_CONTACT = 0.1
ACTIVITIES_PER_CONTACT = 0.5
# Every twentieth contact is one to keep in touch with, this often (days).
KEEP_IN_TOUCH_DAYS = (14, 30, 60, 90)
TASKS_PER_CONTACT = 0.05
CURRENCIES = ("EUR", "EUR", "EUR", "USD", "USD", "GBP")


@dataclass(frozen=True)
class DemoSummary:
    contacts: int
    companies: int
    deals: int
    activities: int
    batch_id: str


@dataclass(frozen=True)
class _Company:
    name: str
    domain: str
    locale: str
    phone: str
    address: str


def is_empty() -> bool:
    return not any(model.select().exists() for model in (Contact, Deal, Activity))


def _locale(rng: random.Random) -> str:
    return rng.choices(pools.LOCALES, pools.LOCALE_WEIGHTS)[0]


def _slug(name: str) -> str:
    return pools.ascii_slug(pools.ROMANISED.get(name, name))


def _companies(rng: random.Random, count: int) -> list[_Company]:
    """Up to `count` companies; the pools allow a few thousand distinct names, and repeats are merged."""
    made: dict[str, _Company] = {}
    for _ in range(count):
        locale = _locale(rng)
        stem = rng.choice(pools.COMPANY_STEMS[locale])
        middle = f" {rng.choice(pools.INDUSTRY_WORDS)}" if locale in ("en", "nl", "de") and rng.random() < 0.5 else ""
        suffix = rng.choice(pools.COMPANY_SUFFIXES[locale])
        name = f"{stem}{suffix}" if locale == "zh" else f"{stem}{middle} {suffix}"
        slug = _slug(stem) + _slug(middle.strip())
        tld = {"nl": "nl", "en": rng.choice(("com", "co.uk", "io")), "de": "de", "zh": "cn", "ar": "ae"}[locale]
        city, _, country = rng.choice(pools.CITIES[locale])
        address = f"{rng.choice(pools.STREETS[locale])} {rng.randrange(1, 400)}, {city}, {country}"
        phone = pools.fill_digits(rng.choice(pools.PHONE_FORMATS[locale]), rng)
        made.setdefault(fold(name), _Company(name, f"{slug}.{tld}" if slug else "", locale, phone, address))
    return list(made.values())


def _contact(rng: random.Random, companies: list[_Company], serial: int) -> ContactDraft:
    company = rng.choice(companies) if companies and rng.random() < 0.85 else None
    locale = company.locale if company and rng.random() < 0.7 else _locale(rng)
    first = rng.choice(pools.FIRST_NAMES[locale])
    last = rng.choice(pools.LAST_NAMES[locale])
    local_part = f"{_slug(first)}.{_slug(last)}".strip(".") or f"contact{serial}"
    emails = []
    if company and company.domain:
        emails.append(f"{local_part}@{company.domain}")
    if not emails or rng.random() < 0.4:
        emails.append(f"{local_part}{rng.randrange(10, 99)}@{rng.choice(pools.EMAIL_DOMAINS_FREE)}")
    phones = [pools.fill_digits(rng.choice(pools.PHONE_FORMATS[locale]), rng) for _ in range(rng.choice((1, 1, 2)))]
    city, region, country = rng.choice(pools.CITIES[locale])
    birthday = ""
    if rng.random() < 0.3:
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        year = f"{rng.randrange(1955, 2002)}" if rng.random() < 0.9 else "-"
        birthday = f"{year}-{month:02d}-{day:02d}"
    return ContactDraft(
        first_name=first,
        last_name=last,
        title=rng.choice(pools.TITLES) if company else "",
        company=company.name if company else "",
        emails=emails,
        phones=list(dict.fromkeys(phones)),
        tags=rng.sample(pools.TAGS, rng.choice((0, 0, 1, 1, 2, 3))),
        street=f"{rng.choice(pools.STREETS[locale])} {rng.randrange(1, 250)}",
        city=city,
        region=region,
        postal_code=pools.fill_digits(rng.choice(("#####", "#### ##", "######")), rng),
        country=country,
        birthday=birthday,
        notes=rng.choice(pools.CONTACT_NOTES) if rng.random() < 0.3 else "",
        keep_in_touch_days=KEEP_IN_TOUCH_DAYS[serial // 20 % len(KEEP_IN_TOUCH_DAYS)] if serial % 20 == 3 else None,
    )


def contact_drafts(total: int, seed: int = 1) -> Iterator[ContactDraft]:
    """The contacts `fill(total, seed)` writes, as drafts (for benchmarks and sample files)."""
    rng = random.Random(seed)
    companies = _companies(rng, max(1, total // CONTACTS_PER_COMPANY))
    for serial in range(total):
        yield _contact(rng, companies, serial)


def _stamp(now: datetime, rng: random.Random, days_from: int, days_to: int) -> str:
    return format_timestamp(now + timedelta(days=rng.uniform(days_from, days_to)))


def _clients(contact_ids: list[int]) -> dict[int, tuple[int | None, str]]:
    """Each contact's company id and the name a deal with them goes by (the company's, else the person's)."""
    unique = list(set(contact_ids))
    marks = ", ".join([database.param] * len(unique))
    rows = database.execute_sql(
        "SELECT c.id, c.company_id, coalesce(co.name, trim(c.first_name || ' ' || c.last_name)) FROM contact c "
        f"LEFT JOIN company co ON co.id = c.company_id WHERE c.id IN ({marks})", unique)
    return {contact_id: (company_id, client) for contact_id, company_id, client in rows}


def _write_deals(rng: random.Random, now: datetime, first_id: int, last_id: int, count: int, batch_id: str) -> int:
    stages = list(tuple_rows(Stage.select().order_by(Stage.pipeline, Stage.position)))
    if not stages or count == 0:
        return 0
    pipeline_id = stages[0][1]
    stage_rows = [row for row in stages if row[1] == pipeline_id]
    columns = ("id", "title", "value_minor", "currency", "pipeline", "stage", "status", "lost_reason", "contact",
               "company", "expected_close", "closed_at", "stage_entered_at", "created_at", "updated_at")
    first_deal = allocate_ids(Deal, count)
    contact_ids = [rng.randint(first_id, last_id) for _ in range(count)]
    clients = _clients(contact_ids)
    rows, history, snapshots = [], [], []
    for offset, contact_id in enumerate(contact_ids):
        company_id, client = clients[contact_id]
        stage = rng.choices(stage_rows, (30, 22, 16, 10, 12, 10))[0]
        status = stage[5]
        entered = _stamp(now, rng, -60, -1)
        row = (first_deal + offset, rng.choice(pools.DEAL_TITLES).format(company=client),
               rng.randrange(5, 2000) * 50_00, rng.choice(CURRENCIES), pipeline_id, stage[0], status,
               rng.choice(pools.LOST_REASONS) if status == "lost" else "", contact_id, company_id,
               (now + timedelta(days=rng.randrange(-20, 120))).date().isoformat(),
               entered if status != "open" else None, entered, entered, entered)
        rows.append(row)
        history.append((first_deal + offset, None, stage[0], entered))
        snapshots.append(dict(zip(columns, row, strict=False)))
    insert_rows(Deal, columns, rows)
    insert_rows(DealStageChange, ("deal", "from_stage", "to_stage", "changed_at"), history)
    insert_changes("deal", [row[0] for row in rows], snapshots, batch_id)
    search_index.reindex_id_range(search_index.DEAL_INDEX, first_deal, first_deal + count - 1)
    return count


def _write_activities(
    rng: random.Random, now: datetime, first_id: int, last_id: int, count: int, tasks: int, batch_id: str
) -> int:
    columns = ("id", "kind", "subject", "body", "occurred_at", "due_at", "done_at", "contact", "company",
               "created_at", "updated_at")
    first_activity = allocate_ids(Activity, count + tasks)
    contact_ids = [rng.randint(first_id, last_id) for _ in range(count + tasks)]
    clients = _clients(contact_ids)
    rows = []
    for offset, contact_id in enumerate(contact_ids):
        if offset < count:
            kind = rng.choice(("call", "call", "meeting", "email", "email", "note"))
            occurred = _stamp(now, rng, -365, 0)
            due = done = None
        else:
            kind, occurred = "task", None
            due = _stamp(now, rng, -10, 30)
            done = occurred = due if due < format_timestamp(now) and rng.random() < 0.5 else None
        body = rng.choice(pools.ACTIVITY_BODIES) if rng.random() < 0.6 else ""
        stamp = occurred or due
        rows.append((first_activity + offset, kind, rng.choice(pools.ACTIVITY_SUBJECTS[kind]), body, occurred, due,
                     done, contact_id, clients[contact_id][0], stamp, stamp))
    insert_rows(Activity, columns, rows)
    snapshots = [dict(zip(columns, row, strict=False)) for row in rows]
    insert_changes("activity", [row[0] for row in rows], snapshots, batch_id)
    search_index.reindex_id_range(search_index.ACTIVITY_INDEX, first_activity, first_activity + len(rows) - 1)
    return len(rows)


def _write_next_steps(seed: int, now: datetime, batch_id: str) -> int:
    """A next step (an open task) on three in four open deals, so the agenda and the board show both kinds. It
    draws from its own random stream: the demo's contacts and deals stay what they were before next steps."""
    rng = random.Random(f"{seed}-next-steps")
    columns = ("id", "kind", "subject", "body", "due_at", "deal", "contact", "company", "created_at", "updated_at")
    open_deals = database.execute_sql(
        "SELECT id, contact_id, company_id FROM deal WHERE status = 'open' AND deleted_at IS NULL ORDER BY id"
    ).fetchall()
    chosen = [deal for deal in open_deals if rng.random() < 0.75]
    first_activity = allocate_ids(Activity, len(chosen))
    stamp = format_timestamp(now)
    rows = [(first_activity + offset, "task", rng.choice(pools.ACTIVITY_SUBJECTS["task"]), "",
             _stamp(now, rng, -3, 21), deal_id, contact_id, company_id, stamp, stamp)
            for offset, (deal_id, contact_id, company_id) in enumerate(chosen)]
    insert_rows(Activity, columns, rows)
    snapshots = [dict(zip(columns, row, strict=False)) for row in rows]
    insert_changes("activity", [row[0] for row in rows], snapshots, batch_id)
    if rows:
        search_index.reindex_id_range(search_index.ACTIVITY_INDEX, first_activity, first_activity + len(rows) - 1)
    return len(rows)


def fill(
    contacts: int = DEFAULT_CONTACTS,
    seed: int = 1,
    force: bool = False,
    now: datetime | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> DemoSummary:
    """Add demo data. Refuses a database that already holds records unless `force` is given."""
    if contacts < 1:
        raise CrmError("--contacts must be at least 1")
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    batch_id = new_batch_id()
    companies = _companies(rng, max(1, contacts // CONTACTS_PER_COMPANY))

    def drafts() -> Iterator[ContactDraft]:
        for serial in range(contacts):
            yield _contact(rng, companies, serial)

    def progress(result: bulk.BulkResult) -> None:
        if on_progress:
            on_progress("contacts", result.created, contacts)

    # One transaction for all of it: a demo stopped part-way (Ctrl-C, kill -9) leaves nothing behind, and a second
    # `demo` finds the database as it was.
    with write_transaction():
        if not force and not is_empty():
            raise CrmError("the database already holds records; use --force to add demo data to it anyway")
        bulk.insert_companies(
            [{"name": c.name, "domain": c.domain, "phone": c.phone, "address": c.address} for c in companies], batch_id
        )
        result = bulk.create_contacts(drafts(), batch_id, progress)
        assert result.first_id is not None and result.last_id is not None
        deal_count = max(1, round(contacts * DEALS_PER_CONTACT))
        activity_count = max(1, round(contacts * ACTIVITIES_PER_CONTACT))
        task_count = max(1, round(contacts * TASKS_PER_CONTACT))
        written_deals = written_activities = 0
        for start in range(0, deal_count, bulk.CHUNK_SIZE):
            written_deals += _write_deals(
                rng, now, result.first_id, result.last_id, min(bulk.CHUNK_SIZE, deal_count - start), batch_id)
            if on_progress:
                on_progress("deals", written_deals, deal_count)
        total_activities = activity_count + task_count
        for start in range(0, total_activities, bulk.CHUNK_SIZE):
            size = min(bulk.CHUNK_SIZE, total_activities - start)
            tasks_here = max(0, min(size, start + size - activity_count))
            written_activities += _write_activities(
                rng, now, result.first_id, result.last_id, size - tasks_here, tasks_here, batch_id)
            if on_progress:
                on_progress("activities", written_activities, total_activities)
        written_activities += _write_next_steps(seed, now, batch_id)
        search_index.optimize_index(search_index.DEAL_INDEX, search_index.ACTIVITY_INDEX)
        Meta.insert(key="demo", value=str(seed)).on_conflict(
            conflict_target=[Meta.key], update={Meta.value: str(seed)}
        ).execute()
    return DemoSummary(result.created, len(companies), written_deals, written_activities, batch_id)
