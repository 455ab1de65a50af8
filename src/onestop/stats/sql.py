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
from django.db.models import Model

from onestop.stats.models import DAILY_DIMENSIONS, DAILY_MEASURES, DailyDuration, DailyFigure

CHUNK = 500  # rows per VALUES statement (SQLite)
UNNEST_CHUNK = 5000  # rows per array statement (PostgreSQL)
DURATION_KEY = ("grain", "day", "region_code", "used_days")


def _upsert(
    model: type[Model], keys: Sequence[str], measures: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    q = connection.ops.quote_name
    table = model._meta.db_table
    columns = [*keys, *measures]
    adds = ", ".join(f"{q(m)} = {q(table)}.{q(m)} + EXCLUDED.{q(m)}" for m in measures)
    # Identifiers come from the models and are quoted; every value is a bound parameter.
    head = f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) "  # noqa: S608
    tail = f" ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET {adds}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column (as cases/sql.py and Django's bulk_create do there): one
            # short statement whatever the number of rows, parsed and planned once, instead
            # of a VALUES list with thousands of placeholders (0.65 ms a row measured).
            types = [
                model._meta.get_field(c).db_type(connection).split("(")[0]  # type: ignore[union-attr]
                for c in columns
            ]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            statement = head + f"SELECT * FROM UNNEST({arrays})" + tail  # noqa: S608
            for i in range(0, len(rows), UNNEST_CHUNK):
                part = rows[i : i + UNNEST_CHUNK]
                cursor.execute(statement, [list(column) for column in zip(*part, strict=True)])
            return
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for i in range(0, len(rows), CHUNK):
            part = rows[i : i + CHUNK]
            params = [value for row in part for value in row]
            cursor.execute(head + "VALUES " + ", ".join([one] * len(part)) + tail, params)


def daily_figures_add(rows: Sequence[tuple[tuple[Any, ...], dict[str, int]]]) -> None:
    """Add each (key, measures) to its DailyFigure row, creating it at zero first."""
    values = [(*key, *(measures.get(m, 0) for m in DAILY_MEASURES)) for key, measures in rows]
    if values:
        _upsert(DailyFigure, DAILY_DIMENSIONS, DAILY_MEASURES, values)


def daily_durations_add(rows: Sequence[tuple[tuple[Any, ...], int]]) -> None:
    """Add each (key, n) to its DailyDuration row's count."""
    values = [(*key, n) for key, n in rows]
    if values:
        _upsert(DailyDuration, DURATION_KEY, ("count",), values)
