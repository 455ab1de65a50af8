"""Every write to the working-day calendar. Each one invalidates the calendar cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F

from onestop.core import clock
from onestop.core.errors import NotFound
from onestop.workdays import calendar, seed
from onestop.workdays.kinds import DayKind, DaySource
from onestop.workdays.models import CalendarDay, CalendarVersion, ScheduleYear
from onestop.workdays.seed import ScheduleDay
from onestop.workdays.validators import (
    validate_calendar_day,
    validate_schedule_days,
    validate_year,
)

__all__ = [
    "ScheduleDay",
    "calendar_day_remove",
    "calendar_day_set",
    "calendar_seed_from_library",
    "schedule_year_publish",
    "schedule_year_set",
]


def _changed() -> None:
    """Bump the version other processes watch; drop this process's snapshot now and on commit."""
    if not CalendarVersion.objects.filter(pk=1).update(number=F("number") + 1):
        CalendarVersion.objects.get_or_create(pk=1, defaults={"number": 1})
    calendar.invalidate()
    transaction.on_commit(calendar.invalidate)


@transaction.atomic
def calendar_day_set(
    *,
    day: dt.date,
    kind: DayKind | str,
    source: DaySource | str = DaySource.LOCAL,
    name: str = "",
    note: str = "",
) -> CalendarDay:
    """Record one calendar exception; a local row overrides the State Council row of its date."""
    kind, source = validate_calendar_day(day=day, kind=kind, source=source)
    name, note = name.strip(), note.strip()
    row, created = CalendarDay.objects.select_for_update().get_or_create(
        date=day, source=source, defaults={"kind": kind, "name": name, "note": note}
    )
    if not created and (row.kind, row.name, row.note) != (kind, name, note):
        row.kind, row.name, row.note = kind, name, note
        row.save(update_fields=["kind", "name", "note", "updated_at"])
    if source == DaySource.STATE_COUNCIL:
        # A State Council day of a year not yet published is a draft of that year's schedule.
        ScheduleYear.objects.get_or_create(year=day.year)
    _changed()
    return row


@transaction.atomic
def calendar_day_remove(*, day: dt.date, source: DaySource | str = DaySource.LOCAL) -> None:
    """Delete one exception; the date falls back to the State Council row or the weekday rule."""
    source = DaySource(source)
    deleted, _ = CalendarDay.objects.filter(date=day, source=source).delete()
    if not deleted:
        raise NotFound(f"{day.isoformat()} 没有“{source.label}”的日历记录。", field="day")
    _changed()


@transaction.atomic
def schedule_year_set(*, year: int, notice: str = "") -> ScheduleYear:
    """Create or annotate a year's schedule record; it stays unpublished until published."""
    validate_year(year)
    schedule, created = ScheduleYear.objects.select_for_update().get_or_create(
        year=year, defaults={"notice": notice.strip()}
    )
    if not created and schedule.notice != notice.strip():
        schedule.notice = notice.strip()
        schedule.save(update_fields=["notice", "updated_at"])
    return schedule


@transaction.atomic
def schedule_year_publish(
    *, year: int, days: Sequence[ScheduleDay] | None = None, notice: str = ""
) -> ScheduleYear:
    """Enter (when ``days`` is given) and publish a year's State Council schedule: it becomes final.

    ``days`` replaces every State Council row of that year; without it the rows already
    entered (drafts) are published as they are. Local rows are never touched.
    """
    validate_year(year)
    if days is not None:
        validate_schedule_days(year=year, days=days)
    schedule, _ = ScheduleYear.objects.select_for_update().get_or_create(year=year)
    seed.write_year(
        calendar_day_model=CalendarDay,
        schedule_year_model=ScheduleYear,
        year=year,
        days=None if days is None else list(days),
        notice=notice.strip() or schedule.notice,
        published_at=clock.now(),
    )
    _changed()
    schedule.refresh_from_db()
    return schedule


@transaction.atomic
def calendar_seed_from_library() -> list[int]:
    """Enter the ``chinesecalendar`` schedule of each covered year not yet published (idempotent)."""
    years = seed.seed_years(
        calendar_day_model=CalendarDay,
        schedule_year_model=ScheduleYear,
        years=seed.library_years(),
        published_at=clock.now(),
    )
    if years:
        _changed()
    return years
