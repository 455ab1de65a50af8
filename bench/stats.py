"""Stats: the dashboard's figures from the aggregate rows, and the full recount.

Method. On a throwaway database (SQLite temp file, or PostgreSQL ``onestop_bench_stats``
created from an admin URL and dropped at the end), migrated, with the demo's regions,
organisations, people and catalogue:

1. ``--cases N`` cases of 2026 are written in bulk (case rows and their submitted /
   accepted / completed events — the rows the services write that the figures read),
   spread over the counties of 益阳市 (4309), the published items and packages, the
   channels and both applicant kinds; ``ANALYZE``; then ``figures_rebuild`` (the full
   recount that writes the aggregates) and ``figures_check`` (the recount compared with
   them) are timed.
2. The dashboard's figures for the city and the year — ``figures_summary``, the monthly
   trend and the breakdowns by region, channel and department, i.e. every query the page
   makes — are timed from those aggregates, median of 3 runs.
3. ``--synthetic-cases M`` (default 1,000,000): the aggregate rows that M such cases
   produce are computed with the figures' own contribution function (``stats.figures``,
   no case rows) and written in place of the first ones; the dashboard is timed again
   (median of 3). This is the issue's "a city and a year at 1M cases from the aggregates".
   A year is twelve whole months, so the figures read the month rows; the day rows serve
   the edges of other periods and the daily and weekly trends.

Prints the figures; asserts nothing.

    .venv/bin/python bench/stats.py
    .venv/bin/python bench/stats.py --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DB = "onestop_bench_stats"
YEAR = 2026
SEED = 20260101


def prepare() -> None:
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0, interactive=False)
    from onestop.demo.loader import demo_load

    demo_load(until="catalog")  # the reference data: regions, organisations, people, catalogue


class Universe:
    """What the generated cases are spread over."""

    def __init__(self) -> None:
        from onestop.accounts.models import Applicant, ApplicantKind
        from onestop.catalog.models import PackageVersion, ServiceItemVersion, VersionStatus
        from onestop.regions.models import Hall, Region, RegionLevel

        self.counties = list(
            Region.objects.filter(code__startswith="4309", level=RegionLevel.COUNTY)
        ) or list(Region.objects.filter(code="4309"))
        self.halls = {h.region.code[:6]: h for h in Hall.objects.select_related("region")}
        self.items = list(
            ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("item")
        )
        self.packages = list(
            PackageVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("package")
        )
        self.people = list(Applicant.objects.filter(kind=ApplicantKind.PERSON)[:20])
        self.enterprises = list(Applicant.objects.filter(kind=ApplicantKind.ENTERPRISE)[:20])
        from onestop.cases.states import Channel

        self.channels = [
            (Channel.HALL_WINDOW, 45),
            (Channel.ONLINE, 30),
            (Channel.MOBILE, 10),
            (Channel.VILLAGE_CENTRE, 10),
            (Channel.KIOSK, 5),
        ]


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    from onestop.core import clock

    return dt.datetime.combine(
        day, dt.time(8 + rng.randrange(9), rng.randrange(60)), tzinfo=clock.SHANGHAI
    )


def _draw(u: Universe, rng: random.Random) -> dict[str, Any]:
    """One case's shape: where, what, who, when."""
    from onestop.workdays import calendar

    county = rng.choice(u.counties)
    use_package = u.packages and rng.random() < 0.25
    version = rng.choice(u.packages) if use_package else rng.choice(u.items)
    enterprise = rng.random() < 0.3
    channel = rng.choices([c for c, _w in u.channels], [w for _c, w in u.channels])[0]
    submitted_on = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
    accepted_on = submitted_on if rng.random() < 0.8 else submitted_on + dt.timedelta(days=1)
    used = min(int(rng.expovariate(1 / 3)), 30)
    completed_on = calendar.add_workdays(accepted_on, used).value if rng.random() < 0.9 else None
    if completed_on is not None and completed_on.year != YEAR:
        completed_on = None
    return {
        "county": county,
        "version": version,
        "is_package": bool(use_package),
        "enterprise": enterprise,
        "channel": channel,
        "submitted_on": submitted_on,
        "accepted_on": accepted_on if accepted_on.year == YEAR else None,
        "completed_on": completed_on,
        "promised_days": getattr(version, "promised_days", 5) or 5,
    }


def write_cases(u: Universe, n: int) -> float:
    """Bulk-write n cases with their events; return the seconds it took."""
    from django.db import transaction

    from onestop.cases.models import Case, CaseEvent
    from onestop.cases.states import CaseState, EventKind

    rng = random.Random(SEED)
    started = time.perf_counter()
    batch = 5000
    done = 0
    while done < n:
        size = min(batch, n - done)
        shapes = [_draw(u, rng) for _i in range(size)]
        cases = []
        for i, s in enumerate(shapes):
            sub = _moment(s["submitted_on"], rng)
            acc = _moment(s["accepted_on"], rng) if s["accepted_on"] else None
            if acc is not None and acc < sub:
                acc = sub
            com = _moment(s["completed_on"], rng) if s["completed_on"] else None
            if com is not None and acc is not None and com < acc:
                com = acc
            applicant = rng.choice(u.enterprises if s["enterprise"] else u.people)
            state = (
                CaseState.COMPLETED
                if com
                else (CaseState.IN_PROGRESS if acc else CaseState.SUBMITTED)
            )
            cases.append(
                Case(
                    number=f"BENCH-{done + i:08d}",
                    title=s["version"].name,
                    package_version=s["version"] if s["is_package"] else None,
                    item_version=None if s["is_package"] else s["version"],
                    applicant=applicant,
                    channel=s["channel"],
                    accepting_region=s["county"],
                    region_code=s["county"].code,
                    hall=u.halls.get(s["county"].code[:6]),
                    state=state,
                    submitted_at=sub,
                    accepted_at=acc,
                    completed_at=com,
                    promised_days=s["promised_days"],
                )
            )
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=1000)
            events = []
            for c in cases:
                moments = [(EventKind.SUBMITTED, c.submitted_at)]
                if c.accepted_at:
                    moments.append((EventKind.ACCEPTED, c.accepted_at))
                if c.completed_at:
                    moments.append((EventKind.COMPLETED, c.completed_at))
                events.extend(
                    CaseEvent(case=c, seq=k + 1, kind=kind, at=at, hash="0" * 64)
                    for k, (kind, at) in enumerate(moments)
                )
            CaseEvent.objects.bulk_create(events, batch_size=2000)
        done += size
    return time.perf_counter() - started


def synthetic_aggregates(u: Universe, m: int) -> tuple[float, int]:
    """Replace the aggregates by those of m generated cases; (seconds, daily rows)."""
    from django.db import transaction

    from onestop.stats import figures, sql
    from onestop.stats.models import DailyDuration, DailyFigure

    rng = random.Random(SEED + 1)
    started = time.perf_counter()
    daily: dict[Any, dict[str, int]] = {}
    durations: dict[Any, int] = {}
    for _i in range(m):
        s = _draw(u, rng)
        v = s["version"]
        used = limit = None
        if s["completed_on"] is not None and s["accepted_on"] is not None:
            from onestop.workdays import calendar

            used = max(calendar.workdays_between(s["accepted_on"], s["completed_on"]).value, 0)
            limit = s["promised_days"]
        sla = getattr(v, "sla_days", None) if s["is_package"] else None
        sla_used = None
        if sla is not None and s["completed_on"] is not None:
            from onestop.workdays import calendar

            sla_used = max(calendar.workdays_between(s["submitted_on"], s["completed_on"]).value, 0)
        f = figures.Figure(
            event_seq=3,
            region_code=s["county"].code,
            department_id=(v.lead_department_id if s["is_package"] else v.department_id) or 0,
            item_code="" if s["is_package"] else v.item.basic_code,
            package_id=v.package_id if s["is_package"] else 0,
            channel=s["channel"],
            hall_id=getattr(u.halls.get(s["county"].code[:6]), "pk", 0),
            received_on=s["submitted_on"],
            accepted_on=s["accepted_on"],
            completed_on=s["completed_on"],
            is_enterprise=s["enterprise"],
            is_online=s["channel"] in figures.ONLINE_CHANNELS,
            is_package=s["is_package"],
            is_cross_domain=False,
            is_immediate=False,
            corrections=int(rng.random() < 0.1),
            pauses=0,
            extensions=0,
            used_days=used,
            limit_days=limit,
            is_on_time=None if used is None or limit is None else used <= limit,
            sla_days=sla,
            sla_used_days=sla_used,
            is_sla_met=None if sla_used is None or sla is None else sla_used <= sla,
        )
        figures.add_into(daily, durations, f)
    daily, durations = figures.nonzero(daily, durations)
    with transaction.atomic():
        DailyFigure.objects.all().delete()
        DailyDuration.objects.all().delete()
        sql.daily_figures_add(list(daily.items()))
        sql.daily_durations_add(list(durations.items()))
    return time.perf_counter() - started, len(daily)


def dashboard_once() -> float:
    from onestop.stats import selectors

    period = selectors.Period(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    started = time.perf_counter()
    selectors.figures_summary(region_code="4309", period=period)
    selectors.figures_trend(region_code="4309", period=period, step="month")
    for by in ("region", "channel", "department"):
        selectors.figures_breakdown(region_code="4309", period=period, by=by)
    return time.perf_counter() - started


def dashboard_median(runs: int = 3) -> tuple[float, list[float]]:
    dashboard_once()  # warm the calendar and the connection
    times = [dashboard_once() for _i in range(runs)]
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cases", type=int, default=100_000, help="case rows written (100,000)")
    parser.add_argument(
        "--synthetic-cases",
        type=int,
        default=1_000_000,
        help="cases whose aggregates the second dashboard run reads (1,000,000; 0 skips)",
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL admin URL")
    args = parser.parse_args()
    from _database import throwaway

    with throwaway(BENCH_DB, args.database_url):
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        import django

        django.setup()
        run(args)


def run(args: argparse.Namespace) -> None:
    from django.db import connection

    from onestop.stats import selectors, services
    from onestop.stats.models import DailyFigure

    t0 = time.perf_counter()
    prepare()
    server = (
        f"SQLite {connection.Database.sqlite_version}"
        if connection.vendor == "sqlite"
        else f"PostgreSQL {connection.pg_version // 10000}"
    )
    u = Universe()
    print(f"onestop bench/stats — {server}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(
        f"set-up {time.perf_counter() - t0:.1f} s: {len(u.counties)} counties, {len(u.items)} items, {len(u.packages)} packages"
    )
    seconds = write_cases(u, args.cases)
    print(
        f"\n{args.cases:,} cases and their events written in bulk in {seconds:.1f} s ({args.cases / seconds:,.0f} cases/s)"
    )
    # Planner statistics, as autovacuum would gather them on a server where it runs (here it
    # is off): without them each chunk of the recount seq-scans the event table (1 s a
    # chunk at a million cases), so the recount grew with the square of the cases.
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"ANALYZE {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    result = services.figures_rebuild()
    rebuild = time.perf_counter() - t
    print(
        f"full recount + write (onestop stats rebuild): {rebuild:.2f} s for {result.cases:,} cases → {result.daily_rows:,} daily rows ({result.cases / rebuild:,.0f} cases/s)"
    )
    t = time.perf_counter()
    check = selectors.figures_check()
    print(
        f"full recount compared (onestop stats check): {time.perf_counter() - t:.2f} s, ok={check.ok}"
    )
    median, times = dashboard_median()
    print(
        f"dashboard (city 4309, year {YEAR}) from the aggregates of {args.cases:,} cases: median {median * 1000:.1f} ms of {[round(x * 1000, 1) for x in times]}"
    )
    if args.synthetic_cases:
        seconds, rows = synthetic_aggregates(u, args.synthetic_cases)
        print(
            f"\naggregates of {args.synthetic_cases:,} generated cases: {rows:,} daily rows (computed and written in {seconds:.1f} s)"
        )
        median, times = dashboard_median()
        print(
            f"dashboard (city 4309, year {YEAR}) from them: median {median * 1000:.1f} ms of {[round(x * 1000, 1) for x in times]}"
        )
        print(f"DailyFigure rows in the table: {DailyFigure.objects.count():,}")
    print(f"\ntotal run {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
