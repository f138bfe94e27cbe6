"""Merging duplicate contacts into one: a preview that writes nothing (`plan_merge`), then the merge itself
(`merge`), one change batch that one undo takes back whole.

Nothing typed is lost. A field that holds one value is a choice: the kept contact's value unless it has none, or
any other's on request. The company is a choice like the rest, shown and open to change, because a merge that
quietly keeps the wrong company is what people complain about in other CRMs. Lists (emails, phones, tags) are
unions, custom fields are a union with a choice where values clash, and notes are joined. Deals and activities
move through their own services, so the history shows each move and undo writes each one back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crm_tui.core import activities, contacts, deals, records
from crm_tui.core.contacts.data import DRAFT_FIELDS, ContactData, ContactDraft
from crm_tui.core.contacts.service import ADDRESS_FIELDS
from crm_tui.core.errors import ConflictError, FieldError, ValidationError
from crm_tui.core.models import Activity, Deal
from crm_tui.core.phones import international_digits
from crm_tui.core.records import change_batch, record_change, write_transaction
from crm_tui.core.text import fold

MAX_OTHERS = 20
ADDRESS = "address"
"""The street, city, region, postal code and country are one choice: an address mixed from two people is nobody's."""
SCALAR_FIELDS = ("first_name", "last_name", "display_name", "title", "company", ADDRESS, "birthday",
                 "keep_in_touch_days")
CUSTOM = "custom:"
"""`picks["custom:KEY"]` chooses whose value the custom field KEY takes when the contacts disagree."""
JOINED_FIELDS = ("emails", "phones", "tags", "notes")
"""Fields a merge combines rather than chooses, so they cannot be picked."""

_LIST_KEYS: dict[str, Callable[[str], str]] = {"emails": str.lower, "phones": international_digits, "tags": fold}


@dataclass(frozen=True)
class FieldChoice:
    """One field a merge takes from one of the contacts.

    `field` is the name `picks` uses ("title", "address", "custom:KEY"). `options` holds (contact id, value) for
    each distinct non-empty value, the kept contact's first, then in the order the others were given; a value two
    contacts share is offered once, under the first. An address value is the tuple of ADDRESS_FIELDS.
    `chosen` is the contact whose value the merged contact takes; None when none of them has one.
    """

    field: str
    options: tuple[tuple[int, Any], ...]
    chosen: int | None

    @property
    def value(self) -> Any:
        """The chosen value, None when there is none."""
        return dict(self.options).get(self.chosen) if self.chosen is not None else None

    @property
    def contested(self) -> bool:
        """Whether the contacts disagree, so the person may want to pick."""
        return len(self.options) > 1


@dataclass(frozen=True)
class MergePlan:
    """What a merge would do, read without writing: the preview, and the dry run of `crm-tui merge`."""

    keep: ContactData
    others: tuple[ContactData, ...]
    fields: tuple[FieldChoice, ...]
    result: ContactDraft
    """The kept contact as it will be, validated."""
    deals_moved: int
    activities_moved: int

    @property
    def merged_ids(self) -> tuple[int, ...]:
        return tuple(other.id for other in self.others)


@dataclass(frozen=True)
class MergeResult:
    contact: ContactData
    merged_ids: tuple[int, ...]
    deals_moved: int
    activities_moved: int
    batch_id: str
    """The change batch of the whole merge: what `undo` takes back in one step."""


def shown(value: Any) -> str:
    """An option's value as a person reads it: an address as its parts joined, a keep-in-touch interval in days."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(part for part in value if part)
    if isinstance(value, int):
        return f"every {value} days"
    return str(value)


def plan_merge(keep_id: int, other_ids: Sequence[int], picks: Mapping[str, int] | None = None) -> MergePlan:
    """The merge of `other_ids` into `keep_id` as it would happen now, with `picks` (field -> contact id) choosing
    other values than the defaults. Writes nothing. ValidationError or NotFoundError says what is wrong."""
    return _prepare(keep_id, other_ids, picks)[0]


def merge(keep_id: int, other_ids: Sequence[int], picks: Mapping[str, int] | None = None,
          expected_versions: Mapping[int, int] | None = None) -> MergeResult:
    """Merge `other_ids` into `keep_id` as `plan_merge` previews it, in one transaction and one change batch.

    The kept contact takes the merged values, the others' live deals and activities move to it, the others go to
    the trash, and a "merge" marker closes the batch in the audit log. `expected_versions` (contact id -> version
    read for the preview) makes a merge refuse with a ConflictError if any of them changed since.
    """
    with change_batch() as batch_id, write_transaction():
        plan, deal_versions, activity_versions = _prepare(keep_id, other_ids, picks)
        _check_versions(plan, expected_versions or {})
        changes = _changed_fields(plan.keep, plan.result)
        if changes:
            contacts.update(keep_id, plan.keep.version, **changes)
        for deal_id, version in deal_versions:
            deals.update(deal_id, version, contact=keep_id)
        for activity_id, version in activity_versions:
            activities.update(activity_id, version, contact_id=keep_id)
        if contacts.delete_many(plan.merged_ids) != len(plan.merged_ids):
            raise ConflictError("a contact of the merge was moved to the trash meanwhile; nothing was merged")
        kept = contacts.get(keep_id)
        # The kept contact's version is in the marker, as in every contact row of the log, so undo can tell that
        # nobody changed the contact since.
        record_change("contact", keep_id, "merge", None, {
            "kept": keep_id, "merged": list(plan.merged_ids), "name": kept.name, "version": kept.version,
        })
    return MergeResult(kept, plan.merged_ids, len(deal_versions), len(activity_versions), batch_id)


# Planning --------------------------------------------------------------------------------------------------


def _prepare(keep_id: int, other_ids: Sequence[int], picks: Mapping[str, int] | None
             ) -> tuple[MergePlan, list[tuple[int, int]], list[tuple[int, int]]]:
    """The plan, and the (id, version) of each deal and activity it moves."""
    other_ids = _check_ids(keep_id, other_ids)
    keep = contacts.get(keep_id)
    others = tuple(contacts.get(other_id) for other_id in other_ids)
    everyone = (keep, *others)
    custom_keys = dict.fromkeys(key for contact in everyone for key in contact.custom)
    names = (*SCALAR_FIELDS, *(CUSTOM + key for key in custom_keys))
    chosen_by = _check_picks(dict(picks or {}), everyone, names)
    fields = tuple(_choice(name, everyone, chosen_by.get(name)) for name in names)
    result = _validated(_draft(fields, everyone))
    deal_versions = _live_rows(Deal, Deal.contact, other_ids)
    activity_versions = _live_rows(Activity, Activity.contact, other_ids)
    _check_undoable(len(others) + len(deal_versions) + len(activity_versions) + 2)
    plan = MergePlan(keep, others, fields, result, len(deal_versions), len(activity_versions))
    return plan, deal_versions, activity_versions


def _check_ids(keep_id: int, other_ids: Sequence[int]) -> list[int]:
    other_ids = list(other_ids)
    if not other_ids:
        raise ValidationError.single("others", "name at least one contact to merge into the kept one")
    if len(other_ids) > MAX_OTHERS:
        raise ValidationError.single("others", f"at most {MAX_OTHERS} contacts merge at once, not {len(other_ids)}")
    if keep_id in other_ids:
        raise ValidationError.single("others", f"contact {keep_id} is the one kept; it cannot be merged into itself")
    repeated = sorted({other_id for other_id in other_ids if other_ids.count(other_id) > 1})
    if repeated:
        raise ValidationError.single("others", f"contact {repeated[0]} is named more than once")
    return other_ids


def _label(field: str) -> str:
    return f"custom field {field[len(CUSTOM):]!r}" if field.startswith(CUSTOM) else field.replace("_", " ")


def _check_picks(picks: dict[str, int], everyone: Sequence[ContactData], names: Sequence[str]) -> dict[str, int]:
    """`picks` checked: known fields, contacts of this merge that have a value there. Every mistake is named."""
    errors: list[FieldError] = []
    by_id = {contact.id: contact for contact in everyone}
    for field, contact_id in picks.items():
        if field in ADDRESS_FIELDS:
            errors.append(FieldError(field, f"the address is one choice: pick it as a whole, {ADDRESS}=ID"))
        elif field in JOINED_FIELDS:
            errors.append(FieldError(field, "is merged from every contact, not picked"))
        elif field not in names:
            known = ", ".join(name for name in names if not name.startswith(CUSTOM))
            errors.append(FieldError(field, f"is not a field to pick; pick one of {known} or custom:KEY"))
        elif contact_id not in by_id:
            errors.append(FieldError(field, f"contact {contact_id} is not part of this merge"))
        elif _value(by_id[contact_id], field) is None:
            errors.append(FieldError(field, f"contact {contact_id} has no {_label(field)} to pick"))
    if errors:
        raise ValidationError(errors)
    return picks


def _value(contact: ContactData, field: str) -> Any:
    """A contact's value for a choice, None when it has none."""
    if field == ADDRESS:
        parts = tuple(getattr(contact, name) for name in ADDRESS_FIELDS)
        return parts if any(parts) else None
    value = contact.custom.get(field[len(CUSTOM):]) if field.startswith(CUSTOM) else getattr(contact, field)
    return None if value is None or value == "" else value


def _choice(field: str, everyone: Sequence[ContactData], picked: int | None) -> FieldChoice:
    holders = {contact.id: _value(contact, field) for contact in everyone}
    first_holder: dict[Any, int] = {}
    for contact_id, value in holders.items():
        if value is not None:
            first_holder.setdefault(value, contact_id)
    options = tuple((contact_id, value) for value, contact_id in first_holder.items())
    chosen: int | None
    if picked is not None:
        chosen = first_holder[holders[picked]]
    else:
        chosen = options[0][0] if options else None
    return FieldChoice(field, options, chosen)


def _union(lists: Iterable[Sequence[str]], key: Callable[[str], str]) -> list[str]:
    """The values of all `lists` in order, each once by its match key; the first spelling wins."""
    seen: dict[str, str] = {}
    for values in lists:
        for value in values:
            seen.setdefault(key(value), value)
    return list(seen.values())


def _joined_notes(everyone: Sequence[ContactData]) -> str:
    """The kept contact's notes, then each other's that say something else, a blank line between."""
    return "\n\n".join(dict.fromkeys(contact.notes.strip() for contact in everyone if contact.notes.strip()))


def _draft(fields: Sequence[FieldChoice], everyone: Sequence[ContactData]) -> ContactDraft:
    values: dict[str, Any] = {}
    custom: dict[str, str] = {}
    for choice in fields:
        value = choice.value
        if choice.field == ADDRESS:
            values.update(zip(ADDRESS_FIELDS, value or ("",) * len(ADDRESS_FIELDS), strict=False))
        elif choice.field.startswith(CUSTOM):
            custom[choice.field[len(CUSTOM):]] = value or ""
        elif choice.field == "keep_in_touch_days":
            values[choice.field] = value
        else:
            values[choice.field] = value or ""
    for name, key in _LIST_KEYS.items():
        values[name] = _union((getattr(contact, name) for contact in everyone), key)
    return ContactDraft(**values, custom=custom, notes=_joined_notes(everyone))


def _validated(draft: ContactDraft) -> ContactDraft:
    """The merged draft as contacts.validate cleans it; an error names the field and says the merge caused it."""
    try:
        return contacts.validate(draft)
    except ValidationError as exc:
        raise ValidationError([FieldError(error.field, f"{error.message} once merged") for error in exc.errors]
                              ) from None


def _live_rows(model, contact_column, contact_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(id, version) of the live records of `model` linked to these contacts; those in the trash stay as they are."""
    query = model.select(model.id, model.version).where(contact_column.in_(list(contact_ids))
                                                        & model.deleted_at.is_null())
    return list(query.order_by(model.id).tuples())


def _check_undoable(change_count: int) -> None:
    """Refuse a merge too large for one undo: the promise is that one undo takes a merge back whole."""
    if change_count > records.MAX_UNDO_CHANGES:
        raise ValidationError.single(
            "others", f"this merge would log {change_count:,} changes (moving deals and activities), more than one "
                      f"undo takes back ({records.MAX_UNDO_CHANGES:,}); nothing was merged")


# Applying --------------------------------------------------------------------------------------------------


def _check_versions(plan: MergePlan, expected: Mapping[int, int]) -> None:
    current = {contact.id: contact.version for contact in (plan.keep, *plan.others)}
    for contact_id, version in expected.items():
        if contact_id not in current:
            raise ValidationError.single("expected_versions", f"contact {contact_id} is not part of this merge")
        if current[contact_id] != version:
            raise ConflictError(
                f"contact {contact_id} was changed elsewhere (version {current[contact_id]}, you had {version}); "
                "look at the merge again before applying it"
            )


def _changed_fields(keep: ContactData, result: ContactDraft) -> dict[str, Any]:
    """The draft fields the merge changes on the kept contact: an unchanged one is not written or logged."""
    before = keep.to_draft()

    def plain(value: Any) -> Any:
        return list(value) if isinstance(value, (list, tuple)) else value

    return {name: getattr(result, name) for name in DRAFT_FIELDS
            if plain(getattr(before, name)) != plain(getattr(result, name))}
