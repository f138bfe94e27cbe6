"""Undo and redo: revert the most recent user action not undone yet, or take back the most recent undo, from the
audit log alone.

A user action is one change batch (`records.change_batch`). Undo writes the inverse of each of its changes, newest
first, through the same services (so the search index and the history stay in step), in one transaction: it
happens completely or not at all. Every Change row an undo writes carries in `undoes` the key of the batch it
reverted; that is how no batch is undone twice, how undo batches are told apart, and why the stack survives a
restart.

Redo inverts an undo batch the same way, its rows carrying in `redoes` the undo batch's id. Undos are redone newest
first, and only while no new change has been made since (a purge of the trash does not count: it changes nothing
that undo could take back). A redo is an ordinary change: undo takes it back like any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from crm_tui.core import activities, companies, contacts, deals, records
from crm_tui.core.audit import batches
from crm_tui.core.contacts import tags
from crm_tui.core.contacts.data import shown_name
from crm_tui.core.deals import pipelines
from crm_tui.core.errors import CannotUndoError, ConflictError, NothingToUndoError
from crm_tui.core.models import Tag, database
from crm_tui.core.records import change_batch, chunked, record_change, write_transaction
from crm_tui.core.text import fold

# The newest change not undone yet. A purge is final, so undo passes over it, and over what was done before to a
# record since purged: there is nothing left of it to take back, and refusing would block all older history.
_NEXT_SQL = """
SELECT c.id, c.batch_id FROM change c
 WHERE c.undoes IS NULL AND c.action != 'purge'
   AND NOT EXISTS (SELECT 1 FROM change u WHERE u.undoes = coalesce(c.batch_id, 'change:' || c.id))
   AND NOT EXISTS (SELECT 1 FROM change p WHERE p.entity = c.entity AND p.entity_id = c.entity_id
                                            AND p.action = 'purge' AND p.id > c.id)
 ORDER BY c.id DESC LIMIT 1"""
_COLUMNS = "id, entity, entity_id, action, before, after"
# The newest undo not redone yet, unless a new change (not an undo, a redo or a purge) has been made since it.
_REDO_SQL = """
SELECT u.batch_id, max(u.id) AS newest FROM change u
 WHERE u.undoes IS NOT NULL AND u.batch_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM change r WHERE r.redoes = u.batch_id)
 GROUP BY u.batch_id
HAVING newest > coalesce((SELECT max(id) FROM change
                           WHERE undoes IS NULL AND redoes IS NULL AND action != 'purge'), 0)
 ORDER BY newest DESC LIMIT 1"""


@dataclass(frozen=True)
class LoggedChange:
    id: int
    entity: str
    entity_id: int
    action: str
    before: dict | None
    after: dict | None

    @property
    def label(self) -> str:
        """The record as a person knows it: `contact 'Ada Lovelace'`."""
        snapshot = self.after or self.before or {}
        name = snapshot.get("name") or snapshot.get("title") or snapshot.get("subject") or shown_name(
            snapshot.get("first_name", ""), snapshot.get("last_name", ""), snapshot.get("display_name", "")
        )
        return f"{self.entity} {name!r}" if name else f"{self.entity} {self.entity_id}"

    @property
    def old(self) -> dict:
        """`before`, of a change that logs one (an update, a delete)."""
        assert self.before is not None, f"change {self.id} logged no before"
        return self.before

    @property
    def new(self) -> dict:
        """`after`, of a change that logs one (a create, an update)."""
        assert self.after is not None, f"change {self.id} logged no after"
        return self.after


def batch_key(batch_id: str | None, change_id: int) -> str:
    """What `change.undoes` holds for the batch a change belongs to: a lone change without a batch is its own."""
    return batch_id or f"change:{change_id}"


def undo_last() -> str:
    """Undo the most recent batch not undone yet, and say what was undone ("Undid: added contact 'Ada'")."""
    with write_transaction():
        found = database.execute_sql(_NEXT_SQL).fetchone()
        if found is None:
            raise NothingToUndoError("there is nothing to undo")
        change_id, batch_id = found
        if batches.is_import(batch_id):  # however large, an import is taken back whole, a chunk at a time
            return batches.undo_import(batch_id)
        changes = _load(batch_id, change_id)
        description = describe(changes)
        _refuse_what_cannot_be_undone(changes, description)
        _check_unchanged_since(changes)
        key = batch_key(batch_id, change_id)
        with change_batch(undoes=key):
            for run in _runs(changes[::-1]):
                _INVERSES[(run[0].entity, run[0].action)](run)
            record_change("change", changes[-1].id, "undo", None, {"undid": key, "description": description})
    return f"Undid: {description}"


def redo_last() -> str:
    """Take back the most recent undo, and say what was redone ("Redid: added contact 'Ada'")."""
    with write_transaction():
        found = database.execute_sql(_REDO_SQL).fetchone()
        if found is None:
            raise NothingToUndoError("there is nothing to redo")
        undo_batch, newest = found
        changes = _load(undo_batch, newest)
        closing = next((change for change in changes if change.entity == "change"), None)
        description = closing.after.get("description", "") if closing and closing.after else describe(changes)
        undone = closing.after.get("undid") if closing and closing.after else None
        if batches.is_import(undone):
            raise CannotUndoError(f"cannot redo: {description}; redo does not apply an import again. Import the "
                                  "file again instead")
        work = [change for change in changes if change.entity != "change"]
        _refuse_what_cannot_be_undone(work, description)
        _check_unchanged_since(work)
        with change_batch(redoes=undo_batch):
            for run in _runs(work[::-1]):
                _INVERSES[(run[0].entity, run[0].action)](run)
            record_change("change", changes[-1].id, "redo", None, {"redid": undo_batch, "description": description})
    return f"Redid: {description}"


def _load(batch_id: str | None, change_id: int) -> list[LoggedChange]:
    if batch_id is None:
        rows = database.execute_sql(f"SELECT {_COLUMNS} FROM change WHERE id = ?", (change_id,)).fetchall()
    else:
        (size,) = database.execute_sql("SELECT count(*) FROM change WHERE batch_id = ?", (batch_id,)).fetchone()
        if size > records.MAX_UNDO_CHANGES:
            raise CannotUndoError(
                f"the last change covers {size:,} records at once (an import or demo data, batch {batch_id}); "
                f"undo takes back at most {records.MAX_UNDO_CHANGES:,}, so nothing was undone"
            )
        rows = database.execute_sql(f"SELECT {_COLUMNS} FROM change WHERE batch_id = ? ORDER BY id", (batch_id,))
    return [
        LoggedChange(row_id, entity, entity_id, action, json.loads(before or "null"), json.loads(after or "null"))
        for row_id, entity, entity_id, action, before, after in rows
    ]


# The first of these a batch touches names it: a deal that brought a new company along is "added deal …".
_NOUNS = {"contact": "contacts", "stage": "stages", "pipeline": "pipelines", "deal": "deals",
          "activity": "activities", "company": "companies", "tag": "tags"}
_PHRASES = {
    "create": "added {}",
    "update": "edited {}",
    "delete": "moved {} to the trash",
    "restore": "restored {} from the trash",
    "purge": "purged {}",
}


def describe(changes: list[LoggedChange]) -> str:
    """What a batch did, in a person's words, named after its main record: a contact that brought a new company
    along is "added contact 'Ada Lovelace'". A batch that says what it was (a merge, a redo) is named so."""
    for change in changes:
        if change.action == "merge" and change.after:
            merged = len(change.after.get("merged", []))
            return f"merged {merged + 1} contacts into {change.after.get('name', '')!r}"
        if (change.entity, change.action) == ("change", "redo") and change.after:
            return change.after.get("description", "a redo")
    pairs = [change for change in changes if change.entity == "duplicate_dismissal"]
    if pairs:
        people = {contact for change in pairs for contact in (
            (change.after or change.old)["contact_low"], (change.after or change.old)["contact_high"])}
        ids = ", ".join(f"#{contact}" for contact in sorted(people))
        return (f"said contacts {ids} are not duplicates" if pairs[0].action == "create"
                else f"let contacts {ids} count as possible duplicates again")
    entity = next((name for name in _NOUNS if any(c.entity == name for c in changes)), changes[-1].entity)
    of_entity = [change for change in changes if change.entity == entity]
    # Adding or deleting a stage renumbers the others after it: the first change says what the person did.
    action = of_entity[0 if entity == "stage" else -1].action
    alike = [change for change in of_entity if change.action == action]
    headline = alike[-1]
    if entity == "tag" and action == "update" and len(alike) == 1:
        return f"renamed tag {headline.old['name']!r} to {headline.new['name']!r}"
    if entity == "deal" and action == "update" and len(alike) == 1:
        before, after = headline.old, headline.new
        if before.get("stage_id") != after.get("stage_id"):
            return f"moved {headline.label} from {before.get('stage')} to {after.get('stage')}"
    if entity == "stage" and action == "update" and len(alike) > 1:
        return f"reordered {len(alike)} stages"
    what = headline.label if len(alike) == 1 else f"{len(alike):,} {_NOUNS.get(entity, entity)}"
    if entity in ("tag", "stage", "pipeline") and action == "delete":
        return f"deleted {what}"
    if entity == "pipeline" and action == "update" and len(alike) == 1:
        before, after = headline.old, headline.new
        if before["name"] != after["name"]:
            return f"renamed pipeline {before['name']!r} to {after['name']!r}"
        if before["archived_at"] != after["archived_at"]:
            return f"{'archived' if after['archived_at'] else 'unarchived'} {what}"
    return _PHRASES.get(action, action + " {}").format(what)


def _refuse_what_cannot_be_undone(changes: list[LoggedChange], description: str) -> None:
    for change in changes:
        if change.entity == "backup":
            raise CannotUndoError(f"cannot undo: {description}; a restored backup is not undone record by record. "
                                  "To start over, restore it into a new database file (crm-tui --db NEW import …)")
        if change.action == "purge":
            raise CannotUndoError(f"cannot undo: {description}; a purged record cannot be restored")
        if (change.entity, change.action) not in _INVERSES:
            raise CannotUndoError(f"cannot undo: {description}; undo does not cover {change.entity} changes yet")


def _check_unchanged_since(changes: list[LoggedChange]) -> None:
    """Refuse (ConflictError) if a record of the batch was written since without the log knowing: another program
    or an older crm-tui. Undoing then would silently throw that edit away."""
    for entity in ("contact", "company", "deal", "pipeline", "activity"):
        record_ids = sorted({change.entity_id for change in changes if change.entity == entity})
        labels = {change.entity_id: change.label for change in changes if change.entity == entity}
        for chunk in chunked(record_ids):
            marks = ", ".join("?" * len(chunk))
            versions = dict(database.execute_sql(f"SELECT id, version FROM {entity} WHERE id IN ({marks})", chunk))
            logged = database.execute_sql(
                f"SELECT entity_id, action, after FROM change WHERE id IN (SELECT max(id) FROM change "
                f"WHERE entity = ? AND entity_id IN ({marks}) GROUP BY entity_id)", [entity, *chunk],
            )
            for record_id, action, after in logged:
                snapshot = json.loads(after or "null")
                label = labels[record_id]
                if record_id not in versions:
                    raise ConflictError(f"cannot undo: {label} has since been removed for good")
                expected = (snapshot or {}).get("version", 1 if action == "create" else None)
                if versions[record_id] != expected:
                    raise ConflictError(
                        f"cannot undo: {label} was changed since outside crm-tui's history (version "
                        f"{versions[record_id]}, the history knows {expected}); nothing was undone"
                    )


def _runs(changes: list[LoggedChange]) -> Iterator[list[LoggedChange]]:
    """Changes in order, grouped into runs of one kind touching each record once, which an inverse takes at once."""
    run: list[LoggedChange] = []
    seen: set[int] = set()
    for change in changes:
        if run and ((change.entity, change.action) != (run[0].entity, run[0].action) or change.entity_id in seen):
            yield run
            run, seen = [], set()
        run.append(change)
        seen.add(change.entity_id)
    if run:
        yield run


def _moving(move: Callable[[list[int]], int]) -> Callable[[list[LoggedChange]], None]:
    """An inverse that moves the run's records to the trash or back, all of which must still be where they were."""

    def inverse(run: list[LoggedChange]) -> None:
        if move([change.entity_id for change in run]) != len(run):
            raise ConflictError(f"cannot undo: {run[0].label} is not where the history left it; nothing was undone")

    return inverse


def _revert_companies(run: list[LoggedChange]) -> None:
    for change in run:
        current = companies.get(change.entity_id)
        companies.update(change.entity_id, current.version, **{name: change.old[name] for name in companies.FIELDS})


def _rename_tags_back(run: list[LoggedChange]) -> None:
    for change in run:
        old, new = change.old["name"], change.new["name"]
        tag = Tag.get_or_none(Tag.id == change.entity_id)
        if tag is None or tag.name != new:
            raise ConflictError(f"cannot undo: tag {new!r} was renamed or deleted since; nothing was undone")
        clash = Tag.get_or_none((Tag.name_key == fold(old)) & (Tag.id != tag.id))
        if clash is not None:
            raise ConflictError(
                f"cannot undo: a tag {clash.name!r} exists again, so {new!r} cannot be renamed back to {old!r}; "
                "rename or delete one of them first"
            )
        tags.rename(new, old)


def _reattach_tags(run: list[LoggedChange]) -> None:
    for change in run:
        tags.reattach(change.old["name"], change.old.get("contact_ids", []), change.entity_id)


def _dismissals():
    """The duplicates module, loaded when a dismissal is undone: it brings numpy and rapidfuzz along."""
    from crm_tui.core import duplicates

    return duplicates


def _nothing(run: list[LoggedChange]) -> None:
    """A tag that was created stays: without its contacts it is harmless, and they are undone separately."""


_INVERSES: dict[tuple[str, str], Callable[[list[LoggedChange]], None]] = {
    ("contact", "create"): _moving(contacts.delete_many),
    ("contact", "restore"): _moving(contacts.delete_many),
    ("contact", "delete"): _moving(contacts.restore_many),
    ("contact", "update"): lambda run: contacts.write_back([change.old for change in run]),
    ("company", "create"): _moving(companies.delete_many),
    ("company", "restore"): _moving(companies.delete_many),
    ("company", "delete"): _moving(companies.restore_many),
    ("company", "update"): _revert_companies,
    ("deal", "create"): _moving(deals.delete_many),
    ("deal", "restore"): _moving(deals.delete_many),
    ("deal", "delete"): _moving(deals.restore_many),
    ("deal", "update"): lambda run: deals.write_back([change.old for change in run]),
    ("activity", "create"): _moving(activities.delete_many),
    ("activity", "restore"): _moving(activities.delete_many),
    ("activity", "delete"): _moving(activities.restore_many),
    ("activity", "update"): lambda run: activities.write_back([change.old for change in run]),
    ("deal_stage_change", "create"): lambda run: deals.remove_stage_changes([change.entity_id for change in run]),
    ("deal_stage_change", "delete"): lambda run: deals.recreate_stage_changes([change.old for change in run]),
    ("pipeline", "create"): lambda run: pipelines.remove_pipelines([change.entity_id for change in run]),
    ("pipeline", "update"): lambda run: pipelines.write_back_pipelines([change.old for change in run]),
    ("stage", "create"): lambda run: pipelines.remove_stages([change.entity_id for change in run]),
    ("stage", "update"): lambda run: pipelines.write_back_stages([change.old for change in run]),
    ("stage", "delete"): lambda run: pipelines.recreate_stages([change.old for change in run]),
    ("tag", "create"): _nothing,
    ("duplicate_dismissal", "create"): lambda run: _dismissals().remove_dismissals([c.entity_id for c in run]),
    ("duplicate_dismissal", "delete"): lambda run: _dismissals().restore_dismissals([c.old for c in run]),
    ("contact", "merge"): _nothing,  # the marker a merge ends with: its edits, moves and trashing are undone
    ("change", "redo"): _nothing,  # the marker a redo ends with
    ("tag", "update"): _rename_tags_back,
    ("tag", "delete"): _reattach_tags,
}
