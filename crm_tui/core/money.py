"""Money as integer minor units (cents, yen, fils) plus an ISO 4217 code.

Floats cannot hold 0.10 exactly and their sums drift, so amounts are ints, and Decimal where a fraction of a unit
is needed. People type amounts in their own habits (12.500,50 or 12,500.50), so the parser reads both, but where
habits collide it refuses rather than guessing, and it never rounds what was typed.

Reading rules: a leading separator is fine (.5 is 0.50); a trailing one is not (12. is refused). Extra decimals
that are all zeros are exact and accepted (JPY 1200.00 is 1200). A single . or , followed by exactly three digits
(1,000) is a thousands separator for currencies with 0 or 2 decimals; for 3-decimal currencies (BHD...) a point
there is the decimal point (1.234 BHD, as to_decimal_string writes it) and a comma is refused as ambiguous.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from crm_tui.core.errors import ValidationError

MINOR_DIGITS: dict[str, int] = {
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
}
MAX_MINOR = 10**15  # far inside SQLite's int64, with room for sums of many deals
_MAX_TYPED = 100  # characters; longer text is no amount, and int() of it would be slow
_SIGNS = "-+\u2212"
_SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space, thin space: French and SI grouping
_APOSTROPHES = "'\u2019"  # Swiss grouping
_NUMBER_CHARS = frozenset("0123456789.," + _SPACES + _APOSTROPHES)
_COMPACT = ((12, "T"), (9, "B"), (6, "M"), (3, "k"))


class _Ambiguous(ValueError):
    pass


def minor_digits(currency: str) -> int:
    return MINOR_DIGITS.get(currency.upper(), 2)


def parse_amount(text: str, currency: str, field: str = "value") -> int:
    """Minor units from what a person typed; ValidationError (quoting it) for anything that is not plainly an amount.

    Callers decide what an empty optional value means before calling: here empty text is an error.
    """
    currency = currency.upper()
    digits = minor_digits(currency)
    example = "12500" + ("." + "50".ljust(digits, "0") if digits else "")
    typed = text.strip()
    if not typed:
        raise ValidationError.single(field, f"enter an amount such as {example}")
    quoted = repr(typed if len(typed) <= 40 else typed[:40] + "…")
    if len(typed) > _MAX_TYPED:
        raise ValidationError.single(field, f"{quoted} is too long to be an amount")
    sign, code, number = _split(typed)
    has_digit = any("0" <= char <= "9" for char in number)
    if code and code != currency and has_digit:
        raise ValidationError.single(field, f"{quoted} is in {code}, but the currency is {currency}")
    if not has_digit or not set(number) <= _NUMBER_CHARS:
        raise ValidationError.single(
            field, f"{quoted} is not an amount (type digits, with . or , before the decimals, as in {example})"
        )
    for space in _SPACES:
        number = number.replace(space, " ")
    number = number.replace("\u2019", "'")
    try:
        whole, fraction = _parts(number, digits)
    except _Ambiguous:
        head, tail = number.replace(",", ".").split(".")
        decimals = tail if digits == 3 else tail[:digits]
        why = f"{currency} has 3 decimal places, so " if digits == 3 else ""
        raise ValidationError.single(
            field, f"{quoted} is ambiguous: {why}write {head}{tail} for thousands or {head}.{decimals} for decimals",
        ) from None
    except ValueError as error:
        raise ValidationError.single(field, f"{quoted} is not an amount ({error})") from None
    if len(fraction) > digits and fraction[digits:].strip("0"):
        places = f"{digits} decimal places" if digits else "no decimal places"
        raise ValidationError.single(
            field, f"{currency} has {places}; {quoted} has {len(fraction.rstrip('0'))}"
        )
    minor = int(whole or "0") * 10**digits + int(fraction[:digits].ljust(digits, "0") or "0")
    if sign and sign in "-\u2212" and minor:
        raise ValidationError.single(field, f"{quoted} must not be negative")
    if minor > MAX_MINOR:
        raise ValidationError.single(
            field, f"{quoted} is too large (at most {format_money(MAX_MINOR, currency)})"
        )
    return minor


def _split(typed: str) -> tuple[str, str, str]:
    """(sign, code, number) from e.g. '-EUR 12.50' or '12.50 eur'; a second sign or code stays in the number."""
    rest, sign, code = typed, "", ""
    if rest and rest[0] in _SIGNS:
        sign, rest = rest[0], rest[1:].lstrip()
    if _is_code(rest[:3]) and not rest[3:4].isalpha():
        code, rest = rest[:3].upper(), rest[3:].lstrip()
    if not sign and rest and rest[0] in _SIGNS:
        sign, rest = rest[0], rest[1:].lstrip()
    if not code and _is_code(rest[-3:]) and not rest[-4:-3].isalpha():
        code, rest = rest[-3:].upper(), rest[:-3].rstrip()
    return sign, code, rest


def _is_code(text: str) -> bool:
    return len(text) == 3 and text.isascii() and text.isalpha()


def _parts(number: str, digits: int) -> tuple[str, str]:
    """The whole and fraction digits of a number made of ASCII digits, '.', ',', ' ' and "'"."""
    grouping = [char for char in " '" if char in number]
    marks = [char for char in ".," if char in number]
    if len(grouping) > 1:
        raise ValueError("it mixes spaces and apostrophes between thousands")
    group, decimal = (grouping or [""])[0], ""
    if group:
        if number.count(".") + number.count(",") > 1:
            raise ValueError("it has more than one decimal separator")
        decimal = "".join(marks)
    elif len(marks) == 2:
        decimal = max(marks, key=number.rindex)
        group = "." if decimal == "," else ","
    elif marks and number.count(marks[0]) > 1:
        group = marks[0]
    elif marks:
        head, tail = number.split(marks[0])
        looks_grouped = len(tail) == 3 and 1 <= len(head) <= 3 and head[0] != "0"
        fits_as_decimals = len(tail.rstrip("0")) <= digits
        if looks_grouped and (digits == 0 or (digits < 3 and not fits_as_decimals)):
            group = marks[0]  # 1.000 yen, or 12.505 euros: as decimals it would not be an amount at all
        elif looks_grouped and (digits < 3 or marks[0] == ","):
            raise _Ambiguous  # 1.500 euros: 1500 or 1.50? A person must say.
        else:
            decimal = marks[0]
    whole, fraction = number, ""
    if decimal:
        if number.count(decimal) > 1:
            raise ValueError("it has more than one decimal separator")
        whole, fraction = number.split(decimal)
        if not fraction.isdigit():
            raise ValueError("digits must follow the decimal separator")
    if group:
        groups = whole.split(group)
        if not 1 <= len(groups[0]) <= 3 or any(len(part) != 3 for part in groups[1:]):
            raise ValueError("digits between thousands separators come in threes, as in 1,234,567")
        whole = "".join(groups)
    if whole and not whole.isdigit():
        raise ValueError("it has separators in odd places")
    return whole, fraction


def _sign_and_parts(minor: int, currency: str) -> tuple[str, int, str]:
    digits = minor_digits(currency)
    whole, fraction = divmod(abs(minor), 10**digits)
    return ("-" if minor < 0 else ""), whole, (f".{fraction:0{digits}d}" if digits else "")


def to_decimal_string(minor: int, currency: str) -> str:
    """The plain machine form (1200.50, 1200, -0.05): for JSON, CSV and edit fields."""
    sign, whole, fraction = _sign_and_parts(minor, currency)
    return f"{sign}{whole}{fraction}"


def format_money(minor: int, currency: str, with_code: bool = True) -> str:
    """EUR 12,500.50: the code, then comma grouping and exactly the currency's decimals."""
    sign, whole, fraction = _sign_and_parts(minor, currency)
    return f"{currency.upper() + ' ' if with_code else ''}{sign}{whole:,}{fraction}"


def format_compact(minor: int, currency: str, with_code: bool = True) -> str:
    """EUR 9,500 / EUR 12.5k / EUR 125k / EUR 1.25M: at most 6 characters after the code, for kanban headers and
    cards 20 columns wide.

    Display only: whole units below 10,000, then 3 significant digits, both rounded half up.
    """
    code, sign = (currency.upper() + " " if with_code else ""), ("-" if minor < 0 else "")
    scale = 10 ** minor_digits(currency)
    units = (abs(minor) + scale // 2) // scale
    if units < 10_000:
        return f"{code}{sign if units else ''}{units:,}"
    value = Decimal(abs(minor)).scaleb(-minor_digits(currency))
    index = next(index for index, (exponent, _) in enumerate(_COMPACT) if value >= Decimal(10) ** exponent)
    exponent, suffix = _COMPACT[index]
    scaled = value.scaleb(-exponent)
    rounded = scaled.quantize(Decimal(1).scaleb(len(str(int(scaled))) - 3), rounding=ROUND_HALF_UP)
    if rounded >= 1000 and index > 0:  # 999.5k shows as 1M
        rounded, suffix = Decimal(1), _COMPACT[index - 1][1]
    text = format(rounded, "f")
    number = f"{int(text):,}" if "." not in text else text.rstrip("0").rstrip(".")
    return f"{code}{sign}{number}{suffix}"
