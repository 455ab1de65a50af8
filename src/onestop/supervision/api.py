"""The JSON API of supervision, mounted by config/api.py at /api/supervision.

Lists are keyset-paged (``limit`` 1–200, ``cursor`` the ``next`` of the page before); errors are problem+json: 401 not
logged in, 403 the role may not supervise (or answer), 404 outside the caller's scope, 409
a step the order's state does not allow, 422 bad input naming the field. Issuing honours
``Idempotency-Key``: a retry returns the first order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from onestop.accounts.auth import api_auth
from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.cases.api import common
from onestop.cases.api.common import PROBLEMS
from onestop.cases.api.schemas import PageMeta
from onestop.core.errors import NotFound, ValidationFailed
from onestop.regions.models import Department
from onestop.supervision import selectors, services
from onestop.supervision.models import Signal, SupervisionOrder
from onestop.supervision.states import Colour, OrderState, SignalState

router = Router(tags=["电子监察"], auth=api_auth)

Json = dict[str, Any]


class SignalOut(Schema):
    id: int
    rule_code: str
    rule_name: str
    kind: str
    colour: str
    colour_label: str
    state: str
    case_number: str | None
    task_id: int | None
    item_code: str
    item_name: str
    region_code: str
    department: str | None
    officer: str | None
    detail: dict[str, Any]
    raised_at: dt.datetime
    cleared_at: dt.datetime | None


class SignalPage(PageMeta):
    counts: dict[str, int]
    items: list[SignalOut]


class OrderStepOut(Schema):
    seq: int
    action: str
    to_state: str
    at: dt.datetime
    note: str
    hash: str


class OrderOut(Schema):
    id: int
    subject_kind: str
    case_number: str | None
    task_id: int | None
    rectification_id: int | None
    rectification_ref: str
    signal_id: int | None
    department_id: int
    department: str
    region_code: str
    content: str
    respond_days: int
    respond_by: dt.datetime
    state: str
    state_label: str
    answer: str
    issued_at: dt.datetime
    answered_at: dt.datetime | None
    actions: list[str]
    log: list[OrderStepOut] | None = None


class OrderPage(PageMeta):
    items: list[OrderOut]


class OrderIn(Schema):
    """What a 督办 is about: a signal, a case (by number), a task, a department or a 差评
    rectification (``rectification_id``, answered by the department it was routed to; or
    an outside number in ``rectification_ref``, with the department); one of them."""

    signal_id: int | None = None
    case_number: str | None = Field(None, max_length=40)
    task_id: int | None = None
    department_id: int | None = None
    rectification_id: int | None = None
    rectification_ref: str = Field("", max_length=64)
    content: str = Field(..., max_length=2000)
    respond_days: int = Field(..., description="答复时限（工作日，1～60）")


class AnswerIn(Schema):
    answer: str = Field(..., max_length=4000)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


def _signal_out(signal: Signal) -> Json:
    return {
        "id": signal.pk,
        "rule_code": signal.rule.code,
        "rule_name": signal.rule.name,
        "kind": signal.rule.kind,
        "colour": signal.colour,
        "colour_label": str(Colour(signal.colour).label),
        "state": signal.state,
        "case_number": signal.case.number if signal.case else None,
        "task_id": signal.task_id,
        "item_code": signal.item_code,
        "item_name": signal.item_name,
        "region_code": signal.region_code,
        "department": signal.department.name if signal.department else None,
        "officer": signal.officer.name if signal.officer else None,
        "detail": signal.detail,
        "raised_at": signal.raised_at,
        "cleared_at": signal.cleared_at,
    }


def _order_out(order: SupervisionOrder, viewer: Staff, *, with_log: bool = False) -> Json:
    out: Json = {
        "id": order.pk,
        "subject_kind": order.subject_kind,
        "case_number": order.case.number if order.case else None,
        "task_id": order.task_id,
        "rectification_id": order.rectification_id,
        "rectification_ref": order.rectification_ref,
        "signal_id": order.signal_id,
        "department_id": order.department_id,
        "department": order.department.name,
        "region_code": order.region_code,
        "content": order.content,
        "respond_days": order.respond_days,
        "respond_by": order.respond_by,
        "state": order.state,
        "state_label": str(OrderState(order.state).label),
        "answer": order.answer,
        "issued_at": order.issued_at,
        "answered_at": order.answered_at,
        "actions": sorted(str(a) for a in selectors.order_actions(order, viewer)),
    }
    if with_log:
        out["log"] = [
            {
                "seq": e.seq,
                "action": e.action,
                "to_state": e.to_state,
                "at": e.at,
                "note": e.note,
                "hash": e.hash,
            }
            for e in selectors.order_log(order)
        ]
    return out


def _choice(value: str, choices: type[Colour] | type[SignalState], field: str) -> str:
    if value and value not in choices.values:
        raise ValidationFailed(
            _("%(field)s 只能是：%(values)s。")
            % {"field": field, "values": "、".join(choices.values)},
            field=field,
        )
    return value


@router.get(
    "/signals",
    response={200: SignalPage, **PROBLEMS},
    summary="监察信号：本辖区的红牌、黄牌，可按信号、区划、部门、事项、责任人、状态筛选",
)
def signal_list(
    request: HttpRequest,
    colour: str = "",
    region: str = "",
    department: int | None = None,
    item: str = "",
    officer: int | None = None,
    state: str = SignalState.OPEN,
    limit: int = common.limit_param(),
    cursor: str = common.cursor_param(),
) -> Json:
    viewer = common.staff_with(request, Permission.SUPERVISE)
    filters = selectors.SignalFilters(
        colour=_choice(colour, Colour, "colour"),
        region_code=region.strip(),
        department_id=department,
        item_code=item.strip(),
        officer_id=officer,
        state=_choice(state, SignalState, "state"),
    )
    page = selectors.signal_page(viewer, filters, cursor=cursor, limit=limit)
    counts = {
        str(row["colour"]): int(str(row["n"]))
        for row in selectors.signal_counts_for(viewer, filters)["colour"]
    }
    items = [_signal_out(s) for s in page.rows]
    return {
        **common.paged(page, items, selectors.signal_list_for(viewer, filters)),
        "counts": counts,
    }


def _order_viewer(request: HttpRequest) -> Staff:
    who = common.caller(request).staff
    if who is not None and who.has_permission(Permission.SUPERVISE):
        return who
    return common.staff_with(request, Permission.SUPERVISION_ANSWER)


@router.get(
    "/orders",
    response={200: OrderPage, **PROBLEMS},
    summary="督办：监察人员本辖区发出的，或部门收到的；可按状态筛选",
)
def order_list(
    request: HttpRequest,
    state: str = "",
    limit: int = common.limit_param(),
    cursor: str = common.cursor_param(),
) -> Json:
    viewer = _order_viewer(request)
    if state and state not in OrderState.values:
        raise ValidationFailed(
            _("state 只能是：%(values)s。") % {"values": "、".join(OrderState.values)},
            field="state",
        )
    states = (state,) if state else ()
    page = selectors.order_page(viewer, states=states, cursor=cursor, limit=limit)
    items = [_order_out(o, viewer) for o in page.rows]
    return common.paged(page, items, selectors.order_list_for(viewer, states=states))


@router.get(
    "/orders/{int:order_id}", response={200: OrderOut, **PROBLEMS}, summary="督办详情与记录"
)
def order_detail(request: HttpRequest, order_id: int) -> Json:
    viewer = _order_viewer(request)
    return _order_out(selectors.order_get_for(viewer, order_id), viewer, with_log=True)


@router.post("/orders", response={201: OrderOut, 200: OrderOut, **PROBLEMS}, summary="发出督办")
def order_issue(request: HttpRequest, payload: OrderIn) -> Status:
    viewer = common.staff_with(request, Permission.SUPERVISE)
    key = (request.headers.get("Idempotency-Key") or "").strip()[:64] or None
    if key is not None:
        existing = selectors.order_list_for(viewer).filter(issued_by=viewer, request_key=key)
        first = existing.first()
        if first is not None:
            return Status(200, _order_out(first, viewer, with_log=True))
    signal = case = task = department = rectification = None
    if payload.signal_id is not None:
        signal = selectors.signal_get_for(viewer, payload.signal_id)
    if payload.case_number:
        try:
            case = selectors.case_get_for(viewer, payload.case_number)
        except NotFound:
            raise ValidationFailed(_("没有这个办件。"), field="case_number") from None
    if payload.task_id is not None:
        task = selectors.task_get_for(viewer, payload.task_id)
        if task is None:
            raise ValidationFailed(_("没有这个子件。"), field="task_id")
    if payload.rectification_id is not None:
        try:
            rectification = selectors.rectification_get_for(viewer, payload.rectification_id)
        except NotFound:
            raise ValidationFailed(_("没有这个差评整改。"), field="rectification_id") from None
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id).first()
        if department is None:
            raise ValidationFailed(_("没有这个部门。"), field="department_id")
    order = services.order_issue(
        supervisor=viewer,
        content=payload.content,
        respond_days=payload.respond_days,
        case=case,
        task=task,
        department=department,
        rectification=rectification,
        rectification_ref=payload.rectification_ref,
        signal=signal,
        request_key=key,
    )
    return Status(201, _order_out(order, viewer, with_log=True))


@router.post(
    "/orders/{int:order_id}/answer", response={200: OrderOut, **PROBLEMS}, summary="答复督办"
)
def order_answer(request: HttpRequest, order_id: int, payload: AnswerIn) -> Json:
    viewer = common.staff_with(request, Permission.SUPERVISION_ANSWER)
    selectors.order_get_for(viewer, order_id)
    order = services.order_answer(order_id=order_id, officer=viewer, answer=payload.answer)
    return _order_out(order, viewer, with_log=True)


def _supervised(request: HttpRequest, order_id: int) -> Staff:
    viewer = common.staff_with(request, Permission.SUPERVISE)
    selectors.order_get_for(viewer, order_id)
    return viewer


@router.post(
    "/orders/{int:order_id}/close", response={200: OrderOut, **PROBLEMS}, summary="办结督办"
)
def order_close(request: HttpRequest, order_id: int, payload: NoteIn) -> Json:
    viewer = _supervised(request, order_id)
    order = services.order_close(order_id=order_id, supervisor=viewer, note=payload.note)
    return _order_out(order, viewer, with_log=True)


@router.post(
    "/orders/{int:order_id}/escalate", response={200: OrderOut, **PROBLEMS}, summary="升级督办"
)
def order_escalate(request: HttpRequest, order_id: int, payload: NoteIn) -> Json:
    viewer = _supervised(request, order_id)
    order = services.order_escalate(order_id=order_id, supervisor=viewer, note=payload.note)
    return _order_out(order, viewer, with_log=True)
