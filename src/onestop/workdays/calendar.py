"""Working-day arithmetic: the functions every other app calls for time limits.

Rules
-----
* A day is a working day when it is Monday–Friday, unless the calendar says otherwise.
* The calendar stores only exceptions (``CalendarDay``): a weekday off (holiday, local
  closure) or a weekend day worked (调休上班). For a given date a local row wins over the
  State Council row; a State Council row counts only if its year is published
  (``ScheduleYear.is_published``), otherwise it is a draft an administrator is still typing.
* A result that depends on a day of a year without a published schedule is computed on the
  weekend rule (plus local rows) for that year and carries ``is_provisional=True``. It is
  never silently final: once the schedule is published the same call returns the final
  answer and ``is_provisional=False``.
* Counting starts on the day after the start day (the acceptance day is not counted), and a
  deadline falls at the end of the Nth working day, 23:59:59.999999 Asia/Shanghai, so
  ``deadline.at.date() == deadline.on`` in local time and a case is overdue when
  ``now > deadline.at``.

Speed
-----
No query per day. The exceptions are loaded once into an in-process snapshot: sorted tuples
of the ordinals of weekdays off and weekend days worked, with frozensets of the same, and the
published years. Counting the working days in a range is arithmetic (whole weeks have five
weekdays) plus four binary searches in the exception tuples, so it costs the same for three
days and for three years; ``add_workdays`` guesses the answer by weekday arithmetic and
corrects it with those counts (a binary search when exceptions fall in the last stretch).

Cache invalidation: every calendar service calls :func:`invalidate` right after its writes
(and again on commit), so this process sees a change immediately. Other processes notice it
through ``CalendarVersion``, a single row whose number every service increments: a process
compares its snapshot's number with the database at most once every
``settings.ONESTOP_CALENDAR_RECHECK_SECONDS`` (default 5) seconds and reloads when they
differ. A change therefore reaches every process within a few seconds, at the price of one
tiny query per process per few seconds. Equality (not "greater than") is compared, so a
snapshot loaded inside a transaction that was later rolled back is replaced as well.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass

from django.conf import settings

from onestop.core.clock import SHANGHAI
from onestop.core.errors import ValidationFailed
from onestop.workdays.kinds import REST_KINDS, DayKind, DaySource
from onestop.workdays.models import CalendarDay, CalendarVersion, ScheduleYear
from onestop.workdays.units import TimeUnit

__all__ = [
    "CountResult",
    "DayResult",
    "Deadline",
    "add_workdays",
    "deadline",
    "invalidate",
    "is_workday",
    "remaining_workdays",
    "workdays_between",
]

END_OF_DAY = dt.time.max  # 23:59:59.999999
_WORKDAY, _NATURAL_DAY = TimeUnit.WORKDAY, TimeUnit.NATURAL_DAY  # looked up once, used per call
DEFAULT_RECHECK_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class DayResult:
    value: dt.date
    is_provisional: bool


@dataclass(frozen=True, slots=True)
class CountResult:
    value: int
    is_provisional: bool


@dataclass(frozen=True, slots=True)
class Deadline:
    """``at``: end of the day ``on`` in Asia/Shanghai (aware)."""

    at: dt.datetime
    on: dt.date
    is_provisional: bool


@dataclass(frozen=True)
class _Snapshot:
    version: int
    rest: tuple[int, ...]  # ordinals of weekdays that are not worked, sorted
    rest_set: frozenset[int]
    work: tuple[int, ...]  # ordinals of Saturdays and Sundays that are worked, sorted
    work_set: frozenset[int]
    published: frozenset[int]
    recheck_seconds: float


_snapshot: _Snapshot | None = None
_checked_at = 0.0
_lock = threading.Lock()


def invalidate() -> None:
    """Drop this process's snapshot; the next call reloads the calendar from the database."""
    global _snapshot
    with _lock:
        _snapshot = None


def _db_version() -> int:
    number = CalendarVersion.objects.filter(pk=1).values_list("number", flat=True).first()
    return number or 0


def _load() -> _Snapshot:
    version = _db_version()
    published = frozenset(
        ScheduleYear.objects.filter(is_published=True).values_list("year", flat=True)
    )
    national: dict[dt.date, str] = {}
    local: dict[dt.date, str] = {}
    for day, kind, source in CalendarDay.objects.values_list("date", "kind", "source"):
        (local if source == DaySource.LOCAL else national)[day] = kind
    effective = {day: kind for day, kind in national.items() if day.year in published}
    effective.update(local)
    rest = sorted(
        day.toordinal()
        for day, kind in effective.items()
        if kind in REST_KINDS and day.weekday() < 5
    )
    work = sorted(
        day.toordinal()
        for day, kind in effective.items()
        if kind == DayKind.WORKDAY and day.weekday() >= 5
    )
    return _Snapshot(
        version=version,
        rest=tuple(rest),
        rest_set=frozenset(rest),
        work=tuple(work),
        work_set=frozenset(work),
        published=published,
        recheck_seconds=float(
            getattr(settings, "ONESTOP_CALENDAR_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS)
        ),
    )


def _calendar() -> _Snapshot:
    global _snapshot, _checked_at
    snapshot = _snapshot
    now = time.monotonic()
    if snapshot is not None and now - _checked_at < snapshot.recheck_seconds:
        return snapshot
    with _lock:
        if snapshot is None or _db_version() != snapshot.version:
            snapshot = _load()
            _snapshot = snapshot
        _checked_at = now
    return snapshot


# Ordinal arithmetic: date(1, 1, 1) has ordinal 1 and is a Monday, so ``o % 7`` is 1–5 on
# Monday–Friday, 6 on Saturday and 0 on Sunday.


def _weekdays_through(o: int) -> int:
    """How many Mondays–Fridays have an ordinal in 1..o."""
    weeks, rest = divmod(o, 7)
    return 5 * weeks + min(rest, 5)


def _nth_weekday_after(o: int, k: int) -> int:
    """The ordinal of the k-th Monday–Friday after ordinal ``o`` (k ≥ 1)."""
    target = _weekdays_through(o) + k
    weeks, rest = divmod(target, 5)
    return 7 * (weeks - 1) + 5 if rest == 0 else 7 * weeks + rest


def _works(cal: _Snapshot, o: int) -> bool:
    if 1 <= o % 7 <= 5:
        return o not in cal.rest_set
    return o in cal.work_set


def _count(cal: _Snapshot, a: int, b: int) -> int:
    """Working days with an ordinal in (a, b], for a ≤ b."""
    return (
        _weekdays_through(b)
        - _weekdays_through(a)
        - (bisect_right(cal.rest, b) - bisect_right(cal.rest, a))
        + (bisect_right(cal.work, b) - bisect_right(cal.work, a))
    )


def _add(cal: _Snapshot, start: int, n: int) -> int:
    """The ordinal of the n-th working day after ``start`` (n ≥ 1)."""
    rest, work = cal.rest, cal.work
    high = _nth_weekday_after(start, n)
    if bisect_right(rest, high) == bisect_right(rest, start) and bisect_right(
        work, high
    ) == bisect_right(work, start):
        return high  # no exception in between: plain weekday arithmetic is the answer
    low, need = start, n
    got = _count(cal, low, high)
    while got < need:
        # Holidays in (low, high]: the answer lies further on; continue from ``high``.
        low, need = high, need - got
        high = _nth_weekday_after(low, need)
        got = _count(cal, low, high)
    if got == need and _works(cal, high):
        return high
    # 调休 weekend days in (low, high] reached ``need`` before ``high``: find the first day.
    left, right = low + 1, high
    while left < right:
        middle = (left + right) // 2
        if _count(cal, low, middle) >= need:
            right = middle
        else:
            left = middle + 1
    return left


def _is_provisional(cal: _Snapshot, first_year: int, last_year: int) -> bool:
    """Whether any year in first_year..last_year has no published schedule."""
    if first_year == last_year:
        return first_year not in cal.published
    return any(year not in cal.published for year in range(first_year, last_year + 1))


def _year_after(day: dt.date) -> int:
    """The year of the day after ``day``."""
    return day.year + 1 if day.month == 12 and day.day == 31 else day.year


def _check_date(value: object, name: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a date (use deadline() for a moment in time)")
    return value


def _from_ordinal(o: int) -> dt.date:
    try:
        return dt.date.fromordinal(o)
    except (ValueError, OverflowError):
        raise ValidationFailed("日期超出可计算的范围。") from None


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day (weekend rule for years without a published schedule)."""
    _check_date(day, "day")
    return _works(_calendar(), day.toordinal())


def add_workdays(start: dt.date, n: int) -> DayResult:
    """The n-th working day after ``start``; ``start`` itself is not counted.

    ``n = 0`` returns ``start`` itself, whether or not it is a working day (a same-day limit).
    """
    _check_date(start, "start")
    return _add_workdays(_calendar(), start, n)


def _add_workdays(cal: _Snapshot, start: dt.date, n: int) -> DayResult:
    if n < 0:
        raise ValidationFailed(f"工作日天数不能为负数：{n}。", field="n")
    if n == 0:
        return DayResult(start, _is_provisional(cal, start.year, start.year))
    result = _from_ordinal(_add(cal, start.toordinal(), n))
    return DayResult(result, _is_provisional(cal, _year_after(start), result.year))


def workdays_between(a: dt.date, b: dt.date) -> CountResult:
    """Working days after ``a`` up to and including ``b``.

    When ``b`` is before ``a`` the count is negated (the working days after ``b`` up to and
    including ``a``, as a negative number); it is 0 when ``a == b``.
    """
    _check_date(a, "a")
    _check_date(b, "b")
    if a == b:
        return CountResult(0, False)
    low, high = (a, b) if a < b else (b, a)
    cal = _calendar()
    count = _count(cal, low.toordinal(), high.toordinal())
    provisional = _is_provisional(cal, _year_after(low), high.year)
    return CountResult(count if a < b else -count, provisional)


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def deadline(start: dt.datetime, amount: int, unit: TimeUnit | str = TimeUnit.WORKDAY) -> Deadline:
    """The end of the ``amount``-th working (or natural) day after ``start``'s Shanghai date.

    The start day is not counted; ``amount = 0`` ends at the end of the start day itself.
    Natural days never depend on the calendar, so they are never provisional. A limit in
    minutes (``TimeUnit.MINUTE``) ends ``amount`` natural minutes after ``start`` itself.
    """
    if not isinstance(start, dt.datetime) or start.tzinfo is None:
        raise TypeError("deadline() needs an aware datetime")
    if unit is not _WORKDAY and unit is not _NATURAL_DAY:
        unit = TimeUnit(unit)
    if amount < 0:
        raise ValidationFailed(f"时限不能为负数：{amount}。", field="amount")
    if unit == TimeUnit.MINUTE:
        at = start + dt.timedelta(minutes=amount)
        return Deadline(at=at, on=at.astimezone(SHANGHAI).date(), is_provisional=False)
    local_day = start.astimezone(SHANGHAI).date()
    if unit == _NATURAL_DAY:
        on = _from_ordinal(local_day.toordinal() + amount)
        return Deadline(at=_end_of_day(on), on=on, is_provisional=False)
    cal = _calendar()
    if amount == 0:
        return Deadline(_end_of_day(local_day), local_day, local_day.year not in cal.published)
    on = _from_ordinal(_add(cal, local_day.toordinal(), amount))
    return Deadline(_end_of_day(on), on, _is_provisional(cal, _year_after(local_day), on.year))


def remaining_workdays(now: dt.datetime, due: dt.datetime) -> CountResult:
    """Whole working days left after today (Shanghai) up to the day of ``due``.

    0 means the case is due today; the value is negative exactly when ``now`` is past
    ``due`` (at least -1 then, even when the deadline passed on a non-working day), and
    counts the working days since the due day.
    """
    if now.tzinfo is None or due.tzinfo is None:
        raise TypeError("remaining_workdays() needs aware datetimes")
    today = now.astimezone(SHANGHAI).date()
    due_on = due.astimezone(SHANGHAI).date()
    result = workdays_between(today, due_on)
    if now > due and result.value > -1:
        return CountResult(-1, result.is_provisional)
    return result


# --- working hours ----------------------------------------------------------------------

# The hours a hall works on a working day (settings.ONESTOP_WORKING_HOURS, "HH:MM-HH:MM,…").
DEFAULT_WORKING_HOURS = "09:00-12:00,13:30-17:00"
_DAY_US = 86_400_000_000


def parse_working_hours(text: str) -> tuple[tuple[int, int], ...]:
    """``"09:00-12:00,13:30-17:00"`` as (start, end) microseconds after midnight, in order."""
    spans: list[tuple[int, int]] = []
    for part in text.split(","):
        start, _sep, end = part.strip().partition("-")
        try:
            a, b = (
                (int(h) * 60 + int(m)) * 60_000_000
                for h, m in (t.strip().split(":") for t in (start, end))
            )
        except ValueError:
            raise ValueError(f"working hours must look like 09:00-12:00, got {part!r}") from None
        if not 0 <= a < b <= _DAY_US or (spans and a < spans[-1][1]):
            raise ValueError(f"working hours must be increasing spans within a day: {text!r}")
        spans.append((a, b))
    return tuple(spans)


def working_hours() -> tuple[tuple[int, int], ...]:
    """The configured working hours of a working day, as (start, end) microseconds."""
    return parse_working_hours(getattr(settings, "ONESTOP_WORKING_HOURS", DEFAULT_WORKING_HOURS))


def _within(spans: tuple[tuple[int, int], ...], a: int, b: int) -> int:
    """Microseconds of the spans between ``a`` and ``b`` microseconds after midnight."""
    return sum(max(0, min(b, end) - max(a, start)) for start, end in spans)


def _day_us(t: dt.datetime) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def working_time_between(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Working time (working days, within working hours) from ``a`` to ``b``.

    Zero when ``b`` is not after ``a``. Additive and exact: for a ≤ b ≤ c the time from a
    to c is the time from a to b plus the time from b to c. A weekend or holiday adds
    nothing; a wait begun at 16:50 and seen at 09:10 the next working day is 20 minutes.
    """
    if a.tzinfo is None or b.tzinfo is None:
        raise TypeError("working_time_between() needs aware datetimes")
    if b <= a:
        return dt.timedelta(0)
    spans = working_hours()
    cal = _calendar()
    a, b = a.astimezone(SHANGHAI), b.astimezone(SHANGHAI)
    day_a, day_b = a.toordinal(), b.toordinal()
    if day_a == day_b:
        total = _within(spans, _day_us(a), _day_us(b)) if _works(cal, day_a) else 0
    else:
        first = _within(spans, _day_us(a), _DAY_US) if _works(cal, day_a) else 0
        last = _within(spans, 0, _day_us(b)) if _works(cal, day_b) else 0
        between = _count(cal, day_a, day_b - 1)  # working days strictly between
        total = first + last + between * _within(spans, 0, _DAY_US)
    return dt.timedelta(microseconds=total)
