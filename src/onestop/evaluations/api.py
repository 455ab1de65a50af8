"""The JSON API of evaluations (/api/ratings), mounted by config/api.py.

One POST per action; each endpoint parses, calls one service and serializes. Raters are
masked for staff (``selectors.rater_masked``); DomainErrors become problem+json.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from onestop.accounts.auth import api_auth
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import applicant_get_for_user, staff_get_for_user, staff_require
from onestop.accounts.throttle import client_ip
from onestop.cases.models import Case
from onestop.core import clock
from onestop.core.errors import NotFound, PermissionDenied, ValidationFailed
from onestop.evaluations import selectors, services
from onestop.evaluations.models import Rating, Rectification
from onestop.evaluations.states import IndicatorScope, RatingChannel, RectificationRating, Triage

router = Router(tags=["好差评"], auth=api_auth)


class IndicatorOut(Schema):
    code: str
    name: str
    scope: str


class RatingIn(Schema):
    level: int = Field(..., ge=1, le=5, description="GB/T 39046 A.8：1 非常满意 … 5 非常不满意")
    indicators: list[str] = Field(default_factory=list, max_length=10)
    text: str = Field("", max_length=500)


class PortalRatingIn(RatingIn):
    channel: RatingChannel = RatingChannel.PC


class RecordIn(RatingIn):
    case_number: str = Field(..., max_length=40)
    channel: RatingChannel


class RatingOut(Schema):
    id: int
    case_number: str
    kind: str
    level: int
    level_name: str
    channel: str
    indicators: list[str]
    text: str
    rated_at: dt.datetime
    is_bad: bool
    status: str
    rater: str
    rectification_state: str | None


class RatesOut(Schema):
    ratings: int
    good: int
    bad: int
    rated_cases: int
    completed_cases: int | None
    good_rate: float | None
    bad_rate: float | None
    participation: float | None
    rectification_rate: float | None
    follow_up_rate: float | None
    rectification_satisfaction: float | None


class RectificationOut(Schema):
    id: int
    rating_id: int
    state: str
    due_at: dt.datetime
    light: str
    triage: str
    reform_content: str
    actions: dict[str, bool]


class VerifyIn(Schema):
    finding: str = Field(..., max_length=2000)
    triage: Triage
    reform_on: dt.date | None = None


class FeedbackIn(Schema):
    reform_content: str = Field(..., max_length=2000)


class NoteIn(Schema):
    note: str = Field(..., max_length=2000)


class AppealIn(Schema):
    reason: str = Field(..., max_length=2000)


class ReviewIn(Schema):
    upheld: bool
    decision: str = Field(..., max_length=2000)


class OpinionIn(Schema):
    opinion: RectificationRating


def _out(rating: Rating, *, masked: bool = True) -> RatingOut:
    rect = Rectification.objects.filter(rating_id=rating.pk).first() if rating.is_bad else None
    rater = selectors.rater_masked(rating.applicant)["name"] if masked else rating.applicant.name
    return RatingOut(
        id=rating.pk,
        case_number=rating.case.number or "",
        kind=rating.kind,
        level=rating.level,
        level_name=str(rating.get_level_display()),
        channel=rating.channel,
        indicators=sorted(i.code for i in rating.indicators.all()),
        text=rating.text,
        rated_at=rating.rated_at,
        is_bad=rating.is_bad,
        status=rating.status,
        rater=rater,
        rectification_state=rect.state if rect else None,
    )


def _rect_out(rect: Rectification, request: HttpRequest) -> RectificationOut:
    staff = staff_get_for_user(request.auth)  # type: ignore[attr-defined]
    return RectificationOut(
        id=rect.pk,
        rating_id=rect.rating_id,
        state=rect.state,
        due_at=rect.due_at,
        light=selectors.rectification_light(rect),
        triage=rect.triage,
        reform_content=rect.reform_content,
        actions=selectors.rectification_actions(rect, staff),
    )


def _staff(request: HttpRequest, permission: Permission):  # type: ignore[no-untyped-def]
    return staff_require(staff_get_for_user(request.auth), permission)  # type: ignore[attr-defined]


@router.get("/indicators", response=list[IndicatorOut], auth=None, summary="现行评价指标")
def indicator_list(request: HttpRequest, scope: IndicatorScope) -> list[IndicatorOut]:
    return [
        IndicatorOut(code=i.code, name=i.name, scope=i.scope)
        for i in selectors.indicators_current(scope)
    ]


@router.post("/cases/{case_id}", response={201: RatingOut}, summary="申请人评价自己的办件")
def case_rate(request: HttpRequest, case_id: int, body: PortalRatingIn) -> Status:
    rating = services.rating_submit(
        case_id=case_id,
        user=request.auth,  # type: ignore[attr-defined]
        level=body.level,
        channel=body.channel,
        indicator_codes=body.indicators,
        text=body.text,
    )
    return Status(201, _out(rating, masked=False))


@router.get("/cases/{case_id}", response=list[RatingOut], summary="办件的评价")
def case_ratings(request: HttpRequest, case_id: int) -> list[RatingOut]:
    user = request.auth  # type: ignore[attr-defined]
    case = Case.objects.filter(pk=case_id).first()
    applicant = applicant_get_for_user(user)
    staff = staff_get_for_user(user)
    if case is None:
        raise NotFound(_("未找到该办件。"))
    if applicant is not None and case.applicant_id == applicant.pk:
        return [_out(r, masked=False) for r in selectors.rating_list_for_case(case)]
    if staff is not None and staff.covers(case.region_code):
        return [_out(r) for r in selectors.rating_list_for_case(case)]
    raise NotFound(_("未找到该办件。"))


@router.post(
    "/tokens/{token}", response={201: RatingOut}, auth=None, summary="评价链接（二维码、短信）"
)
def token_rate(request: HttpRequest, token: str, body: RatingIn) -> Status:
    rating = services.rating_submit_by_token(
        token=token,
        level=body.level,
        indicator_codes=body.indicators,
        text=body.text,
        client_ip=client_ip(request),
        device_id=request.headers.get("X-Device-Id", "")[:64],
    )
    return Status(201, _out(rating))


@router.post("/record", response={201: RatingOut}, summary="代录电话、纸质评价")
def record(request: HttpRequest, body: RecordIn) -> Status:
    clerk = _staff(request, Permission.RATING_RECORD)
    case = Case.objects.filter(number=body.case_number).first()
    if case is None:
        raise NotFound(_("未找到该办件。"), field="case_number")
    rating = services.rating_record(
        case_id=case.pk,
        clerk=clerk,
        level=body.level,
        channel=body.channel,
        indicator_codes=body.indicators,
        text=body.text,
    )
    return Status(201, _out(rating))


@router.get("/rates", response=RatesOut, summary="好评率、差评率、参评率")
def rates(
    request: HttpRequest,
    start: dt.date,
    end: dt.date,
    region_code: str = "",
    hall_id: int | None = None,
    window_id: int | None = None,
    department_id: int | None = None,
    staff_id: int | None = None,
    item_id: int | None = None,
) -> RatesOut:
    staff = _staff(request, Permission.STATS_VIEW)
    if end < start:
        raise ValidationFailed(_("截止日期不能早于起始日期。"), field="end")
    region = region_code or staff.region.code
    if not staff.covers(region):
        raise PermissionDenied(_("不在您的管辖区划内。"))
    since = dt.datetime.combine(start, dt.time.min, tzinfo=clock.SHANGHAI)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)
    figures = selectors.rates_for(
        start=since,
        end=until,
        region_code=region,
        hall_id=hall_id,
        window_id=window_id,
        department_id=department_id,
        staff_id=staff_id,
        item_id=item_id,
    )
    return RatesOut(
        ratings=figures.ratings,
        good=figures.good,
        bad=figures.bad,
        rated_cases=figures.rated_cases,
        completed_cases=figures.completed_cases,
        good_rate=figures.good_rate,
        bad_rate=figures.bad_rate,
        participation=figures.participation,
        rectification_rate=figures.rectification_rate,
        follow_up_rate=figures.follow_up_rate,
        rectification_satisfaction=figures.rectification_satisfaction,
    )


@router.post("/rectifications/{rect_id}/verify", response=RectificationOut, summary="核实")
def rect_verify(request: HttpRequest, rect_id: int, body: VerifyIn) -> RectificationOut:
    officer = _staff(request, Permission.RECTIFICATION_HANDLE)
    rect = services.rectification_verify(
        rectification_id=rect_id,
        officer=officer,
        finding=body.finding,
        triage=body.triage,
        reform_on=body.reform_on,
    )
    return _rect_out(rect, request)


@router.post("/rectifications/{rect_id}/feedback", response=RectificationOut, summary="反馈")
def rect_feedback(request: HttpRequest, rect_id: int, body: FeedbackIn) -> RectificationOut:
    officer = _staff(request, Permission.RECTIFICATION_HANDLE)
    rect = services.rectification_feedback(
        rectification_id=rect_id, officer=officer, reform_content=body.reform_content
    )
    return _rect_out(rect, request)


@router.post("/rectifications/{rect_id}/follow-up", response=RectificationOut, summary="回访")
def rect_follow_up(request: HttpRequest, rect_id: int, body: NoteIn) -> RectificationOut:
    officer = _staff(request, Permission.RECTIFICATION_HANDLE)
    rect = services.rectification_follow_up(
        rectification_id=rect_id, officer=officer, note=body.note
    )
    return _rect_out(rect, request)


@router.post("/rectifications/{rect_id}/appeal", response=RectificationOut, summary="申诉")
def rect_appeal(request: HttpRequest, rect_id: int, body: AppealIn) -> RectificationOut:
    officer = _staff(request, Permission.RECTIFICATION_HANDLE)
    rect = services.rectification_appeal(
        rectification_id=rect_id, officer=officer, reason=body.reason
    )
    return _rect_out(rect, request)


@router.post("/rectifications/{rect_id}/review", response=RectificationOut, summary="申诉复核")
def rect_review(request: HttpRequest, rect_id: int, body: ReviewIn) -> RectificationOut:
    supervisor = _staff(request, Permission.RATING_APPEAL_REVIEW)
    rect = services.rectification_review(
        rectification_id=rect_id, supervisor=supervisor, upheld=body.upheld, decision=body.decision
    )
    return _rect_out(rect, request)


@router.post(
    "/rectifications/{rect_id}/opinion", response=RectificationOut, summary="评价人评价整改"
)
def rect_opinion(request: HttpRequest, rect_id: int, body: OpinionIn) -> RectificationOut:
    rect = services.rectification_rate(
        rectification_id=rect_id,
        user=request.auth,  # type: ignore[attr-defined]
        opinion=body.opinion,
    )
    return _rect_out(rect, request)
