"""Working time between two instants: only working days, only within working hours."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.core.clock import SHANGHAI
from onestop.workdays.calendar import (
    is_workday,
    parse_working_hours,
    working_time_between,
)
from onestop.workdays.units import working_time_text

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)
# hypothesis bounds are naive; each drawn time is then read as Shanghai time.
instants = st.datetimes(
    min_value=dt.datetime(2025, 12, 20),  # noqa: DTZ001
    max_value=dt.datetime(2026, 10, 20),  # noqa: DTZ001
).map(lambda t: t.replace(tzinfo=SHANGHAI))
examples = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_a_wait_over_the_evening_counts_only_office_hours():
    # Thursday 16:50 → Friday 09:10: ten minutes each side of the night.
    assert working_time_between(at("2026-03-05 16:50"), at("2026-03-06 09:10")) == 20 * MINUTE


def test_lunch_break_and_weekend_do_not_count():
    assert working_time_between(at("2026-03-05 11:50"), at("2026-03-05 13:40")) == 20 * MINUTE
    # Friday 16:00 → Monday 10:00: one hour on Friday, one on Monday.
    assert working_time_between(at("2026-03-06 16:00"), at("2026-03-09 10:00")) == 120 * MINUTE


def test_national_day_counts_nothing_and_the_makeup_saturday_counts():
    # 2026: 10-01…10-07 off (published schedule), Saturday 10-10 worked (调休).
    assert working_time_between(at("2026-10-01 08:00"), at("2026-10-07 20:00")) == dt.timedelta(0)
    assert is_workday(dt.date(2026, 10, 10))
    saturday = working_time_between(at("2026-10-10 00:00"), at("2026-10-10 23:59"))
    assert saturday == dt.timedelta(hours=6, minutes=30)


def test_the_hours_are_configurable(settings):
    settings.ONESTOP_WORKING_HOURS = "08:30-12:00,14:30-17:30"
    assert working_time_between(at("2026-03-05 12:00"), at("2026-03-05 15:00")) == 30 * MINUTE


@pytest.mark.parametrize("bad", ["9-12", "12:00-09:00", "09:00-12:00,11:00-13:00", "x", ""])
def test_malformed_hours_are_refused(bad):
    with pytest.raises(ValueError):
        parse_working_hours(bad)


@examples
@given(a=instants, b=instants, c=instants)
def test_working_time_is_additive_and_never_more_than_the_clock(a, b, c):
    a, b, c = sorted((a, b, c))
    whole = working_time_between(a, c)
    assert whole == working_time_between(a, b) + working_time_between(b, c)
    assert dt.timedelta(0) <= whole <= c - a
    assert working_time_between(c, a) == dt.timedelta(0)


@examples
@given(start=instants, minutes=st.integers(min_value=0, max_value=60 * 24 * 20))
def test_a_day_off_adds_nothing_and_a_working_day_adds_its_hours(start, minutes):
    day = start.date()
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)
    full = working_time_between(midnight, midnight + dt.timedelta(days=1))
    assert full == (dt.timedelta(hours=6, minutes=30) if is_workday(day) else dt.timedelta(0))


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (dt.timedelta(seconds=30), "不足 1 分钟"),
        (dt.timedelta(minutes=5), "5 分钟"),
        (dt.timedelta(hours=2), "2 小时"),
        (dt.timedelta(hours=26, minutes=15), "26 小时 15 分"),
    ],
)
def test_the_text_a_clerk_reads(span, text):
    assert working_time_text(span) == text
