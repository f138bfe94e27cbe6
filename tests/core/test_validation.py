"""Property tests for the validators of what people type: a clean value or a ValidationError, and stable."""

from __future__ import annotations

import pytest
from hypothesis import example, given, strategies as st

from crm_tui.core.errors import ValidationError
from crm_tui.core.phones import phone_digits
from crm_tui.core.validation import clean_birthday, clean_date, clean_email, clean_phone

# Text shaped like what the validators look for, so that many examples get past the first check.
LABEL = st.text(st.characters(categories=("Ll", "Lu", "Nd"), include_characters="-"), min_size=1, max_size=12)
EMAILS = st.builds(
    lambda local, labels, sep, pad: f"{pad}{local}{sep}{'.'.join(labels)}{pad}",
    st.text(st.characters(exclude_characters="@", codec="utf-8"), min_size=1, max_size=20),
    st.lists(LABEL, min_size=1, max_size=4),
    st.sampled_from(["@", "@@", ""]),
    st.sampled_from(["", " ", "\t"]),
)
PHONES = st.text(st.sampled_from("+0123456789 ().-/xXext"), max_size=30)
DIGITS2 = st.integers(0, 99).map(lambda n: f"{n:02d}")
BIRTHDAYS = st.one_of(
    st.builds(lambda m, d: f"--{m}-{d}", DIGITS2, DIGITS2),
    st.builds(lambda m, d: f"--{m}{d}", DIGITS2, DIGITS2),
    st.builds(lambda m, d: f"{m}-{d}", DIGITS2, DIGITS2),
    st.dates().map(lambda d: d.isoformat()),
    st.builds(lambda y, m, d: f"{y:04d}-{m}-{d}", st.integers(0, 9999), DIGITS2, DIGITS2),
)


def clean_or_refuse(clean, value):
    """The cleaned value, or None when refused; anything but ValidationError fails the test."""
    try:
        result = clean(value)
    except ValidationError as exc:
        assert exc.errors and all(error.field and error.message for error in exc.errors)
        return None
    assert isinstance(result, str)
    return result


def assert_idempotent(clean, value):
    cleaned = clean_or_refuse(clean, value)
    if cleaned is not None:
        assert clean_or_refuse(clean, cleaned) == cleaned, (value, cleaned)


@given(st.one_of(st.text(), EMAILS))
@example("Anna.de.Vries@Example.COM")
@example("x@İstanbul.example")
@example("x@ÖRSTED.dk")
@example("a@b.c1")
@example("a..b@example.com")
def test_clean_email_refuses_or_returns_a_stable_value(value):
    assert_idempotent(lambda v: clean_email(v, "emails"), value)


def test_clean_email_examples():
    assert clean_email(" Anna.de.Vries@Example.COM ") == "Anna.de.Vries@example.com"
    assert clean_email("müller@bäckerei.de") == "müller@bäckerei.de"
    for bad in ("", "anna", "anna@", "@example.com", "a@b@c.de", "a b@example.com", "a@localhost",
                "a@example.123", ".a@example.com", "a.@example.com", "a@-x.com"):
        with pytest.raises(ValidationError) as raised:
            clean_email(bad, "emails")
        assert raised.value.errors[0].field == "emails"


@given(st.one_of(st.text(), PHONES))
@example("+31 6 1234 5678")
@example("+1 (555) 010-0100 ext. 12")
@example("  +49   30\t1234567 ")
def test_clean_phone_refuses_or_returns_a_stable_value(value):
    assert_idempotent(clean_phone, value)
    cleaned = clean_or_refuse(clean_phone, value)
    if cleaned is not None:
        assert 3 <= len(phone_digits(cleaned)) <= 20


def test_clean_phone_examples():
    assert clean_phone("  +49   30\t1234567 ") == "+49 30 1234567"
    assert phone_digits("+1 (555) 010-0100 ext. 12") == "15550100100"
    for bad in ("12", "call me", "+31 6 abcd", "1" * 21):
        with pytest.raises(ValidationError):
            clean_phone(bad)


@given(st.one_of(st.text(), BIRTHDAYS))
@example("--02-29")
@example("--02-30")
@example("1990-02-29")
@example("2000-02-29")
def test_clean_birthday_refuses_or_returns_a_stable_value(value):
    assert_idempotent(clean_birthday, value)
    cleaned = clean_or_refuse(clean_birthday, value)
    if cleaned:
        assert cleaned.startswith("--") and len(cleaned) == 7 or len(cleaned) == 10


@pytest.mark.parametrize(("typed", "stored"), [
    ("--12-24", "--12-24"), ("--1224", "--12-24"), ("12-24", "--12-24"), ("1980-12-24", "1980-12-24"),
    (" ", ""),
])
def test_clean_birthday_examples(typed, stored):
    assert clean_birthday(typed) == stored


@pytest.mark.parametrize("bad", ["--13-01", "--02-30", "1990-02-29", "24.12.1980", "tomorrow", "--1-1"])
def test_clean_birthday_refuses_non_days(bad):
    with pytest.raises(ValidationError) as raised:
        clean_birthday(bad)
    assert raised.value.errors[0].field == "birthday"


@given(st.one_of(st.text(), BIRTHDAYS, st.dates().map(str)))
@example("2026-11-28")
@example(" 2026-11-28 ")
def test_clean_date_refuses_or_returns_a_stable_value(value):
    assert_idempotent(lambda v: clean_date(v, "expected_close"), value)


def test_clean_date_examples():
    assert clean_date(" 2026-11-28 ", "due") == "2026-11-28"
    assert clean_date("", "due") == ""
    with pytest.raises(ValidationError) as raised:
        clean_date("2026-13-01", "due")
    assert raised.value.errors[0].field == "due"
