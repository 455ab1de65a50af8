"""Benchmark: deadline computations per second, optimized vs naive day-by-day.

Run: ``.venv/bin/python bench/workdays.py`` (uses the configured database: ``DATABASE_URL``
or the embedded SQLite in ``ONESTOP_DATA_DIR``; migrates and seeds the calendar if needed).

Compared, on the same random acceptance moments (2020–2026) and limits:
* optimized — ``workdays.calendar.deadline`` (cached exceptions, week arithmetic, bisect);
* naive     — walk day by day from the acceptance date, calling the public cached
              ``is_workday`` for each day, then build the same end-of-day datetime;
* per-day query — the naive walk asking the database about each day (what the module
              avoids), on a small sample only.
Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

from onestop.core.clock import SHANGHAI  # noqa: E402
from onestop.workdays import calendar  # noqa: E402
from onestop.workdays.calendar import Deadline, deadline, is_workday  # noqa: E402
from onestop.workdays.kinds import DayKind, DaySource  # noqa: E402
from onestop.workdays.models import CalendarDay, ScheduleYear  # noqa: E402
from onestop.workdays.services import calendar_seed_from_library  # noqa: E402

LIMITS = [1, 5, 20, 60, 400]  # working days: 即办 … 法定 20 … long special procedures
SAMPLES = 20_000
QUERY_SAMPLES = 100
REPEATS = 3


def prepare() -> None:
    executor = MigrationExecutor(connection)
    targets = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "workdays"]
    if executor.migration_plan(targets):
        call_command("migrate", "workdays", verbosity=0)
    calendar_seed_from_library()
    calendar.invalidate()


def naive_deadline(start: dt.datetime, amount: int) -> Deadline:
    day = start.astimezone(SHANGHAI).date()
    left = amount
    while left:
        day += dt.timedelta(days=1)
        if is_workday(day):
            left -= 1
    return Deadline(dt.datetime.combine(day, dt.time.max, tzinfo=SHANGHAI), day, False)


def per_day_query_deadline(start: dt.datetime, amount: int) -> dt.date:
    published = set(ScheduleYear.objects.filter(is_published=True).values_list("year", flat=True))
    day = start.astimezone(SHANGHAI).date()
    left = amount
    while left:
        day += dt.timedelta(days=1)
        rows = dict(CalendarDay.objects.filter(date=day).values_list("source", "kind"))
        kind = rows.get(DaySource.LOCAL) or (
            rows.get(DaySource.STATE_COUNCIL) if day.year in published else None
        )
        works = day.weekday() < 5 if kind is None else kind == DayKind.WORKDAY
        left -= works
    return day


def moments(count: int, seed: int) -> list[dt.datetime]:
    rng = random.Random(seed)
    first = dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp()
    last = dt.datetime(2026, 6, 30, tzinfo=dt.UTC).timestamp()
    return [dt.datetime.fromtimestamp(rng.uniform(first, last), tz=dt.UTC) for _ in range(count)]


def rate(
    function: Callable[[dt.datetime, int], object], starts: list[dt.datetime], n: int
) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        began = time.perf_counter()
        for start in starts:
            function(start, n)
        best = min(best, time.perf_counter() - began)
    return len(starts) / best


def main() -> None:
    prepare()
    starts = moments(SAMPLES, seed=20261125)
    mismatches = sum(
        deadline(s, n).on != naive_deadline(s, n).on for s in starts[:2000] for n in LIMITS
    )
    print(
        f"onestop workdays benchmark — Python {platform.python_version()}, "
        f"{connection.vendor}, {platform.machine()}"
    )
    print(
        f"{SAMPLES} random acceptance moments 2020–2026, best of {REPEATS}; "
        f"results checked equal on {2000 * len(LIMITS)} pairs: {mismatches} mismatches"
    )
    print()
    print(f"{'limit (working days)':>20} {'optimized /s':>14} {'naive /s':>12} {'ratio':>8}")
    for n in LIMITS:
        fast = rate(deadline, starts, n)
        slow_starts = starts if n <= 60 else starts[: SAMPLES // 10]
        slow = rate(naive_deadline, slow_starts, n)
        print(f"{n:>20} {fast:>14,.0f} {slow:>12,.0f} {fast / slow:>7.1f}×")
    print()
    print("per-day database query (what the cache avoids), 20 working days:")
    query_rate = rate(per_day_query_deadline, starts[:QUERY_SAMPLES], 20)
    fast = rate(deadline, starts, 20)
    print(f"{'':>20} {fast:>14,.0f} {query_rate:>12,.0f} {fast / query_rate:>7.0f}×")


if __name__ == "__main__":
    main()
