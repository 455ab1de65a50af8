"""What a case contributes to the figures, computed from the case rows and its event log.

One definition serves the incremental refresh, the rebuild and the recount that checks
them, so the three cannot disagree about what a figure means:

- **received** (收件) on the day the case was submitted; **corrections** (补正) are counted
  there too (``correction_requested`` events), so corrections per case = corrections / received;
- **accepted** (受理, the press release's 办件) on the day of the first acceptance; on that day
  also: enterprise (applicant kind), online (channel online or mobile), package (一件事),
  cross-domain (跨域通办: some item task is handled in a region other than the receiving one),
  special procedures (特别程序) and approved extensions (延期);
- **completed** (办结) on the day of completion, with the working days used — working days
  from the acceptance day to the completion day, less the working days its tasks were paused
  — against the limit (the promised limit plus approved extensions); on time when used ≤
  limit; 即办件 when the item's case type is immediate; village-centre completion by channel;
- **限时办结** ("2、5、6") on the day of completion, for a case of a package whose version sets
  ``sla_days``: the working days after the submission day up to the completion day
  (``workdays.calendar``; nothing subtracted: the applicant's wait, 补正 and 特别程序
  included), met when ≤ ``sla_days``;
- **分钟时限** (办事不出村, the village centres' 30-minute promise) on the day of completion,
  for a case whose limit is in minutes (``TimeUnit.MINUTE``, from the package version's
  ``promised_minutes``): the whole natural minutes from acceptance to completion (nothing
  subtracted: the applicant waits at the counter), met when ≤ the limit. Such a case counts
  on time or late by the same minutes, its used days are the working days it took (0 the
  same day) against a limit of 0.

Days are Asia/Shanghai dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Count, F, Max, Q, Sum

from onestop.accounts.models import ApplicantKind
from onestop.cases.models import Case, CaseEvent, Extension, ItemTask, Pause
from onestop.cases.states import CaseState, Channel, EventKind, ExtensionState
from onestop.catalog.models import CaseType
from onestop.core import clock
from onestop.stats.models import DAILY_MEASURES, CaseFigure, Dimension, Grain
from onestop.workdays import calendar
from onestop.workdays.units import TimeUnit

ONLINE_CHANNELS = frozenset({Channel.ONLINE, Channel.MOBILE})

# The events after which a case's figure may differ: what it reads is set by these alone
# (submission, 补正, first acceptance and the tasks it creates, completion, a special
# procedure and its paused days, an approved extension). The handler listens to these
# only and a figure remembers the last of them it has seen, so the other transitions
# (claims, single approvals, hand-out) cost the figures nothing.
FIGURE_EVENTS = frozenset(
    {
        EventKind.SUBMITTED,
        EventKind.CORRECTION_REQUESTED,
        EventKind.ACCEPTED,
        EventKind.TASK_CREATED,
        EventKind.COMPLETED,
        EventKind.TASK_PAUSED,
        EventKind.TASK_RESUMED,
        EventKind.EXTENSION_APPROVED,
    }
)
CHUNK = 2000

DailyKey = tuple[
    Any, ...
]  # (day, region_code, department_id, item_code, package_id, channel, hall_id)
DurationKey = tuple[str, dt.date, str, int]  # (grain, day, region_code, used_days)


@dataclass(frozen=True)
class Figure:
    """The values of a ``CaseFigure`` row (without the case)."""

    event_seq: int
    region_code: str
    department_id: int
    item_code: str
    package_id: int
    channel: str
    hall_id: int
    received_on: dt.date | None
    accepted_on: dt.date | None
    completed_on: dt.date | None
    is_enterprise: bool
    is_online: bool
    is_package: bool
    is_cross_domain: bool
    is_immediate: bool
    corrections: int
    pauses: int
    extensions: int
    used_days: int | None
    limit_days: int | None
    is_on_time: bool | None
    sla_days: int | None
    sla_used_days: int | None
    is_sla_met: bool | None
    promised_minutes: int | None
    used_minutes: int | None
    is_minutes_met: bool | None

    @classmethod
    def of(cls, row: CaseFigure) -> Figure:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    def as_fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _day(moment: dt.datetime | None) -> dt.date | None:
    return clock.local(moment).date() if moment is not None else None


def _days_between(start: dt.date, end: dt.date, unit: str) -> int:
    if end <= start:
        return 0
    if unit == TimeUnit.NATURAL_DAY:
        return (end - start).days
    return calendar.workdays_between(start, end).value


def _compute(cases: list[dict[str, Any]]) -> dict[int, Figure]:
    ids = [c["pk"] for c in cases]
    seqs: dict[int, int] = {}
    corrections: dict[int, int] = {}
    # ``order_by()`` on each sum: the models' default orderings name the case or the task,
    # and Django keeps their joins in a grouped query although it drops the ordering (two
    # joins for nothing; the event sum of a 2,000-case chunk took 53 ms instead of 20 at
    # 1M cases, bench/stats.py).
    for case_id, last, n in (
        CaseEvent.objects.filter(case_id__in=ids, kind__in=FIGURE_EVENTS)
        .order_by()
        .values("case_id")
        .annotate(m=Max("seq"), n=Count("pk", filter=Q(kind=EventKind.CORRECTION_REQUESTED)))
        .values_list("case_id", "m", "n")
    ):
        seqs[case_id], corrections[case_id] = last, n
    pauses: dict[int, tuple[int, int]] = {
        row["case_id"]: (row["n"], row["d"] or 0)
        for row in Pause.objects.filter(case_id__in=ids)
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"), d=Sum("paused_workdays"))
    }
    extensions: dict[int, tuple[int, int]] = {
        row["case_id"]: (row["n"], row["d"] or 0)
        for row in Extension.objects.filter(case_id__in=ids, state=ExtensionState.APPROVED)
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"), d=Sum("days"))
    }
    cross = set(
        ItemTask.objects.filter(case_id__in=ids)
        .exclude(region_code=F("case__region_code"))
        .order_by()
        .values_list("case_id", flat=True)
        .distinct()
    )
    out: dict[int, Figure] = {}
    for c in cases:
        pk = c["pk"]
        n_pauses, paused_days = pauses.get(pk, (0, 0))
        n_ext, ext_days = extensions.get(pk, (0, 0))
        accepted_on, completed_on = _day(c["accepted_at"]), _day(c["completed_at"])
        used = limit = None
        on_time = None
        minutes = c["promised_days"] if c["promised_unit"] == TimeUnit.MINUTE else None
        used_minutes = minutes_met = None
        if minutes is not None and c["accepted_at"] is not None and c["completed_at"] is not None:
            used_minutes = max(int((c["completed_at"] - c["accepted_at"]).total_seconds() // 60), 0)
            minutes_met = used_minutes <= minutes
        if accepted_on is not None and completed_on is not None:
            if minutes is not None:  # days of a minutes case: 0 allowed, on time by minutes
                used = _days_between(accepted_on, completed_on, TimeUnit.WORKDAY)
                limit = 0
                on_time = bool(minutes_met)
            else:
                gross = _days_between(accepted_on, completed_on, c["promised_unit"])
                used = max(gross - paused_days, 0)
                limit = c["promised_days"] + ext_days
                on_time = used <= limit
        is_package = c["package_version_id"] is not None
        received_on = _day(c["submitted_at"])
        sla = c["package_version__sla_days"] if is_package else None
        sla_used = sla_met = None
        if sla is not None and received_on is not None and completed_on is not None:
            sla_used = _days_between(received_on, completed_on, TimeUnit.WORKDAY)
            sla_met = sla_used <= sla
        out[pk] = Figure(
            event_seq=seqs.get(pk, 0),
            region_code=c["region_code"],
            department_id=(
                c["package_version__lead_department_id"]
                if is_package
                else c["item_version__department_id"]
            )
            or 0,
            item_code="" if is_package else c["item_version__item__basic_code"],
            package_id=c["package_version__package_id"] or 0,
            channel=c["channel"],
            hall_id=c["hall_id"] or 0,
            received_on=received_on,
            accepted_on=accepted_on,
            completed_on=completed_on,
            is_enterprise=c["applicant__kind"] == ApplicantKind.ENTERPRISE,
            is_online=c["channel"] in ONLINE_CHANNELS,
            is_package=is_package,
            is_cross_domain=pk in cross,
            is_immediate=not is_package and c["item_version__case_type"] == CaseType.IMMEDIATE,
            corrections=corrections.get(pk, 0),
            pauses=n_pauses,
            extensions=n_ext,
            used_days=used,
            limit_days=limit,
            is_on_time=on_time,
            sla_days=sla,
            sla_used_days=sla_used,
            is_sla_met=sla_met,
            promised_minutes=minutes,
            used_minutes=used_minutes,
            is_minutes_met=minutes_met,
        )
    return out


_CASE_VALUES = (
    "pk",
    "region_code",
    "channel",
    "hall_id",
    "submitted_at",
    "accepted_at",
    "completed_at",
    "promised_days",
    "promised_unit",
    "package_version_id",
    "package_version__package_id",
    "package_version__lead_department_id",
    "package_version__sla_days",
    "item_version__department_id",
    "item_version__item__basic_code",
    "item_version__case_type",
    "applicant__kind",
)


def _counted() -> Q:
    """Cases that count: submitted ones (a draft has not reached the government yet)."""
    return ~Q(state=CaseState.DRAFT) & Q(submitted_at__isnull=False)


def figures_compute(case_ids: Iterable[int]) -> dict[int, Figure]:
    """The figures of these cases now (a draft or a missing case has none)."""
    ids = list(case_ids)
    out: dict[int, Figure] = {}
    for i in range(0, len(ids), CHUNK):
        rows = list(
            Case.objects.filter(_counted(), pk__in=ids[i : i + CHUNK]).values(*_CASE_VALUES)
        )
        out.update(_compute(rows))
    return out


def figures_compute_all() -> Iterator[tuple[int, Figure]]:
    """Every counted case's figures, in chunks by primary key (the full recount)."""
    last = 0
    while True:
        rows = list(
            Case.objects.filter(_counted(), pk__gt=last)
            .order_by("pk")
            .values(*_CASE_VALUES)[:CHUNK]
        )
        if not rows:
            return
        yield from _compute(rows).items()
        last = rows[-1]["pk"]


# ------------------------------------------------------------------ contributions


def _grains(day: dt.date) -> tuple[tuple[str, dt.date], tuple[str, dt.date]]:
    return (Grain.DAY, day), (Grain.MONTH, day.replace(day=1))


def _keys(f: Figure, day: dt.date) -> list[DailyKey]:
    """The rows a case adds to for a day: its region's total and one per dimension, each
    for the day and for its month."""
    item = f.item_code if not f.is_package else f"P{f.package_id}"
    splits = (
        (Dimension.TOTAL, ""),
        (Dimension.CHANNEL, f.channel),
        (Dimension.DEPARTMENT, str(f.department_id)),
        (Dimension.ITEM, item),
        (Dimension.HALL, str(f.hall_id)),
    )
    return [
        (grain, when, f.region_code, dimension, key)
        for grain, when in _grains(day)
        for dimension, key in splits
    ]


def _parts(f: Figure) -> list[tuple[dt.date, dict[str, int]]]:
    """What a case adds on each of its days (received, accepted, completed)."""
    parts: list[tuple[dt.date, dict[str, int]]] = []
    if f.received_on is not None:
        parts.append(
            (
                f.received_on,
                {
                    "received": 1,
                    "enterprise_received": int(f.is_enterprise),
                    "online_received": int(f.is_online),
                    "corrections": f.corrections,
                },
            )
        )
    if f.accepted_on is not None:
        parts.append(
            (
                f.accepted_on,
                {
                    "accepted": 1,
                    "enterprise_accepted": int(f.is_enterprise),
                    "online_accepted": int(f.is_online),
                    "online_enterprise_accepted": int(f.is_online and f.is_enterprise),
                    "package_accepted": int(f.is_package),
                    "cross_domain_accepted": int(f.is_cross_domain),
                    "pauses": f.pauses,
                    "extensions": f.extensions,
                },
            )
        )
    if f.completed_on is not None:
        done = {
            "completed": 1,
            "enterprise_completed": int(f.is_enterprise),
            "village_completed": int(f.channel == Channel.VILLAGE_CENTRE),
            "immediate_completed": int(f.is_immediate),
        }
        if f.used_days is not None and f.limit_days is not None:
            done.update(
                on_time=int(bool(f.is_on_time)),
                late=int(not f.is_on_time),
                used_days_sum=f.used_days,
                limit_days_sum=f.limit_days,
            )
        if f.is_sla_met is not None:
            done.update(sla_completed=1, sla_met=int(f.is_sla_met))
        if f.is_minutes_met is not None:
            done.update(minutes_completed=1, minutes_met=int(f.is_minutes_met))
        parts.append((f.completed_on, done))
    return parts


def add_into(
    daily: dict[DailyKey, dict[str, int]],
    durations: dict[DurationKey, int],
    f: Figure,
    sign: int = 1,
) -> None:
    """Add (or with ``sign=-1`` subtract) a case's contribution into running sums: the
    daily rows by key and measure, and the durations of a completed case."""
    for day, measures in _parts(f):
        changes = [(name, sign * value) for name, value in measures.items() if value]
        for key in _keys(f, day):
            row = daily.get(key)
            if row is None:
                row = daily[key] = dict.fromkeys(DAILY_MEASURES, 0)
            for name, value in changes:
                row[name] += value
    if f.completed_on is not None and f.used_days is not None and f.limit_days is not None:
        for grain, when in _grains(f.completed_on):
            dkey = (grain, when, f.region_code, f.used_days)
            durations[dkey] = durations.get(dkey, 0) + sign


def nonzero(
    daily: dict[DailyKey, dict[str, int]], durations: dict[DurationKey, int]
) -> tuple[dict[DailyKey, dict[str, int]], dict[DurationKey, int]]:
    """The same sums without the rows that add up to nothing."""
    return (
        {k: v for k, v in daily.items() if any(v.values())},
        {k: n for k, n in durations.items() if n},
    )
