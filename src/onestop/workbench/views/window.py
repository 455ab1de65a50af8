"""The acceptance window (综合受理窗口): queue, one case's desk with its actions, hand-out.

Which actions a case offers comes from ``cases.actions.case_actions`` for the clerk; each
action is one POST with its form (``workbench.forms``). A refused action (the state moved
on, another clerk acted first, a forced POST) is the service's message on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onestop.accounts.models import PersonalDataReadKind, Staff
from onestop.accounts.roles import Permission
from onestop.cases import services
from onestop.cases.actions import CaseAction, case_actions
from onestop.cases.models import Case, CaseMaterial
from onestop.cases.notices import NoticeKind, notice_kinds_for
from onestop.cases.results import CaseResult, case_results_many
from onestop.cases.selectors import (
    case_cross_domain,
    case_get_by_number_for,
    case_traffic_light,
    handout_queue,
    window_queue_page,
)
from onestop.cases.states import MaterialStatus
from onestop.core import clock
from onestop.core.errors import DomainError, NotFound
from onestop.core.paging import CursorInvalid
from onestop.delivery import selectors as delivery_selectors
from onestop.delivery import services as delivery_services
from onestop.workbench import forms, presenters
from onestop.workbench.access import personal_data_read, staff_with
from onestop.workdays.calendar import working_time_between
from onestop.workdays.units import working_time_text


def _case(request: HttpRequest, number: str) -> Case:
    try:
        return case_get_by_number_for(request.staff, number)  # type: ignore[attr-defined]
    except NotFound as exc:
        raise Http404(exc.message) from None


@staff_with(Permission.CASE_ACCEPT)
def queue(request: HttpRequest) -> HttpResponse:
    """Cases waiting for the window in the clerk's region, oldest first, with the working time
    they have waited (hours outside the working hours and days off do not count)."""
    now = clock.now()
    after = request.GET.get("after", "")[:200]
    try:
        page = window_queue_page(request.staff, cursor=after)  # type: ignore[attr-defined]
    except CursorInvalid:  # an old or edited link: the first page
        after, page = "", window_queue_page(request.staff)  # type: ignore[attr-defined]
    rows = [
        (
            case,
            working_time_text(working_time_between(case.submitted_at, now))
            if case.submitted_at
            else "",
        )
        for case in page.rows
    ]
    return render(
        request,
        "workbench/window_queue.html",
        {"rows": rows, "now": now, "nav": "queue", "after": after, "next": page.next},
    )


@dataclass(frozen=True)
class _WindowAction:
    action: CaseAction
    form: type[forms.DeskForm]
    service: Callable[..., Any]
    done: str | Promise
    notice: NoticeKind | None = None


# Messages are lazy: read in the language of the request that shows them.
_ACTIONS: dict[str, _WindowAction] = {
    "accept": _WindowAction(
        CaseAction.ACCEPT,
        forms.AcceptForm,
        services.case_accept,
        gettext_lazy("已受理，办件已分送各部门办理。"),
        NoticeKind.ACCEPTED,
    ),
    "correction": _WindowAction(
        CaseAction.REQUEST_CORRECTION,
        forms.CorrectionForm,
        services.case_request_correction,
        gettext_lazy("已一次性告知补正。"),
        NoticeKind.CORRECTION,
    ),
    "reject": _WindowAction(
        CaseAction.REJECT,
        forms.RejectForm,
        services.case_reject,
        gettext_lazy("已作出不予受理决定。"),
        NoticeKind.REJECTED,
    ),
    "pre_review": _WindowAction(
        CaseAction.PRE_REVIEW_PASS,
        forms.PreReviewForm,
        services.case_pre_review_pass,
        gettext_lazy("预审通过，办件已进入受理队列。"),
    ),
    "receiving_check": _WindowAction(
        CaseAction.RECEIVING_CHECK,
        forms.ReceivingCheckForm,
        services.case_receiving_check,
        gettext_lazy("已记录形式审查和身份核验，可以受理。"),
    ),
    "originals": _WindowAction(
        CaseAction.VERIFY_ORIGINAL,
        forms.VerifyOriginalsForm,
        services.case_verify_originals,
        gettext_lazy("已记录核验原件。"),
    ),
}


# What this desk has a form for (the clerk may also act for the applicant elsewhere).
_DESK_ACTIONS = frozenset(
    {*(str(spec.action) for spec in _ACTIONS.values()), str(CaseAction.HAND_OUT)}
)


def _forms_for(
    case: Case, materials: list[presenters.MaterialRow], data: Any = None, name: str = ""
) -> dict[str, forms.DeskForm]:
    """One form per window action; the one posted (``name``) bound to ``data``."""
    keys = {
        "accept": {"tolerable": [r.material.key for r in materials if r.is_tolerable_missing]},
        "correction": {"keys": [r.material.key for r in materials]},
        "originals": {"keys": [r.material.key for r in materials if r.is_verifiable]},
    }
    built = {}
    for action, spec in _ACTIONS.items():
        extra = keys.get(action, {})
        bound = data if action == name else None
        built[action] = spec.form(bound, prefix=None, **extra)  # type: ignore[arg-type]
    return built


def _case_context(
    case: Case,
    staff: Staff,
    *,
    posted: forms.DeskForm | None = None,
    form_action: str = "",
    built: dict[str, forms.DeskForm] | None = None,
) -> dict[str, Any]:
    materials = presenters.material_rows(case)
    built = built or _forms_for(case, materials)
    if posted is not None:
        built[form_action] = posted
        for row in materials:
            key = row.material.key
            row.error = posted.domain_errors.get(f"tolerated.{key}", "") or (
                posted.domain_errors.get(f"materials.{key}", "")
            )
            if not row.error and form_action == "accept":
                row.error = posted.error_of(forms.AcceptForm.due_name(key))
    timeline = presenters.timeline_rows(case)
    actions = presenters.action_names(case_actions(case, staff))
    cross = case_cross_domain(case)
    return {
        "cross": cross,
        "originals_to_post": [
            (p, delivery_selectors.originals_status(case.pk, p.region_code))
            for p in cross.elsewhere
            if p.region_code in delivery_selectors.originals_to_post(case, staff)
        ],
        "originals_posted": [
            (p, status)
            for p in cross.elsewhere
            if (status := delivery_selectors.originals_status(case.pk, p.region_code))
        ],
        "returned_reason": presenters.returned_reason(case, timeline),
        "case": case,
        "actions": actions,
        "has_desk_actions": bool(actions & _DESK_ACTIONS),
        "awaits_correction": presenters.awaits_correction(case),
        "answers": presenters.answer_rows(case),
        "form_rows": presenters.form_rows(case),
        "materials": materials,
        "tolerable": [r for r in materials if r.is_tolerable_missing],
        "verifiable": [r for r in materials if r.is_verifiable],
        "latest_on": presenters.latest_supplement_on(case),
        "today": clock.today(),
        "tasks": presenters.task_rows(case) if case.accepted_at else [],
        "timeline": timeline,
        "notices": [(k, k.label) for k in notice_kinds_for(case)],
        "light": case_traffic_light(case),
        "nav": "queue",
        "forms": built,
        "form_action": form_action,
        "top_error": posted.top_errors[0] if posted is not None and posted.top_errors else "",
    }


@staff_with(Permission.CASE_ACCEPT)
def case_desk(request: HttpRequest, number: str) -> HttpResponse:
    """One case at the window: applicant, answers, form, materials; the actions it allows."""
    case = _case(request, number)
    personal_data_read(request, case, PersonalDataReadKind.CASE_DESK)
    return render(
        request,
        "workbench/window_case.html",
        _case_context(case, request.staff),  # type: ignore[attr-defined]
    )


def _act(request: HttpRequest, number: str, name: str) -> HttpResponse:
    case = _case(request, number)
    clerk: Staff = request.staff  # type: ignore[attr-defined]
    spec = _ACTIONS[name]
    form = _forms_for(case, presenters.material_rows(case), request.POST, name)[name]
    if form.is_valid():
        try:
            spec.service(case_id=case.pk, clerk=clerk, **form.service_kwargs())  # type: ignore[attr-defined]
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, str(spec.done))
            url = reverse("workbench:window_case", args=[case.number])
            if spec.notice is not None:
                url += f"?notice={spec.notice.value}"
            return redirect(url)
    case = _case(request, number)  # as it is now (another clerk may have acted)
    context = _case_context(case, clerk, posted=form, form_action=name)
    return render(request, "workbench/window_case.html", context, status=200)


@require_POST
@staff_with(Permission.CASE_ACCEPT)
def case_accept(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "accept")


@require_POST
@staff_with(Permission.CASE_ACCEPT)
def case_receiving_check(request: HttpRequest, number: str) -> HttpResponse:
    """收件地's 形式审查 and 身份核验 of a case another region handles."""
    return _act(request, number, "receiving_check")


@require_POST
@staff_with(Permission.CASE_ACCEPT)
def case_correction(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "correction")


@require_POST
@staff_with(Permission.CASE_ACCEPT)
def case_reject(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "reject")


@require_POST
@staff_with(Permission.CASE_ACCEPT)
def case_pre_review(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, "pre_review")


@require_POST
@staff_with(Permission.CASE_ACCEPT)
def case_verify_originals(request: HttpRequest, number: str) -> HttpResponse:
    """核验原件: the clerk saw the paper originals of the ticked materials at the window."""
    return _act(request, number, "originals")


@require_POST
@staff_with(Permission.SHIPMENT_HANDLE)
def case_originals_forward(request: HttpRequest, number: str) -> HttpResponse:
    """异地代收代办: post the paper originals to the handling region, tracked."""
    case = _case(request, number)
    clerk: Staff = request.staff  # type: ignore[attr-defined]
    form = forms.OriginalsForwardForm(request.POST)
    if form.is_valid():
        try:
            delivery_services.originals_forward(
                case_id=case.pk, clerk=clerk, **form.service_kwargs()
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记寄送纸质原件至办理地，可在寄递台跟踪。"))
    return redirect(reverse("workbench:window_case", args=[case.number]))


@dataclass
class HandoutRow:
    case: Case
    actions: frozenset[str]
    results: list[CaseResult]


def _handed_out(clerk: Staff, number: str) -> Case | None:
    """The case just handed out (``?receipt=<number>``), if the clerk may see its receipt."""
    if not number:
        return None
    try:
        case = case_get_by_number_for(clerk, number[:40])
    except NotFound:
        return None
    return case if NoticeKind.HANDED_OUT in notice_kinds_for(case) else None


@staff_with(Permission.CASE_HAND_OUT)
def handout(request: HttpRequest) -> HttpResponse:
    """Completed cases waiting for pickup; those still missing 容缺 materials say so. After a
    hand-out, the link to print its receipt (出件回执) heads the page."""
    clerk: Staff = request.staff  # type: ignore[attr-defined]
    waiting = Prefetch(
        "materials",
        queryset=CaseMaterial.objects.filter(status=MaterialStatus.TOLERATED_MISSING),
        to_attr="tolerated_missing",
    )
    cases = list(handout_queue(clerk).prefetch_related(waiting))
    results = case_results_many(cases, clerk)  # one query per results provider
    rows = [
        HandoutRow(case, presenters.action_names(case_actions(case, clerk)), results[case.pk])
        for case in cases
    ]
    return render(
        request,
        "workbench/handout.html",
        {
            "rows": rows,
            "form": forms.HandOutForm(),
            "nav": "handout",
            "receipt": _handed_out(clerk, request.GET.get("receipt", "")),
            "receipt_kind": NoticeKind.HANDED_OUT,
        },
    )


@require_POST
@staff_with(Permission.CASE_HAND_OUT)
def handout_deliver(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    form = forms.HandOutForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("；".join(m for errs in form.errors.values() for m in errs))
        services.case_hand_out(
            case_id=case.pk,
            clerk=request.staff,  # type: ignore[attr-defined]
            **form.service_kwargs(),
        )
    except DomainError as exc:
        messages.error(request, f"{case.number}：{exc.message}")
        return redirect("workbench:handout")
    messages.success(request, _("%(n)s 已出件。") % {"n": case.number})
    return redirect(f"{reverse('workbench:handout')}?receipt={case.number}")


@staff_with(Permission.CASE_ACCEPT, Permission.TASK_HANDLE)
def material_file(request: HttpRequest, number: str, key: str) -> HttpResponse:
    """A submitted material's file, for staff who may see the case."""
    case = _case(request, number)
    material = case.materials.filter(key=key).first()
    if material is None or not material.file:
        raise Http404
    name = f"{case.number}-{material.key}{material.file.name[material.file.name.rfind('.') :]}"
    personal_data_read(request, case, PersonalDataReadKind.MATERIAL_FILE, detail=material.name)
    return FileResponse(
        material.file.open("rb"),
        content_type=material.content_type or "application/octet-stream",
        filename=name,
    )
