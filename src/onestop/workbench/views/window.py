"""The acceptance window (综合受理窗口): queue, one case's desk with its actions, hand-out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.cases import services
from onestop.cases.models import Case, CaseMaterial
from onestop.cases.notices import NoticeKind, notice_kinds_for
from onestop.cases.selectors import (
    case_get_by_number_for,
    case_traffic_light,
    handout_queue,
    window_queue,
)
from onestop.cases.states import CaseState, MaterialStatus
from onestop.core import clock
from onestop.core.errors import DomainError, NotFound, ValidationFailed
from onestop.workbench import presenters
from onestop.workbench.access import INBOX_ROLES, WINDOW_ROLES, staff_only


def _case(request: HttpRequest, number: str) -> Case:
    try:
        return case_get_by_number_for(request.staff, number)  # type: ignore[attr-defined]
    except NotFound as exc:
        raise Http404(exc.message) from None


@staff_only(WINDOW_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    """Cases waiting for the window in the clerk's region, oldest first, with waiting time."""
    now = clock.now()
    rows = [
        (case, now - case.submitted_at if case.submitted_at else None)
        for case in window_queue(request.staff)
    ]  # type: ignore[attr-defined]
    return render(
        request, "workbench/window_queue.html", {"rows": rows, "now": now, "nav": "queue"}
    )


def _case_context(case: Case, **extra: Any) -> dict[str, Any]:
    materials = presenters.material_rows(case)
    errors: dict[str, str] = extra.pop("errors", {})
    for row in materials:
        row.error = errors.get(f"tolerated.{row.material.key}", "") or errors.get(
            f"materials.{row.material.key}", ""
        )
    latest_on = presenters.latest_supplement_on(case)
    timeline = presenters.timeline_rows(case)
    return {
        "returned_reason": presenters.returned_reason(case, timeline),
        "case": case,
        "answers": presenters.answer_rows(case),
        "form_rows": presenters.form_rows(case),
        "materials": materials,
        "tolerable": [r for r in materials if r.is_tolerable_missing],
        "latest_on": latest_on,
        "today": clock.today(),
        "tasks": presenters.task_rows(case) if case.accepted_at else [],
        "timeline": timeline,
        "notices": [(k, k.label) for k in notice_kinds_for(case)],
        "light": case_traffic_light(case),
        "can_act": case.state in (CaseState.PRE_REVIEW, CaseState.SUBMITTED),
        "is_pre_review": case.state == CaseState.PRE_REVIEW,
        "can_reject": case.state == CaseState.CORRECTION_REQUESTED,
        "nav": "queue",
        "errors": errors,
        "form_action": extra.pop("form_action", ""),
        **extra,
    }


@staff_only(WINDOW_ROLES)
def case_desk(request: HttpRequest, number: str) -> HttpResponse:
    """One case at the window: applicant, answers, form, materials; accept / correct / reject."""
    case = _case(request, number)
    return render(request, "workbench/window_case.html", _case_context(case))


def _act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    case = _case(request, number)
    clerk = request.staff  # type: ignore[attr-defined]
    post = request.POST
    try:
        if action == "accept":
            tolerated: dict[str, dt.date] = {}
            for key in post.getlist("tolerated"):
                raw = post.get(f"due_{key}", "")
                try:
                    tolerated[key] = dt.date.fromisoformat(raw)
                except ValueError:
                    raise ValidationFailed(
                        _("请填写有效的补交期限。"), field=f"tolerated.{key}"
                    ) from None
            services.case_accept(
                case_id=case.pk, clerk=clerk, tolerated=tolerated, note=post.get("note", "")
            )
            notice = NoticeKind.ACCEPTED
            text = _("已受理，办件已分送各部门办理。")
        elif action == "correction":
            services.case_request_correction(
                case_id=case.pk,
                clerk=clerk,
                missing=post.getlist("missing"),
                note=post.get("note", ""),
            )
            notice = NoticeKind.CORRECTION
            text = _("已一次性告知补正。")
        elif action == "reject":
            services.case_reject(case_id=case.pk, clerk=clerk, reason=post.get("reason", ""))
            notice = NoticeKind.REJECTED
            text = _("已作出不予受理决定。")
        elif action == "pre_review":
            services.case_pre_review_pass(case_id=case.pk, clerk=clerk, note=post.get("note", ""))
            notice = None
            text = _("预审通过，办件已进入受理队列。")
        else:  # pragma: no cover - the URLconf lists the actions
            raise Http404
    except DomainError as exc:
        case.refresh_from_db()
        errors = presenters.errors_of(exc)
        context = _case_context(case, errors=errors, form_action=action, posted=post)
        return render(request, "workbench/window_case.html", context, status=200)
    messages.success(request, text)
    url = reverse("workbench:window_case", args=[case.number])
    if notice is not None:
        url += f"?notice={notice.value}"
    return redirect(url)


@require_POST
@staff_only(WINDOW_ROLES)
def case_accept(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "accept")


@require_POST
@staff_only(WINDOW_ROLES)
def case_correction(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "correction")


@require_POST
@staff_only(WINDOW_ROLES)
def case_reject(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "reject")


@require_POST
@staff_only(WINDOW_ROLES)
def case_pre_review(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "pre_review")


@staff_only(WINDOW_ROLES)
def handout(request: HttpRequest) -> HttpResponse:
    """Completed cases waiting for pickup; those still missing 容缺 materials say so."""
    waiting = Prefetch(
        "materials",
        queryset=CaseMaterial.objects.filter(status=MaterialStatus.TOLERATED_MISSING),
        to_attr="tolerated_missing",
    )
    cases = handout_queue(request.staff).prefetch_related(waiting)  # type: ignore[attr-defined]
    return render(request, "workbench/handout.html", {"cases": cases, "nav": "handout"})


@require_POST
@staff_only(WINDOW_ROLES)
def handout_deliver(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    try:
        services.case_hand_out(
            case_id=case.pk,
            clerk=request.staff,  # type: ignore[attr-defined]
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, f"{case.number}：{exc.message}")
    else:
        messages.success(request, _("%(n)s 已出件。") % {"n": case.number})
    return redirect("workbench:handout")


@staff_only(WINDOW_ROLES | INBOX_ROLES)
def material_file(request: HttpRequest, number: str, key: str) -> HttpResponse:
    """A submitted material's file, for staff who may see the case."""
    case = _case(request, number)
    material = case.materials.filter(key=key).first()
    if material is None or not material.file:
        raise Http404
    name = f"{case.number}-{material.key}{material.file.name[material.file.name.rfind('.') :]}"
    return FileResponse(
        material.file.open("rb"),
        content_type=material.content_type or "application/octet-stream",
        filename=name,
    )
