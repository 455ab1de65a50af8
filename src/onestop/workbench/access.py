"""Who may open which desk: a permission per page (``accounts.roles``), one decorator, and
the desk navigation built from the same permissions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop.accounts.models import PersonalDataReadKind, Staff
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import staff_get_for_user
from onestop.accounts.services import personal_data_read_record
from onestop.accounts.throttle import client_ip
from onestop.cases.models import Case

View = Callable[..., HttpResponse]


def personal_data_read(
    request: HttpRequest, case: Case, kind: PersonalDataReadKind, *, detail: str = ""
) -> None:
    """Record that the member of staff on this request read the case's applicant's data."""
    personal_data_read_record(
        staff=request.staff,  # type: ignore[attr-defined]
        applicant_id=case.applicant_id,
        kind=kind,
        case_number=case.number or "",
        detail=detail,
        address=client_ip(request),
    )


class StaffRequest(HttpRequest):
    staff: Staff


def staff_with(*permissions: Permission) -> Callable[[View], View]:
    """Anonymous → login; applicants, off-duty staff and staff whose role carries none of
    ``permissions`` → 403. Sets ``request.staff``."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            staff = staff_get_for_user(request.user)
            if staff is None:
                # A logged-in applicant (or a login without an active staff profile): the
                # styled 403 page says why and links to the portal (core/templates/403.html).
                raise PermissionDenied(_("工作台仅供在岗的工作人员使用。"))
            if not any(staff.has_permission(p) for p in permissions):
                raise PermissionDenied
            request.staff = staff  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


@dataclass(frozen=True)
class NavLink:
    key: str  # what a page passes as ``nav`` to mark itself current
    url_name: str
    label: str | Promise
    permission: Permission


_NAV = (
    NavLink("queue", "workbench:window_queue", _("受理队列"), Permission.CASE_ACCEPT),
    NavLink("intake", "workbench:intake", _("窗口录入"), Permission.CASE_INTAKE),
    NavLink("handout", "workbench:handout", _("统一出件"), Permission.CASE_HAND_OUT),
    NavLink("post", "delivery:desk", _("邮政寄递"), Permission.SHIPMENT_HANDLE),
    NavLink("inbox", "workbench:inbox", _("我的待办"), Permission.TASK_HANDLE),
    NavLink("supervision", "supervision:desk", _("电子监察"), Permission.SUPERVISE),
    NavLink("orders", "supervision:orders", _("督办"), Permission.SUPERVISION_ANSWER),
    NavLink("consultations", "stats:consultations", _("咨询登记"), Permission.CONSULTATION_RECORD),
    NavLink("stats", "stats:dashboard", _("统计分析"), Permission.STATS_VIEW),
    NavLink("ratings_record", "evaluations:record", _("代录评价"), Permission.RATING_RECORD),
    NavLink("evaluator", "evaluations:pair", _("评价器"), Permission.CASE_HAND_OUT),
    NavLink(
        "rectifications",
        "evaluations:rectifications",
        _("差评整改"),
        Permission.RECTIFICATION_HANDLE,
    ),
    NavLink(
        "appeals", "evaluations:rectifications", _("差评复核"), Permission.RATING_APPEAL_REVIEW
    ),
)


def desk_nav(staff: Staff | None) -> list[NavLink]:
    """The desks this staff member's permissions open, in menu order (the first is home).

    Intake by a helper-agent (帮代办, no window) is named for what they do.
    """
    if staff is None:
        return []
    links = [link for link in _NAV if staff.has_permission(link.permission)]
    if staff.has_permission(Permission.AGENT_ACT):
        links = [
            NavLink(link.key, link.url_name, _("帮代办录入"), link.permission)
            if link.key == "intake"
            else link
            for link in links
        ]
    return links


def is_agent(staff: Staff) -> bool:
    """A helper-agent enters cases on the applicant's behalf (帮代办), not at a window."""
    return staff.has_permission(Permission.AGENT_ACT)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
