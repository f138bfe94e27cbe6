"""The documented schema (see docs/schema.md): every table a user's data lives in.

Services in this package are the only code that touches these models; the UI and CLI get plain dataclasses.
Timestamps are ISO 8601 text in UTC (`2026-11-28T09:30:00.000000Z`), so they sort as text and any tool can read
them. Money is an integer in minor units plus an ISO 4217 code.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from peewee import (
    SQL,
    AutoField,
    BaseQuery,
    BooleanField,
    CharField,
    CompositeKey,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

database = DatabaseProxy()

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def contact_name_sql(alias: str = "c") -> str:
    """SQL for the name a contact is shown by (contacts.shown_name): its display name, else its first and last
    names, else its first email (a contact may have only an email, as address books are full of them)."""
    return (f"coalesce(nullif({alias}.display_name, ''), nullif(trim({alias}.first_name || ' ' || {alias}.last_name), "
            f"''), (SELECT e.email FROM contact_email e WHERE e.contact_id = {alias}.id ORDER BY e.position LIMIT 1), "
            "'')")


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


def now_text() -> str:
    return format_timestamp(utc_now())


def tuple_rows(query: BaseQuery) -> Iterable[tuple[Any, ...]]:
    """`query.tuples()`, typed as the tuples it yields (peewee's stubs keep a model select's row type there)."""
    return cast("Iterable[tuple[Any, ...]]", query.tuples())


class UtcTimestampField(TextField):
    """A UTC instant as fixed-width ISO 8601 text (`now_text`): it sorts correctly as text and reads as it is."""


class BaseModel(Model):
    # What peewee adds to a model that declares no primary key, spelled out so that type checkers know `id`.
    id = AutoField()

    class Meta:
        database = database
        legacy_table_names = False


class RecordModel(BaseModel):
    """A main record: timestamps, soft delete (the trash) and a version for optimistic locking."""

    created_at = UtcTimestampField(default=now_text)
    updated_at = UtcTimestampField(default=now_text)
    deleted_at = UtcTimestampField(null=True)
    version = IntegerField(default=1)


class Meta(BaseModel):
    """Key/value facts about this database file, such as whether it holds demo data."""

    key = CharField(primary_key=True)
    value = TextField()


class Company(RecordModel):
    name = TextField()
    domain = TextField(default="")
    phone = TextField(default="")
    address = TextField(default="")
    notes = TextField(default="")
    sort_name = TextField()


class Contact(RecordModel):
    first_name = TextField(default="")
    last_name = TextField(default="")
    display_name = TextField(default="")
    title = TextField(default="")
    company = ForeignKeyField(Company, null=True, backref="contacts", on_delete="SET NULL")
    street = TextField(default="")
    city = TextField(default="")
    region = TextField(default="")
    postal_code = TextField(default="")
    country = TextField(default="")
    birthday = TextField(default="")
    notes = TextField(default="")
    custom = TextField(default="{}")
    sort_name = TextField()
    sort_company = TextField(default="")
    # Version 6; last, where the migration's ALTER TABLE puts it, so new and migrated tables are alike.
    keep_in_touch_days = IntegerField(null=True)


class ContactEmail(BaseModel):
    contact = ForeignKeyField(Contact, backref="emails", on_delete="CASCADE")
    email = TextField()
    label = TextField(default="")
    is_primary = BooleanField(default=False)
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("contact", "position"), False), (("email",), False))


class ContactPhone(BaseModel):
    contact = ForeignKeyField(Contact, backref="phones", on_delete="CASCADE")
    phone = TextField()
    digits = TextField(default="")
    label = TextField(default="")
    is_primary = BooleanField(default=False)
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("contact", "position"), False), (("digits",), False))


class Tag(BaseModel):
    name = TextField()
    name_key = TextField(unique=True)
    created_at = UtcTimestampField(default=now_text)


class ContactTag(BaseModel):
    contact = ForeignKeyField(Contact, on_delete="CASCADE")
    tag = ForeignKeyField(Tag, on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("contact", "tag")
        indexes = ((("tag", "contact"), False),)


class Pipeline(RecordModel):
    name = TextField()
    position = IntegerField(default=0)
    archived_at = UtcTimestampField(null=True)


class Stage(BaseModel):
    """A step of a pipeline. `outcome` is "open" for working stages, "won" or "lost" for the two outcomes.

    A deleted stage keeps its row (with `deleted_at` set), so the stage history of deals that passed through it
    still names it, and undo brings it back as it was."""

    pipeline = ForeignKeyField(Pipeline, backref="stages", on_delete="CASCADE")
    pipeline_id: int  # peewee's accessor for the key itself; annotated only, for type checkers
    name = TextField()
    position = IntegerField(default=0)
    probability = IntegerField(default=0)
    outcome = CharField(default="open", constraints=[SQL("CHECK (outcome IN ('open', 'won', 'lost'))")])
    deleted_at = UtcTimestampField(null=True)

    class Meta:
        indexes = ((("pipeline", "position"), False),)


class Deal(RecordModel):
    title = TextField()
    value_minor = IntegerField(default=0)
    currency = CharField(max_length=3, default="EUR")
    pipeline = ForeignKeyField(Pipeline, backref="deals", on_delete="RESTRICT")
    stage = ForeignKeyField(Stage, backref="deals", on_delete="RESTRICT")
    status = CharField(default="open", constraints=[SQL("CHECK (status IN ('open', 'won', 'lost'))")])
    lost_reason = TextField(default="")
    contact = ForeignKeyField(Contact, null=True, backref="deals", on_delete="SET NULL")
    company = ForeignKeyField(Company, null=True, backref="deals", on_delete="SET NULL")
    expected_close = TextField(default="")
    closed_at = UtcTimestampField(null=True)
    stage_entered_at = UtcTimestampField(default=now_text)
    notes = TextField(default="")


class DealStageChange(BaseModel):
    deal = ForeignKeyField(Deal, backref="stage_changes", on_delete="CASCADE")
    from_stage = ForeignKeyField(Stage, null=True, on_delete="SET NULL", column_name="from_stage_id")
    to_stage = ForeignKeyField(Stage, on_delete="CASCADE", column_name="to_stage_id")
    changed_at = UtcTimestampField(default=now_text)


class Activity(RecordModel):
    kind = CharField(constraints=[SQL("CHECK (kind IN ('call', 'meeting', 'email', 'note', 'task'))")])
    subject = TextField(default="")
    body = TextField(default="")
    occurred_at = UtcTimestampField(null=True)
    due_at = UtcTimestampField(null=True)
    done_at = UtcTimestampField(null=True)
    contact = ForeignKeyField(Contact, null=True, backref="activities", on_delete="SET NULL")
    company = ForeignKeyField(Company, null=True, backref="activities", on_delete="SET NULL")
    deal = ForeignKeyField(Deal, null=True, backref="activities", on_delete="SET NULL")


class Change(BaseModel):
    """The audit log: one row for every write, the ground for history, undo and import revert.

    Rows of one user action share `batch_id`. The rows an undo writes carry in `undoes` the key of the batch they
    undid (its batch_id, or `change:<id>` for a lone row without one), so nothing is undone twice; the rows a redo
    writes carry in `redoes` the key of the undo batch they took back. `source` says where the change was made
    (app, cli, ssh) and `actor` who made it.
    """

    entity = CharField()
    entity_id = IntegerField()
    action = CharField()
    before = TextField(null=True)
    after = TextField(null=True)
    at = UtcTimestampField(default=now_text)
    actor = TextField(default="")
    batch_id = TextField(null=True)
    undoes = TextField(null=True)
    redoes = TextField(null=True)
    source = TextField(default="")

    class Meta:
        indexes = ((("entity", "entity_id"), False), (("batch_id",), False))


class ImportBatch(BaseModel):
    """One import: where from, how, and what it did. Its records' Change rows carry `batch_id` = `id`, which is
    how `import undo` finds them. Written in the import's own transaction, so a killed import leaves no row."""

    id = CharField(primary_key=True)  # type: ignore[assignment]  # a text key replaces BaseModel's auto id
    source = TextField()
    format = CharField()
    entity = CharField()
    mode = CharField()
    started_at = UtcTimestampField(default=now_text)
    finished_at = UtcTimestampField(null=True)
    created = IntegerField(default=0)
    updated = IntegerField(default=0)
    skipped = IntegerField(default=0)
    rejected = IntegerField(default=0)
    undone_at = UtcTimestampField(null=True)


class SavedSearch(BaseModel):
    """A search kept under a name: it shows in the command palette, and a pinned one filters the contacts list."""

    name = TextField()
    name_key = TextField(unique=True)
    query = TextField()
    pinned = BooleanField(default=False)
    created_at = UtcTimestampField(default=now_text)
    updated_at = UtcTimestampField(default=now_text)


class DuplicateDismissal(BaseModel):
    """Two contacts a person said are not the same, smaller id first: the duplicate scan never pairs them again.
    Purging either contact removes the pair."""

    contact_low = ForeignKeyField(Contact, on_delete="CASCADE")
    contact_high = ForeignKeyField(Contact, on_delete="CASCADE")
    contact_low_id: int  # peewee's accessors for the keys themselves; annotated only, for type checkers
    contact_high_id: int
    dismissed_at = UtcTimestampField(default=now_text)

    class Meta:
        indexes = ((("contact_low", "contact_high"), True),)


MODELS: tuple[type[BaseModel], ...] = (
    Meta,
    Company,
    Contact,
    ContactEmail,
    ContactPhone,
    Tag,
    ContactTag,
    Pipeline,
    Stage,
    Deal,
    DealStageChange,
    Activity,
    Change,
    ImportBatch,
    SavedSearch,
    DuplicateDismissal,
)

# Keyset pagination walks these partial indexes: live (not trashed) rows only, in each sort order a list offers.
_LIVE = SQL("deleted_at IS NULL")
Contact.add_index(Contact.sort_name, Contact.id, where=_LIVE)
Contact.add_index(Contact.sort_company, Contact.sort_name, Contact.id, where=_LIVE)
Contact.add_index(Contact.updated_at, Contact.id, where=_LIVE)
# Every sort key by id: a list filtered to a set of ids (search matches, a tag) reads their sort keys from here,
# a small index, instead of from the wide contact rows: 40% faster on 20k matches.
Contact.add_index(Contact.id, Contact.sort_name, Contact.sort_company, Contact.updated_at, where=_LIVE)
CONTACT_SORT_KEYS_INDEX = "contact_id_sort_name_sort_company_updated_at"
Company.add_index(Company.sort_name, Company.id, where=_LIVE)
Company.add_index(Company.updated_at, Company.id, where=_LIVE)
Deal.add_index(Deal.status, Deal.stage, where=_LIVE)
# A board column is one stage in order of expected close, undated deals last: this key and the index below make
# every page of a 10,000-deal stage an index seek. Totals per stage and currency read only their own index.
DEAL_CLOSE_KEY = "coalesce(nullif(expected_close, ''), '~')"
Deal.add_index(SQL(f"CREATE INDEX IF NOT EXISTS deal_stage_close ON deal (stage_id, {DEAL_CLOSE_KEY}, id) "
                   "WHERE deleted_at IS NULL"))
Deal.add_index(Deal.stage, Deal.currency, Deal.value_minor, where=_LIVE)
# The deals table of one pipeline, by value and by age.
Deal.add_index(Deal.pipeline, Deal.value_minor, Deal.id, where=_LIVE)
Deal.add_index(Deal.pipeline, Deal.created_at, Deal.id, where=_LIVE)
Activity.add_index(Activity.occurred_at, Activity.id, where=_LIVE)
_OPEN_TASK = SQL("deleted_at IS NULL AND kind = 'task' AND done_at IS NULL")
Activity.add_index(Activity.due_at, Activity.id, where=_OPEN_TASK)
# Timelines: one record's activities newest first, and a contact's last activity (stay in touch), are seeks.
Activity.add_index(Activity.contact, Activity.occurred_at, Activity.id, where=_LIVE)
Activity.add_index(Activity.company, Activity.occurred_at, Activity.id, where=_LIVE)
Activity.add_index(Activity.deal, Activity.occurred_at, Activity.id, where=_LIVE)
# The activity log of one kind: without it, counting the meetings among 2M activities took 6 s instead of 20 ms.
Activity.add_index(Activity.kind, Activity.occurred_at, Activity.id, where=_LIVE)
# A deal's next step: its open task due soonest, undated ones last (the same key as the agenda's `due` order).
NEXT_STEP_KEY = "coalesce(due_at, '~')"
Activity.add_index(SQL(f"CREATE INDEX IF NOT EXISTS activity_deal_next_step ON activity (deal_id, {NEXT_STEP_KEY}, id) "
                       "WHERE deleted_at IS NULL AND kind = 'task' AND done_at IS NULL"))
# The activity log merges stage changes in, newest first.
DealStageChange.add_index(DealStageChange.changed_at, DealStageChange.id)
# Contacts to keep in touch with are few: this index lists them without reading the rest.
Contact.add_index(Contact.keep_in_touch_days, where=SQL("deleted_at IS NULL AND keep_in_touch_days IS NOT NULL"))
# Imports match a contact by email whatever its case (mailboxes are case-blind in practice).
ContactEmail.add_index(SQL("CREATE INDEX IF NOT EXISTS contact_email_lower_email ON contact_email (lower(email))"))
# The duplicate check finds a Gmail address written with its dots elsewhere through this (duplicates/check.py).
ContactEmail.add_index(SQL("CREATE INDEX IF NOT EXISTS contact_email_undotted ON contact_email "
                           "(replace(lower(email), '.', ''))"))
# Undo asks, for each batch it passes, whether an undo names it: only undo rows are indexed.
Change.add_index(Change.undoes, where=SQL("undoes IS NOT NULL"))
# The trash lists what was deleted, newest first: only trashed rows are indexed.
_TRASHED = SQL("deleted_at IS NOT NULL")
for _model in (Contact, Company, Deal, Activity):
    _model.add_index(_model.deleted_at, _model.id, where=_TRASHED)
TRASH_INDEXES = {"contact": "contact_deleted_at_id", "company": "company_deleted_at_id", "deal": "deal_deleted_at_id",
                 "activity": "activity_deleted_at_id"}
# Redo asks the same of redo rows.
Change.add_index(Change.redoes, where=SQL("redoes IS NOT NULL"))
