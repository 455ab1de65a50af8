from __future__ import annotations

import datetime as dt

import factory

from onestop.workdays.kinds import DayKind, DaySource
from onestop.workdays.models import CalendarDay, ScheduleYear


class CalendarDayFactory(factory.django.DjangoModelFactory):
    """A local calendar exception; by default a typhoon closure on a Wednesday."""

    class Meta:
        model = CalendarDay
        django_get_or_create = ("date", "source")

    date = dt.date(2026, 7, 15)
    kind = DayKind.CLOSURE
    source = DaySource.LOCAL
    name = ""
    note = "台风停工"

    class Params:
        local_workday = factory.Trait(kind=DayKind.WORKDAY, note="本地补班")
        state_council_holiday = factory.Trait(
            kind=DayKind.HOLIDAY, source=DaySource.STATE_COUNCIL, note=""
        )
        makeup_workday = factory.Trait(
            kind=DayKind.WORKDAY, source=DaySource.STATE_COUNCIL, note="调休上班"
        )


class ScheduleYearFactory(factory.django.DjangoModelFactory):
    """A year whose State Council schedule is not entered yet (``published=True`` for one that is)."""

    class Meta:
        model = ScheduleYear
        django_get_or_create = ("year",)

    year = 2027
    is_published = False
    notice = ""

    class Params:
        published = factory.Trait(is_published=True, notice="国办发明电（测试）")
