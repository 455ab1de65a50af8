"""The State Council schedules shipped in the ``chinesecalendar`` package, as calendar rows.

Kept free of model imports so the data migration can run it on historical models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import chinese_calendar

from onestop.workdays.kinds import DayKind, DaySource

LIBRARY_NOTICE = f"chinesecalendar {chinese_calendar.__version__}（据国务院办公厅节假日安排通知）"


@dataclass(frozen=True)
class ScheduleDay:
    """One day of a State Council schedule: a weekday off or a weekend day worked."""

    day: dt.date
    kind: DayKind
    name: str = ""
    note: str = ""


def library_years() -> range:
    """The years the installed ``chinesecalendar`` has schedules for (2004–2026 in 1.11)."""
    known = chinese_calendar.holidays.keys()
    return range(min(known).year, max(known).year + 1)


def _chinese_name(english: str | None) -> str:
    if not english:
        return ""
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


def library_days(year: int) -> list[ScheduleDay]:
    """The exceptions to the weekend rule in ``year`` according to the library."""
    days: list[ScheduleDay] = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        is_work = chinese_calendar.is_workday(day)
        is_weekday = day.weekday() < 5
        if is_work != is_weekday:
            _, english = chinese_calendar.get_holiday_detail(day)
            if is_work:
                days.append(ScheduleDay(day, DayKind.WORKDAY, _chinese_name(english), "调休上班"))
            else:
                note = "调休休息" if chinese_calendar.is_in_lieu(day) else ""
                days.append(ScheduleDay(day, DayKind.HOLIDAY, _chinese_name(english), note))
        day += dt.timedelta(days=1)
    return days


def write_year(
    *,
    calendar_day_model: Any,
    schedule_year_model: Any,
    year: int,
    days: list[ScheduleDay] | None,
    notice: str,
    published_at: dt.datetime,
) -> None:
    """Replace the State Council rows of ``year`` with ``days`` (unless None) and publish it."""
    if days is not None:
        calendar_day_model.objects.filter(
            date__gte=dt.date(year, 1, 1),
            date__lte=dt.date(year, 12, 31),
            source=DaySource.STATE_COUNCIL.value,
        ).delete()
        calendar_day_model.objects.bulk_create(
            calendar_day_model(
                date=item.day,
                kind=DayKind(item.kind).value,
                source=DaySource.STATE_COUNCIL.value,
                name=item.name,
                note=item.note,
            )
            for item in days
        )
    schedule, _ = schedule_year_model.objects.get_or_create(year=year)
    schedule.is_published = True
    schedule.notice = notice
    schedule.published_at = published_at
    schedule.save(update_fields=["is_published", "notice", "published_at", "updated_at"])


def seed_years(
    *,
    calendar_day_model: Any,
    schedule_year_model: Any,
    years: range | list[int],
    published_at: dt.datetime,
) -> list[int]:
    """Enter the library's schedule for each year not yet published; returns the years entered.

    A year already published (seeded before, or entered by an administrator) is left alone,
    so running this twice changes nothing.
    """
    published = set(
        schedule_year_model.objects.filter(is_published=True).values_list("year", flat=True)
    )
    covered = library_years()
    seeded: list[int] = []
    for year in years:
        if year in published or year not in covered:
            continue
        write_year(
            calendar_day_model=calendar_day_model,
            schedule_year_model=schedule_year_model,
            year=year,
            days=library_days(year),
            notice=LIBRARY_NOTICE,
            published_at=published_at,
        )
        seeded.append(year)
    return seeded
