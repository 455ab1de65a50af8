"""The supervisor desk (/desk/supervision/): live red and yellow signals with filters and
counts, a case's supervision page, and the 督办 pages (issue, answer, close, escalate).

Who may open which page comes from ``accounts.roles`` permissions (SUPERVISE for the desk,
SUPERVISION_ANSWER too for the orders a department answers); which steps an order offers
from ``selectors.order_actions``. Pages extend the workbench's desk layout and appear in its
navigation (``workbench.access``). A refused step is the service's message at its field.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import staff_get_for_user
from onestop.cases.events import actor_role_label
from onestop.cases.models import Case
from onestop.core import clock
from onestop.core.errors import DomainError, NotFound
from onestop.evaluations.models import Rectification
from onestop.regions.models import Department
from onestop.regions.selectors import department_list_under, region_list_under
from onestop.supervision import selectors, services
from onestop.supervision.forms import (
    OrderAnswerForm,
    OrderIssueForm,
    OrderNoteForm,
    SignalFilterForm,
)
from onestop.supervision.models import Signal, SupervisionOrder
from onestop.supervision.states import ORDER_OPEN_STATES, OrderAction, OrderState, SignalState

View = Callable[..., HttpResponse]
PAGE_SIZE = 50


def staff_with(*permissions: Permission) -> Callable[[View], View]:
    """Anonymous → login; anyone whose role carries none of ``permissions`` → 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            staff = staff_get_for_user(request.user)
            if staff is None:
                raise PermissionDenied(_("工作台仅供在岗的工作人员使用。"))
            if not any(staff.has_permission(p) for p in permissions):
                raise PermissionDenied
            request.staff = staff  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def _staff(request: HttpRequest) -> Staff:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    return staff


def _region_names(viewer: Staff) -> dict[str, str]:
    return dict(region_list_under(code=viewer.region.code).values_list("code", "name"))


# ------------------------------------------------------------------------------ the desk


@staff_with(Permission.SUPERVISE)
def desk(request: HttpRequest) -> HttpResponse:
    """Live signals of the supervisor's region subtree, filtered, with counts; htmx polls."""
    viewer = _staff(request)
    names = _region_names(viewer)
    departments = list(department_list_under(code=viewer.region.code).values_list("pk", "name"))
    form = SignalFilterForm(
        request.GET or None, regions=sorted(names.items()), departments=departments
    )
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.SignalFilters(
        colour=data.get("colour") or "",
        region_code=data.get("region") or "",
        department_id=data.get("department"),
        item_code=(data.get("item") or "").strip(),
        officer_id=data.get("officer"),
        state=data.get("state") or SignalState.OPEN,
    )
    page = Paginator(selectors.signal_list_for(viewer, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.signal_counts_for(viewer, filters)
    colours = {row["colour"]: row["n"] for row in counts["colour"]}
    for row in counts["region"]:
        row["name"] = names.get(str(row["region_code"]), row["region_code"])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [_signal_row(s, names) for s in page.object_list],
        "counts": counts,
        "red": colours.get("red", 0),
        "yellow": colours.get("yellow", 0),
        "query": query.urlencode(),
        "nav": "supervision",
    }
    if request.headers.get("HX-Request") == "true" and request.GET.get("part") == "rows":
        return render(request, "supervision/_signal_rows.html", context)
    return render(request, "supervision/desk.html", context)


def _signal_row(signal: Signal, names: dict[str, str]) -> dict[str, Any]:
    return {
        "signal": signal,
        "region": names.get(signal.region_code, signal.region_code),
        "step": signal.detail.get("step", ""),
    }


@staff_with(Permission.SUPERVISE)
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    """A case as supervision sees it: facts, its signals and orders, the timeline."""
    viewer = _staff(request)
    try:
        case = selectors.case_get_for(viewer, number)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(
        request,
        "supervision/case.html",
        {
            "case": case,
            "signals": selectors.signal_list_for_case(viewer, case),
            "orders": selectors.order_list_for(viewer).filter(case=case),
            "timeline_rows": [
                {
                    "at": e.at,
                    "label": e.get_kind_display(),
                    "role": actor_role_label(e.actor_role),
                    "reason": e.reason,
                }
                for e in selectors.case_timeline(case)
            ],
            "tasks": case.tasks.select_related("department", "assignee").order_by("pk"),
            "nav": "supervision",
        },
    )


# ---------------------------------------------------------------------------- orders


@staff_with(Permission.SUPERVISE, Permission.SUPERVISION_ANSWER)
def orders(request: HttpRequest) -> HttpResponse:
    """Open orders first: those a supervisor issued in the region, or addressed to the
    viewer's department."""
    viewer = _staff(request)
    show_all = request.GET.get("all") == "1"
    states = () if show_all else tuple(ORDER_OPEN_STATES)
    page = Paginator(selectors.order_list_for(viewer, states=states), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supervision/orders.html",
        {
            "page": page,
            "show_all": show_all,
            "may_issue": viewer.has_permission(Permission.SUPERVISE),
            "rectifications": selectors.rectifications_to_supervise(viewer),
            "nav": "orders" if not viewer.has_permission(Permission.SUPERVISE) else "supervision",
        },
    )


def _issue_target(
    request: HttpRequest, viewer: Staff
) -> tuple[Case | None, Signal | None, Rectification | None]:
    source = request.POST if request.method == "POST" else request.GET
    case: Case | None = None
    signal: Signal | None = None
    rectification: Rectification | None = None
    try:
        if source.get("signal"):
            signal = selectors.signal_get_for(viewer, int(source["signal"]))
            case = signal.case
        elif source.get("case"):
            case = selectors.case_get_for(viewer, source["case"])
        elif source.get("rectification"):
            rectification = selectors.rectification_get_for(viewer, int(source["rectification"]))
    except (NotFound, ValueError):
        raise Http404 from None
    return case, signal, rectification


@staff_with(Permission.SUPERVISE)
def order_new(request: HttpRequest) -> HttpResponse:
    """Issue a 督办 on a signal's case or task, a case, a 差评 rectification or a department."""
    viewer = _staff(request)
    case, signal, rectification = _issue_target(request, viewer)
    departments = list(department_list_under(code=viewer.region.code).values_list("pk", "name"))
    if request.method == "POST":
        form = OrderIssueForm(request.POST, departments=departments)
        if form.is_valid():
            department = None
            if form.cleaned_data["department"]:
                department = Department.objects.filter(pk=form.cleaned_data["department"]).first()
            try:
                order = services.order_issue(
                    supervisor=viewer,
                    content=form.cleaned_data["content"],
                    respond_days=form.cleaned_data["respond_days"],
                    case=case,
                    signal=signal,
                    rectification=rectification,
                    department=department,
                    request_key=form.cleaned_data["request_key"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("督办已发出。"))
                return redirect("supervision:order", order_id=order.pk)
    else:
        form = OrderIssueForm(
            initial={"request_key": uuid.uuid4().hex, "respond_days": 3},
            departments=departments,
        )
    return render(
        request,
        "supervision/order_new.html",
        {
            "form": form,
            "case": case,
            "signal": signal,
            "rectification": rectification,
            "nav": "supervision",
        },
    )


def _order(request: HttpRequest, order_id: int) -> SupervisionOrder:
    try:
        return selectors.order_get_for(_staff(request), order_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _order_context(request: HttpRequest, order: SupervisionOrder, **forms: Any) -> dict[str, Any]:
    viewer = _staff(request)
    actions = selectors.order_actions(order, viewer)
    return {
        "order": order,
        "log": selectors.order_log(order),
        "may": {a.value: a in actions for a in OrderAction},
        "answer_form": forms.get("answer") or OrderAnswerForm(),
        "close_form": forms.get("close") or OrderNoteForm(prefix="close"),
        "escalate_form": forms.get("escalate") or OrderNoteForm(prefix="escalate"),
        "supervises": viewer.has_permission(Permission.SUPERVISE),
        "is_overdue": order.state in ORDER_OPEN_STATES
        and order.state != OrderState.ANSWERED
        and order.respond_by < clock.now(),
        "nav": "supervision" if viewer.has_permission(Permission.SUPERVISE) else "orders",
    }


@staff_with(Permission.SUPERVISE, Permission.SUPERVISION_ANSWER)
def order_page(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    return render(request, "supervision/order.html", _order_context(request, order))


@require_POST
@staff_with(Permission.SUPERVISE, Permission.SUPERVISION_ANSWER)
def order_act(request: HttpRequest, order_id: int, action: str) -> HttpResponse:
    """One step of the order: answer (the department), close or escalate (the supervisor)."""
    order = _order(request, order_id)
    viewer = _staff(request)
    form: OrderAnswerForm | OrderNoteForm
    if action == OrderAction.ANSWER:
        form = OrderAnswerForm(request.POST)
    elif action in (OrderAction.CLOSE, OrderAction.ESCALATE):
        form = OrderNoteForm(request.POST, prefix=action)
    else:
        raise Http404
    if form.is_valid():
        try:
            if action == OrderAction.ANSWER:
                services.order_answer(
                    order_id=order.pk, officer=viewer, answer=form.cleaned_data["answer"]
                )
            elif action == OrderAction.CLOSE:
                services.order_close(
                    order_id=order.pk, supervisor=viewer, note=form.cleaned_data["note"]
                )
            else:
                services.order_escalate(
                    order_id=order.pk, supervisor=viewer, note=form.cleaned_data["note"]
                )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, str(OrderAction(action).label) + str(_("：已完成。")))
            return redirect("supervision:order", order_id=order.pk)
    order.refresh_from_db()
    context = _order_context(request, order, **{str(action): form})
    return render(request, "supervision/order.html", context, status=422)
