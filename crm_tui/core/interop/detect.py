"""What a file to import holds (CSV, vCard or a JSON backup), from its name or its first bytes, and the codecs
that read past a byte-order mark. The command line and the app's import screen ask the same question here."""

from __future__ import annotations

from pathlib import Path

FORMATS = ("csv", "vcard", "json")
SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".vcf": "vcard", ".vcard": "vcard", ".json": "json"}
# Codecs that read past the byte-order mark a file starts with.
BOM_ENCODINGS = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16", "utf-32-le": "utf-32",
                 "utf-32-be": "utf-32"}


def detect_format(path: Path) -> str:
    """The format a file's name says, else what its first bytes look like."""
    by_name = SUFFIXES.get(path.suffix.lower())
    if by_name is not None:
        return by_name
    with path.open("rb") as handle:
        start = handle.read(4096).lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \r\n\t")
    if start.upper().startswith(b"BEGIN:VCARD") or b"B\x00E\x00G\x00I\x00N\x00" in start[:20]:
        return "vcard"
    if start.startswith((b"{", b"[")):
        return "json"
    return "csv"
