"""Case numbers: ``{12-digit division code}-{YYYYMMDD}-{seq:05d}``, unique per region and day.

The sequence comes from a counter row per (region, day) (``sql.counter_next``), whose row
lock is held until the submitting transaction commits, so numbers are gap-free unless a
submission rolls back.
"""

from __future__ import annotations

import datetime as dt

from onestop.cases import sql
from onestop.core import clock
from onestop.regions.models import Region


def case_number_format(*, region: Region, day: dt.date, seq: int) -> str:
    """The number of the ``seq``-th case of ``region`` on ``day`` (also the bulk loader's)."""
    return f"{region.full_code}-{day:%Y%m%d}-{seq:05d}"


def case_number_next(*, region: Region) -> str:
    """The next case number of ``region`` for today (Asia/Shanghai); call inside a transaction."""
    day = clock.today()
    return case_number_format(region=region, day=day, seq=sql.counter_next(region.pk, day))
