"""Working-day arithmetic over the real 2025–2026 State Council schedules (seeded by migration)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from onestop.core.clock import SHANGHAI
from onestop.core.errors import ValidationFailed
from onestop.workdays.calendar import (
    CountResult,
    DayResult,
    add_workdays,
    deadline,
    is_workday,
    remaining_workdays,
    workdays_between,
)
from onestop.workdays.units import TimeUnit

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("day", "expected", "why"),
    [
        (D(2025, 1, 1), False, "元旦 2025 (Wed)"),
        (D(2025, 1, 26), True, "春节 2025 调休上班 (Sun)"),
        (D(2025, 1, 28), False, "除夕 2025 (Tue)"),
        (D(2025, 1, 31), False, "春节 2025 (Fri)"),
        (D(2025, 2, 3), False, "春节 2025 调休休息 (Mon)"),
        (D(2025, 2, 4), False, "春节 2025 last day (Tue)"),
        (D(2025, 2, 5), True, "back to work after 春节 2025"),
        (D(2025, 2, 8), True, "春节 2025 调休上班 (Sat)"),
        (D(2025, 2, 9), False, "ordinary Sunday"),
        (D(2025, 4, 27), True, "劳动节 2025 调休上班 (Sun)"),
        (D(2025, 5, 1), False, "劳动节 2025 (Thu)"),
        (D(2025, 5, 5), False, "劳动节 2025 (Mon)"),
        (D(2025, 5, 6), True, "after 劳动节 2025"),
        (D(2025, 9, 28), True, "国庆 2025 调休上班 (Sun)"),
        (D(2025, 10, 1), False, "国庆 2025 (Wed)"),
        (D(2025, 10, 6), False, "中秋 2025 (Mon)"),
        (D(2025, 10, 8), False, "国庆 2025 last day (Wed)"),
        (D(2025, 10, 9), True, "after 国庆 2025"),
        (D(2025, 10, 11), True, "国庆 2025 调休上班 (Sat)"),
        (D(2025, 10, 12), False, "ordinary Sunday"),
        (D(2026, 1, 2), False, "元旦 2026 (Fri)"),
        (D(2026, 1, 4), True, "元旦 2026 调休上班 (Sun)"),
        (D(2026, 2, 14), True, "春节 2026 调休上班 (Sat)"),
        (D(2026, 2, 15), False, "春节 2026 first day (Sun)"),
        (D(2026, 2, 16), False, "春节 2026 (Mon)"),
        (D(2026, 2, 20), False, "春节 2026 (Fri)"),
        (D(2026, 2, 23), False, "春节 2026 last day (Mon)"),
        (D(2026, 2, 24), True, "after 春节 2026"),
        (D(2026, 2, 28), True, "春节 2026 调休上班 (Sat)"),
        (D(2026, 5, 1), False, "劳动节 2026 (Fri)"),
        (D(2026, 5, 5), False, "劳动节 2026 (Tue)"),
        (D(2026, 5, 9), True, "劳动节 2026 调休上班 (Sat)"),
        (D(2026, 9, 20), True, "国庆 2026 调休上班 (Sun)"),
        (D(2026, 9, 25), False, "中秋 2026 (Fri)"),
        (D(2026, 10, 1), False, "国庆 2026 (Thu)"),
        (D(2026, 10, 7), False, "国庆 2026 last day (Wed)"),
        (D(2026, 10, 8), True, "after 国庆 2026"),
        (D(2026, 10, 10), True, "国庆 2026 调休上班 (Sat)"),
        (D(2026, 10, 11), False, "ordinary Sunday"),
        (D(2026, 11, 25), True, "ordinary Wednesday"),
        (D(2026, 11, 28), False, "ordinary Saturday"),
    ],
)
def test_is_workday_follows_the_state_council_schedule(day, expected, why):
    assert is_workday(day) is expected, why


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 9, 30), 0, D(2026, 9, 30)),
        (D(2026, 10, 1), 0, D(2026, 10, 1)),  # n = 0 is the start day, even a holiday
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 2, D(2026, 10, 9)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # the 调休 Saturday is the third
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Friday → the 调休 Sunday
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
        (D(2026, 2, 13), 7, D(2026, 3, 2)),
        (D(2025, 1, 24), 1, D(2025, 1, 26)),
        (D(2025, 1, 24), 2, D(2025, 1, 27)),
        (D(2025, 1, 24), 3, D(2025, 2, 5)),
        (D(2025, 4, 30), 1, D(2025, 5, 6)),
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),
        (D(2025, 12, 31), 1, D(2026, 1, 4)),  # across the year, onto the 调休 Sunday
        (D(2026, 4, 30), 1, D(2026, 5, 6)),
        (D(2026, 4, 30), 3, D(2026, 5, 8)),
        (D(2026, 4, 30), 4, D(2026, 5, 9)),
        (D(2026, 11, 20), 20, D(2026, 12, 18)),  # an ordinary stretch: four whole weeks
    ],
)
def test_add_workdays_skips_holidays_and_counts_makeup_days(start, n, expected):
    assert add_workdays(start, n) == DayResult(expected, is_provisional=False)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2026, 9, 30), D(2026, 10, 12), 4),
        (D(2026, 10, 12), D(2026, 9, 30), -4),
        (D(2026, 10, 3), D(2026, 10, 3), 0),
        (D(2026, 10, 1), D(2026, 10, 7), 0),
        (D(2025, 1, 24), D(2025, 2, 7), 5),
        (D(2026, 2, 13), D(2026, 2, 28), 6),
        (D(2025, 9, 27), D(2025, 10, 12), 6),
    ],
)
def test_workdays_between_counts_after_a_up_to_and_including_b(a, b, expected):
    assert workdays_between(a, b) == CountResult(expected, is_provisional=False)


@pytest.mark.parametrize("year", [2004, 2020, 2025, 2026])
def test_a_whole_year_has_as_many_working_days_as_the_library_says(year):
    expected = len(chinese_calendar.get_workdays(D(year, 1, 1), D(year, 12, 31)))
    assert workdays_between(D(year - 1, 12, 31), D(year, 12, 31)).value == expected


def test_the_2020_spring_festival_extension_is_in_the_calendar():
    # 国办发明电〔2020〕1号 extended the holiday to 2 February; work resumed on 3 February.
    assert not is_workday(D(2020, 1, 31))
    assert add_workdays(D(2020, 1, 23), 1).value == D(2020, 2, 3)


def test_a_year_without_a_schedule_is_weekends_only_and_provisional():
    assert is_workday(D(2027, 1, 1))  # 元旦 2027 unknown: a Friday counts as worked
    assert add_workdays(D(2027, 3, 1), 5) == DayResult(D(2027, 3, 8), is_provisional=True)
    assert add_workdays(D(2026, 12, 30), 1) == DayResult(D(2026, 12, 31), is_provisional=False)
    assert add_workdays(D(2026, 12, 30), 2) == DayResult(D(2027, 1, 1), is_provisional=True)
    assert workdays_between(D(2026, 12, 30), D(2027, 1, 4)) == CountResult(3, True)
    assert workdays_between(D(2026, 12, 1), D(2026, 12, 31)).is_provisional is False


def test_years_before_the_first_schedule_are_provisional_too():
    assert add_workdays(D(2003, 12, 30), 1) == DayResult(D(2003, 12, 31), is_provisional=True)


def test_add_workdays_refuses_a_negative_count():
    with pytest.raises(ValidationFailed, match="不能为负数"):
        add_workdays(D(2026, 1, 5), -1)


def test_a_datetime_is_not_taken_for_a_date():
    with pytest.raises(TypeError):
        is_workday(dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC))


def test_dates_beyond_the_calendar_range_are_a_clear_error():
    with pytest.raises(ValidationFailed, match="超出"):
        add_workdays(D(9999, 12, 30), 5)


# --- deadlines ---------------------------------------------------------------------------


def test_deadline_ends_at_the_end_of_the_nth_working_day_in_shanghai():
    accepted = dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
    due = deadline(accepted, 3, TimeUnit.WORKDAY)
    assert due.on == D(2026, 10, 10)
    assert due.at == dt.datetime(2026, 10, 10, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert due.at.astimezone(dt.UTC) == dt.datetime(2026, 10, 10, 15, 59, 59, 999999, tzinfo=dt.UTC)
    assert due.is_provisional is False


def test_deadline_counts_from_the_shanghai_date_of_a_late_evening_utc_start():
    # 16:30 UTC on Friday 13 February is 00:30 on Saturday 14 February in Shanghai, a 调休
    # working day: that is the acceptance day, so the first working day after it is the 24th.
    accepted = dt.datetime(2026, 2, 13, 16, 30, tzinfo=dt.UTC)
    due = deadline(accepted, 1, TimeUnit.WORKDAY)
    assert due.on == D(2026, 2, 24)
    assert due.at.astimezone(SHANGHAI) == dt.datetime(
        2026, 2, 24, 23, 59, 59, 999999, tzinfo=SHANGHAI
    )
    # Half an hour earlier it is still Friday the 13th in Shanghai.
    assert deadline(dt.datetime(2026, 2, 13, 15, 30, tzinfo=dt.UTC), 1).on == D(2026, 2, 14)


def test_deadline_in_natural_days_ignores_the_calendar():
    accepted = dt.datetime(2026, 9, 30, 16, 30, tzinfo=dt.UTC)  # 1 October in Shanghai
    due = deadline(accepted, 5, TimeUnit.NATURAL_DAY)
    assert due.on == D(2026, 10, 6)
    assert due.is_provisional is False
    assert deadline(accepted, 5, "natural_day") == due
    assert (
        deadline(dt.datetime(2027, 3, 1, tzinfo=dt.UTC), 10, TimeUnit.NATURAL_DAY).is_provisional
        is False
    )


def test_deadline_of_zero_days_is_the_end_of_the_acceptance_day():
    accepted = dt.datetime(2026, 10, 9, 1, 0, tzinfo=dt.UTC)
    assert deadline(accepted, 0).on == D(2026, 10, 9)


def test_deadline_in_an_unscheduled_year_is_provisional():
    assert deadline(dt.datetime(2026, 12, 28, 2, tzinfo=dt.UTC), 5).is_provisional is True


def test_deadline_refuses_naive_datetimes_and_negative_amounts():
    with pytest.raises(TypeError):
        deadline(dt.datetime(2026, 1, 5, 9), 3)  # noqa: DTZ001 - the naive value is the point
    with pytest.raises(ValidationFailed):
        deadline(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), -3)
    with pytest.raises(ValueError):
        deadline(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), 3, "fortnight")


@pytest.mark.parametrize(
    ("now_local", "expected"),
    [
        (dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI), 3),  # 10-08, 10-09, 10-10 still to come
        (dt.datetime(2026, 10, 4, 10, 0, tzinfo=SHANGHAI), 3),  # holidays do not use the time up
        (dt.datetime(2026, 10, 9, 18, 0, tzinfo=SHANGHAI), 1),
        (dt.datetime(2026, 10, 10, 23, 59, tzinfo=SHANGHAI), 0),  # due today, not late yet
        (
            dt.datetime(2026, 10, 11, 0, 0, 1, tzinfo=SHANGHAI),
            -1,
        ),  # late on a Sunday: already overdue
        (dt.datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI), -1),
        (dt.datetime(2026, 10, 13, 9, 0, tzinfo=SHANGHAI), -2),
    ],
)
def test_remaining_workdays_counts_down_and_goes_negative_when_overdue(now_local, expected):
    due = deadline(dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC), 3).at
    assert remaining_workdays(now_local, due) == CountResult(expected, is_provisional=False)
