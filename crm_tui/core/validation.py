"""Validators for what people type. Each returns the clean value or raises ValidationError naming the field."""

from __future__ import annotations

import re
from datetime import date, datetime

from crm_tui.core.errors import ValidationError
from crm_tui.core.models import format_timestamp
from crm_tui.core.phones import phone_digits
from crm_tui.core.text import without_controls

MAX_TEXT = 10_000
MAX_NAME = 200
_EMAIL_LOCAL = re.compile(r"^[^\s@\"(),:;<>\[\\\]]{1,64}$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?$", re.UNICODE)
_PHONE_CHARS = re.compile(r"^\+?[0-9 ().\-/]+(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)
_BIRTHDAY_NO_YEAR = re.compile(r"^(?:--(\d{2})-?(\d{2})|(\d{2})-(\d{2}))$")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def clean_text(field: str, value: str | None, *, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError.single(field, f"is too long ({len(text)} characters; at most {limit})")
    if _CONTROL_CHARS.search(text):
        raise ValidationError.single(field, "contains control characters")
    return text


def clean_name(field: str, value: str | None, *, limit: int) -> str:
    """A name, a title or a company: one line, whose control characters (a terminal escape pasted in, a tab) are
    taken out rather than refused; readers say so when they did it (`names_cleaned`)."""
    return clean_text(field, without_controls(value or ""), limit=limit)


def names_cleaned(values: dict[str, str]) -> bool:
    """Whether any of these name fields holds something `clean_name` takes out."""
    return any(value and without_controls(value) != value.strip() for value in values.values())


def clean_email(value: str, field: str = "email") -> str:
    """A practical check (RFC 5321 shapes people actually use); the domain is lower-cased."""
    text = value.strip()
    if text.count("@") != 1:
        raise ValidationError.single(field, f"{text!r} is not an email address (it needs exactly one @)")
    local, domain = text.split("@")
    domain = domain.lower()
    if not _EMAIL_LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise ValidationError.single(field, f"{text!r} is not an email address (the part before @ is invalid)")
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise ValidationError.single(field, f"{text!r} is not an email address (the domain is invalid)")
    if labels[-1].isdigit():
        raise ValidationError.single(field, f"{text!r} is not an email address (the domain is invalid)")
    return f"{local}@{domain}"



def clean_phone(value: str, field: str = "phone") -> str:
    text = " ".join(value.split())
    if not _PHONE_CHARS.match(text):
        raise ValidationError.single(
            field, f"{text!r} is not a phone number (use digits, spaces, + ( ) - . / and an optional 'ext')"
        )
    digits = phone_digits(text)
    if not 3 <= len(digits) <= 20:
        raise ValidationError.single(field, f"{text!r} is not a phone number (it needs 3 to 20 digits)")
    return text


def clean_date(value: str, field: str) -> str:
    """An ISO 8601 calendar date, YYYY-MM-DD, or "" for none."""
    text = value.strip()
    if not text:
        return ""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValidationError.single(field, f"{text!r} is not a date (use YYYY-MM-DD)") from None


def clean_timestamp(field: str, value: datetime | str | None) -> str | None:
    """A UTC timestamp from an aware datetime, or from ISO 8601 text (a date, or a date and time; without a zone
    it is UTC); None or "" is None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError.single(field, "needs a time zone")
        return format_timestamp(value)
    try:
        return format_timestamp(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except ValueError:
        raise ValidationError.single(field, f"{value!r} is not a date and time (use YYYY-MM-DDTHH:MM:SSZ)") from None


def clean_birthday(value: str, field: str = "birthday") -> str:
    """YYYY-MM-DD, or --MM-DD when the year is unknown (vCard and ISO 8601 write it so)."""
    text = value.strip()
    if not text:
        return ""
    match = _BIRTHDAY_NO_YEAR.match(text)
    if match:
        month, day = (int(part) for part in match.groups() if part is not None)
        try:
            date(2000, month, day)
        except ValueError:
            raise ValidationError.single(field, f"{text!r} is not a day of the year") from None
        return f"--{month:02d}-{day:02d}"
    try:
        return clean_date(text, field)
    except ValidationError:
        raise ValidationError.single(
            field, f"{text!r} is not a birthday (use YYYY-MM-DD, or --MM-DD without a year)"
        ) from None


MAX_KEEP_IN_TOUCH_DAYS = 3650


def clean_keep_in_touch(value: int | str | None, field: str = "keep_in_touch_days") -> int | None:
    """How often to be in touch with a contact, in days: a whole number from 1 to 3650, or None for never."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit():
        raise ValidationError.single(field, f"{text!r} is not a number of days, such as 30")
    days = int(text)
    if not 1 <= days <= MAX_KEEP_IN_TOUCH_DAYS:
        raise ValidationError.single(field, f"use a number of days from 1 to {MAX_KEEP_IN_TOUCH_DAYS:,}, not {days:,}")
    return days


def clean_currency(value: str, field: str = "currency") -> str:
    text = value.strip().upper()
    if not _CURRENCY.match(text):
        raise ValidationError.single(field, f"{value!r} is not an ISO 4217 currency code such as EUR or USD")
    return text
