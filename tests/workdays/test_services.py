"""Calendar maintenance: local overrides, drafts, publishing next year, seeding, caching."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F

from onestop.core.errors import NotFound, ValidationFailed
from onestop.workdays import calendar, services
from onestop.workdays.calendar import CountResult, DayResult, add_workdays, is_workday
from onestop.workdays.kinds import DayKind, DaySource
from onestop.workdays.models import CalendarDay, CalendarVersion, ScheduleYear
from onestop.workdays.selectors import calendar_day_list_for_year, schedule_year_is_published
from onestop.workdays.services import ScheduleDay
from tests.factories.workdays import CalendarDayFactory, ScheduleYearFactory

pytestmark = pytest.mark.django_db

D = dt.date

# A made-up 2027 schedule for the tests (not the State Council's real one).
SCHEDULE_2027 = [
    ScheduleDay(D(2027, 1, 1), DayKind.HOLIDAY, "元旦"),
    ScheduleDay(D(2027, 2, 5), DayKind.HOLIDAY, "春节"),
    ScheduleDay(D(2027, 2, 8), DayKind.HOLIDAY, "春节"),
    ScheduleDay(D(2027, 2, 9), DayKind.HOLIDAY, "春节"),
    ScheduleDay(D(2027, 2, 10), DayKind.HOLIDAY, "春节"),
    ScheduleDay(D(2027, 2, 11), DayKind.HOLIDAY, "春节"),
    ScheduleDay(D(2027, 2, 20), DayKind.WORKDAY, "春节", "调休上班"),
]


def test_the_migration_seeded_every_year_the_library_covers():
    published = set(ScheduleYear.objects.filter(is_published=True).values_list("year", flat=True))
    assert published == set(range(2004, 2027))
    holiday = CalendarDay.objects.get(date=D(2026, 10, 1))
    assert (holiday.kind, holiday.name, holiday.source) == ("holiday", "国庆节", "state_council")
    makeup = CalendarDay.objects.get(date=D(2026, 2, 28))
    assert (makeup.kind, makeup.name) == ("workday", "春节")
    # Only exceptions are stored: the Saturday of the National Day week is not a row.
    assert not CalendarDay.objects.filter(date=D(2026, 10, 3)).exists()


def test_seeding_again_changes_nothing():
    before = list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name"))
    assert services.calendar_seed_from_library() == []
    after = list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name"))
    assert after == before


def test_seeding_restores_a_year_that_was_missing():
    CalendarDay.objects.filter(date__year=2025).delete()
    ScheduleYear.objects.filter(year=2025).delete()
    calendar.invalidate()
    assert add_workdays(D(2025, 9, 30), 1) == DayResult(D(2025, 10, 1), is_provisional=True)
    assert services.calendar_seed_from_library() == [2025]
    assert add_workdays(D(2025, 9, 30), 1) == DayResult(D(2025, 10, 9), is_provisional=False)


def test_publishing_next_year_makes_results_final_and_respects_its_holidays():
    assert add_workdays(D(2026, 12, 31), 1) == DayResult(D(2027, 1, 1), is_provisional=True)
    assert add_workdays(D(2027, 2, 4), 1) == DayResult(D(2027, 2, 5), is_provisional=True)

    schedule = services.schedule_year_publish(
        year=2027, days=SCHEDULE_2027, notice="国办发明电（测试）"
    )

    assert schedule.is_published and schedule.published_at is not None
    assert schedule_year_is_published(year=2027)
    assert add_workdays(D(2026, 12, 31), 1) == DayResult(D(2027, 1, 4), is_provisional=False)
    assert add_workdays(D(2027, 2, 4), 1) == DayResult(D(2027, 2, 12), is_provisional=False)
    assert is_workday(D(2027, 2, 20))  # the 调休 Saturday
    assert calendar.workdays_between(D(2027, 2, 4), D(2027, 2, 20)) == CountResult(7, False)


def test_republishing_a_year_replaces_its_state_council_days_but_keeps_local_ones():
    services.schedule_year_publish(year=2027, days=SCHEDULE_2027)
    services.calendar_day_set(day=D(2027, 3, 3), kind=DayKind.CLOSURE, note="台风停工")
    services.schedule_year_publish(year=2027, days=SCHEDULE_2027[:1])
    assert is_workday(D(2027, 2, 8))
    assert not is_workday(D(2027, 1, 1))
    assert not is_workday(D(2027, 3, 3))
    assert list(calendar_day_list_for_year(year=2027).values_list("date", flat=True)) == [
        D(2027, 1, 1),
        D(2027, 3, 3),
    ]


def test_state_council_days_of_an_unpublished_year_are_a_draft_until_published():
    services.calendar_day_set(
        day=D(2027, 1, 1), kind=DayKind.HOLIDAY, source=DaySource.STATE_COUNCIL, name="元旦"
    )
    assert ScheduleYear.objects.get(year=2027).is_published is False
    assert is_workday(D(2027, 1, 1))  # the draft does not count yet
    assert add_workdays(D(2026, 12, 31), 1).is_provisional

    services.schedule_year_publish(year=2027)

    assert not is_workday(D(2027, 1, 1))
    assert add_workdays(D(2026, 12, 31), 1) == DayResult(D(2027, 1, 4), is_provisional=False)


def test_a_typhoon_closure_makes_a_weekday_non_working():
    assert add_workdays(D(2026, 7, 14), 1).value == D(2026, 7, 15)
    services.calendar_day_set(day=D(2026, 7, 15), kind=DayKind.CLOSURE, note="台风停工")
    assert not is_workday(D(2026, 7, 15))
    assert add_workdays(D(2026, 7, 14), 1).value == D(2026, 7, 16)

    services.calendar_day_remove(day=D(2026, 7, 15))
    assert is_workday(D(2026, 7, 15))


def test_a_local_row_wins_over_the_state_council_row_and_removing_it_restores_it():
    services.calendar_day_set(day=D(2026, 10, 5), kind=DayKind.WORKDAY, note="本地补班")
    assert is_workday(D(2026, 10, 5))
    services.calendar_day_remove(day=D(2026, 10, 5))
    assert not is_workday(D(2026, 10, 5))
    # A local closure even wins over a national 调休 working Saturday.
    services.calendar_day_set(day=D(2026, 10, 10), kind=DayKind.CLOSURE, note="台风停工")
    assert not is_workday(D(2026, 10, 10))


def test_local_rows_count_in_unpublished_years_too():
    services.calendar_day_set(day=D(2027, 7, 14), kind=DayKind.CLOSURE, note="台风停工")
    assert add_workdays(D(2027, 7, 13), 1) == DayResult(D(2027, 7, 15), is_provisional=True)


def test_setting_a_day_again_updates_it_in_place():
    services.calendar_day_set(day=D(2026, 7, 15), kind=DayKind.CLOSURE, note="台风停工")
    row = services.calendar_day_set(day=D(2026, 7, 15), kind=DayKind.HOLIDAY, name="地方节日")
    assert CalendarDay.objects.filter(date=D(2026, 7, 15), source=DaySource.LOCAL).count() == 1
    assert (row.kind, row.name, row.note) == ("holiday", "地方节日", "")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"day": D(2026, 7, 15), "kind": "typhoon"}, "类型不正确"),
        ({"day": D(2026, 7, 15), "kind": DayKind.CLOSURE, "source": "province"}, "来源不正确"),
        (
            {"day": D(2026, 7, 15), "kind": DayKind.CLOSURE, "source": DaySource.STATE_COUNCIL},
            "只能作为本地调整",
        ),
        (
            {"day": D(2026, 7, 15), "kind": DayKind.WORKDAY, "source": DaySource.STATE_COUNCIL},
            "本来就是工作日",
        ),
    ],
)
def test_calendar_day_set_refuses_rows_that_make_no_sense(kwargs, message):
    with pytest.raises(ValidationFailed, match=message):
        services.calendar_day_set(**kwargs)


def test_removing_a_day_that_is_not_there_says_so():
    with pytest.raises(NotFound, match="2026-07-15"):
        services.calendar_day_remove(day=D(2026, 7, 15))


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([ScheduleDay(D(2028, 1, 3), DayKind.HOLIDAY)], "不在 2027 年度内"),
        (
            [ScheduleDay(D(2027, 1, 1), DayKind.HOLIDAY), ScheduleDay(D(2027, 1, 1), "holiday")],
            "重复登记",
        ),
        ([ScheduleDay(D(2027, 1, 4), DayKind.WORKDAY)], "周一，本来就是工作日"),
        ([ScheduleDay(D(2027, 1, 4), DayKind.CLOSURE)], "只能作为本地调整"),
        ([ScheduleDay(D(2027, 1, 4), "strike")], "类型不正确"),
    ],
)
def test_publishing_refuses_a_wrong_schedule_and_leaves_the_year_unpublished(days, message):
    with pytest.raises(ValidationFailed, match=message):
        services.schedule_year_publish(year=2027, days=days)
    assert not schedule_year_is_published(year=2027)
    assert add_workdays(D(2027, 1, 1), 1).is_provisional


def test_schedule_year_set_keeps_the_year_unpublished():
    schedule = services.schedule_year_set(year=2027, notice="待国务院办公厅通知")
    assert (schedule.year, schedule.is_published, schedule.notice) == (
        2027,
        False,
        "待国务院办公厅通知",
    )
    with pytest.raises(ValidationFailed):
        services.schedule_year_set(year=99)


def test_every_change_bumps_the_version_other_processes_watch():
    before = CalendarVersion.objects.get(pk=1).number
    services.calendar_day_set(day=D(2026, 7, 15), kind=DayKind.CLOSURE)
    services.calendar_day_remove(day=D(2026, 7, 15))
    services.schedule_year_publish(year=2027, days=[])
    assert CalendarVersion.objects.get(pk=1).number == before + 3


def _write_as_another_process() -> None:
    """A change made elsewhere: rows and version move, this process's snapshot does not."""
    CalendarDayFactory(date=D(2026, 7, 15))  # typhoon closure
    CalendarVersion.objects.filter(pk=1).update(number=F("number") + 1)


def test_another_process_change_is_seen_at_the_next_version_check(settings):
    settings.ONESTOP_CALENDAR_RECHECK_SECONDS = 0
    assert is_workday(D(2026, 7, 15))
    _write_as_another_process()
    assert not is_workday(D(2026, 7, 15))


def test_between_version_checks_the_snapshot_is_not_queried_again(
    settings, django_assert_num_queries
):
    settings.ONESTOP_CALENDAR_RECHECK_SECONDS = 3600
    assert is_workday(D(2026, 7, 15))  # loads the snapshot
    _write_as_another_process()
    with django_assert_num_queries(0):
        for n in range(1, 200):
            add_workdays(D(2026, 1, 5), n)
        assert is_workday(D(2026, 7, 15))  # stale until the next check, by design


def test_factories_build_rows_the_calendar_understands():
    # Factories write rows directly (no service), so they come before the first calculation.
    ScheduleYearFactory(year=2027)
    CalendarDayFactory(date=D(2027, 1, 1), state_council_holiday=True, name="元旦")
    ScheduleYearFactory(year=2028, published=True)
    CalendarDayFactory(date=D(2028, 1, 8), makeup_workday=True)
    CalendarDayFactory(date=D(2028, 1, 9), local_workday=True)
    CalendarDayFactory(date=D(2028, 1, 12))  # typhoon closure on a Wednesday
    assert is_workday(D(2027, 1, 1))  # 2027 is not published: the draft does not count
    assert add_workdays(D(2028, 1, 7), 3) == DayResult(D(2028, 1, 10), is_provisional=False)
    assert add_workdays(D(2028, 1, 11), 1) == DayResult(D(2028, 1, 13), is_provisional=False)
