"""Case numbers: ``{12-digit division code}-{YYYYMMDD}-{seq:05d}``, unique per region and day.

The sequence comes from a counter row per (region, day), created or incremented by one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement (PostgreSQL, and SQLite ≥ 3.35):
on PostgreSQL concurrent submissions queue on that row's lock; on SQLite the IMMEDIATE
transaction mode already serialises writers. The row lock is held until the submitting
transaction commits, so numbers are gap-free unless a submission rolls back.
"""

from __future__ import annotations

from django.db import connection

from onestop.cases.models import CaseNumberCounter
from onestop.core import clock
from onestop.regions.models import Region


def case_number_next(*, region: Region) -> str:
    """The next case number of ``region`` for today (Asia/Shanghai); call inside a transaction."""
    day = clock.today()
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (region_id, day, last) VALUES (%s, %s, 1)"  # noqa: S608
            " ON CONFLICT (region_id, day) DO UPDATE SET last = " + table + ".last + 1"
            " RETURNING last",
            [region.pk, connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    return f"{region.full_code}-{day:%Y%m%d}-{last:05d}"
