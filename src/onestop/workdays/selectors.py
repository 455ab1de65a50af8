"""Reads of the calendar tables (the arithmetic itself lives in ``calendar``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from onestop.workdays.models import CalendarDay, ScheduleYear


def calendar_day_list_for_year(*, year: int) -> QuerySet[CalendarDay]:
    """Every calendar exception of ``year``, State Council and local, in date order."""
    return CalendarDay.objects.filter(
        date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
    ).order_by("date", "source")


def schedule_year_list() -> QuerySet[ScheduleYear]:
    """All years with a schedule record, newest first."""
    return ScheduleYear.objects.order_by("-year")


def schedule_year_is_published(*, year: int) -> bool:
    return ScheduleYear.objects.filter(year=year, is_published=True).exists()
