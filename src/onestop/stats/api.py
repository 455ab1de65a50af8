"""The JSON API of stats, mounted by config/api.py at /api/stats: the dashboard's figures
(same selectors as the page) and the consultation register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from onestop.accounts.auth import api_auth
from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import staff_get_for_user, staff_require
from onestop.core.errors import ValidationFailed
from onestop.stats import selectors, services
from onestop.stats.models import ConsultationChannel

router = Router(tags=["统计分析"], auth=api_auth)

PROBLEMS = {401: dict, 403: dict, 404: dict, 422: dict}
Json = dict[str, Any]


def _viewer(request: HttpRequest, permission: Permission) -> Staff:
    return staff_require(staff_get_for_user(request.user), permission)


def _scope(
    request: HttpRequest, region: str, start: dt.date | None, end: dt.date | None
) -> tuple[str, selectors.Period]:
    staff = _viewer(request, Permission.STATS_VIEW)
    code = selectors.region_viewable(staff, region).code
    return code, selectors.period_clean(start, end)


def _figures_json(f: selectors.Figures) -> Json:
    return {
        "region": {"code": f.region.code, "name": f.region.name, "level": f.region.level},
        "start": f.period.start.isoformat(),
        "end": f.period.end.isoformat(),
        "counts": dict(f.sums),
        "rates": {
            "on_time": f.on_time_rate,
            "online": f.online_rate,
            "online_all": f.online_rate_all,
            "immediate_share": f.immediate_share,
            "depth_share": f.depth_share,
            "corrections_per_case": f.corrections_per_case,
        },
        "working_days": {
            "average_used": f.avg_used_days,
            "average_limit": f.avg_limit_days,
            "p90_used": f.p90_used_days,
        },
        "overdue_open": f.overdue_open,
        "consultations": {"total": f.consultations, "by_channel": f.consultations_by_channel},
        "online_depth": {
            "items": f.depth_items,
            "level_3": f.depth_3,
            "level_4": f.depth_4,
            "target": selectors.depth_target(),
            "target_met": f.depth_target_met,
        },
        "ratings": None
        if f.ratings is None
        else {"total": f.ratings.total, "good_rate": f.ratings.good_rate},
        "village_minutes": {
            "completed": f.minutes_completed,
            "met": f.minutes_met,
            "rate": f.minutes_rate,
            "villages": [
                {
                    "code": r.region_code,
                    "name": r.name,
                    "completed": r.completed,
                    "met": r.met,
                    "rate": r.rate,
                }
                for r in selectors.village_minutes_rows(region_code=f.region.code, period=f.period)
            ],
        },
        "package_sla": {
            "completed": f.sla_completed,
            "met": f.sla_met,
            "rate": f.sla_rate,
            "packages": [
                {
                    "code": r.code,
                    "name": r.name,
                    "sla_days": r.sla_days,
                    "completed": r.completed,
                    "met": r.met,
                    "rate": r.rate,
                }
                for r in selectors.package_sla_rows(region_code=f.region.code, period=f.period)
            ],
        },
    }


@router.get("/figures", response={200: dict, **PROBLEMS}, summary="主要指标（区划及下级、期间）")
def figures(
    request: HttpRequest, region: str = "", start: dt.date | None = None, end: dt.date | None = None
) -> Json:
    code, period = _scope(request, region, start, end)
    return _figures_json(selectors.figures_summary(region_code=code, period=period))


@router.get(
    "/cross-domain",
    response={200: dict, **PROBLEMS},
    summary="跨域通办：本办理点代其他办理点收件、其他办理点代本办理点收件（今日、本月、本年）",
)
def cross_domain(request: HttpRequest, region: str = "", hall: int | None = None) -> Json:
    code, _period = _scope(request, region, None, None)
    hall_id = None
    if hall is not None:
        hall_id = selectors.hall_in_region(hall, code)
    return {
        "region": code,
        "hall": hall_id,
        "counters": [
            {
                "span": c.span,
                "label": c.label,
                "for_others": c.for_others,
                "by_others": c.by_others,
            }
            for c in selectors.proxy_counters(region_code=code, hall_id=hall_id)
        ],
    }


@router.get(
    "/breakdown",
    response={200: dict, **PROBLEMS},
    summary="分组统计（区划、渠道、部门、事项、大厅、人员）",
)
def breakdown(
    request: HttpRequest,
    by: str,
    region: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Json:
    code, period = _scope(request, region, start, end)
    rows = selectors.figures_breakdown(region_code=code, period=period, by=by)
    return {
        "by": by,
        "rows": [
            {
                "key": r.key,
                "label": r.label,
                "received": r.received,
                "accepted": r.accepted,
                "completed": r.completed,
                "on_time": r.on_time,
                "late": r.late,
                "on_time_rate": r.on_time_rate,
                "average_used_days": r.avg_used_days,
                "online_rate": r.online_rate,
            }
            for r in rows
        ],
    }


@router.get("/trend", response={200: dict, **PROBLEMS}, summary="趋势（按日、周、月）")
def trend(
    request: HttpRequest,
    step: str = "month",
    region: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Json:
    code, period = _scope(request, region, start, end)
    points = selectors.figures_trend(region_code=code, period=period, step=step)
    return {
        "step": step,
        "points": [
            {
                "start": p.start.isoformat(),
                "received": p.received,
                "accepted": p.accepted,
                "completed": p.completed,
                "online_accepted": p.online_accepted,
            }
            for p in points
        ],
    }


@router.get("/report", response={200: dict, **PROBLEMS}, summary="统计段落（新闻通稿格式）")
def report(
    request: HttpRequest, region: str = "", start: dt.date | None = None, end: dt.date | None = None
) -> Json:
    code, period = _scope(request, region, start, end)
    return {"text": selectors.press_release_text(region_code=code, period=period)}


class ConsultationIn(Schema):
    channel: str = Field(description="phone 电话 / online 网络 / window 窗口")
    topic: str = Field(max_length=200)
    item_code: str = Field("", max_length=32, description="相关事项基本编码，可空")


@router.post(
    "/consultations", response={201: dict, 200: dict, **PROBLEMS}, summary="登记咨询（幂等键可选）"
)
def consultation_create(request: HttpRequest, payload: ConsultationIn) -> Status:
    staff = _viewer(request, Permission.CONSULTATION_RECORD)
    if payload.channel not in ConsultationChannel.values:
        raise ValidationFailed(_("请选择咨询渠道（电话、网络或窗口）。"), field="channel")
    item = None
    if payload.item_code.strip():
        item = selectors.service_item_by_code(payload.item_code)
        if item is None:
            raise ValidationFailed(_("没有该基本编码的事项。"), field="item_code")
    key = request.headers.get("Idempotency-Key") or None
    before = selectors.consultation_by_key(staff, key) is not None if key else False
    record = services.consultation_record(
        staff=staff, channel=payload.channel, topic=payload.topic, item=item, idempotency_key=key
    )
    body = {
        "id": record.pk,
        "channel": record.channel,
        "topic": record.topic,
        "item_code": record.item.basic_code if record.item else "",
        "region_code": record.region_code,
        "at": record.at.isoformat(),
    }
    return Status(200 if before else 201, body)
