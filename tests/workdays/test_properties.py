"""Properties of the working-day arithmetic, checked against a naive day-by-day reference.

The reference asks the ``chinesecalendar`` package directly for 2004–2026 and uses the
weekend rule outside those years, as the seeded calendar should.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.core.clock import SHANGHAI
from onestop.workdays import calendar
from onestop.workdays.calendar import add_workdays, deadline, is_workday, workdays_between

pytestmark = pytest.mark.django_db

COVERED = range(2004, 2027)
dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2028, 12, 31))
counts = st.integers(min_value=0, max_value=400)
# The calendar is read-only here, so sharing the test's database transaction is safe.
examples = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def reference_is_workday(day: dt.date) -> bool:
    if day.year in COVERED:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def reference_add(start: dt.date, n: int) -> tuple[dt.date, bool]:
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        left -= reference_is_workday(day)
    years = range(start.year if n == 0 else (start + dt.timedelta(days=1)).year, day.year + 1)
    return day, any(year not in COVERED for year in years)


def reference_between(a: dt.date, b: dt.date) -> int:
    low, high = sorted((a, b))
    count = sum(
        reference_is_workday(low + dt.timedelta(days=i)) for i in range(1, (high - low).days + 1)
    )
    return count if a <= b else -count


@examples
@given(day=dates)
def test_is_workday_agrees_with_the_library(day):
    assert is_workday(day) is reference_is_workday(day)


@examples
@given(start=dates, n=counts)
def test_add_workdays_agrees_with_a_day_by_day_walk(start, n):
    result = add_workdays(start, n)
    assert (result.value, result.is_provisional) == reference_add(start, n)


@examples
@given(start=dates, n=st.integers(min_value=1, max_value=400))
def test_the_nth_working_day_is_a_working_day(start, n):
    assert is_workday(add_workdays(start, n).value)


@examples
@given(start=dates, n=counts)
def test_counting_back_gives_n(start, n):
    assert workdays_between(start, add_workdays(start, n).value).value == n


@examples
@given(start=dates, n=counts, more=st.integers(min_value=1, max_value=30))
def test_add_workdays_is_strictly_increasing_in_n(start, n, more):
    assert add_workdays(start, n).value < add_workdays(start, n + more).value


@examples
@given(a=dates, offset=st.integers(min_value=-800, max_value=800))
def test_workdays_between_agrees_with_a_day_by_day_count_and_is_antisymmetric(a, offset):
    b = a + dt.timedelta(days=offset)
    assert workdays_between(a, b).value == reference_between(a, b)
    assert workdays_between(b, a).value == -workdays_between(a, b).value


@examples
@given(
    start=st.datetimes(
        # Hypothesis takes naive bounds and attaches the zone itself.
        min_value=dt.datetime(2004, 1, 1),  # noqa: DTZ001
        max_value=dt.datetime(2028, 12, 31),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    n=counts,
)
def test_a_deadline_is_the_end_of_the_nth_working_day_after_the_shanghai_date(start, n):
    due = deadline(start, n)
    expected_day, expected_provisional = reference_add(start.astimezone(SHANGHAI).date(), n)
    assert (due.on, due.is_provisional) == (expected_day, expected_provisional)
    assert due.at == dt.datetime.combine(expected_day, dt.time.max, tzinfo=SHANGHAI)


# Dense, arbitrary exceptions (long closures, many worked weekends) stress the arithmetic
# more than real schedules do; these run on a hand-built snapshot, without the database.
BASE = dt.date(2030, 1, 1).toordinal()
window = st.sets(st.integers(min_value=0, max_value=120), max_size=60)


def _snapshot(off: set[int], worked: set[int]) -> calendar._Snapshot:
    rest = sorted(BASE + i for i in off if (BASE + i) % 7 in range(1, 6))
    work = sorted(BASE + i for i in worked if (BASE + i) % 7 in (0, 6))
    return calendar._Snapshot(
        version=0,
        rest=tuple(rest),
        rest_set=frozenset(rest),
        work=tuple(work),
        work_set=frozenset(work),
        published=frozenset(),
        recheck_seconds=0,
    )


@settings(max_examples=300, deadline=None)
@given(off=window, worked=window, start=st.integers(0, 60), n=st.integers(1, 90))
def test_arithmetic_with_dense_arbitrary_exceptions_matches_a_walk(off, worked, start, n):
    snap = _snapshot(off, worked)
    origin = BASE + start
    day, left = origin, n
    while left:
        day += 1
        left -= calendar._works(snap, day)
    assert calendar._add(snap, origin, n) == day
    assert calendar._count(snap, origin, day) == n
