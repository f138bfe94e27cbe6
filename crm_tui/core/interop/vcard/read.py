"""vCard 2.1, 3.0 and 4.0 in (vcard_write writes 4.0 or 3.0 out).

The reader splits the file into cards and unfolds lines itself, and parses each line with vobject's content-line
grammar (`vobject.base.parseLine`), not with `vobject.readComponents`: that raises for the rest of the stream at the
first bad card, and its text decoding keeps only what comes before the first unescaped comma, which vCard 2.1 never
escapes (the corpus's `NOTE:comma , colon` came back as "comma "). Values are decoded here, so every character
survives, and whatever has no field of its own goes to a custom field (one line) or the notes (several lines),
listed in the row's `kept_aside`. vobject is imported when a file is read, never when the app starts.
"""

from __future__ import annotations

import io
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TextIO

from crm_tui.core import contacts
from crm_tui.core.contacts import tags
from crm_tui.core.contacts.data import ContactDraft
from crm_tui.core.errors import ValidationError
from crm_tui.core.interop.rows import NAME_CLEANED, SourceRow
from crm_tui.core.text import without_escape_sequences
from crm_tui.core.validation import (
    MAX_NAME,
    MAX_TEXT,
    clean_birthday,
    clean_email,
    clean_keep_in_touch,
    clean_phone,
    names_cleaned,
)

VERSIONS = ("4.0", "3.0")
UID_PREFIX = "crm-tui-contact-"
CUSTOM_PROPERTY = "X-CRM-CUSTOM"
KEEP_IN_TOUCH_PROPERTY = "X-CRM-KEEP-IN-TOUCH"
NOTES_CONTINUED = "notes (continued)"

_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
# group.NAME;param=value,"quoted value";BARE: — possessive, so a line that does not match fails at once
_CONTENT_LINE = re.compile(r'(?:[A-Za-z0-9_-]+\.)?[A-Za-z0-9_-]+'
                           r'(?:;[A-Za-z0-9_-]++(?:[=,](?:"[^"]*+"|[^";:,]*+))*+)*+:')
_AGENT = re.compile(r"^\s*(?:[\w-]+\.)?AGENT\b[^:]*:\s*$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_FULL_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T[0-9:.]*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}
_BINARY = {"PHOTO", "LOGO", "SOUND", "KEY"}
_PLAIN_TYPES = {"pref", "voice", "internet", "x400", "x-internet"}
_SKIPPED = {"VERSION", "PRODID", "X-ABLABEL"}
_ESCAPES_21 = {",": ",", ";": ";", "\\": "\\", ":": ":"}
_ESCAPES = {**_ESCAPES_21, "n": "\n", "N": "\n"}
_ESCAPE = re.compile(r"\\(.?)", re.DOTALL)


@dataclass
class _Line:
    group: str
    name: str
    params: dict[str, list[str]]
    value: str
    binary: bool = False


@dataclass
class _Chunk:
    """The physical lines of one card (or of text outside any card) and its unfolded logical lines."""

    start: int
    raw: list[str] = field(default_factory=list)
    logical: list[tuple[int, list[str]]] = field(default_factory=list)
    is_card: bool = True
    problem: str | None = None


def read_vcards(stream: TextIO | str) -> Iterator[SourceRow]:
    """One SourceRow a card, in file order, reading the stream a line at a time; never raises on bad input.

    Text outside any card is a row too (a problem), so nothing in the file goes unreported.
    """
    chunks, number = _chunks(stream), 0
    while True:
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        except (OSError, UnicodeError) as exc:  # the stream itself failed: report it as the last row
            yield SourceRow(number + 1, {"vcard": ""}, "contact", problem=f"the file cannot be read on: {exc}")
            return
        number += 1
        yield _row(number, chunk)


def _row(number: int, chunk: _Chunk) -> SourceRow:
    raw = {"vcard": "\n".join(chunk.raw).strip("\n")}
    if not chunk.is_card:
        return SourceRow(number, raw, "contact", problem=f"line {chunk.start}: text outside BEGIN:VCARD … END:VCARD")
    where = f"card {number} (line {chunk.start})"
    if chunk.problem:
        return SourceRow(number, raw, "contact", problem=f"{where}: {chunk.problem}")
    try:
        draft, kept, problem = _read_card(chunk.logical)
    except Exception as exc:  # noqa: BLE001 - a reader reports a card it cannot read, it never raises
        draft, kept, problem = None, [], f"cannot be read ({type(exc).__name__}: {exc})"
    if problem:
        return SourceRow(number, raw, "contact", problem=f"{where}: {problem}", kept_aside=kept)
    return SourceRow(number, raw, "contact", values=draft, kept_aside=kept)


def _physical_lines(stream: TextIO | str) -> Iterator[tuple[int, str]]:
    source = io.StringIO(stream, newline=None) if isinstance(stream, str) else stream
    for number, line in enumerate(source, 1):
        line = line.rstrip("\r\n")
        yield number, line.lstrip("\ufeff") if number == 1 else line


def _chunks(stream: TextIO | str) -> Iterator[_Chunk]:
    """Split the file into cards: a card without END:VCARD, or text between cards, is a chunk of its own.

    A logical line is kept as a list of its pieces, so a photo folded over thousands of lines is joined once.
    """
    chunk: _Chunk | None = None
    nested = 0  # vCard 2.1 lets AGENT hold a whole card; its lines belong to the AGENT value
    for number, line in _physical_lines(stream):
        if chunk is None or not chunk.is_card:
            if _BEGIN.match(line):
                if chunk is not None:
                    yield chunk
                chunk = _Chunk(number, [line])
            elif line.strip():
                chunk = chunk or _Chunk(number, is_card=False)
                chunk.raw.append(line)
            continue
        chunk.raw.append(line)
        parts = chunk.logical[-1][1] if chunk.logical else None
        if nested:
            assert parts is not None  # nesting starts in the AGENT line, which stays the last logical line
            parts += ["\n", line.strip()]
            nested += 1 if _BEGIN.match(line) else -1 if _END.match(line) else 0
        elif _BEGIN.match(line):
            if parts is not None and _AGENT.match("".join(parts)):
                parts.append(line.strip())
                nested = 1
            else:
                chunk.raw.pop()
                chunk.problem = f"the card has no END:VCARD before the next card starts on line {number}"
                yield chunk
                chunk = _Chunk(number, [line])
        elif _END.match(line):
            yield chunk
            chunk = None
        elif parts is not None and parts[-1].endswith("=") and _is_quoted_printable(parts[0]):
            parts[-1] = parts[-1][:-1]  # a soft line break: the value goes on in this line (a blank line ends it)
            if line.strip():
                parts.append(line)
        elif parts is not None and line[:1] in (" ", "\t"):
            parts.append(line[1:])
        elif line.strip():
            chunk.logical.append((number, [line]))
    if chunk is not None:
        if chunk.is_card:
            chunk.problem = "the card has no END:VCARD (the file ends first)"
        yield chunk


def _is_quoted_printable(line: str) -> bool:
    return "QUOTED-PRINTABLE" in line.partition(":")[0].upper()


def _parse(text: str) -> _Line | None:
    from vobject.base import parseLine

    if not _CONTENT_LINE.match(text):  # vobject's own pattern backtracks for hours on a long line it cannot parse
        return None
    try:
        name, param_list, value, group = parseLine(text)
    except Exception:  # noqa: BLE001 - vobject raises ParseError, and worse on odd input
        return None
    params: dict[str, list[str]] = {}
    for item in param_list:
        key = item[0].upper()
        if len(item) == 1:  # vCard 2.1 writes bare parameters: TEL;WORK;VOICE, NOTE;QUOTED-PRINTABLE
            params.setdefault("ENCODING" if key in _ENCODINGS else "TYPE", []).append(item[0])
        else:
            values = [part for raw in item[1:] for part in (raw.split(",") if key == "TYPE" else [raw])]
            params.setdefault(key, []).extend(values)
    encodings = {encoding.upper() for encoding in params.get("ENCODING", [])}
    if "QUOTED-PRINTABLE" in encodings:
        value = _decode_bytes(quopri.decodestring(value.encode("utf-8")), params.get("CHARSET", ["utf-8"])[0])
    line = _Line((group or "").lower(), name.upper(), params, value, binary=bool(encodings & {"B", "BASE64"}))
    line.binary = line.binary or (value[:5].lower() == "data:" and ";base64," in value[:100].lower())
    return line


def _decode_bytes(data: bytes, charset: str) -> str:
    for encoding in (charset, "utf-8"):
        try:
            return data.decode(encoding)
        except (LookupError, ValueError):
            continue
    return data.decode("latin-1")


def _split(value: str, separators: str) -> list[str]:
    """Split on separators that no backslash escapes; the parts keep their escapes."""
    if "\\" not in value:
        return re.split(f"[{re.escape(separators)}]", value)
    parts, current, escaped = [], [], False
    for char in value:
        if escaped or char == "\\":
            escaped = not escaped
            current.append(char)
        elif char in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _unescape(value: str, version: str) -> str:
    """3.0 and 4.0 escape `\\n` `\\,` `\\;` `\\\\`; 2.1 writes no `\\n` (its line breaks are quoted-printable)."""
    if "\\" in value:
        escapes = _ESCAPES_21 if version == "2.1" else _ESCAPES
        value = _ESCAPE.sub(lambda match: escapes.get(match.group(1), match.group(0)), value)
    return without_control_characters(value)


def without_control_characters(text: str) -> str:
    """The text with CR and CRLF as LF and no other control characters but tab and LF (a terminal escape sequence
    goes whole)."""
    return _CONTROL.sub("", without_escape_sequences(text.replace("\r\n", "\n").replace("\r", "\n")))


def _one_line(text: str, joiner: str = " ") -> str:
    return joiner.join(part.strip() for part in text.split("\n") if part.strip())


class _Card:
    """What one card gives a ContactDraft, and where everything without a field of its own went."""

    def __init__(self, version: str, labels: dict[str, str]):
        self.version, self.labels = version, labels
        self.values: dict[str, str] = {}
        self.names: list[str] = []  # family, given, additional, prefix, suffix
        self.nickname = ""
        self.emails: list[tuple[int, str, str]] = []
        self.phones: list[tuple[int, str, str]] = []
        self.addresses: list[tuple[int, list[str], str]] = []
        self.tags: list[str] = []
        self.notes: list[str] = []
        self.extra_notes: list[str] = []
        self.custom: dict[str, str] = {}
        self.kept: list[str] = []
        self.keep_in_touch: int | None = None

    def label(self, line: _Line) -> str:
        if line.group and self.labels.get(line.group):
            return self.labels[line.group]
        return ", ".join(t.lower() for t in line.params.get("TYPE", []) if t.strip() and t.lower() not in _PLAIN_TYPES)

    def key(self, line: _Line) -> str:
        """A custom field's name: the property's, with its label or types, as in "url (homepage)"."""
        label = self.label(line)
        return f"{line.name.lower()} ({label})" if label else line.name.lower()

    def stash(self, key: str, value: str, what: str, to_notes: bool = False) -> None:
        value = value.strip()
        if not value:
            return
        if to_notes or "\n" in value:
            self.extra_notes.append(f"{key}:\n{value}" if "\n" in value else f"{key}: {value}")
            self.kept.append(f"{what} → notes")
            return
        unique, count = key, 1
        while unique in self.custom:
            count += 1
            unique = f"{key} {count}"
        self.custom[unique] = value
        self.kept.append(f"{what} → custom {unique!r}")


def _pref(line: _Line) -> int:
    """Lower is preferred: 4.0's PREF=1..100, or 2.1/3.0's TYPE=PREF; the rest keep their order after them."""
    if any(t.lower() == "pref" for t in line.params.get("TYPE", [])):
        return 1
    ranks = [int(p) for p in line.params.get("PREF", []) if p.strip().isdigit()]
    return min(ranks) if ranks else 101


def _read_card(logical: list[tuple[int, list[str]]]) -> tuple[ContactDraft | None, list[str], str | None]:
    lines: list[_Line] = []
    orphans: list[tuple[int, str]] = []
    for number, parts in logical:
        text = "".join(parts)
        parsed = _parse(text)
        if parsed is not None:
            lines.append(parsed)
        elif lines and lines[-1].name == "NOTE":  # a line break some writers leave raw inside a note
            lines[-1].value += "\n" + text
        else:
            orphans.append((number, text))
    version = next((line.value.strip() for line in lines if line.name == "VERSION"), "3.0")
    labels = {line.group: _apple_label(_unescape(line.value, version)) for line in lines
              if line.name == "X-ABLABEL" and line.group}
    card = _Card(version, labels)
    for number, text in orphans:
        card.stash(f"line {number}", text, f"line {number} is not a vCard property")
    has_address = any(line.name == "ADR" for line in lines)
    for line in lines:
        _take(card, line, has_address)
    return _finish(card)


def _apple_label(label: str) -> str:
    match = _APPLE_LABEL.match(label.strip())
    return match.group(1).lower() if match else label.strip()


def _take(card: _Card, line: _Line, has_address: bool) -> None:
    name, version = line.name, card.version
    if name in _SKIPPED or (name == "UID" and line.value.strip().startswith(UID_PREFIX)):
        return
    if name in _BINARY or line.binary:
        if not line.binary and line.value.strip().lower().startswith(("http://", "https://")):
            card.stash(card.key(line), line.value, name)
        elif line.value.strip():
            card.kept.append(f"{name} skipped")
        return
    text = _unescape(line.value, version)
    if name == CUSTOM_PROPERTY and card.labels.get(line.group):
        card.custom[card.labels[line.group]] = text
        return
    if not text.strip():
        return
    if name == "FN" and "fn" not in card.values:
        card.values["fn"] = _one_line(text)
    elif name == "N" and not card.names:
        card.names = [_one_line(_unescape(part, version)) for part in _split(line.value, ";")][:5]
        card.names += [""] * (5 - len(card.names))
    elif name == "NICKNAME" and not card.nickname:
        card.nickname = _one_line(", ".join(p for p in (_unescape(x, version) for x in _split(line.value, ",")) if p))
        card.stash("nickname", card.nickname, "NICKNAME")
    elif name == "ORG" and "company" not in card.values:
        parts = [_one_line(_unescape(part, version)) for part in _split(line.value, ";")]
        card.values["company"] = parts[0]
        card.stash("department", ", ".join(part for part in parts[1:] if part), "ORG units")
    elif name == "TITLE" and "title" not in card.values:
        card.values["title"] = _one_line(text)
    elif name == "EMAIL":
        card.emails.append((_pref(line), _one_line(re.sub(r"(?i)^mailto:", "", text.strip())), card.key(line)))
    elif name == "TEL":
        number = re.sub(r"(?i);ext=", " ext ", re.sub(r"(?i)^tel:", "", text.strip()))
        card.phones.append((_pref(line), _one_line(number), card.key(line)))
    elif name == "ADR":
        parts = [_one_line(_unescape(part, version), ", ") for part in _split(line.value, ";")][:7]
        if any(parts):
            card.addresses.append((_pref(line), parts + [""] * (7 - len(parts)), card.key(line)))
    elif name == "BDAY" and "birthday" not in card.values:
        _take_birthday(card, line, text.strip())
    elif name == "NOTE":
        card.notes.append(text.strip())
    elif name == "CATEGORIES":
        separators = ",;" if version == "2.1" else ","
        card.tags += [_one_line(_unescape(part, version)) for part in _split(line.value, separators)]
    elif name == KEEP_IN_TOUCH_PROPERTY and card.keep_in_touch is None:
        try:
            card.keep_in_touch = clean_keep_in_touch(text)
        except ValidationError as exc:
            card.stash("keep in touch", text, f"{name} {exc.errors[0].message}")
    elif name == "LABEL" and has_address:
        card.kept.append("LABEL skipped (the address is read from ADR)")
    else:
        card.stash(card.key(line), text, name)


def _take_birthday(card: _Card, line: _Line, text: str) -> None:
    omit_year = line.params.get("X-APPLE-OMIT-YEAR", [""])[0]  # Apple writes a year-less birthday as 1604-03-15
    full, no_year = _FULL_DATE.match(text), _NO_YEAR.match(text)
    if full and not (omit_year and full.group(1) == omit_year):
        candidate = "-".join(full.groups()[:3])
    elif full:
        month, day = full.groups()[1:3]
        candidate = f"--{month}-{day}"
    elif no_year:
        month, day = no_year.groups()
        candidate = f"--{month}-{day}"
    else:
        candidate = text
    try:
        card.values["birthday"] = clean_birthday(candidate)
    except ValidationError:
        card.stash("birthday", text, f"BDAY {text!r} is not a date", to_notes=True)


def _finish(card: _Card) -> tuple[ContactDraft | None, list[str], str | None]:
    family, given, additional, prefix, suffix = card.names or [""] * 5
    first, last, fn = given, family, card.values.get("fn", "")
    composed = " ".join(part for part in (first, last) if part)
    full = " ".join(part for part in (prefix, given, additional, family, suffix) if part)
    display = fn if fn != composed else ""
    if not fn and full != composed:
        display = full
    for part, key in ((prefix, "name prefix"), (additional, "middle name"), (suffix, "name suffix")):
        if part and part not in display:
            card.stash(key, part, f"N {key}")
    if not (first or last or display) and card.nickname:
        display = card.nickname
        card.kept.append("NICKNAME used as the name (the card has no FN or N)")
    if not (first or last or display or any(value for _rank, value, _key in card.emails)):
        return None, card.kept, "a card needs a name or an email: it has no FN, N, NICKNAME or EMAIL"
    names = {}
    for key, value in (("first_name", first), ("last_name", last), ("display_name", display)):
        if len(value) > MAX_NAME:
            card.stash(f"{key.replace('_', ' ')} (full)", value, f"{key} longer than {MAX_NAME} characters")
            value = value[:MAX_NAME].strip()
        names[key] = value
    singles = {}
    for key in ("company", "title"):
        value = card.values.get(key, "")
        if len(value) > MAX_NAME:
            card.stash(key, value, f"{key.upper()} longer than {MAX_NAME} characters")
            value = ""
        singles[key] = value
    draft = ContactDraft(
        **names, **singles, **_address(card), emails=_checked(card, card.emails, clean_email, "an email address"),
        phones=_checked(card, card.phones, clean_phone, "a phone number"), tags=_tags(card),
        birthday=card.values.get("birthday", ""), keep_in_touch_days=card.keep_in_touch,
        custom={},  # set below, with the notes, once the fields above have stashed what they could not hold
    )
    if names_cleaned({name: getattr(draft, name) for name in contacts.NAME_FIELDS}):
        card.kept.append(NAME_CLEANED)
    notes = "\n\n".join(card.notes + card.extra_notes).strip()
    if len(notes) > MAX_TEXT:
        card.custom[NOTES_CONTINUED] = notes[MAX_TEXT:]
        card.kept.append(f"notes past {MAX_TEXT:,} characters → custom {NOTES_CONTINUED!r}")
        notes = notes[:MAX_TEXT]
    custom = {key.strip(): without_control_characters(value) for key, value in card.custom.items() if key.strip()}
    draft = replace(draft, notes=notes, custom=custom)
    try:
        return contacts.validate(draft), list(dict.fromkeys(card.kept)), None
    except ValidationError as exc:
        return None, card.kept, str(exc)


def _checked(card: _Card, found: list, clean, kind: str) -> list[str]:
    kept = []
    for _pref_rank, value, key in sorted(found, key=lambda item: item[0]):
        if not value:
            continue
        try:
            kept.append(clean(value))
        except ValidationError:
            card.stash(key, value, f"{key.split(' ')[0].upper()} {value!r} is not {kind}")
    return kept


def _tags(card: _Card) -> list[str]:
    kept = []
    for name in card.tags:
        try:
            kept += tags.clean_names([name])
        except ValidationError as exc:
            card.stash("categories", name, f"CATEGORIES {exc.errors[0].message}")
    return kept


def _address(card: _Card) -> dict[str, str]:
    fields = {"street": "", "city": "", "region": "", "postal_code": "", "country": ""}
    for index, (_rank, parts, key) in enumerate(sorted(card.addresses, key=lambda item: item[0])):
        box, extended, street, city, region, postal, country = parts
        street = ", ".join(part for part in (street, extended, box) if part)
        values = (street, city, region, postal, country)
        if index == 0 and all(len(value) <= MAX_TEXT for value in values):
            fields = dict(zip(fields, values, strict=True))
        else:
            card.stash(key, ", ".join(part for part in values if part), "ADR" if index else "ADR too long")
    return fields
