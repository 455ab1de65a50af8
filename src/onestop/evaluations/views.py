"""Pages of 好差评 (/ratings/): the applicant's rating page and their ratings, the tokenised
public page, the window evaluator a hall tablet shows, the clerk's phone/paper entry, the
pairing of a tablet, and the department's 差评 inbox with each step of the loop.

Views parse with a form, call one service and put its ``DomainError`` back on the form.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import applicant_get_for_user, staff_get_for_user
from onestop.accounts.throttle import client_ip
from onestop.cases.models import Case
from onestop.core.errors import DomainError
from onestop.evaluations import selectors, services
from onestop.evaluations.forms import (
    AppealForm,
    FeedbackForm,
    FollowUpForm,
    OpinionForm,
    PairForm,
    RatingForm,
    RecordForm,
    ReviewForm,
    VerifyForm,
)
from onestop.evaluations.models import Rectification
from onestop.evaluations.states import BAD_LEVELS, RatingChannel, RatingLevel
from onestop.regions.models import Window

View = Callable[..., HttpResponse]
DEVICE_COOKIE = "onestop_rater"


def _staff_with(*permissions: Permission) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            staff = staff_get_for_user(request.user)
            if staff is None or not any(staff.has_permission(p) for p in permissions):
                raise PermissionDenied(_("此页面仅供有相应权限的工作人员使用。"))
            request.staff = staff  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def _indicator_choices(case: Case) -> list[tuple[str, str]]:
    scope = services.indicator_scope(case)
    return [(i.code, i.name) for i in selectors.indicators_current(scope)]


def _rating_context(form: RatingForm, **extra: Any) -> dict[str, Any]:
    return {
        "form": form,
        "levels": list(RatingLevel),
        "bad_levels": sorted(int(v) for v in BAD_LEVELS),
        **extra,
    }


def _channel_of(request: HttpRequest) -> RatingChannel:
    agent = request.headers.get("User-Agent", "")
    return RatingChannel.MOBILE if "Mobile" in agent else RatingChannel.PC


# --- applicant ---------------------------------------------------------------------------


@login_required
def case_rate(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant rates their case from the portal (PC or mobile page)."""
    applicant = applicant_get_for_user(request.user)
    case = Case.objects.filter(number=number).first()
    if applicant is None or case is None or case.applicant_id != applicant.pk:
        raise Http404
    form = RatingForm(request.POST or None, indicators=_indicator_choices(case))
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_submit(
                case_id=case.pk,
                user=request.user,  # type: ignore[arg-type]
                level=form.cleaned_data["level"],
                channel=_channel_of(request),
                indicator_codes=form.cleaned_data["indicators"],
                text=form.cleaned_data["text"],
            )
        except DomainError as exc:
            form.put_error(exc)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("evaluations:mine")
    ratings = selectors.rating_list_for_case(case)
    return render(
        request,
        "evaluations/rate.html",
        _rating_context(form, case=case, ratings=ratings, action=request.path),
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The applicant's ratings, each 差评's progress and its feedback."""
    applicant = applicant_get_for_user(request.user)
    if applicant is None:
        raise PermissionDenied(_("只有申请人可以使用此页面。"))
    rows = []
    for rating in selectors.ratings_of_applicant(applicant):
        rect = getattr(rating, "rectification", None) if rating.is_bad else None
        rows.append(
            {
                "rating": rating,
                "rect": rect,
                "can_rate_rect": rect is not None and selectors.rectification_opinion_open(rect),
            }
        )
    return render(request, "evaluations/mine.html", {"rows": rows, "opinion": OpinionForm()})


@login_required
@require_POST
def rectification_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    form = OpinionForm(request.POST)
    if form.is_valid():
        try:
            services.rectification_rate(
                rectification_id=pk,
                user=request.user,  # type: ignore[arg-type]
                opinion=form.cleaned_data["opinion"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("感谢您对整改情况的评价！"))
    else:
        messages.error(request, _("请选择您对整改情况的评价。"))
    return redirect("evaluations:mine")


# --- the tokenised public page (QR code, SMS) ---------------------------------------------


def token_rate(request: HttpRequest, token: str) -> HttpResponse:
    """No login; reveals only the service's title; one use; 390–1024 px, large targets."""
    row = selectors.token_get(token)
    if row is None:
        raise Http404
    case = row.case
    form = RatingForm(request.POST or None, indicators=_indicator_choices(case))
    device = request.COOKIES.get(DEVICE_COOKIE) or secrets.token_hex(16)
    done = row.used_at is not None
    if request.method == "POST" and not done and form.is_valid():
        try:
            services.rating_submit_by_token(
                token=token,
                level=form.cleaned_data["level"],
                indicator_codes=form.cleaned_data["indicators"],
                text=form.cleaned_data["text"],
                user=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
                client_ip=client_ip(request),
                device_id=device,
            )
        except DomainError as exc:
            form.put_error(exc)
        else:
            done = True
    status = 200 if not form.errors or done else 422
    response = render(
        request,
        "evaluations/public.html",
        _rating_context(form, title=case.title, done=done, action=request.path),
        status=status,
    )
    response.set_cookie(DEVICE_COOKIE, device, max_age=365 * 86400, httponly=True, samesite="Lax")
    return response


# --- the window evaluator (评价器) ----------------------------------------------------------


@_staff_with(Permission.CASE_HAND_OUT)
def pair(request: HttpRequest) -> HttpResponse:
    """The clerk pairs the hall tablet to their window; the page shows its address."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    windows = (
        Window.objects.filter(hall_id=staff.hall_id) if staff.hall_id else Window.objects.none()
    )
    form = PairForm(request.POST or None, windows=[(w.pk, str(w)) for w in windows])
    pairing = None
    if request.method == "POST" and form.is_valid():
        try:
            pairing = services.evaluator_pair(window_id=form.cleaned_data["window"], clerk=staff)
        except DomainError as exc:
            form.add_error("window" if exc.field else None, exc.message)
    url = request.build_absolute_uri(f"/ratings/window/{pairing.token}/") if pairing else ""
    return render(request, "evaluations/pair.html", {"form": form, "pairing": pairing, "url": url})


def window(request: HttpRequest, token: str) -> HttpResponse:
    pairing = selectors.pairing_get(token)
    if pairing is None:
        raise Http404
    return render(
        request,
        "evaluations/window.html",
        {
            "state": selectors.evaluator_state(pairing),
            "token": token,
            "levels": list(RatingLevel),
            "bad_levels": sorted(int(v) for v in BAD_LEVELS),
            "indicators": [(i.code, i.name) for i in selectors.indicators_current("onsite")],
        },
    )


@require_GET
def window_state(request: HttpRequest, token: str) -> JsonResponse:
    """What the tablet polls: is a case waiting for a tap?"""
    pairing = selectors.pairing_get(token)
    if pairing is None:
        return JsonResponse({"detail": _("评价器未配对。")}, status=404)
    return JsonResponse(selectors.evaluator_state(pairing))


@require_POST
def window_rate(request: HttpRequest, token: str) -> JsonResponse:
    pairing = selectors.pairing_get(token)
    if pairing is None:
        return JsonResponse({"detail": _("评价器未配对。")}, status=404)
    case_id = pairing.current_case_id
    if case_id is None:
        return JsonResponse({"detail": _("当前没有待评价的办件。")}, status=409)
    form = RatingForm(request.POST, indicators=_indicator_choices(pairing.current_case))
    if not form.is_valid():
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        return JsonResponse({"detail": _("输入有误"), "errors": errors}, status=422)
    try:
        services.rating_submit_at_window(
            pairing_token=token,
            case_id=case_id,
            level=form.cleaned_data["level"],
            indicator_codes=form.cleaned_data["indicators"],
            text=form.cleaned_data["text"],
        )
    except DomainError as exc:
        body = {"detail": exc.message, "field": exc.field or ""}
        return JsonResponse(body, status=exc.status)
    return JsonResponse({"ok": True, "message": _("感谢您的评价！")})


# --- clerk: phone and paper ratings --------------------------------------------------------


@_staff_with(Permission.RATING_RECORD)
def record(request: HttpRequest) -> HttpResponse:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    number = (request.POST.get("case_number") or "").strip()
    case = Case.objects.filter(number=number).first() if number else None
    choices = (
        _indicator_choices(case)
        if case
        else [(i.code, i.name) for i in selectors.indicators_current("onsite")]
        + [(i.code, i.name) for i in selectors.indicators_current("online")]
    )
    form = RecordForm(request.POST or None, indicators=choices)
    if request.method == "POST" and form.is_valid():
        if case is None:
            form.add_error("case_number", _("未找到该办件。"))
        else:
            try:
                services.rating_record(
                    case_id=case.pk,
                    clerk=staff,
                    level=form.cleaned_data["level"],
                    channel=RatingChannel(form.cleaned_data["channel"]),
                    indicator_codes=form.cleaned_data["indicators"],
                    text=form.cleaned_data["text"],
                )
            except DomainError as exc:
                if exc.field is None and exc.status == 404:
                    form.add_error("case_number", exc.message)
                else:
                    form.put_error(exc)
            else:
                messages.success(request, _("评价已录入。"))
                return redirect("evaluations:record")
    return render(request, "evaluations/record.html", _rating_context(form))


# --- department: the 差评 inbox and the loop; supervisor: appeals and overdue --------------


@_staff_with(Permission.RECTIFICATION_HANDLE, Permission.RATING_APPEAL_REVIEW)
def rectifications(request: HttpRequest) -> HttpResponse:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    inbox = list(selectors.rectification_inbox_for(staff))
    overdue = (
        list(selectors.rectifications_overdue(staff))
        if staff.has_permission(Permission.RATING_APPEAL_REVIEW)
        else []
    )
    rows = [{"rect": r, "light": selectors.rectification_light(r)} for r in inbox]
    return render(request, "evaluations/rectifications.html", {"rows": rows, "overdue": overdue})


_STEP_TITLES = {
    "verify": _lazy("核实与处置"),
    "feedback": _lazy("反馈评价人"),
    "follow_up": _lazy("回访"),
    "appeal": _lazy("申诉（误评、恶意差评）"),
    "review": _lazy("申诉复核"),
}
_STEPS: dict[str, tuple[type[Any], Callable[..., Rectification]]] = {
    "verify": (VerifyForm, services.rectification_verify),
    "feedback": (FeedbackForm, services.rectification_feedback),
    "follow_up": (FollowUpForm, services.rectification_follow_up),
    "appeal": (AppealForm, services.rectification_appeal),
    "review": (ReviewForm, services.rectification_review),
}


@_staff_with(Permission.RECTIFICATION_HANDLE, Permission.RATING_APPEAL_REVIEW)
def rectification(request: HttpRequest, pk: int) -> HttpResponse:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    rect = selectors.rectification_get(pk)
    if rect is None or not (
        rect.department_id == staff.department_id
        or staff.has_permission(Permission.RATING_APPEAL_REVIEW)
    ):
        raise Http404
    actions = selectors.rectification_actions(rect, staff)
    forms = {name: cls() for name, (cls, _fn) in _STEPS.items() if actions[name]}
    step = request.POST.get("step", "")
    if request.method == "POST":
        if step not in _STEPS or not actions.get(step):
            messages.error(request, _("当前不能执行该操作。"))
            return redirect("evaluations:rectification", pk=pk)
        cls, fn = _STEPS[step]
        form = cls(request.POST)
        forms[step] = form
        if form.is_valid():
            who = "supervisor" if step == "review" else "officer"
            try:
                fn(rectification_id=pk, **{who: staff}, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("已保存。"))
                return redirect("evaluations:rectification", pk=pk)
    rater = (
        selectors.rater_masked(rect.rating.applicant)
        if not selectors.rater_visible_to(staff, rect)
        else {
            "name": rect.rating.applicant.name,
            "identifier": rect.rating.applicant.masked_identifier,
            "phone": rect.rating.applicant.phone,  # to call the rater (核实、回访)
        }
    )
    return render(
        request,
        "evaluations/rectification.html",
        {
            "rect": rect,
            "rater": rater,
            "steps": [(step, _STEP_TITLES[step], form) for step, form in forms.items()],
            "light": selectors.rectification_light(rect),
        },
    )


def published(request: HttpRequest) -> HttpResponse:
    """评价结果及整改情况向社会公开 — no personal data."""
    return render(
        request,
        "evaluations/published.html",
        {
            "periods": selectors.results_published(),
            "rows": selectors.rectifications_published(),
        },
    )
