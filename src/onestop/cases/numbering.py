"""Case numbers: ``{12-digit division code}-{YYYYMMDD}-{seq:05d}``, unique per region and day.

The sequence comes from a counter row per (region, day), created if missing with an
insert that ignores conflicts and then incremented under ``select_for_update``: on
PostgreSQL concurrent submissions queue on that row; on SQLite the IMMEDIATE transaction
mode already serialises writers. The row lock is held until the submitting transaction
commits, so numbers are gap-free unless a submission rolls back.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from onestop.cases.models import CaseNumberCounter
from onestop.core import clock
from onestop.regions.models import Region


def case_number_next(*, region: Region) -> str:
    """The next case number of ``region`` for today (Asia/Shanghai); call inside a transaction."""
    day = clock.today()
    with transaction.atomic():
        CaseNumberCounter.objects.bulk_create(
            [CaseNumberCounter(region=region, day=day, last=0)], ignore_conflicts=True
        )
        counter = CaseNumberCounter.objects.select_for_update().get(region=region, day=day)
        CaseNumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        last = counter.last + 1
    return f"{region.full_code}-{day:%Y%m%d}-{last:05d}"
