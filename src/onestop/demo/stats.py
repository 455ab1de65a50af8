"""Demo data of stats: six months of consultations (咨询登记) and the figures' aggregates.

Consultations are a register, not a lifecycle, so they are written in bulk
(``stats.services.consultations_bulk_create``) with the same fields the service fills.
Each month of the last six has a fixed, seeded set of records keyed
``demo-consult-YYYYMM-NNNN``: a second load on the same day creates nothing, a load in a
later month adds that month's set. Times are working hours on the month's days up to now,
spread over the clerks' regions (a city clerk's over its counties) and channels (phone
about half, online a third, the window the rest).

The aggregates are then brought up to date with the sweep (only cases whose events moved
past their figures), which finds nothing to do on a second run.
"""

from __future__ import annotations

import datetime as dt
import random

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.catalog.models import ServiceItem
from onestop.core import clock
from onestop.demo.summary import DemoSummary
from onestop.regions.models import Region, RegionLevel
from onestop.stats.models import CaseFigure, Consultation, ConsultationChannel
from onestop.stats.services import case_figures_sweep, consultations_bulk_create

KEY_PREFIX = "demo-consult-"
MONTHS = 6
PER_MONTH = 1100  # a full month; the current one gets its share up to today

TOPICS = (
    "开办企业需要准备哪些材料",
    "营业执照变更怎么办理",
    "个体工商户注册流程",
    "不动产登记需要多长时间",
    "二手房过户要交哪些税费",
    "社保卡补办在哪里办",
    "公积金提取条件",
    "医保异地备案",
    "新生儿出生一件事怎么办",
    "企业公章刻制备案",
    "发票申领流程",
    "餐饮店食品经营许可",
    "建设工程规划许可进度",
    "退休人员养老金领取资格认证",
    "跨省通办业务能否在本地办理",
    "办件进度查询",
    "预约办理时间",
    "材料容缺后多久补交",
    "告知承诺制适用哪些事项",
    "网上办事大厅如何注册",
)
CHANNEL_WEIGHTS = (
    (ConsultationChannel.PHONE, 52),
    (ConsultationChannel.ONLINE, 35),
    (ConsultationChannel.WINDOW, 13),
)


def _month_starts(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    months = [first]
    for _i in range(MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return sorted(months)


def _days_in(month: dt.date) -> int:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (following - month).days


def _clerks() -> list[Staff]:
    staff = Staff.objects.filter(is_active=True).select_related("region", "hall")
    return [s for s in staff if s.has_permission(Permission.CONSULTATION_RECORD)]


def _regions_for(clerk: Staff) -> list[Region]:
    """The county-level regions a clerk covers (or their own region below county level)."""
    below = list(
        Region.objects.filter(code__startswith=clerk.region.code, level=RegionLevel.COUNTY)
    )
    return below or [clerk.region]


def load_stats(summary: DemoSummary) -> None:
    """Consultations of the last six months, then the aggregates caught up."""
    clerks = _clerks()
    if not clerks:
        return
    now = clock.now()
    today = clock.local(now).date()
    existing = set(
        Consultation.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list(
            "idempotency_key", flat=True
        )
    )
    items = list(ServiceItem.objects.order_by("basic_code"))
    regions = {c.pk: _regions_for(c) for c in clerks}
    channels = [c for c, _w in CHANNEL_WEIGHTS]
    weights = [w for _c, w in CHANNEL_WEIGHTS]
    rows: list[Consultation] = []
    present = 0
    for month in _month_starts(today):
        rng = random.Random(f"consult-{month:%Y%m}")  # noqa: S311 — demo data, not secrets
        last_day = min(_days_in(month), (today - month).days + 1)
        count = PER_MONTH * last_day // _days_in(month)
        for n in range(count):
            day = month + dt.timedelta(days=rng.randrange(last_day))
            moment = dt.datetime.combine(
                day, dt.time(8 + rng.randrange(9), rng.randrange(60)), tzinfo=clock.SHANGHAI
            )
            moment = min(moment, now)  # today's share: none after the load
            clerk = clerks[rng.randrange(len(clerks))]
            region = rng.choice(regions[clerk.pk])
            channel = rng.choices(channels, weights)[0]
            topic = rng.choice(TOPICS)
            item = rng.choice(items) if items and rng.random() < 0.6 else None
            key = f"{KEY_PREFIX}{month:%Y%m}-{n:04d}"
            present += 1
            if key in existing:
                continue
            rows.append(
                Consultation(
                    channel=channel,
                    topic=topic,
                    item=item,
                    region=region,
                    region_code=region.code,
                    hall=clerk.hall if channel == ConsultationChannel.WINDOW else None,
                    staff=clerk,
                    at=moment,
                    idempotency_key=key,
                )
            )
    created = consultations_bulk_create(rows=rows)
    summary.present["consultations"] += present
    summary.created["consultations"] += created
    refreshed = case_figures_sweep()
    summary.present["case figures"] += CaseFigure.objects.count()
    summary.created["case figures"] += refreshed.changed
