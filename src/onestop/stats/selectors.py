"""Reads of stats: the figures for a region subtree and a period, from the aggregate rows.

A region subtree is a code prefix (``regions``: "everything under X" is
``code__startswith=X.code``); a period is two Asia/Shanghai dates, both included. What each
figure means is defined once, in ``stats.figures``; here they are summed and divided.

Live reads (not from the aggregates, because they are small or a state of *now*): the
consultations, the items' online depth, the cases overdue right now, the officers' figures
and the ratings (from the evaluations app once it exposes a selector, else no data).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth, TruncWeek
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from onestop.accounts.models import Staff
from onestop.cases.models import Case, ItemTask
from onestop.cases.states import CASE_CLOCK_STATES, TASK_CROSS_REGION_MODES, Channel, TaskState
from onestop.catalog.models import (
    OnlineDepth,
    Package,
    PackageVersion,
    ServiceItem,
    ServiceItemVersion,
    VersionStatus,
)
from onestop.core import clock
from onestop.core.errors import NotFound, ValidationFailed
from onestop.regions.models import CODE_LENGTH, LEVEL_ORDER, Department, Hall, Region, RegionLevel
from onestop.regions.selectors import region_get
from onestop.stats import figures
from onestop.stats.models import (
    DAILY_MEASURES,
    Consultation,
    ConsultationChannel,
    DailyDuration,
    DailyFigure,
    Dimension,
    Grain,
)

log = logging.getLogger(__name__)


def depth_target() -> float:
    """The share of items at online depth Ⅲ or above aimed at (ONESTOP_STATS_DEPTH_TARGET)."""
    return float(getattr(settings, "ONESTOP_STATS_DEPTH_TARGET", 0.70))


def max_period_days() -> int:
    return int(getattr(settings, "ONESTOP_STATS_MAX_PERIOD_DAYS", 3 * 366 + 1))


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_clean(start: dt.date | None, end: dt.date | None) -> Period:
    """The period asked for; by default this year up to today. Refuse an inverted or huge one."""
    today = clock.today()
    end = end or today
    start = start or end.replace(month=1, day=1)
    if start > end:
        raise ValidationFailed(_("开始日期不能晚于结束日期。"), field="start")
    if (end - start).days + 1 > max_period_days():
        raise ValidationFailed(_("统计期间最长%(n)d天。") % {"n": max_period_days()}, field="start")
    return Period(start, end)


def _ratio(part: int | float, whole: int | float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Ratings:
    """What the evaluations app reports for the region and period."""

    total: int
    good_rate: float | None


@dataclass
class Figures:
    """The figures of a region subtree for a period."""

    region: Region
    period: Period
    sums: dict[str, int]
    p90_used_days: int | None
    consultations: int
    consultations_by_channel: dict[str, int]
    depth_items: int
    depth_3: int
    depth_4: int
    overdue_open: int
    ratings: Ratings | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        sums = self.__dict__.get("sums", {})
        if name in sums:
            return int(sums[name])
        raise AttributeError(name)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.sums["on_time"], self.sums["on_time"] + self.sums["late"])

    @property
    def sla_rate(self) -> float | None:
        """限时办结 ("2、5、6") met: package cases completed within their version's
        ``sla_days`` working days of submission / package cases with a target completed."""
        return _ratio(self.sums["sla_met"], self.sums["sla_completed"])

    @property
    def minutes_rate(self) -> float | None:
        """办事不出村: cases with a limit in minutes completed within it / such cases
        completed (the village centres' 30-minute promise)."""
        return _ratio(self.sums["minutes_met"], self.sums["minutes_completed"])

    @property
    def online_rate(self) -> float | None:
        """网办率 of the press release: enterprise cases handled online / enterprise cases."""
        return _ratio(self.sums["online_enterprise_accepted"], self.sums["enterprise_accepted"])

    @property
    def online_rate_all(self) -> float | None:
        return _ratio(self.sums["online_accepted"], self.sums["accepted"])

    @property
    def avg_used_days(self) -> float | None:
        return _ratio(self.sums["used_days_sum"], self.sums["on_time"] + self.sums["late"])

    @property
    def avg_limit_days(self) -> float | None:
        return _ratio(self.sums["limit_days_sum"], self.sums["on_time"] + self.sums["late"])

    @property
    def immediate_share(self) -> float | None:
        return _ratio(self.sums["immediate_completed"], self.sums["completed"])

    @property
    def corrections_per_case(self) -> float | None:
        return _ratio(self.sums["corrections"], self.sums["received"])

    @property
    def depth_share(self) -> float | None:
        """Share of the subtree's published items at online depth Ⅲ or Ⅳ."""
        return _ratio(self.depth_3 + self.depth_4, self.depth_items)

    @property
    def depth_target_met(self) -> bool | None:
        share = self.depth_share
        return None if share is None else share >= depth_target()


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def grain_q(period: Period, *, days_only: bool = False) -> Q:
    """The rows that sum a period exactly: month rows for its whole months, day rows for
    the days before the first and after the last whole month."""
    day_rows = Q(grain=Grain.DAY)
    first = (
        period.start if period.start.day == 1 else _month_end(period.start) + dt.timedelta(days=1)
    )
    last = (
        period.end
        if period.end == _month_end(period.end)
        else period.end.replace(day=1) - dt.timedelta(days=1)
    )
    if days_only or first > last:
        return day_rows & Q(day__gte=period.start, day__lte=period.end)
    return (
        Q(grain=Grain.MONTH, day__gte=first, day__lte=last)
        | (day_rows & Q(day__gte=period.start, day__lt=first))
        | (day_rows & Q(day__gt=last, day__lte=period.end))
    )


def _daily(
    region_code: str, period: Period, dimension: str = Dimension.TOTAL, *, days_only: bool = False
) -> QuerySet[DailyFigure]:
    return DailyFigure.objects.filter(
        grain_q(period, days_only=days_only),
        dimension=dimension,
        region_code__startswith=region_code,
    )


def _sums(qs: QuerySet[DailyFigure]) -> dict[str, int]:
    row = qs.aggregate(**{name: Sum(name) for name in DAILY_MEASURES})
    return {name: int(row[name] or 0) for name in DAILY_MEASURES}


def _percentile(counts: Iterable[tuple[int, int]], q: float) -> int | None:
    """The smallest value with at least ``q`` of the weight at or below it (nearest rank)."""
    pairs = sorted(counts)
    total = sum(n for _v, n in pairs)
    if not total:
        return None
    rank = max(1, -(-int(q * total * 1000) // 1000))  # ceil(q·total) without float noise
    seen = 0
    for value, n in pairs:
        seen += n
        if seen >= rank:
            return value
    return pairs[-1][0]


def p90_used_days(*, region_code: str, period: Period) -> int | None:
    """The 90th percentile of the working days used by cases completed in the period."""
    rows = (
        DailyDuration.objects.filter(grain_q(period), region_code__startswith=region_code)
        .values("used_days")
        .annotate(n=Sum("count"))
        .values_list("used_days", "n")
    )
    return _percentile(((int(v), int(n)) for v, n in rows), 0.9)


def _moment_range(period: Period) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)
    return start, end


def consultations_count(*, region_code: str, period: Period) -> dict[str, int]:
    """Consultations in the subtree and period, by channel."""
    start, end = _moment_range(period)
    rows = (
        Consultation.objects.filter(region_code__startswith=region_code, at__gte=start, at__lt=end)
        .values("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    counts = dict.fromkeys(ConsultationChannel.values, 0)
    counts.update({str(c): int(n) for c, n in rows})
    return counts


def depth_counts(*, region_code: str) -> dict[int, int]:
    """Published items implemented by departments of the subtree, by online depth (1–4)."""
    rows = (
        ServiceItemVersion.objects.filter(
            status=VersionStatus.PUBLISHED, department__region__code__startswith=region_code
        )
        .values("online_depth")
        .annotate(n=Count("pk"))
        .values_list("online_depth", "n")
    )
    counts = dict.fromkeys(OnlineDepth.values, 0)
    counts.update({int(d): int(n) for d, n in rows})
    return counts


def overdue_open_count(*, region_code: str) -> int:
    """Cases of the subtree whose clock runs and whose stored due date has passed, now."""
    return Case.objects.filter(
        region_code__startswith=region_code, state__in=CASE_CLOCK_STATES, due_at__lt=clock.now()
    ).count()


RatingsSource = Callable[..., Any]


def _ratings_source() -> RatingsSource | None:
    """The evaluations app's rates selector (``rates_for``), if it exposes one."""
    try:
        module = importlib.import_module("onestop.evaluations.selectors")
    except ImportError:
        return None
    source = getattr(module, "rates_for", None)
    return source if callable(source) else None


RATINGS_CACHE_SECONDS = 300


def ratings_summary(*, region_code: str, period: Period) -> Ratings | None:
    """Ratings of the subtree and period, or None (no data) while the evaluations app has none.

    Read through the cache for a few minutes: the evaluations selector also counts the
    completed cases from the case table, which the dashboard must not do on every view.
    """
    source = _ratings_source()
    if source is None:
        return None
    key = f"stats:ratings:{region_code}:{period.start}:{period.end}"
    cached = cache.get(key)
    if cached is not None:
        return cached if isinstance(cached, Ratings) else None
    found = _ratings_read(source, region_code=region_code, period=period)
    cache.set(key, found if found is not None else "none", RATINGS_CACHE_SECONDS)
    return found


def _ratings_read(source: RatingsSource, *, region_code: str, period: Period) -> Ratings | None:
    start, end = _moment_range(period)
    try:
        with transaction.atomic():  # a failed read must not break the caller's transaction
            found = source(start=start, end=end, region_code=region_code)
    except Exception:  # a figure shows "no data", never an error
        log.exception("evaluations.selectors.rates_for failed; ratings shown as no data")
        return None
    total = int(getattr(found, "ratings", 0) or 0)
    if not total:
        return None
    rate = getattr(found, "good_rate", None)
    return Ratings(total=total, good_rate=float(rate) if rate is not None else None)


def figures_summary(*, region_code: str, period: Period) -> Figures:
    """Every headline figure of the subtree for the period."""
    region = region_get(code=region_code) if region_code else _top_region()
    depths = depth_counts(region_code=region.code)
    by_channel = consultations_count(region_code=region.code, period=period)
    return Figures(
        region=region,
        period=period,
        sums=_sums(_daily(region.code, period)),
        p90_used_days=p90_used_days(region_code=region.code, period=period),
        consultations=sum(by_channel.values()),
        consultations_by_channel=by_channel,
        depth_items=sum(depths.values()),
        depth_3=depths[OnlineDepth.LEVEL_3],
        depth_4=depths[OnlineDepth.LEVEL_4],
        overdue_open=overdue_open_count(region_code=region.code),
        ratings=ratings_summary(region_code=region.code, period=period),
    )


def _top_region() -> Region:
    region = Region.objects.order_by("code").first()
    if region is None:
        raise ValidationFailed(_("尚未建立行政区划。"), field="region")
    return region


# ------------------------------------------------------------------ breakdowns


@dataclass(frozen=True)
class Row:
    """One line of a breakdown table."""

    key: str
    label: str
    received: int
    accepted: int
    completed: int
    on_time: int
    late: int
    used_days_sum: int
    online_accepted: int
    enterprise_accepted: int

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.on_time + self.late)

    @property
    def avg_used_days(self) -> float | None:
        return _ratio(self.used_days_sum, self.on_time + self.late)

    @property
    def online_rate(self) -> float | None:
        return _ratio(self.online_accepted, self.accepted)


_ROW_MEASURES = (
    "received",
    "accepted",
    "completed",
    "on_time",
    "late",
    "used_days_sum",
    "online_accepted",
    "enterprise_accepted",
)
BREAKDOWNS = ("region", "channel", "department", "item", "hall", "officer")


def _child_length(region: Region) -> int:
    index = LEVEL_ORDER.index(RegionLevel(region.level))
    if index + 1 >= len(LEVEL_ORDER):
        return CODE_LENGTH[RegionLevel(region.level)]
    return CODE_LENGTH[LEVEL_ORDER[index + 1]]


def _labels(by: str, keys: list[str], region: Region) -> dict[str, str]:
    if by == "channel":
        return {k: str(Channel(k).label) if k in Channel.values else k for k in keys}
    if by == "region":
        names = dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
        return {
            k: names.get(k, k) if k != region.code else _("%(name)s本级") % {"name": region.name}
            for k in keys
        }
    ids = [int(k) for k in keys if k.lstrip("-").isdigit()]
    if by == "department":
        by_id = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
        return {k: by_id.get(int(k), _("未指定部门")) for k in keys}
    if by == "hall":
        halls = dict(Hall.objects.filter(pk__in=ids).values_list("pk", "name"))
        return {k: halls.get(int(k), _("不经大厅（网上、移动端等）")) for k in keys}
    return {}


def figures_breakdown(*, region_code: str, period: Period, by: str) -> list[Row]:
    """The main figures of the subtree and period split by one dimension, largest first."""
    if by not in BREAKDOWNS:
        raise ValidationFailed(_("不支持的分组方式：%(by)s。") % {"by": by}, field="by")
    region = region_get(code=region_code)
    if by == "officer":
        return officer_rows(region_code=region.code, period=period)
    if by == "item":
        return _item_rows(_daily(region.code, period, Dimension.ITEM))
    column: Any
    if by == "region":
        qs = _daily(region.code, period)
        column = Substr("region_code", 1, _child_length(region))
    else:
        qs = _daily(
            region.code,
            period,
            {
                "channel": Dimension.CHANNEL,
                "department": Dimension.DEPARTMENT,
                "hall": Dimension.HALL,
            }[by],
        )
        column = F("key")
    rows = list(qs.annotate(k=column).values("k").annotate(**{m: Sum(m) for m in _ROW_MEASURES}))
    keys = [str(r["k"]) for r in rows]
    labels = _labels(by, keys, region)
    out = [
        Row(
            key=str(r["k"]),
            label=labels.get(str(r["k"]), str(r["k"])),
            **{m: int(r[m] or 0) for m in _ROW_MEASURES},
        )
        for r in rows
    ]
    return sorted(out, key=lambda r: (-r.accepted, -r.received, r.key))


def _item_rows(qs: QuerySet[DailyFigure]) -> list[Row]:
    rows = list(qs.values("key").annotate(**{m: Sum(m) for m in _ROW_MEASURES}))
    codes = [r["key"] for r in rows if not r["key"].startswith("P")]
    item_names = dict(
        ServiceItem.objects.filter(basic_code__in=codes).values_list("basic_code", "name")
    )
    package_ids = [
        int(r["key"][1:]) for r in rows if r["key"].startswith("P") and r["key"][1:].isdigit()
    ]
    package_names = dict(Package.objects.filter(pk__in=package_ids).values_list("pk", "name"))
    out = []
    for r in rows:
        key = str(r["key"])
        if key.startswith("P") and key[1:].isdigit():
            label = _("一件事：%(name)s") % {"name": package_names.get(int(key[1:]), key)}
        else:
            label = item_names.get(key, key)
        out.append(Row(key=key, label=str(label), **{m: int(r[m] or 0) for m in _ROW_MEASURES}))
    return sorted(out, key=lambda r: (-r.accepted, -r.received, r.key))


@dataclass(frozen=True)
class SlaRow:
    """限时办结 of one package: its target (the published version's) and what was met."""

    package_id: int
    code: str
    name: str
    sla_days: int | None
    completed: int
    met: int

    @property
    def late(self) -> int:
        return self.completed - self.met

    @property
    def rate(self) -> float | None:
        return _ratio(self.met, self.completed)


def package_sla_rows(*, region_code: str, period: Period) -> list[SlaRow]:
    """The "2、5、6" figure per package: package cases completed in the period that had a
    target, and how many met it (from the package rows of the item split)."""
    rows = list(
        _daily(region_code, period, Dimension.ITEM)
        .filter(key__startswith="P", sla_completed__gt=0)
        .values("key")
        .annotate(completed=Sum("sla_completed"), met=Sum("sla_met"))
    )
    ids = [int(r["key"][1:]) for r in rows if r["key"][1:].isdigit()]
    packages = {p.pk: p for p in Package.objects.filter(pk__in=ids)}
    targets = dict(
        PackageVersion.objects.filter(
            package_id__in=ids, status=VersionStatus.PUBLISHED
        ).values_list("package_id", "sla_days")
    )
    out = []
    for r in rows:
        if not r["key"][1:].isdigit():
            continue
        pk = int(r["key"][1:])
        package = packages.get(pk)
        out.append(
            SlaRow(
                package_id=pk,
                code=package.code if package else r["key"],
                name=package.name if package else r["key"],
                sla_days=targets.get(pk),
                completed=int(r["completed"] or 0),
                met=int(r["met"] or 0),
            )
        )
    return sorted(out, key=lambda r: (r.sla_days is None, r.sla_days or 0, r.code))


@dataclass(frozen=True)
class MinutesRow:
    """The minutes promise (30 分钟立等可取) at one village: completed, and within it."""

    region_code: str
    name: str
    completed: int
    met: int

    @property
    def late(self) -> int:
        return self.completed - self.met

    @property
    def rate(self) -> float | None:
        return _ratio(self.met, self.completed)


def village_minutes_rows(*, region_code: str, period: Period) -> list[MinutesRow]:
    """The minutes figure per village (村/社区) of the subtree: cases received there whose
    limit is in minutes, completed in the period, and how many within the limit."""
    rows = list(
        _daily(region_code, period)
        .filter(minutes_completed__gt=0)
        .values("region_code")
        .annotate(completed=Sum("minutes_completed"), met=Sum("minutes_met"))
    )
    names = dict(
        Region.objects.filter(code__in=[r["region_code"] for r in rows]).values_list("code", "name")
    )
    out = [
        MinutesRow(
            region_code=r["region_code"],
            name=names.get(r["region_code"], r["region_code"]),
            completed=int(r["completed"] or 0),
            met=int(r["met"] or 0),
        )
        for r in rows
    ]
    return sorted(out, key=lambda r: r.region_code)


def officer_rows(*, region_code: str, period: Period) -> list[Row]:
    """Item tasks decided in the period by each officer of the subtree (live, from the tasks).

    "Accepted" is the tasks they decided; on time when decided by the task's due date.
    """
    start, end = _moment_range(period)
    decided = ItemTask.objects.filter(
        region_code__startswith=region_code,
        decided_at__gte=start,
        decided_at__lt=end,
        decided_by__isnull=False,
        state__in=[TaskState.APPROVED, TaskState.DENIED],
    )
    rows = list(
        decided.values("decided_by_id", "decided_by__name").annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(due_at__isnull=True) | Q(decided_at__lte=F("due_at"))),
        )
    )
    out = [
        Row(
            key=str(r["decided_by_id"]),
            label=str(r["decided_by__name"]),
            received=int(r["n"]),
            accepted=int(r["n"]),
            completed=int(r["n"]),
            on_time=int(r["on_time"]),
            late=int(r["n"]) - int(r["on_time"]),
            used_days_sum=0,
            online_accepted=0,
            enterprise_accepted=0,
        )
        for r in rows
    ]
    return sorted(out, key=lambda r: (-r.completed, r.label))


# ------------------------------------------------------------------ trend

STEPS = ("day", "week", "month")


@dataclass(frozen=True)
class TrendPoint:
    start: dt.date
    received: int
    accepted: int
    completed: int
    online_accepted: int


def figures_trend(*, region_code: str, period: Period, step: str) -> list[TrendPoint]:
    """Received, accepted and completed cases per day, week (from Monday) or month."""
    if step not in STEPS:
        raise ValidationFailed(_("不支持的时间粒度：%(step)s。") % {"step": step}, field="step")
    region = region_get(code=region_code)
    qs = _daily(region.code, period, days_only=step != "month")
    bucket: Any = (
        F("day") if step == "day" else (TruncWeek("day") if step == "week" else TruncMonth("day"))
    )
    measures = ("received", "accepted", "completed", "online_accepted")
    rows = qs.annotate(b=bucket).values("b").annotate(**{m: Sum(m) for m in measures}).order_by("b")
    points: dict[dt.date, TrendPoint] = {}
    for r in rows:
        b = r["b"]
        day = b.date() if isinstance(b, dt.datetime) else b
        points[day] = TrendPoint(day, *(int(r[m] or 0) for m in measures))
    return [points[d] for d in sorted(points)]


# ------------------------------------------------------------------ press release


def _area_word(region: Region) -> tuple[str, str]:
    """("全市", "市各级") for a city, ("全县", "县各级") for a county, by level and name."""
    if region.level == RegionLevel.PROVINCE:
        return _("全省"), _("省各级")
    if region.level == RegionLevel.CITY:
        return _("全市"), _("市各级")
    if region.level == RegionLevel.COUNTY:
        if region.name.endswith("区"):
            return _("全区"), _("区各级")
        if region.name.endswith("市"):
            return _("全市"), _("市各级")
        return _("全县"), _("县各级")
    if region.level == RegionLevel.TOWNSHIP:
        return (
            (_("全街道"), _("街道")) if region.name.endswith("街道") else (_("全乡镇"), _("乡镇"))
        )
    return _("全村（社区）"), _("村（社区）")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def press_release_text(*, region_code: str, period: Period) -> str:
    """The press release's paragraph, computed from the data (see ../shared/seed)."""
    f = figures_summary(region_code=region_code, period=period)
    whole, levels = _area_word(f.region)
    text = _(
        "%(start)s至%(end)s，%(whole)s共受理各类网络、电话咨询%(consultations)d人次，"
        "%(levels)s累计办理各类政务服务事项%(accepted)d件，其中为企业审批服务办件数%(enterprise)d件，"
        "网上办理%(online)d件，为企业审批服务网办比率%(rate)s。"
    ) % {
        "start": _date_zh(period.start),
        "end": _date_zh(period.end),
        "whole": whole,
        "consultations": f.consultations_by_channel[ConsultationChannel.PHONE]
        + f.consultations_by_channel[ConsultationChannel.ONLINE],
        "levels": levels,
        "accepted": f.accepted,
        "enterprise": f.enterprise_accepted,
        "online": f.online_enterprise_accepted,
        "rate": _percent(f.online_rate),
    }
    more = _(
        "“一件事一次办”办件%(package)d件，跨域通办%(cross)d件，村（社区）便民服务站办结%(village)d件；"
        "按时办结率%(on_time)s；网上办理深度达到Ⅲ级的事项%(d3)d项、Ⅳ级%(d4)d项，Ⅲ级及以上占%(share)s。"
    ) % {
        "package": f.package_accepted,
        "cross": f.cross_domain_accepted,
        "village": f.village_completed,
        "on_time": _percent(f.on_time_rate),
        "d3": f.depth_3,
        "d4": f.depth_4,
        "share": _percent(f.depth_share),
    }
    return text + more


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# ------------------------------------------------------------------ check


@dataclass(frozen=True)
class CheckResult:
    cases: int
    daily_rows: int
    duration_rows: int
    differences: list[str]

    @property
    def ok(self) -> bool:
        return not self.differences


def figures_check(*, show: int = 20) -> CheckResult:
    """Recount every case from scratch and compare with the aggregate rows."""
    daily: dict[figures.DailyKey, dict[str, int]] = {}
    durations: dict[figures.DurationKey, int] = {}
    cases = 0
    for _case_id, figure in figures.figures_compute_all():
        cases += 1
        figures.add_into(daily, durations, figure)
    daily, durations = figures.nonzero(daily, durations)
    stored: dict[figures.DailyKey, dict[str, int]] = {}
    for row in DailyFigure.objects.all().iterator(chunk_size=5000):
        key = (row.grain, row.day, row.region_code, row.dimension, row.key)
        stored[key] = {m: getattr(row, m) for m in DAILY_MEASURES}
    stored_durations = {
        (d.grain, d.day, d.region_code, d.used_days): d.count
        for d in DailyDuration.objects.all().iterator()
    }
    stored, stored_durations = figures.nonzero(stored, stored_durations)
    differences: list[str] = []
    for key in sorted(set(daily) | set(stored), key=str):
        want, have = daily.get(key), stored.get(key)
        if want != have:
            differences.append(f"daily {key}: recount {want} ≠ stored {have}")
    differences.extend(
        f"duration {dkey}: recount {durations.get(dkey)} ≠ stored {stored_durations.get(dkey)}"
        for dkey in sorted(set(durations) | set(stored_durations), key=str)
        if durations.get(dkey) != stored_durations.get(dkey)
    )
    return CheckResult(cases, len(daily), len(durations), differences[: show or None])


# ------------------------------------------------------------------ consultations


def consultation_list_for(staff: Staff, *, limit: int = 20) -> QuerySet[Consultation]:
    """The latest consultations in the member's region subtree."""
    return (
        Consultation.objects.filter(region_code__startswith=staff.region.code)
        .select_related("item", "hall", "staff")
        .order_by("-at", "-pk")[:limit]
    )


def region_viewable(staff: Staff, region_code: str) -> Region:
    """The region asked for if it lies in the member's scope (their own region by default)."""
    code = region_code or staff.region.code
    if not staff.covers(code):
        raise ValidationFailed(_("只能查看本辖区及下级区划的统计。"), field="region")
    return region_get(code=code)


def consultation_by_key(staff: Staff, key: str) -> Consultation | None:
    """The consultation this member registered with this idempotency key, if any."""
    return Consultation.objects.filter(staff=staff, idempotency_key=key).first()


def service_item_by_code(code: str) -> ServiceItem | None:
    """The item with this basic code (spaces ignored), or None."""
    code = "".join(code.split())
    return ServiceItem.objects.filter(basic_code=code).first() if code else None


# ---------------------------------------------------------------- 跨域通办 counters


@dataclass(frozen=True)
class ProxyCounter:
    """本办理点代其他办理点收件 / 其他办理点代本办理点收件 over one span ending today."""

    span: str  # "day", "month", "year"
    label: str
    for_others: int
    by_others: int


PROXY_SPANS = (("day", _lazy("今日")), ("month", _lazy("本月")), ("year", _lazy("本年")))


def _span_starts(today: dt.date) -> dict[str, dt.datetime]:
    days = {"day": today, "month": today.replace(day=1), "year": today.replace(month=1, day=1)}
    return {
        span: dt.datetime.combine(day, dt.time.min, tzinfo=clock.SHANGHAI)
        for span, day in days.items()
    }


def proxy_counters(*, region_code: str, hall_id: int | None = None) -> list[ProxyCounter]:
    """Cases received here for a task handled elsewhere (本办理点代其他办理点收件) and cases
    received elsewhere for a task handled here (其他办理点代本办理点收件), counted by the day
    they were received (today, this month, this year; docs/cross_domain.md). "Here" is a
    region subtree, or one hall (its receiving side) inside it. Two queries."""
    starts = _span_starts(clock.today())
    cross = [str(m) for m in TASK_CROSS_REGION_MODES]
    here = Q(hall_id=hall_id) if hall_id is not None else Q(region_code__startswith=region_code)
    handled_elsewhere = Exists(
        ItemTask.objects.filter(case_id=OuterRef("pk"), mode__in=cross).exclude(
            region_code__startswith=region_code
        )
    )
    handled_here = Exists(
        ItemTask.objects.filter(
            case_id=OuterRef("pk"), mode__in=cross, region_code__startswith=region_code
        )
    )

    def counts(qs: QuerySet[Case]) -> dict[str, int]:
        return qs.filter(submitted_at__gte=starts["year"]).aggregate(
            **{
                span: Count("pk", filter=Q(submitted_at__gte=start))
                for span, start in starts.items()
            }
        )

    for_others = counts(Case.objects.filter(here).filter(handled_elsewhere))
    by_others = counts(
        Case.objects.exclude(region_code__startswith=region_code).filter(handled_here)
    )
    return [
        ProxyCounter(span, str(label), for_others[span] or 0, by_others[span] or 0)
        for span, label in PROXY_SPANS
    ]


def hall_in_region(hall_id: int, region_code: str) -> int:
    """A hall's id if it lies in the region subtree; otherwise ``NotFound`` (no leak)."""
    if not Hall.objects.filter(pk=hall_id, region__code__startswith=region_code).exists():
        raise NotFound(_("大厅不存在或不在您的查看范围内。"))
    return hall_id
