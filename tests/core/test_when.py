"""The date and time grammar: every accepted form, both directions, the refusals and what they say, DST."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from crm_tui.core.errors import ValidationError
from crm_tui.core.when import When, parse_when

UTC = UTC
NOW = datetime(2026, 11, 28, 8, 30, tzinfo=UTC)  # Saturday 28 November 2026, 09:30 in Amsterdam
# The zone is the same for every example, so a function-scoped fixture is fine under hypothesis.
PROPERTY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def in_amsterdam(amsterdam):
    """Every test here reads time as Amsterdam does, unless it picks another zone."""


def zone(monkeypatch, name: str) -> None:
    monkeypatch.setenv("TZ", name)
    time.tzset()


def local(when: When) -> str:
    return when.at.astimezone().strftime("%a %Y-%m-%d %H:%M")


def read(text: str, direction: str = "past", now: datetime = NOW) -> tuple[str, bool]:
    when = parse_when(text, now, direction=direction)
    assert when.at.tzinfo is UTC
    return local(when), when.has_time


def refusal(text: str, direction: str = "past", now: datetime = NOW, field: str = "when") -> str:
    with pytest.raises(ValidationError) as raised:
        parse_when(text, now, direction=direction, field=field)
    [error] = raised.value.errors
    assert error.field == field
    return error.message


BOTH = [
    ("now", ("Sat 2026-11-28 09:30", True)),
    ("today", ("Sat 2026-11-28 00:00", False)),
    ("yesterday", ("Fri 2026-11-27 00:00", False)),
    ("yesterday 15:00", ("Fri 2026-11-27 15:00", True)),
    ("Yesterday at 3pm", ("Fri 2026-11-27 15:00", True)),
    ("  YESTERDAY    15:00 ", ("Fri 2026-11-27 15:00", True)),
    ("today 9am", ("Sat 2026-11-28 09:00", True)),
    ("today 12am", ("Sat 2026-11-28 00:00", True)),
    ("2h ago", ("Sat 2026-11-28 07:30", True)),
    ("30m ago", ("Sat 2026-11-28 09:00", True)),
    ("3 days ago", ("Wed 2026-11-25 09:30", True)),
    ("1 week ago", ("Sat 2026-11-21 09:30", True)),
    ("-1d", ("Fri 2026-11-27 09:30", True)),
    ("\u22122h", ("Sat 2026-11-28 07:30", True)),
    ("last mon", ("Mon 2026-11-23 00:00", False)),
    ("last sat", ("Sat 2026-11-21 00:00", False)),
    ("last friday 17:45", ("Fri 2026-11-27 17:45", True)),
    ("last week", ("Mon 2026-11-16 00:00", False)),
    ("last month", ("Thu 2026-10-01 00:00", False)),
    ("2026-11-01", ("Sun 2026-11-01 00:00", False)),
    ("2026-11-1", ("Sun 2026-11-01 00:00", False)),
    ("2026-11-27 14:00", ("Fri 2026-11-27 14:00", True)),
    ("2026-11-27T14:00", ("Fri 2026-11-27 14:00", True)),
    ("2026-11-27 2:30pm", ("Fri 2026-11-27 14:30", True)),
    ("2026-11-27T14:00:00Z", ("Fri 2026-11-27 15:00", True)),
    ("2026-11-27t14:00:00.250z", ("Fri 2026-11-27 15:00", True)),
    ("2026-11-27T14:00:00+05:30", ("Fri 2026-11-27 09:30", True)),
    ("2026-11-27T14:00-0500", ("Fri 2026-11-27 20:00", True)),
]

PAST = [
    ("fri", ("Fri 2026-11-27 00:00", False)),
    ("Friday", ("Fri 2026-11-27 00:00", False)),
    ("thurs", ("Thu 2026-11-26 00:00", False)),
    ("sat", ("Sat 2026-11-28 00:00", False)),  # today counts
    ("sun", ("Sun 2026-11-22 00:00", False)),
    ("fri 10am", ("Fri 2026-11-27 10:00", True)),
    ("sat 9am", ("Sat 2026-11-28 09:00", True)),  # earlier today
    ("sat 10am", ("Sat 2026-11-21 10:00", True)),  # later today, so last week's
    ("9:00", ("Sat 2026-11-28 09:00", True)),
    ("8am", ("Sat 2026-11-28 08:00", True)),
    ("3:30 am", ("Sat 2026-11-28 03:30", True)),
]

FUTURE = [
    ("tomorrow", ("Sun 2026-11-29 00:00", False)),
    ("tomorrow 9am", ("Sun 2026-11-29 09:00", True)),
    ("today 3:30pm", ("Sat 2026-11-28 15:30", True)),
    ("in 2 hours", ("Sat 2026-11-28 11:30", True)),
    ("in 3 days", ("Tue 2026-12-01 09:30", True)),
    ("+3d", ("Tue 2026-12-01 09:30", True)),
    ("+ 3 days", ("Tue 2026-12-01 09:30", True)),
    ("+2w", ("Sat 2026-12-12 09:30", True)),
    ("+4h", ("Sat 2026-11-28 13:30", True)),
    ("+90 min", ("Sat 2026-11-28 11:00", True)),
    ("fri", ("Fri 2026-12-04 00:00", False)),
    ("friday", ("Fri 2026-12-04 00:00", False)),
    ("mon", ("Mon 2026-11-30 00:00", False)),
    ("sat", ("Sat 2026-11-28 00:00", False)),  # today counts: due today
    ("fri 10am", ("Fri 2026-12-04 10:00", True)),
    ("sat 10am", ("Sat 2026-11-28 10:00", True)),  # later today
    ("sat 9am", ("Sat 2026-12-05 09:00", True)),  # earlier today, so next week's
    ("next fri", ("Fri 2026-12-04 00:00", False)),
    ("next sat", ("Sat 2026-12-05 00:00", False)),  # never today
    ("next mon 9:15", ("Mon 2026-11-30 09:15", True)),
    ("next week", ("Mon 2026-11-30 00:00", False)),
    ("next month", ("Tue 2026-12-01 00:00", False)),
    ("2026-12-01", ("Tue 2026-12-01 00:00", False)),
    ("2026-12-01 14:00", ("Tue 2026-12-01 14:00", True)),
    ("2026-12-01T14:00:00Z", ("Tue 2026-12-01 15:00", True)),
    ("14:00", ("Sat 2026-11-28 14:00", True)),
    ("10am", ("Sat 2026-11-28 10:00", True)),
    ("3:30 pm", ("Sat 2026-11-28 15:30", True)),
    ("12pm", ("Sat 2026-11-28 12:00", True)),
    ("9:30", ("Sat 2026-11-28 09:30", True)),  # this very minute is not yet past
    # Relative words keep their meaning for due dates: these are overdue tasks, not errors.
    ("yesterday", ("Fri 2026-11-27 00:00", False)),
    ("-1d", ("Fri 2026-11-27 09:30", True)),
    ("last mon", ("Mon 2026-11-23 00:00", False)),
    ("2025-01-31", ("Fri 2025-01-31 00:00", False)),
]


@pytest.mark.parametrize("direction", ["past", "future"])
@pytest.mark.parametrize(("text", "expected"), BOTH)
def test_forms_read_the_same_in_both_directions(text, expected, direction):
    assert read(text, direction) == expected


@pytest.mark.parametrize(("text", "expected"), PAST)
def test_when_it_happened(text, expected):
    assert read(text, "past") == expected


@pytest.mark.parametrize(("text", "expected"), FUTURE)
def test_due_dates(text, expected):
    assert read(text, "future") == expected


@pytest.mark.parametrize(
    "text", ["tomorrow", "tomorrow 9am", "today 3pm", "in 2 days", "+1h", "next fri", "next week", "2026-12-01"]
)
def test_the_past_refuses_the_future(text):
    assert "in the future" in refusal(text, "past")


def test_the_future_refusal_shows_what_was_understood():
    assert refusal("in 2 days", "past").startswith('"in 2 days" is in the future (Mon 30 Nov 09:30); ')
    assert refusal("tomorrow", "past").startswith('"tomorrow" is in the future; write when it happened')


def test_a_bare_time_on_the_wrong_side_of_now_is_refused_not_moved():
    assert refusal("15:00", "past") == '"15:00" is later today; write "yesterday 15:00" for yesterday'
    assert refusal("9am", "future") == (
        '"9am" was earlier today; write "tomorrow 9am" for tomorrow, or "today 9am" if it is already overdue'
    )


@pytest.mark.parametrize("text", ["01/02/2026", "1.2.", "3/4", "12.30", "2026/12/01", "01-02-2026", "1 / 2"])
def test_day_month_orders_are_ambiguous(text):
    message = refusal(text)
    assert message.startswith(f'"{text}" is ambiguous') and "YYYY-MM-DD" in message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("blursday", '"blursday" is not a date or time; try "tomorrow 9am", "fri", "+3d" or "2026-12-01 14:00"'),
        ("", 'enter a date or time; try "tomorrow 9am", "fri", "+3d" or "2026-12-01 14:00"'),
        ("2026-02-30", '"2026-02-30" is not a date: February 2026 has 28 days'),
        ("2028-02-30", '"2028-02-30" is not a date: February 2028 has 29 days'),
        ("2026-13-01", '"2026-13-01" is not a date: there is no month 13; write YYYY-MM-DD, e.g. "2026-12-01"'),
        ("25:00", '"25:00" is not a time: hours run from 0 to 23 and minutes from 0 to 59 (try "14:00")'),
        ("yesterday 9:60", '"9:60" is not a time: hours run from 0 to 23 and minutes from 0 to 59 (try "14:00")'),
        ("13pm", '"13pm" is not a time: with am or pm the hour is 1 to 12 (try "1pm" or "13:00")'),
        ("0am", '"0am" is not a time: with am or pm the hour is 1 to 12 (try "1pm" or "13:00")'),
        ("yesterday lunch", '"yesterday lunch": "lunch" is not a time; try "yesterday 9am" or "yesterday 14:30"'),
        ("fri 14", '"fri 14": "14" is not a time; try "fri 9am" or "fri 14:30"'),
        ("2026-11-01 noon", '"2026-11-01 noon": "noon" is not a time; try "2026-11-01 14:00"'),
        ("2026-11-01Z", '"2026-11-01Z": a time zone needs a time, e.g. "2026-11-01T14:00Z"'),
        ("2026-11-01T10:00+25:00", '"2026-11-01T10:00+25:00": +25:00 is not a UTC offset; write it as +01:00, '
         "-05:00 or Z"),
        ("1899-12-31", '"1899-12-31" is out of range; use a year from 1900 to 2999'),
        ("999999w ago", '"999999w ago" is out of range; use a year from 1900 to 2999'),
        ("3 months ago", '"3 months ago": count in minutes, hours, days or weeks ("+3d", "2h ago", "in 2 weeks"), '
         "or write the date as YYYY-MM-DD"),
        ("x" * 101, f'"{"x" * 40}…" is too long to be a date or time; try "tomorrow 9am", "fri", "+3d" or '
         '"2026-12-01 14:00"'),
        ("bl\x00ur\u200bsday", '"bl\\x00ur\\u200bsday" is not a date or time; try "tomorrow 9am", "fri", "+3d" or '
         '"2026-12-01 14:00"'),
    ],
)
def test_refusals_quote_what_was_typed(text, message):
    assert refusal(text) == message


@pytest.mark.parametrize("text", ["now 15:00", "next tomorrow", "in 2h ago", "+3d ago", "3d", "sa", "14", "next"])
def test_half_forms_are_not_guessed(text):
    assert refusal(text, "future").endswith('try "tomorrow 9am", "fri", "+3d" or "2026-12-01 14:00"')


def test_errors_name_the_callers_field():
    refusal("blursday", "future", field="due")


def test_a_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_when("today", datetime(2026, 11, 28, 9, 30), direction="past")


def test_daylight_saving_starts(monkeypatch):
    """Amsterdam skips 02:00-03:00 on Sunday 29 March 2026: days keep the wall clock, hours are exact."""
    saturday = datetime(2026, 3, 28, 8, 30, tzinfo=UTC)  # 09:30 CET
    assert parse_when("tomorrow 9am", saturday, direction="future").at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert read("+1d", "future", saturday) == ("Sun 2026-03-29 09:30", True)  # 23 hours later
    assert read("+24h", "future", saturday) == ("Sun 2026-03-29 10:30", True)
    assert read("2026-03-29", "future", saturday) == ("Sun 2026-03-29 00:00", False)
    assert "does not exist in local time" in refusal("2026-03-29 02:30", "future", saturday)
    sunday = datetime(2026, 3, 29, 10, 0, tzinfo=UTC)  # 12:00 CEST
    assert read("yesterday 12:00", "past", sunday) == ("Sat 2026-03-28 12:00", True)
    assert sunday - parse_when("yesterday 12:00", sunday, direction="past").at == timedelta(hours=23)


def test_daylight_saving_ends_takes_the_first_of_the_repeated_hour():
    assert parse_when("2026-10-25 02:30", NOW, direction="past").at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_day_whose_midnight_is_skipped_starts_when_it_starts(monkeypatch):
    zone(monkeypatch, "America/Santiago")  # 6 September 2026: 00:00 becomes 01:00
    when = parse_when("2026-09-06", NOW, direction="past")
    assert (local(when), when.has_time) == ("Sun 2026-09-06 01:00", False)


def test_the_local_zone_is_the_machines(monkeypatch):
    zone(monkeypatch, "Asia/Tokyo")
    assert read("today 9am", "past") == ("Sat 2026-11-28 09:00", True)
    assert parse_when("today 9am", NOW, direction="past").at == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "direction", "described"),
    [
        ("today 15:00", "future", "today 15:00"),
        ("yesterday 15:00", "past", "yesterday 15:00"),
        ("tomorrow", "future", "tomorrow"),
        ("next mon", "future", "Mon 30 Nov"),
        ("fri 10am", "future", "Fri 4 Dec 10:00"),
        ("2027-12-03 10:00", "future", "Fri 3 Dec 2027 10:00"),
        ("2025-12-07", "past", "Sun 7 Dec 2025"),
    ],
)
def test_describe_says_what_was_understood(text, direction, described):
    assert parse_when(text, NOW, direction=direction).describe(NOW) == described


def test_describe_can_spell_out_the_date_of_yesterday_today_and_tomorrow():
    assert parse_when("yesterday 15:00", NOW, direction="past").describe(NOW, relative=False) == "Fri 27 Nov 15:00"
    assert parse_when("tomorrow", NOW, direction="future").describe(NOW, relative=False) == "Sun 29 Nov"
    assert parse_when("today", NOW, direction="future").describe(NOW, relative=False) == "Sat 28 Nov"


# Property tests ---------------------------------------------------------------------------------------------------

NOWS = st.datetimes(datetime(1990, 1, 1), datetime(2060, 12, 31), timezones=st.just(UTC))
OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
GRAMMAR_SOUP = st.lists(
    st.sampled_from(
        ["now", "today", "tomorrow", "fri", "next", "last", "week", "month", "in", "ago", "at", "am", "pm", "+", "-",
         "2026", "-12-", "01", "13", "25", ":", "00", "t", "z", "d", "h", "w", "m", " ", "/", ".", "\x00", "é"]
    ),
    max_size=8,
).map("".join)


@PROPERTY
@given(st.text(max_size=120) | GRAMMAR_SOUP, NOWS, st.sampled_from(["past", "future"]))
@example("9" * 6 + "d", NOW, "future")
@example("2999-12-31T23:59-14:00", NOW, "future")
def test_any_text_is_a_when_or_a_validation_error(text, now, direction):
    try:
        when = parse_when(text, now, direction=direction)
    except ValidationError as error:
        assert error.errors[0].message
    else:
        assert when.at.tzinfo is UTC and when.describe(now)
        if direction == "past":
            assert when.at <= now or not when.has_time


@PROPERTY
@given(st.datetimes(datetime(1901, 1, 1), datetime(2998, 12, 31), timezones=OFFSETS))
def test_iso_with_an_offset_reads_back_as_the_same_instant(moment):
    when = parse_when(moment.isoformat(), NOW, direction="future")
    assert when.at == moment and when.has_time


@PROPERTY
@given(st.datetimes(datetime(1901, 1, 1), datetime(2998, 12, 31)).map(lambda wall: wall.replace(microsecond=0)))
def test_local_iso_reads_back_as_the_same_wall_clock(wall):
    text = wall.isoformat(sep=" ")
    if wall.astimezone(UTC).astimezone().replace(tzinfo=None) != wall:
        assert "does not exist in local time" in refusal(text, "future")
    else:
        assert parse_when(text, NOW, direction="future").at.astimezone().replace(tzinfo=None) == wall


@PROPERTY
@given(NOWS, st.integers(0, 800))
def test_days_keep_the_wall_clock(now, days):
    wall = now.astimezone().replace(tzinfo=None)
    later = wall + timedelta(days=days)
    assume(later.astimezone(UTC).astimezone().replace(tzinfo=None) == later)  # not inside a skipped hour
    assert parse_when(f"+{days}d", now, direction="future").at.astimezone().replace(tzinfo=None) == later
    earlier = wall - timedelta(days=days)
    assume(earlier.astimezone(UTC).astimezone().replace(tzinfo=None) == earlier)
    assert parse_when(f"{days} days ago", now, direction="past").at.astimezone().replace(tzinfo=None) == earlier


@PROPERTY
@given(NOWS, st.integers(0, 10_000), st.sampled_from(["h", "m"]))
def test_hours_and_minutes_are_exact(now, amount, unit):
    step = timedelta(hours=amount) if unit == "h" else timedelta(minutes=amount)
    assert parse_when(f"+{amount}{unit}", now, direction="future").at == now + step
    assert parse_when(f"{amount}{unit} ago", now, direction="past").at == now - step


WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@PROPERTY
@given(
    NOWS,
    st.integers(0, 6),
    st.booleans(),
    st.sampled_from(["", "next ", "last "]),
    st.sampled_from(["", " 10am", " 23:59", " 0:00"]),
    st.sampled_from(["past", "future"]),
)
def test_weekdays_land_on_that_day_within_a_week(now, weekday, short, modifier, clock, direction):
    assume(not (direction == "past" and modifier == "next "))
    name = WEEKDAY_NAMES[weekday][:3] if short else WEEKDAY_NAMES[weekday]
    when = parse_when(f"{modifier}{name}{clock}", now, direction=direction)
    day, today = when.at.astimezone().date(), now.astimezone().date()
    assert day.weekday() == weekday and when.has_time == bool(clock)
    ahead = (day - today).days
    if modifier == "next ":
        assert 1 <= ahead <= 7
    elif modifier == "last ":
        assert -7 <= ahead <= -1
    elif direction == "future":
        assert 0 <= ahead <= 7 and (when.at >= now.replace(second=0, microsecond=0) or not clock)
        assert ahead < 7 or clock
    else:
        assert -7 <= ahead <= 0 and (when.at <= now or not clock)
        assert ahead > -7 or clock


@PROPERTY
@given(
    st.datetimes(timezones=OFFSETS | st.just(UTC)),
    st.booleans(),
    st.datetimes(timezones=OFFSETS | st.just(UTC)),
)
def test_describe_never_raises(at, has_time, now):
    assert When(at, has_time).describe(now)
