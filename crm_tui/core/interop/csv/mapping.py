"""What the columns of a CSV file mean: which field each goes to, for our own export, Google Contacts, Outlook and
any other spreadsheet, and the habits of each product's cells (Google's " ::: " lists and system labels, Outlook's
"0/0/00" for no date).

Google and Outlook headers are known whole, as those products document them: a column with no field of its own
goes to a custom field named after it, so nothing in their files is lost, and only pure bookkeeping (a value's
label, Outlook's "Priority: Normal") is ignored. Any other header is matched by column name, ignoring case, spaces
and punctuation; what is left over is for the person importing to place (`Mapping.unmatched`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from crm_tui.core.errors import CrmError
from crm_tui.core.interop.csv.write import EXPORT_COLUMNS
from crm_tui.core.interop.rows import Entity

Source = Literal["crm-tui", "google", "outlook"]
CUSTOM_PREFIX = "custom:"
ADDRESS_FIELDS = ("street", "city", "region", "postal_code", "country")

FIELDS_BY_ENTITY: dict[Entity, dict[str, str]] = {
    "contact": {
        "first_name": "First name", "last_name": "Last name", "display_name": "Display name",
        "title": "Job title", "company": "Company", "emails": "Emails (columns add up)",
        "phones": "Phones (columns add up)", "tags": "Tags (columns add up)", "street": "Street", "city": "City",
        "region": "Region or state", "postal_code": "Postal code", "country": "Country", "birthday": "Birthday",
        "keep_in_touch_days": "Keep in touch (days)", "notes": "Notes", "custom": "Custom fields (a JSON object)",
    },
    "company": {"name": "Name", "domain": "Domain", "phone": "Phone", "address": "Address", "notes": "Notes"},
    "deal": {
        "title": "Title", "value": "Value", "currency": "Currency", "pipeline": "Pipeline (name)",
        "stage": "Stage (name)", "contact": "Contact (name or #id)", "company": "Company (name)",
        "expected_close": "Expected close (YYYY-MM-DD)", "notes": "Notes", "lost_reason": "Lost reason",
        "closed_at": "Closed at (a won or lost deal)",
    },
    "activity": {
        "kind": "Kind (call, meeting, email, note or task)", "subject": "Subject", "body": "Body",
        "occurred_at": "Occurred at", "due_at": "Due at", "done_at": "Done at (a task)", "contact_id": "Contact id",
        "company_id": "Company id",
        "deal_id": "Deal id",
    },
}
"""What a column can go to, with a label for the mapping screen; a contact's column can also go to
`custom:<key>`, one custom field."""


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


@dataclass(frozen=True)
class Mapping:
    """Which field each column goes to (None: ignored on purpose), whose format the header is, and the columns
    that auto-mapping could not place, for the importer to ask about."""

    columns: dict[str, str | None]
    source: Source | None = None
    unmatched: tuple[str, ...] = ()

    def targets(self) -> set[str]:
        """The fields some column fills ("custom" for any custom field): what an update may change."""
        return {"custom" if name.startswith(CUSTOM_PREFIX) else name for name in self.columns.values() if name}

    def with_columns(self, entity: Entity, changes: dict[str, str | None]) -> Mapping:
        """This mapping with some columns placed by hand (`--map COL=FIELD`, the mapping screen)."""
        columns = dict(self.columns)
        for column, target in changes.items():
            if column not in columns:
                raise CrmError(f"the file has no column {column!r}; its columns are {', '.join(columns)}")
            columns[column] = check_field(entity, target)
        return replace(self, columns=columns, unmatched=tuple(name for name in self.unmatched if name not in changes))


def check_field(entity: Entity, text: str | None) -> str | None:
    """The field `text` names for a column of `entity`: a field name or its label in any case, `custom:KEY` for a
    contact, or None for "ignore" (also "" and "-"); CrmError naming the choices otherwise."""
    wanted = (text or "").strip()
    if _key(wanted) in ("", "ignore", "none", "skip"):
        return None
    fields = FIELDS_BY_ENTITY[entity]
    if entity == "contact" and wanted.casefold().startswith(CUSTOM_PREFIX) and wanted[len(CUSTOM_PREFIX):].strip():
        return CUSTOM_PREFIX + wanted[len(CUSTOM_PREFIX):].strip()
    for name, label in fields.items():
        if _key(wanted) in (_key(name), _key(label)):
            return name
    extra = ", custom:KEY" if entity == "contact" else ""
    raise CrmError(f"{wanted!r} is not a {entity} field; use one of {', '.join(fields)}{extra} or ignore")


def column_names(cells: list[str]) -> list[str]:
    """The header's cells as column names: trimmed, blank ones called "column N", repeats numbered ("Phone (2)")."""
    names: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells, 1):
        name = cell.replace("\ufeff", "").strip() or f"column {index}"
        unique, count = name, 2
        while unique in seen:
            unique, count = f"{name} ({count})", count + 1
        seen.add(unique)
        names.append(unique)
    return names


def auto_mapping(header: list[str], entity: Entity) -> Mapping:
    names = column_names(header)
    source = recognise(names, entity)
    if source == "crm-tui":
        return Mapping({name: name if name in FIELDS_BY_ENTITY[entity] else None for name in names}, source)
    if source is not None:
        return Mapping({name: source_column(source, name) for name in names}, source)
    columns = {name: guess_column(name, entity) for name in names}
    return Mapping(columns, None, tuple(name for name, target in columns.items() if target is None))


def recognise(names: list[str], entity: Entity) -> Source | None:
    if len(names) >= 2 and set(names) <= set(EXPORT_COLUMNS[entity]):
        return "crm-tui"
    if entity != "contact":
        return None
    if len(_GOOGLE_MARKS & set(names)) >= 2 or any(_GOOGLE_NUMBERED.match(name) and name.endswith("- Value")
                                                   for name in names):
        return "google"
    if "E-mail Address" in names or len(_OUTLOOK_MARKS & set(names)) >= 3:
        return "outlook"
    return None


# Google Contacts ---------------------------------------------------------------------------------------------

_GOOGLE = {
    "First Name": "first_name", "Given Name": "first_name", "Last Name": "last_name", "Family Name": "last_name",
    "Name": "display_name", "Middle Name": "custom:Middle name", "Additional Name": "custom:Middle name",
    "Name Prefix": "custom:Name prefix", "Name Suffix": "custom:Name suffix", "Nickname": "custom:Nickname",
    "Organization Name": "company", "Organization Title": "title", "Organization Department": "custom:Department",
    "Birthday": "birthday", "Notes": "notes", "Labels": "tags", "Group Membership": "tags",
    "File As": None, "Photo": None, "Initials": None,
}
_GOOGLE_MARKS = frozenset({"Group Membership", "File As", "Labels", "Organization Name", "Phonetic First Name",
                           "Name Prefix"})
_GOOGLE_NUMBERED = re.compile(r"^([A-Za-z][A-Za-z -]*?) (\d+) - (.+)$")
_GOOGLE_ADDRESS = {"Street": "street", "PO Box": "street", "Extended Address": "street", "City": "city",
                   "Region": "region", "Postal Code": "postal_code", "Country": "country"}
_GOOGLE_ORGANIZATION = {"Name": "company", "Title": "title", "Department": "custom:Department"}
GOOGLE_SYSTEM_LABELS = frozenset({"mycontacts", "starred", "othercontacts", "mostcontacted", "starredinandroid",
                                  "chatbuddies"})
"""Labels Google gives contacts by itself (written "* myContacts"): not tags anyone chose."""


def _google_column(name: str) -> str | None:
    if name in _GOOGLE:
        return _GOOGLE[name]
    match = _GOOGLE_NUMBERED.match(name)
    if not match:
        return CUSTOM_PREFIX + name
    kind, number, part = match.groups()
    if part in ("Label", "Type") or (kind == "Address" and part == "Formatted"):
        return None
    if kind in ("E-mail", "Phone") and part == "Value":
        return "emails" if kind == "E-mail" else "phones"
    if kind == "Address" and number == "1" and part in _GOOGLE_ADDRESS:
        return _GOOGLE_ADDRESS[part]
    if kind == "Organization" and number == "1" and part in _GOOGLE_ORGANIZATION:
        return _GOOGLE_ORGANIZATION[part]
    if part == "Value" and kind not in ("Address", "Organization"):
        return f"{CUSTOM_PREFIX}{kind} {number}"
    return CUSTOM_PREFIX + name


def google_custom_key(key: str, cells: dict[str, str]) -> str:
    """The custom field a Google "Website 2 - Value" (or Relation, Event, Custom Field...) goes to: named after its
    label column when that says what it is ("Website (Blog)"; a custom field takes the label as its name)."""
    match = re.fullmatch(r"(.+) (\d+)", key)
    label = cells.get(f"{key} - Label", cells.get(f"{key} - Type", "")).strip().lstrip("* ").strip() if match else ""
    if not match or not label:
        return key
    return label if match.group(1) == "Custom Field" else f"{match.group(1)} ({label})"


def google_labels(text: str) -> list[str]:
    """Tags from Google's "Labels" cell ("* myContacts ::: Friends"); Google's own system labels are dropped."""
    names = []
    for label in text.split(":::"):
        name = label.strip()
        if name.startswith("*"):
            name = name.lstrip("* ").strip()
            if _key(name) in GOOGLE_SYSTEM_LABELS:
                continue
        if name:
            names.append(name)
    return names


# Outlook -----------------------------------------------------------------------------------------------------

_OUTLOOK_PHONES = ("Assistant's Phone", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
                   "Company Main Phone", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone", "Other Phone", "Pager",
                   "Primary Phone", "Radio Phone", "TTY/TDD Phone")
_OUTLOOK = {
    "First Name": "first_name", "Last Name": "last_name", "Title": "custom:Name prefix",
    "Middle Name": "custom:Middle name", "Suffix": "custom:Name suffix", "Nickname": "custom:Nickname",
    "Company": "company", "Job Title": "title", "Department": "custom:Department",
    "Business Street": "street", "Business Street 2": "street", "Business Street 3": "street",
    "Business Address PO Box": "street", "Business City": "city", "Business State": "region",
    "Business Postal Code": "postal_code", "Business Country/Region": "country", "Business Country": "country",
    "E-mail Address": "emails", "E-mail 2 Address": "emails", "E-mail 3 Address": "emails",
    "Birthday": "birthday", "Categories": "tags", "Notes": "notes", "Web Page": "custom:Website",
    **dict.fromkeys(_OUTLOOK_PHONES, "phones"),
    **dict.fromkeys(("E-mail Type", "E-mail 2 Type", "E-mail 3 Type", "E-mail Display Name",
                     "E-mail 2 Display Name", "E-mail 3 Display Name", "Initials", "Priority", "Private",
                     "Sensitivity"), None),
}
_OUTLOOK_MARKS = frozenset({"Business Phone", "Mobile Phone", "Home Phone", "Job Title", "Business Street",
                            "Categories", "E-mail 2 Address"})
OUTLOOK_BLANKS = frozenset({"0/0/00", "0/0/0000", "Unspecified"})
"""What Outlook writes in a cell that holds nothing: no birthday, no gender."""


def outlook_address(pairs: list[tuple[str, str | None, str]]) -> list[tuple[str, str | None, str]]:
    """A contact has one address and Outlook three: the business address, or else the first of home and other
    that has anything. The ones not taken keep their custom fields."""

    def as_business(column: str, prefix: str) -> str | None:
        target = _OUTLOOK.get("Business" + column[len(prefix):]) if column.startswith(prefix + " ") else None
        return target if target in ADDRESS_FIELDS else None

    def has(prefix: str) -> bool:
        return any(cell.strip() for column, _target, cell in pairs if as_business(column, prefix))

    if has("Business"):
        return pairs
    for prefix in ("Home", "Other"):
        if has(prefix):
            return [(column, as_business(column, prefix) or target, cell) for column, target, cell in pairs]
    return pairs


# Any other header --------------------------------------------------------------------------------------------

_SYNONYMS: dict[Entity, dict[str, tuple[str, ...]]] = {
    "contact": {
        "first_name": ("first", "givenname", "forename", "firstnames"),
        "last_name": ("last", "surname", "familyname", "lastnames"),
        "display_name": ("name", "fullname", "contact", "contactname"),
        "title": ("title", "position", "role", "jobtitle"),
        "company": ("organization", "organisation", "companyname", "organizationname", "employer", "account"),
        "tags": ("tag", "labels", "label", "categories", "category", "groups", "group"),
        "street": ("address", "streetaddress", "addressline", "addressline1", "addressline2"),
        "city": ("town",), "region": ("state", "province", "county"),
        "postal_code": ("postcode", "zip", "zipcode"), "birthday": ("birthdate", "dateofbirth", "dob"),
        "notes": ("note", "comments", "comment", "description"), "keep_in_touch_days": ("keepintouch",),
        "custom": ("customfields",),
    },
    "company": {"name": ("company", "companyname", "organization", "organisation", "account"),
                "domain": ("website", "web", "url", "homepage"), "phone": ("telephone", "tel", "phonenumber"),
                "notes": ("note", "comments", "description")},
    "deal": {"title": ("name", "deal", "dealname", "dealtitle", "opportunity"), "value": ("amount", "dealvalue"),
             "stage": ("dealstage",), "contact": ("person", "contactname"),
             "company": ("organization", "organisation", "account", "companyname"),
             "expected_close": ("closedate", "expectedclosedate", "close"),
             "notes": ("note", "comments", "description")},
    "activity": {"kind": ("type",), "subject": ("title",), "body": ("description", "notes", "note", "text"),
                 "occurred_at": ("date", "when", "occurred", "occurredon"), "due_at": ("due", "duedate")},
}
_GUESSES: dict[Entity, dict[str, str]] = {
    entity: {
        **{_key(alias): name for name, aliases in _SYNONYMS[entity].items() for alias in aliases},
        **{_key(label): name for name, label in fields.items()},
        **{_key(name): name for name in fields},
    }
    for entity, fields in FIELDS_BY_ENTITY.items()
}


def guess_column(name: str, entity: Entity) -> str | None:
    """The field a column of some other product's file goes to, by its name ("E-mail 2", "Mobile", "Zip")."""
    if entity == "contact" and name.casefold().startswith(CUSTOM_PREFIX) and name[len(CUSTOM_PREFIX):].strip():
        return CUSTOM_PREFIX + name[len(CUSTOM_PREFIX):].strip()
    key = _key(name)
    guesses = _GUESSES[entity]
    if key in guesses or key.rstrip("0123456789") in guesses:
        return guesses.get(key) or guesses[key.rstrip("0123456789")]
    if entity == "contact" and "email" in key:
        return "emails"
    if entity == "contact" and "fax" not in key and (
            "phone" in key or "mobile" in key or key.rstrip("0123456789") in ("tel", "cell", "cellular")):
        return "phones"
    return None


def source_column(source: Source, name: str) -> str | None:
    if source == "google":
        return _google_column(name)
    return _OUTLOOK[name] if name in _OUTLOOK else CUSTOM_PREFIX + name


# Cells -------------------------------------------------------------------------------------------------------

_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_LIST_SPLIT = re.compile(r"\s*(?:[,;]|:::)\s*")


def birthday(text: str, source: Source | None) -> str:
    """Outlook writes a birthday as the computer's short date (4/12/1985): month first unless that cannot be."""
    match = _SLASH_DATE.match(text) if source == "outlook" else None
    if not match:
        return text
    month, day, year = (int(part) for part in match.groups())
    if month > 12 >= day:
        month, day = day, month
    return f"{year:04d}-{month:02d}-{day:02d}"


def split_list(target: str, text: str, source: Source | None) -> list[str]:
    """The emails, phones or tags in one cell. No email or phone holds , ; or :::, so any of them separates;
    our tags are joined with commas only (a tag may hold a ;), Google's with " ::: "."""
    if target == "tags" and source == "google":
        return google_labels(text)
    if target == "tags" and source == "crm-tui":
        parts = text.split(",")
    else:
        parts = _LIST_SPLIT.split(text)
    return [part.strip() for part in parts if part.strip()]
