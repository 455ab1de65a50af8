"""The one raw statement of stats: add deltas to the aggregate rows in one upsert.

``INSERT … ON CONFLICT (key) DO UPDATE SET m = m + EXCLUDED.m`` (PostgreSQL and SQLite
≥ 3.24 alike) adds a refresh's contribution to every row it touches in one statement,
creating the rows that do not exist yet, and is safe against a concurrent refresh creating
the same row. ``tests/stats/test_sql.py`` checks it stores what the ORM would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from onestop.stats.models import DAILY_DIMENSIONS, DAILY_MEASURES, DailyDuration, DailyFigure

CHUNK = 500
DURATION_KEY = ("grain", "day", "region_code", "used_days")


def _upsert(
    table: str, keys: Sequence[str], measures: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    q = connection.ops.quote_name
    columns = [*keys, *measures]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    adds = ", ".join(f"{q(m)} = {q(table)}.{q(m)} + EXCLUDED.{q(m)}" for m in measures)
    # Identifiers come from the models and are quoted; every value is a bound parameter.
    head = f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET {adds}"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), CHUNK):
            part = rows[i : i + CHUNK]
            params = [value for row in part for value in row]
            cursor.execute(head + ", ".join([one] * len(part)) + tail, params)


def daily_figures_add(rows: Sequence[tuple[tuple[Any, ...], dict[str, int]]]) -> None:
    """Add each (key, measures) to its DailyFigure row, creating it at zero first."""
    values = [(*key, *(measures.get(m, 0) for m in DAILY_MEASURES)) for key, measures in rows]
    if values:
        _upsert(DailyFigure._meta.db_table, DAILY_DIMENSIONS, DAILY_MEASURES, values)


def daily_durations_add(rows: Sequence[tuple[tuple[Any, ...], int]]) -> None:
    """Add each (key, n) to its DailyDuration row's count."""
    values = [(*key, n) for key, n in rows]
    if values:
        _upsert(DailyDuration._meta.db_table, DURATION_KEY, ("count",), values)
