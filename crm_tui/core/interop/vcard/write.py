"""vCard 4.0 or 3.0 out: one card a contact, CRLF line ends, folded at 75 octets, every field kept (custom
fields as X-CRM-CUSTOM in `itemN.` groups labelled as Apple's clients label them, so read.py reads them back)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TextIO

from crm_tui.core.contacts.data import ContactData
from crm_tui.core.interop.vcard.read import (
    CUSTOM_PROPERTY,
    KEEP_IN_TOUCH_PROPERTY,
    UID_PREFIX,
    VERSIONS,
    without_control_characters,
)


def write_vcards(records: Iterable[ContactData], out: TextIO, version: str = "4.0") -> int:
    """Write each contact as a card (CRLF line ends, folded at 75 octets); returns how many were written.

    Open `out` with newline="" so the CRLFs reach the file as they are.
    """
    if version not in VERSIONS:
        raise ValueError(f"vCard version {version!r} cannot be written (use {' or '.join(VERSIONS)})")
    count = 0
    for contact in records:
        out.write("".join(_fold(line) for line in _card_lines(contact, version)))
        count += 1
    return count


def _card_lines(contact: ContactData, version: str) -> Iterator[str]:
    modern = version == "4.0"
    yield from ("BEGIN:VCARD", f"VERSION:{version}", f"UID:{UID_PREFIX}{contact.id}")
    yield f"FN:{_escape(contact.name)}"
    yield f"N:{_escape(contact.last_name)};{_escape(contact.first_name)};;;"
    if contact.company:
        yield f"ORG:{_escape(contact.company)}"
    if contact.title:
        yield f"TITLE:{_escape(contact.title)}"
    for index, email in enumerate(contact.emails):
        preferred = (";PREF=1" if modern else ",PREF") if index == 0 else ""
        yield f"EMAIL{'' if modern else ';TYPE=INTERNET'}{preferred}:{_escape(email)}"
    for index, phone in enumerate(contact.phones):
        preferred = (";PREF=1" if modern else ";TYPE=PREF") if index == 0 else ""
        yield f"TEL{';VALUE=text' if modern else ''}{preferred}:{_escape(phone)}"
    address = (contact.street, contact.city, contact.region, contact.postal_code, contact.country)
    if any(address):
        yield "ADR:;;" + ";".join(_escape(part) for part in address)
    if contact.birthday:  # RFC 6350 writes 19850412 and --0412; 3.0 clients read ISO 8601's 1985-04-12, --04-12
        yield f"BDAY:{re.sub(r'(?<=[0-9])-', '', contact.birthday) if modern else contact.birthday}"
    if contact.notes:
        yield f"NOTE:{_escape(contact.notes)}"
    if contact.tags:
        yield "CATEGORIES:" + ",".join(_escape(tag) for tag in contact.tags)
    if contact.keep_in_touch_days:
        yield f"{KEEP_IN_TOUCH_PROPERTY}:{contact.keep_in_touch_days}"
    for index, (key, value) in enumerate(contact.custom.items(), 1):
        yield f"item{index}.{CUSTOM_PROPERTY}:{_escape(value)}"
        yield f"item{index}.X-ABLabel:{_escape(key)}"
    yield "END:VCARD"


def _escape(text: str) -> str:
    text = without_control_characters(text)
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def _fold(line: str) -> str:
    """The line with CRLF, folded so no physical line passes 75 octets and no UTF-8 character is split."""
    octets = len(line.encode("utf-8", "surrogatepass"))
    if octets <= 75:
        return line + "\r\n"
    if octets == len(line):  # ASCII: one character, one octet
        return "\r\n ".join([line[:75], *(line[at:at + 74] for at in range(75, len(line), 74))]) + "\r\n"
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8", "surrogatepass"))
        if size + width > 75:
            pieces.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n".join(pieces) + "\r\n"
