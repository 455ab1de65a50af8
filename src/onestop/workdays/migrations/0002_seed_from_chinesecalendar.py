"""Seed the State Council schedules 2004–2026 from the chinesecalendar package (1.11).

The years are fixed here so the migration gives the same result whatever newer version of
the package is installed; later years come from ``onestop workdays seed`` or the admin.
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

SEED_YEARS = range(2004, 2027)


def seed(apps, schema_editor):
    from onestop.workdays.seed import seed_years

    seed_years(
        calendar_day_model=apps.get_model("workdays", "CalendarDay"),
        schedule_year_model=apps.get_model("workdays", "ScheduleYear"),
        years=SEED_YEARS,
        published_at=timezone.now(),
    )
    CalendarVersion = apps.get_model("workdays", "CalendarVersion")
    CalendarVersion.objects.update_or_create(pk=1, defaults={"number": 1})


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    ScheduleYear = apps.get_model("workdays", "ScheduleYear")
    CalendarDay.objects.filter(
        source="state_council",
        date__gte=dt.date(SEED_YEARS[0], 1, 1),
        date__lte=dt.date(SEED_YEARS[-1], 12, 31),
    ).delete()
    ScheduleYear.objects.filter(year__in=list(SEED_YEARS)).delete()
    CalendarVersion = apps.get_model("workdays", "CalendarVersion")
    CalendarVersion.objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
