"""The contact, company and deal an activity links to, from what a person types in a form: `#12`, `12` or a name.

A name has to name exactly one live record. Names repeat (two Ann Lees, two "Renewal" deals), so a name that
matches several is refused with their ids rather than guessed, and one that matches none is refused too, rather
than creating a record as a deal's company field does: logging a call must not add companies by typo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from crm_tui.core import companies, contacts, deals, search_index
from crm_tui.core.errors import FieldError, NotFoundError, ValidationError
from crm_tui.core.models import Company, Contact, Deal, RecordModel, database, tuple_rows
from crm_tui.core.text import fold

LINK_FIELDS = ("contact_id", "company_id", "deal_id")
_SHOWN_IDS = 5  # ids listed when a name matches several records

_NOUNS = {"contact_id": ("contact", "contacts"), "company_id": ("company", "companies"), "deal_id": ("deal", "deals")}


def _named_contacts(key: str) -> list[int]:
    query = Contact.select(Contact.id).where((Contact.sort_name == key) & Contact.deleted_at.is_null())
    return [row[0] for row in tuple_rows(query.order_by(Contact.id))]


def _named_companies(key: str) -> list[int]:
    query = Company.select(Company.id).where((Company.sort_name == key) & Company.deleted_at.is_null())
    return [row[0] for row in tuple_rows(query.order_by(Company.id))]


def _named_deals(key: str) -> list[int]:
    """Deals have no folded title column: the search index narrows them to those with every word, then titles are
    compared folded, so "acme renewal" finds "ACME Renewal" but not "Acme renewal 2027"."""
    match = search_index.match_query(key)
    if match is None:
        return []
    rows = database.execute_sql(
        f"SELECT d.id, d.title FROM deal d WHERE d.deleted_at IS NULL AND d.id IN "
        f"(SELECT rowid FROM {search_index.DEAL_INDEX} WHERE {search_index.DEAL_INDEX} MATCH ?) ORDER BY d.id", [match])
    return [deal_id for deal_id, title in rows if fold(title) == key]


_MODELS: dict[str, tuple[type[RecordModel], Callable[[str], list[int]]]] = {
    "contact_id": (Contact, _named_contacts),
    "company_id": (Company, _named_companies),
    "deal_id": (Deal, _named_deals),
}


def find_link(field: str, text: str) -> int | None:
    """The id of the live record that `text` names in the link field `field` ("contact_id", "company_id" or
    "deal_id"); None for empty text; a ValidationError on `field` that says what to type otherwise."""
    noun, nouns = _NOUNS[field]
    typed = " ".join(text.split())
    if not typed:
        return None
    model, named = _MODELS[field]
    ref = typed.removeprefix("#").strip()
    if ref.isdigit():
        found = model.select(model.deleted_at).where(model.id == int(ref)).tuples().first()
        if found is None:
            raise ValidationError.single(field, f"there is no {noun} #{ref}")
        if found[0] is not None:
            raise ValidationError.single(field, f"{noun} #{ref} is in the trash; restore it first")
        return int(ref)
    matches = named(fold(typed))
    if not matches:
        raise ValidationError.single(field, f'no {noun} is called "{typed}"; type a name as listed, or #id')
    if len(matches) > 1:
        shown = ", ".join(f"#{match}" for match in matches[:_SHOWN_IDS]) + (", …" if len(matches) > _SHOWN_IDS else "")
        raise ValidationError.single(field, f'{len(matches)} {nouns} are called "{typed}" ({shown}); type #id')
    return matches[0]


def find_links(typed: Mapping[str, str]) -> dict[str, int | None]:
    """Ids for the link fields in `typed` (field -> text); one ValidationError naming every field that fails."""
    found: dict[str, int | None] = {}
    errors: list[FieldError] = []
    for field, text in typed.items():
        try:
            found[field] = find_link(field, text)
        except ValidationError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationError(errors)
    return found


def presets_for(kind: str, record_id: int) -> dict[str, tuple[str, int]]:
    """The links (field -> (name, id)) an activity started from a record gets: a deal brings its contact and
    company, a contact its company, so their timelines show it too. NotFoundError if the record is gone."""
    found: dict[str, tuple[str, int]] = {}

    def add(field: str, name: str | None, linked_id: int | None) -> None:
        if name is not None and linked_id is not None:
            found[field] = (name, linked_id)

    if kind == "deal":
        deal = deals.get(record_id)
        add("deal_id", deal.title, deal.id)
        add("contact_id", deal.contact, deal.contact_id)
        add("company_id", deal.company, deal.company_id)
    elif kind == "contact":
        contact = contacts.get(record_id)
        add("contact_id", contact.name, contact.id)
        add("company_id", contact.company, contact.company_id)
    elif kind == "company":
        company = companies.get(record_id)
        add("company_id", company.name, company.id)
    else:
        raise ValueError(f"presets_for takes 'contact', 'company' or 'deal', not {kind!r}")
    return found


def link_presets(contact_id: int | None = None, company_id: int | None = None,
                 deal_id: int | None = None) -> dict[str, tuple[str, int]]:
    """The links of an activity started from these records: each record given, plus what it brings along
    (`presets_for`) where no record was given for that field. Records that no longer exist are left out."""
    given = {"deal": deal_id, "contact": contact_id, "company": company_id}
    brought: dict[str, tuple[str, int]] = {}
    chosen: dict[str, tuple[str, int]] = {}
    for kind, record_id in given.items():
        if record_id is None:
            continue
        try:
            links = presets_for(kind, record_id)
        except NotFoundError:
            continue
        field = f"{kind}_id"
        if field in links:
            chosen[field] = links.pop(field)
        for name, link in links.items():
            brought.setdefault(name, link)
    return {**brought, **chosen}
