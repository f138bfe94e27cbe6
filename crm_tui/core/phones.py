"""Phone numbers reduced to what compares them: the digits, the digits written internationally, and the key two
records of one line share. Import, merge, the duplicate scan and the form's check all compare phones here, so they
agree on when two numbers are one.
"""

from __future__ import annotations

import re

# Shorter keys (extensions, short codes) never match another number.
MIN_PHONE_DIGITS = 6

_EXTENSION = re.compile(r"(?i)\s*(?:x|ext\.?)\s*")
_NON_DIGITS = re.compile(r"\D+")


def phone_digits(value: str) -> str:
    """The digits of a phone number, extension dropped: what duplicate checks and search compare."""
    return _NON_DIGITS.sub("", _EXTENSION.split(value, maxsplit=1)[0])


def international_digits(phone: str) -> str:
    """A phone's digits written internationally: `+31 20 555 0101` and `0031 20 555 0101` are the same number.
    A national form (`020 555 0101`) cannot be told apart without knowing the country, so it stays as it is."""
    digits = phone_digits(phone)
    return digits[2:] if digits.startswith("00") else digits


def is_international(phone: str) -> bool:
    return phone.lstrip().startswith(("+", "00"))


def phone_key(phone: str) -> str:
    """The number a phone reaches, in international digits where it is written so; "" when too short to match.
    The `(0)` of an international number is the trunk prefix, never dialled from abroad."""
    if is_international(phone):
        phone = phone.replace("(0)", "")
    key = international_digits(phone)
    return key if len(key) >= MIN_PHONE_DIGITS else ""
