"""A record's history, read from the audit log: every change with its time, what it did, each field old -> new,
and where it came from (the app, the command line, SSH, an import, an undo or a redo).

The log keeps a snapshot of the record before and after each change, so a field's change is the difference of the
two, in the words the app uses, and nothing has to be logged twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crm_tui.core import money
from crm_tui.core.errors import NotFoundError, ValidationError
from crm_tui.core.models import database

ENTITIES = ("contact", "company", "deal", "activity")
# Keys of a snapshot that are the log's own bookkeeping or shown through another key (stage_id through stage).
_HIDDEN = {"id", "version", "created_at", "updated_at", "deleted_at", "sort_name", "sort_company", "stage_id",
           "pipeline_id", "contact_id", "company_id", "deal_id", "value_minor", "currency", "probability", "name",
           "stage_entered_at", "next_step", "next_step_due"}
_LABELS = {"first_name": "first name", "last_name": "last name", "display_name": "display name",
           "postal_code": "postal code", "keep_in_touch_days": "keep in touch (days)", "lost_reason": "lost reason",
           "expected_close": "expected close", "closed_at": "closed", "occurred_at": "when", "due_at": "due",
           "done_at": "done"}
_ACTIONS = {"create": "created", "update": "edited", "delete": "moved to the trash",
            "restore": "restored from the trash", "purge": "purged"}
_SOURCES = {"app": "app", "cli": "command line", "ssh": "SSH"}
_LINKS = {"contact", "company", "deal", "pipeline", "stage"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    change_id: int
    at: str
    action: str
    source: str
    actor: str
    fields: tuple[FieldChange, ...]
    undone: bool

    def as_json(self) -> dict[str, Any]:
        return {"change_id": self.change_id, "at": self.at, "action": self.action, "source": self.source,
                "actor": self.actor, "undone": self.undone,
                "fields": [{"field": item.field, "old": item.old, "new": item.new} for item in self.fields]}


def record_history(entity: str, record_id: int, limit: int = 200,
                   before_change: int | None = None) -> list[HistoryEntry]:
    """The record's changes, newest first, `limit` at a time (`before_change`: the oldest change_id shown)."""
    if entity not in ENTITIES:
        raise ValidationError.single("entity", f"{entity!r} is not one of {', '.join(ENTITIES)}")
    sql = """
        SELECT c.id, c.at, c.action, c.before, c.after, c.source, c.actor, c.undoes, c.redoes, b.source,
               EXISTS (SELECT 1 FROM change u WHERE u.undoes = coalesce(c.batch_id, 'change:' || c.id))
          FROM change c LEFT JOIN import_batch b ON b.id = c.batch_id
         WHERE c.entity = ? AND c.entity_id = ? AND c.id < ?
         ORDER BY c.id DESC LIMIT ?"""
    rows = database.execute_sql(sql, (entity, record_id, before_change or 1 << 62, limit)).fetchall()
    if not rows and before_change is None and not _exists(entity, record_id):
        raise NotFoundError(f"{entity} {record_id} does not exist and has no history")
    return [_entry(*row) for row in rows]


def _exists(entity: str, record_id: int) -> bool:
    return database.execute_sql(f"SELECT 1 FROM {entity} WHERE id = ?", (record_id,)).fetchone() is not None


def _entry(change_id, at, action, before, after, source, actor, undoes, redoes, imported, undone) -> HistoryEntry:
    before, after = json.loads(before or "null"), json.loads(after or "null")
    if action == "merge":
        merged = ", ".join(f"#{other}" for other in (after or {}).get("merged", []))
        words = f"merged {merged} into this contact"
    else:
        words = _ACTIONS.get(action, action)
    if undoes:
        words += " (by an undo)"
    elif redoes:
        words += " (by a redo)"
    where = f"import of {imported}" if imported else _SOURCES.get(source, source)
    fields = _field_changes(before, after) if action in ("create", "update") else ()
    return HistoryEntry(change_id, at, words, where, actor or "", fields, bool(undone))


def _field_changes(before: dict | None, after: dict | None) -> tuple[FieldChange, ...]:
    before, after = before or {}, after or {}
    changes = []
    for key in dict.fromkeys((*before, *after)):
        if key in _HIDDEN or key in _LINKS and isinstance(after.get(key, before.get(key)), int):
            continue  # a bulk load (demo data) logs links as ids; the app's own snapshots name them
        old, new = _shown(before.get(key)), _shown(after.get(key))
        if old != new:
            changes.append(FieldChange(_LABELS.get(key, key.replace("_", " ")), old, new))
    if "value_minor" in after or "value_minor" in before:
        old, new = _money(before), _money(after)
        if old != new:
            changes.insert(0, FieldChange("value", old, new))
    return tuple(changes)


def _money(snapshot: dict) -> str:
    if snapshot.get("value_minor") is None:
        return ""
    return money.format_money(snapshot["value_minor"], snapshot.get("currency") or "EUR")


def _shown(value: Any) -> str:
    """A snapshot's value as the app shows it: lists joined, custom fields as `key: value`, nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
