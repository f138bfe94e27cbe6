"""When something happened or is due, from what a person types: "yesterday 15:00", "fri 10am", "+3d", "2026-12-01".

A small grammar instead of a dependency (dateparser and the like): start-up must not pay for importing one, and
every form read here is listed below and tested, so nothing is understood in a way nobody meant. Where text could
mean two things it is refused with an example instead of guessed: day/month orders (01/02/2026, 3/4, 1.2., 12.30),
a bare time on the wrong side of now, a wall-clock time that daylight saving skips.

Rules:
- Text is read in the machine's local time zone (that of now.astimezone()); results are in UTC. An ISO time with
  Z or an offset (2026-12-01T14:00+01:00) is read in that offset instead.
- Days and weeks move the local wall clock ("+1d" is the same clock time tomorrow, across DST changes); hours and
  minutes are exact durations. A bare day has has_time False and `at` at its first local instant (midnight).
- direction="past" (when it happened): nothing may lie in the future. "fri" is the latest Friday, today included;
  "fri 15:00" is the latest Friday 15:00 that has passed; a bare "15:00" later than now is refused.
- direction="future" (due dates): "fri" is the coming Friday, today included; "fri 10am" is the first one not yet
  passed; a bare "9:00" earlier than now is refused. Everything else keeps its meaning, so "yesterday", "-1d" or
  a past ISO date is an overdue task, not an error.
- "next fri" / "last mon" are the first such day after / before today (1 to 7 days away) in both directions;
  "next week" is next Monday and "next month" the 1st of next month ("last week", "last month" alike).
- In the hour that repeats when clocks go back, the first occurrence is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal, NoReturn

from crm_tui.core.errors import ValidationError

_MAX_TYPED = 100  # characters; no date or time a person types is longer
_TRY = 'try "tomorrow 9am", "fri", "+3d" or "2026-12-01 14:00"'
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DAY_WORDS = {"yesterday": -1, "today": 0, "tomorrow": 1}
_UNITS = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days"), timedelta(days=1)),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), timedelta(weeks=1)),
}
_TIME = re.compile(r"(\d{1,2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)? ?([ap]m)?", re.ASCII)
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:t| (?:at )?)(.+?))?(?: ?(z|([+-])(\d{2})(?::?(\d{2}))?))?", re.ASCII
)
_RELATIVE = re.compile(r"(in )?([+-] ?)?(\d{1,6}) ?([a-z]+)( ago)?", re.ASCII)
_DAY_THEN = re.compile(r"(?:(next|last) )?([a-z]+)(?: (?:at )?(.+))?", re.ASCII)
_AMBIGUOUS = re.compile(r"\d ?[./] ?\d|\b\d{1,2}-\d{1,2}\b", re.ASCII)


@dataclass(frozen=True)
class When:
    at: datetime  # timezone-aware, UTC
    has_time: bool  # False for a bare day ("fri", "2026-12-01", "tomorrow"): the caller decides the hour

    def describe(self, now: datetime, *, relative: bool = True) -> str:
        """What was understood, in local time: "today 15:00", "tomorrow", "Mon 7 Dec", "Fri 3 Dec 2027 10:00";
        without `relative`, the date even for yesterday, today and tomorrow."""
        try:
            local, today = self.at.astimezone(), now.astimezone().date()
            day = local.date()
            text = {-1: "yesterday", 0: "today", 1: "tomorrow"}.get((day - today).days, "") if relative else ""
            if not text:
                text = f"{_WEEKDAYS[day.weekday()][:3].title()} {day.day} {_MONTHS[day.month - 1][:3]}"
                text += f" {day.year}" if day.year != today.year else ""
            return f"{text} {local:%H:%M}" if self.has_time else text
        except (OverflowError, ValueError, OSError):  # at the edges of datetime's range: say it plainly in UTC
            return self.at.isoformat()


def parse_when(text: str, now: datetime, *, direction: Literal["past", "future"], field: str = "when") -> When:
    """The instant `text` names, read as of `now` (timezone-aware); ValidationError quoting the text otherwise."""
    if now.utcoffset() is None or direction not in ("past", "future"):
        raise ValueError("parse_when needs a timezone-aware now and direction 'past' or 'future'")
    quoted = _quote(text)
    if len(text) > _MAX_TYPED:
        raise ValidationError.single(field, f"{quoted} is too long to be a date or time; {_TRY}")
    typed = " ".join(text.lower().replace("\u2212", "-").split())
    if not typed:
        raise ValidationError.single(field, f"enter a date or time; {_TRY}")
    reader = _Reader(now, direction, field, quoted)
    try:
        when = reader.read(typed)
        if not 1900 <= when.at.astimezone().year <= 2999:
            raise ValueError("out of range")
    except (OverflowError, ValueError, OSError):
        raise ValidationError.single(field, f"{quoted} is out of range; use a year from 1900 to 2999") from None
    if direction == "past" and (when.at > reader.now if when.has_time else when.at.astimezone().date() > reader.today):
        understood = when.describe(now)
        shown = "" if understood.lower() == typed else f" ({understood})"
        raise ValidationError.single(
            field, f'{quoted} is in the future{shown}; write when it happened, e.g. "yesterday 15:00" or "2h ago"'
        )
    return when


def instant(text: str, now: datetime, *, direction: Literal["past", "future"], field: str = "when") -> datetime:
    """The UTC instant `text` names, with a bare day made definite: its start for when something happened
    ("past"), its end (23:59 local) for a due date ("future"), so a task due "today" is not overdue since midnight."""
    when = parse_when(text, now, direction=direction, field=field)
    if when.has_time or direction == "past":
        return when.at
    next_day = datetime.combine(when.at.astimezone().date() + timedelta(days=1), time())
    return (next_day.astimezone() - timedelta(minutes=1)).astimezone(UTC)


def _quote(text: str) -> str:
    shown = " ".join(text.split())
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    return '"' + "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in shown) + '"'


def _weekday(word: str) -> int | None:
    """Monday is 0; any prefix of three letters or more names the day ("thu", "thurs", "thursday")."""
    return next((i for i, name in enumerate(_WEEKDAYS) if len(word) >= 3 and name.startswith(word)), None)


class _Reader:
    def __init__(self, now: datetime, direction: str, field: str, quoted: str):
        self.now, self.direction, self.field, self.quoted = now.astimezone(UTC), direction, field, quoted
        self.wall_now = now.astimezone().replace(tzinfo=None)
        self.today = self.wall_now.date()

    def fail(self, message: str) -> NoReturn:
        raise ValidationError.single(self.field, message)

    def read(self, typed: str) -> When:
        if typed == "now":
            return When(self.now, True)
        if match := _ISO.fullmatch(typed):
            return self.iso(*match.groups())
        match = _RELATIVE.fullmatch(typed)
        if match and [bool(match[1]), bool(match[2]), bool(match[5])].count(True) == 1:
            return self.relative(match[2], int(match[3]), match[4], bool(match[5]))
        if typed in ("next week", "last week"):
            monday = self.today - timedelta(days=self.today.weekday())
            return self.on(monday + timedelta(weeks=1 if typed[0] == "n" else -1))
        if typed in ("next month", "last month"):
            first = self.today.replace(day=1)
            if typed[0] == "n":
                return self.on((first + timedelta(days=31)).replace(day=1))
            return self.on((first - timedelta(days=1)).replace(day=1))
        if (clock := self.clock(typed)) is not None:
            return self.bare_time(typed, clock)
        if match := _DAY_THEN.fullmatch(typed):
            modifier, word, rest = match.groups()
            if word in _DAY_WORDS and not modifier:
                return self.on(self.today + timedelta(days=_DAY_WORDS[word]), self.clock_after(word, rest))
            if (weekday := _weekday(word)) is not None:
                return self.weekday(weekday, modifier, self.clock_after(word, rest))
        if _AMBIGUOUS.search(typed):
            self.fail(f"{self.quoted} is ambiguous (which is the day, which the month?); write dates as "
                      'YYYY-MM-DD and times as HH:MM, e.g. "2026-12-01 14:00"')
        self.fail(f"{self.quoted} is not a date or time; {_TRY}")

    def clock(self, token: str) -> time | None:
        """The time of day in `token`, None if it is not shaped like one (a colon or am/pm is needed)."""
        match = _TIME.fullmatch(token)
        if not match or not (match[2] or match[5]):
            return None
        hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
        if match[5]:
            if not 1 <= hour <= 12:
                self.fail(f'"{token}" is not a time: with am or pm the hour is 1 to 12 (try "1pm" or "13:00")')
            hour = hour % 12 + (12 if match[5] == "pm" else 0)
        if hour > 23 or minute > 59 or second > 59:
            self.fail(f'"{token}" is not a time: hours run from 0 to 23 and minutes from 0 to 59 (try "14:00")')
        return time(hour, minute, second, int((match[4] or "").ljust(6, "0")))

    def clock_after(self, word: str, rest: str | None) -> time | None:
        clock = None if rest is None else self.clock(rest)
        if rest is not None and clock is None:
            self.fail(f'{self.quoted}: {_quote(rest)} is not a time; try "{word} 9am" or "{word} 14:30"')
        return clock

    def on(self, day: date, clock: time | None = None) -> When:
        if clock is None:
            return When(self.utc(datetime.combine(day, time()), strict=False), False)
        return When(self.utc(datetime.combine(day, clock), strict=True), True)

    def utc(self, wall: datetime, *, strict: bool) -> datetime:
        """The instant a local wall-clock time names; one skipped by DST is refused, or moved past the gap."""
        at = wall.astimezone(UTC)
        if at.astimezone().replace(tzinfo=None) != wall:
            if strict:
                self.fail(f"{self.quoted} does not exist in local time: the clocks skip that hour (daylight "
                          "saving time); try an hour later")
            at = wall.replace(fold=1).astimezone(UTC)
        return at

    def iso(self, year: str, month: str, day: str, rest: str | None, zone: str | None, *offset: str | None) -> When:
        number = int(month)
        if not 1 <= number <= 12:
            self.fail(f'{self.quoted} is not a date: there is no month {number}; write YYYY-MM-DD, e.g. "2026-12-01"')
        if not 1900 <= int(year) <= 2999:
            self.fail(f"{self.quoted} is out of range; use a year from 1900 to 2999")
        last = (date(int(year) + number // 12, number % 12 + 1, 1) - timedelta(days=1)).day
        if not 1 <= int(day) <= last:
            self.fail(f"{self.quoted} is not a date: {_MONTHS[number - 1]} {year} has {last} days")
        when = date(int(year), number, int(day))
        if rest is None and zone is not None:
            self.fail(f'{self.quoted}: a time zone needs a time, e.g. "{when.isoformat()}T14:00Z"')
        if rest is None:
            return self.on(when)
        clock = self.clock(rest)
        if clock is None:
            self.fail(f'{self.quoted}: {_quote(rest)} is not a time; try "{when.isoformat()} 14:00"')
        if zone is None:
            return self.on(when, clock)
        sign, hours, minutes = offset
        if zone != "z" and (int(hours or 0) > 23 or int(minutes or 0) > 59):
            self.fail(f'{self.quoted}: {zone.upper()} is not a UTC offset; write it as +01:00, -05:00 or Z')
        shift = 0 if zone == "z" else (-1 if sign == "-" else 1) * (int(hours or 0) * 60 + int(minutes or 0))
        at = datetime.combine(when, clock, tzinfo=timezone(timedelta(minutes=shift)))
        return When(at.astimezone(UTC), True)

    def relative(self, sign: str | None, amount: int, unit: str, ago: bool) -> When:
        step = _UNITS.get(unit)
        if step is None:
            self.fail(f'{self.quoted}: count in minutes, hours, days or weeks ("+3d", "2h ago", "in 2 weeks"), '
                      "or write the date as YYYY-MM-DD")
        if ago or (sign or "").startswith("-"):
            amount = -amount
        if step < timedelta(days=1):  # an exact duration
            return When(self.now + amount * step, True)
        return When(self.utc(self.wall_now + amount * step, strict=False), True)  # the same clock time, that day

    def weekday(self, weekday: int, modifier: str | None, clock: time | None) -> When:
        ahead = (weekday - self.today.weekday()) % 7
        if modifier == "next":
            return self.on(self.today + timedelta(days=ahead or 7), clock)
        if modifier == "last":
            return self.on(self.today - timedelta(days=(7 - ahead) % 7 or 7), clock)
        if self.direction == "future":
            when = self.on(self.today + timedelta(days=ahead), clock)
            if clock is not None and when.at < self.now.replace(second=0, microsecond=0):
                when = self.on(self.today + timedelta(days=ahead + 7), clock)
            return when
        when = self.on(self.today - timedelta(days=(7 - ahead) % 7), clock)
        if clock is not None and when.at > self.now:
            when = self.on(self.today - timedelta(days=(7 - ahead) % 7 + 7), clock)
        return when

    def bare_time(self, typed: str, clock: time) -> When:
        when = self.on(self.today, clock)
        if self.direction == "past" and when.at > self.now:
            self.fail(f'{self.quoted} is later today; write "yesterday {typed}" for yesterday')
        if self.direction == "future" and when.at < self.now.replace(second=0, microsecond=0):
            self.fail(f'{self.quoted} was earlier today; write "tomorrow {typed}" for tomorrow, '
                      f'or "today {typed}" if it is already overdue')
        return when


def local_time(stamp: str | None) -> str:
    """A stored UTC ISO 8601 stamp as the local time a person reads, e.g. `2026-11-28 07:05`; text that is no stamp
    is shown as it is."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp
