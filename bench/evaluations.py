"""Evaluations: the 好差评 figures (``rates_for``) of a region and a year at 1M ratings.

Method. On a throwaway database (SQLite temp file, or PostgreSQL
``onestop_bench_evaluations`` created from an admin URL and dropped at the end), migrated,
with the demo's regions, organisations, people and catalogue:

1. ``--ratings N`` (default 1,000,000) rated cases of 2026 are written directly (COPY on
   PostgreSQL, ``executemany`` on SQLite; this script is not application code): for each,
   the case (completed in 2026, in a county of 益阳市 4309, at the county hall, one
   published item), its first rating (levels 55/21/9/8/7 %, a third on the window evaluator
   of one of the hall's windows, 5 % late, 0.5 % invalidated by an appeal), one rated item
   and, for each 差评, its rectification in a spread of states; plus 15 % more completed
   cases nobody rated (participation). Rows are written in time order, as the services
   append them, and carry what the services would write in the columns the figures read;
   then ``VACUUM ANALYZE`` (PostgreSQL; ``ANALYZE`` on SQLite), as autovacuum would after
   such an insert. No item tasks are written, so a department's participation is "none".
2. Timed, median of 3 after a warm-up: ``rates_for(start=2026-01-01, end=2027-01-01,
   region_code="4309")`` (the measured call), the same for one department and one hall;
   the monthly ranking of the city (``ranking_for``) and the public page's figures
   (``results_published``), both without the five-minute cache the pages read them through.
3. Baselines in the same run: the figures as ``rates_for`` computed them before this
   bench (every count ``COUNT(DISTINCT …)``, through the same ORM query), and a plain
   ``SELECT count(*)`` of the year's ratings of the region (the floor: one pass over the
   rows, no aggregate work).

Prints the figures; asserts nothing.

    .venv/bin/python bench/evaluations.py
    .venv/bin/python bench/evaluations.py --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BENCH_DB = "onestop_bench_evaluations"
YEAR = 2026
SEED = 20261204
BATCH = 20_000


def prepare() -> None:
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0, interactive=False)
    from onestop.demo.loader import demo_load

    demo_load(until="catalog")  # the reference data: regions, organisations, people, catalogue


class Universe:
    """What the generated rated cases are spread over."""

    def __init__(self) -> None:
        from onestop.accounts.models import Applicant
        from onestop.catalog.models import ServiceItemVersion, VersionStatus
        from onestop.regions.models import Hall, Region, RegionLevel, Window

        self.counties = list(
            Region.objects.filter(code__startswith="4309", level=RegionLevel.COUNTY)
        )
        self.halls = {
            h.region.code: h
            for h in Hall.objects.filter(region__in=self.counties).select_related("region")
        }
        self.windows: dict[int, list[int]] = {}
        for w in Window.objects.filter(hall__in=self.halls.values()):
            self.windows.setdefault(w.hall_id, []).append(w.pk)
        self.items = list(
            ServiceItemVersion.objects.filter(
                status=VersionStatus.PUBLISHED, department__isnull=False
            ).select_related("item")
        )
        self.applicants = list(Applicant.objects.values_list("pk", flat=True))


class Writer:
    """Rows straight into a table: COPY on PostgreSQL, executemany on SQLite. Values not
    given come from a model instance's defaults (what ``Model()`` would save)."""

    def __init__(self, model: Any, **template: Any) -> None:
        from django.db import connection

        self.model, self.connection = model, connection
        self.pg = connection.vendor == "postgresql"
        instance = model(**template)
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.base = [self._value(f, getattr(instance, f.attname)) for f in self.fields]

    def _value(self, field: Any, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, dt.datetime):
            return self.moment(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bool):
            return value if self.pg else int(value)
        return value.value if hasattr(value, "value") else value

    def moment(self, value: dt.datetime) -> Any:
        return value if self.pg else self.connection.ops.adapt_datetimefield_value(value)

    def row(self, **values: Any) -> list[Any]:
        row = self.base[:]
        for name, value in values.items():
            row[self.index[name]] = value
        return row

    def write(self, rows: list[list[Any]]) -> None:
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(self.connection.ops.quote_name(c) for c in self.columns)
        with self.connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


LEVELS = [(1, 55), (2, 21), (3, 9), (4, 8), (5, 7)]
RECTIFICATION_STATES = [
    ("closed", 50),
    ("rated", 10),
    ("fed_back", 10),
    ("rectifying", 10),
    ("open", 10),
    ("verified", 5),
    ("upheld", 5),
]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def write_rows(u: Universe, n: int) -> tuple[float, dict[str, int]]:
    """n rated cases (and 15 % unrated ones) with ratings, items, rectifications."""
    from django.db import transaction

    from onestop.cases.models import Case
    from onestop.cases.states import CaseState, Channel
    from onestop.core import clock
    from onestop.evaluations.models import RatedItem, Rating, Rectification
    from onestop.evaluations.states import RatingChannel

    rng = random.Random(SEED)
    now = clock.now()
    county = u.counties[0]
    cases = Writer(
        Case,
        title="",
        applicant_id=u.applicants[0],
        channel=Channel.HALL_WINDOW,
        accepting_region=county,
        region_code=county.code,
        state=CaseState.COMPLETED,
        promised_days=5,
        created_at=now,
        updated_at=now,
    )
    ratings = Writer(
        Rating,
        case_id=0,
        applicant_id=u.applicants[0],
        kind="first",
        level=1,
        channel=RatingChannel.PC,
        rated_at=now,
        region_code=county.code,
        created_at=now,
        updated_at=now,
    )
    items = Writer(RatedItem, rating_id=0, item_id=0, department_id=0)
    rects = Writer(
        Rectification, rating_id=0, department_id=0, due_at=now, created_at=now, updated_at=now
    )
    start = dt.datetime(YEAR, 1, 1, tzinfo=clock.SHANGHAI)
    year_minutes = 362 * 24 * 60
    total_cases = -(-n * 20 // 17)  # 17 of every 20 cases are rated: 15 % are not
    counts = {"cases": 0, "ratings": 0, "items": 0, "rectifications": 0}
    case_id = rating_id = 0
    started = time.perf_counter()
    while counts["cases"] < total_cases:
        batch_cases, batch_ratings, batch_items, batch_rects = [], [], [], []
        for _i in range(min(BATCH, total_cases - counts["cases"])):
            case_id += 1
            where = u.counties[case_id % len(u.counties)]
            hall = u.halls.get(where.code)
            version = u.items[rng.randrange(len(u.items))]
            applicant = u.applicants[rng.randrange(len(u.applicants))]
            # In the order they happen (as the services append them), over the year.
            completed = start + dt.timedelta(
                minutes=case_id * year_minutes // total_cases + rng.randrange(60)
            )
            accepted = completed - dt.timedelta(days=rng.randrange(1, 8))
            batch_cases.append(
                cases.row(
                    id=case_id,
                    number=f"B-{case_id:09d}",
                    title=version.name,
                    item_version_id=version.pk,
                    applicant_id=applicant,
                    accepting_region_id=where.pk,
                    region_code=where.code,
                    hall_id=hall.pk if hall else None,
                    submitted_at=cases.moment(accepted),
                    accepted_at=cases.moment(accepted),
                    completed_at=cases.moment(completed),
                    delivered_at=cases.moment(completed),
                )
            )
            if counts["ratings"] + len(batch_ratings) >= n or case_id % 20 in (0, 7, 13):
                continue  # not rated
            rating_id += 1
            level = _pick(rng, LEVELS)
            tablet = hall is not None and rng.random() < 1 / 3
            rated = completed + dt.timedelta(minutes=rng.randrange(5, 3 * 24 * 60))
            batch_ratings.append(
                ratings.row(
                    id=rating_id,
                    case_id=case_id,
                    applicant_id=applicant,
                    kind="late" if rng.random() < 0.05 else "first",
                    level=level,
                    channel=RatingChannel.WINDOW_TABLET if tablet else RatingChannel.PC,
                    rated_at=ratings.moment(rated),
                    status="invalid" if rng.random() < 0.005 else "valid",
                    is_bad=ratings._value(None, level >= 4),
                    region_code=where.code,
                    department_id=version.department_id,
                    hall_id=hall.pk if hall else None,
                    window_id=rng.choice(u.windows[hall.pk]) if tablet and hall else None,
                )
            )
            batch_items.append(
                items.row(
                    id=rating_id,
                    rating_id=rating_id,
                    item_id=version.item_id,
                    item_code=version.item.basic_code,
                    item_name=version.name[:200],
                    department_id=version.department_id,
                )
            )
            if level >= 4:
                state = _pick(rng, RECTIFICATION_STATES)
                opinion = (
                    _pick(rng, [("satisfied", 6), ("basic", 3), ("dissatisfied", 1)])
                    if state in ("rated", "closed")
                    else ""
                )
                batch_rects.append(
                    rects.row(
                        id=rating_id,
                        rating_id=rating_id,
                        department_id=version.department_id,
                        state=state,
                        due_at=rects.moment(rated + dt.timedelta(days=7)),
                        rater_opinion=opinion,
                    )
                )
        with transaction.atomic():
            cases.write(batch_cases)
            ratings.write(batch_ratings)
            items.write(batch_items)
            rects.write(batch_rects)
        counts["cases"] += len(batch_cases)
        counts["ratings"] += len(batch_ratings)
        counts["items"] += len(batch_items)
        counts["rectifications"] += len(batch_rects)
    _after_bulk_load()
    return time.perf_counter() - started, counts


def _after_bulk_load() -> None:
    """Sequences past the ids written, then VACUUM ANALYZE: what autovacuum does after a
    large insert (hint bits, the visibility map, planner statistics) — without it the first
    reads of a million freshly copied rows also write every page."""
    from django.core.management.color import no_style
    from django.db import connection

    from onestop.cases.models import Case
    from onestop.evaluations.models import RatedItem, Rating, Rectification

    models = [Case, Rating, RatedItem, Rectification]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # autocommit: VACUUM refuses a transaction
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(fn: Callable[[], Any], runs: int = 3) -> tuple[float, list[float], Any]:
    """Median of ``runs`` timings after a warm-up; and the last result."""
    result = fn()
    times = []
    for _i in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, result


def _year() -> tuple[dt.datetime, dt.datetime]:
    from onestop.core import clock

    return (
        dt.datetime(YEAR, 1, 1, tzinfo=clock.SHANGHAI),
        dt.datetime(YEAR + 1, 1, 1, tzinfo=clock.SHANGHAI),
    )


def rates_before() -> Any:
    """``rates_for(region_code="4309")`` as it was computed before: every count distinct."""
    from onestop.cases.models import Case
    from onestop.evaluations import selectors

    start, end = _year()
    figures = (
        selectors._counted(start, end)
        .filter(region_code__startswith="4309")
        .aggregate(**selectors._figures(distinct=True))
    )
    completed = Case.objects.filter(
        completed_at__gte=start, completed_at__lt=end, region_code__startswith="4309"
    ).count()
    return selectors._rates(figures, completed)


def floor_count() -> int:
    """One pass over the year's ratings of the region, nothing aggregated but a count."""
    from django.db import connection

    start, end = _year()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM evaluations_rating WHERE region_code LIKE %s"
            " AND rated_at >= %s AND rated_at < %s",
            ["4309%", start, end],
        )
        return int(cursor.fetchone()[0])


def _ms(times: list[float]) -> str:
    return "[" + ", ".join(f"{t * 1000:.0f}" for t in times) + "]"


def explain(fn: Callable[[], Any]) -> None:
    """PostgreSQL's plan of each statement ``fn`` runs (EXPLAIN ANALYZE, timings included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        return
    with CaptureQueriesContext(connection) as captured:
        fn()
    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join("    " + row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--ratings", type=int, default=1_000_000, help="rated cases written (1,000,000)"
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL admin URL")
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL plans")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database (to look at it)"
    )
    args = parser.parse_args()
    from _database import throwaway

    with throwaway(BENCH_DB, args.database_url) as db:
        db.keep = args.keep
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        import django

        django.setup()
        run(args)


def _steps(u: Universe) -> Iterator[tuple[str, Callable[[], Any]]]:
    from onestop.evaluations import selectors

    start, end = _year()
    department = u.items[0].department_id
    hall = next(iter(u.halls.values())).pk
    yield (
        "rates_for(region 4309, year)",
        lambda: selectors.rates_for(start=start, end=end, region_code="4309"),
    )
    yield "  before: every count distinct", rates_before
    yield "  floor: SELECT count(*) of those ratings", floor_count
    yield (
        "rates_for(one department, year)",
        lambda: selectors.rates_for(start=start, end=end, department_id=department),
    )
    yield (
        "rates_for(one hall, year)",
        lambda: selectors.rates_for(start=start, end=end, hall_id=hall),
    )
    yield (
        "ranking_for(4309, one month)",
        lambda: selectors.ranking_for(region_code="4309", month=dt.date(YEAR, 11, 1)),
    )
    # Both are read through the cache by the pages (5 minutes); timed here without it.
    yield (
        "results_published (Nov + Q3, public page, uncached)",
        lambda: selectors._results_published(dt.date(YEAR, 12, 4)),
    )


def run(args: argparse.Namespace) -> None:
    from django.db import connection

    t0 = time.perf_counter()
    prepare()
    server = (
        f"SQLite {connection.Database.sqlite_version}"
        if connection.vendor == "sqlite"
        else f"PostgreSQL {connection.pg_version // 10000}"
    )
    u = Universe()
    print(
        f"onestop bench/evaluations — {server}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print(
        f"set-up {time.perf_counter() - t0:.1f} s: {len(u.counties)} counties, {len(u.halls)} halls, {len(u.items)} items, {len(u.applicants)} applicants"
    )
    seconds, counts = write_rows(u, args.ratings)
    print(
        f"written in {seconds:.1f} s: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f" ({(sum(counts.values())) / seconds:,.0f} rows/s)"
    )
    print()
    for label, fn in _steps(u):
        median, times, result = timed(fn)
        shown = ""
        if hasattr(result, "ratings"):
            shown = f" → {result.ratings:,} ratings, 好评率 {result.good_rate:.3f}, 差评率 {result.bad_rate:.3f}, 整改率 {result.rectification_rate:.3f}, participation {result.participation if result.participation is None else round(result.participation, 3)}"
        elif isinstance(result, int):
            shown = f" → {result:,}"
        elif hasattr(result, "windows"):
            shown = f" → {len(result.windows)} windows ({len(result.flagged_windows)} flagged), {len(result.departments)} departments"
        print(f"{label}: median {median * 1000:.0f} ms of {_ms(times)}{shown}")
        if args.explain:
            explain(fn)
    print(f"\ntotal run {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
