"""My cases: status, timeline, notices, 补正, 容缺 supply and withdrawal."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from onestop.accounts.models import Applicant
from onestop.accounts.roles import Role
from onestop.accounts.selectors import personal_data_reads_of
from onestop.cases.actions import authorisation_status, case_actions
from onestop.cases.deadlines import traffic_light
from onestop.cases.events import ON_BEHALF_OF, ActorKind
from onestop.cases.models import Case
from onestop.cases.notices import notice_kinds_for
from onestop.cases.results import case_results
from onestop.cases.selectors import (
    applicant_cases_page,
    case_get_by_number_for,
    case_timeline,
    case_traffic_light,
    task_list_for_case,
)
from onestop.cases.services import (
    case_draft_discard,
    case_supplement,
    case_supply_tolerated,
    case_withdraw,
)
from onestop.cases.services.drafts import drafts_of
from onestop.cases.states import (
    CASE_CLOCK_STATES,
    CASE_QUEUE_STATES,
    TASK_INBOX_STATES,
    CaseState,
    EventKind,
    MaterialStatus,
)
from onestop.catalog.selectors import commitment_text_for
from onestop.core.errors import DomainError, NotFound
from onestop.core.paging import CursorInvalid
from onestop.evaluations.services import rating_kind_open
from onestop.portal.forms import FILE_PREFIX, SupplementForm, SupplyForm, WithdrawForm
from onestop.portal.guide import ANSWER_PREFIX
from onestop.portal.views._common import applicant_for, field_of

# ------------------------------------------------------------------------------ my cases


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    applicant = applicant_for(request)
    after = request.GET.get("after", "")[:200]
    try:
        page = applicant_cases_page(applicant, cursor=after)
    except CursorInvalid:  # an old or edited link: the first page
        after, page = "", applicant_cases_page(applicant)
    rows = []
    for case in page.rows:
        signal = None
        if case.state in CASE_CLOCK_STATES and case.due_at is not None:
            # From the stored due date (no event read per row), as the inbox does for tasks.
            signal = traffic_light(
                due_at=case.due_at,
                limit_days=case.promised_days,
                is_provisional=case.due_is_provisional,
                unit=case.promised_unit,
            )
        rows.append((case, signal))
    drafts = [(draft, draft_resume_url(draft)) for draft in drafts_of(request.user)]
    return render(
        request,
        "portal/my_cases.html",
        {"rows": rows, "drafts": drafts, "after": after, "next": page.next},
    )


@login_required
def my_data_reads(request: HttpRequest) -> HttpResponse:
    """Who in government read my personal data: when, which department, where (等保 审计)."""
    applicant = applicant_for(request)
    return render(request, "portal/data_reads.html", {"reads": personal_data_reads_of(applicant)})


def draft_resume_url(draft: Case) -> str:
    """The apply page reopened on the draft, with its situation answers."""
    if draft.package_version is not None:
        query = urlencode(
            {ANSWER_PREFIX + k: v for k, v in draft.answers.items() if v not in ("", None)}
        )
        url = reverse("portal:apply", args=[draft.package_version.package.code])
        return f"{url}?{query}&draft={draft.pk}" if query else f"{url}?draft={draft.pk}"
    url = reverse("portal:item_apply", args=[draft.item_version.item.basic_code])
    return f"{url}?draft={draft.pk}"


@login_required
@require_POST
def draft_discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    """删除草稿 (a draft is not yet an application: nothing of it is kept)."""
    applicant_for(request)
    try:
        case_draft_discard(created_by=request.user, draft_id=draft_id)
    except NotFound as exc:
        messages.info(request, exc.message)
    else:
        messages.success(request, _("草稿已删除。"))
    return redirect("portal:my_cases")


def _case_for(request: HttpRequest, number: str) -> tuple[Applicant, Case]:
    applicant = applicant_for(request)
    try:
        return applicant, case_get_by_number_for(applicant, number)
    except NotFound:
        raise Http404(_("办件不存在。")) from None


# Steps inside a department that say nothing to the applicant (who works on it, internal checks).
_INTERNAL_EVENTS = frozenset(
    {EventKind.TASK_REASSIGNED, EventKind.EXTENSION_REQUESTED, EventKind.VERIFICATION_OPENED}
)


def _timeline(case: Case, departments: dict[int, str]) -> list[dict[str, Any]]:
    rows = []
    for event in case_timeline(case):
        if event.kind in _INTERNAL_EVENTS:
            continue
        try:
            label = str(EventKind(event.kind).label)
        except ValueError:
            label = event.kind
        payload = event.payload or {}
        who = ""
        on_behalf = payload.get(ON_BEHALF_OF)
        if on_behalf:  # 帮代办员 X 代为提交申请: the agent's act, on the applicant's behalf
            label = _("帮代办员 %(name)s 代为%(action)s") % {
                "name": on_behalf.get("agent_name", ""),
                "action": label,
            }
        elif event.actor_role == ActorKind.APPLICANT:
            who = _("申请人")
        elif "task" in payload:
            who = departments.get(payload.get("task"), "")
        elif event.actor_role == Role.WINDOW_CLERK:
            who = pgettext("who", "综合受理窗口")
        elif event.actor_role == Role.AGENT:
            who = _("帮代办员")
        elif event.actor_role == ActorKind.SYSTEM:
            who = _("系统")
        rows.append(
            {
                "at": event.at,
                "label": label,
                "item": payload.get("item", ""),
                "who": who,
                "reason": event.reason,
            }
        )
    return rows


def _holders(case: Case, tasks: list[Any]) -> list[str]:
    """Who has the case now: departments (never an officer's name), the window or the applicant."""
    if case.state in CASE_QUEUE_STATES:
        return [pgettext("who", "综合受理窗口")]
    if case.state == CaseState.CORRECTION_REQUESTED:
        return [_("申请人（待补正材料）")]
    if case.state == CaseState.COMPLETED:
        return [_("综合受理窗口（待出件）")]
    names = []
    for task in tasks:
        # A task waiting on a prerequisite (pending) is nobody's work yet.
        if task.state in TASK_INBOX_STATES and task.department.name not in names:
            names.append(task.department.name)
    return names


@login_required
def my_case(request: HttpRequest, number: str) -> HttpResponse:
    applicant, case = _case_for(request, number)
    tasks = list(task_list_for_case(case))
    departments = {t.pk: t.department.name for t in tasks}
    materials = list(case.materials.order_by("pk"))
    correction = case.correction_notice or {}
    correction_keys = [m.get("key") for m in correction.get("materials", [])]
    by_key = {m.key: m for m in materials}
    return render(
        request,
        "portal/case.html",
        {
            "case": case,
            "agent_status": authorisation_status(case.authorisation)
            if case.authorisation
            else None,
            "actions": frozenset(str(a) for a in case_actions(case, applicant)),
            "tasks": tasks,
            "materials": materials,
            "timeline": _timeline(case, departments),
            "holders": _holders(case, tasks),
            "signal": case_traffic_light(case),
            "notices": [(kind, kind.label) for kind in notice_kinds_for(case)],
            "results": case_results(case, applicant),
            "rating_kind": rating_kind_open(case=case, applicant=applicant),
            "correction": correction,
            "correction_materials": [by_key[k] for k in correction_keys if k in by_key],
            "tolerated": [m for m in materials if m.status == MaterialStatus.TOLERATED_MISSING],
            "commitment_text": _commitment_text(case),
            "errors": request.session.pop("portal_errors", {}),
        },
    )


def _commitment_text(case: Case) -> str:
    return commitment_text_for(package_version=case.package_version, item_version=case.item_version)


def _back_with(request: HttpRequest, case: Case, errors: dict[str, str]) -> HttpResponse:
    request.session["portal_errors"] = errors
    return redirect("portal:my_case", number=case.number)


@login_required
@require_POST
def supplement(request: HttpRequest, number: str) -> HttpResponse:
    """补正: upload what the correction notice listed; the case goes back to the window."""
    applicant, case = _case_for(request, number)
    listed = [m.get("key") for m in (case.correction_notice or {}).get("materials", [])]
    rows = {m.key: m for m in case.materials.filter(key__in=listed)}
    form = SupplementForm(
        request.POST,
        request.FILES,
        materials=[rows[k] for k in listed if k in rows],
        commitment_text=_commitment_text(case),
    )
    form.is_valid()  # files and ticks only: what is missing is the service's to say
    try:
        case_supplement(case_id=case.pk, by=applicant, materials=form.material_inputs())
    except DomainError as exc:
        where, key = field_of(exc)
        return _back_with(
            request, case, {key if where == "material" else "supplement": exc.message}
        )
    messages.success(request, _("补正材料已提交，窗口将重新审核。"))
    return redirect("portal:my_case", number=case.number)


@login_required
@require_POST
def supply_tolerated(request: HttpRequest, number: str, key: str) -> HttpResponse:
    """补交容缺材料 by its deadline."""
    applicant, case = _case_for(request, number)
    form = SupplyForm(request.POST, request.FILES, key=key)
    if not form.is_valid():
        return _back_with(request, case, {key: form.error_of(FILE_PREFIX + key)})
    try:
        case_supply_tolerated(
            case_id=case.pk, key=key, material=form.material_input(), by=applicant
        )
    except DomainError as exc:
        return _back_with(request, case, {key: exc.message})
    messages.success(request, _("容缺材料已补交。"))
    return redirect("portal:my_case", number=case.number)


@login_required
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """撤回申请, only after the applicant ticked the confirmation."""
    applicant, case = _case_for(request, number)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _back_with(request, case, {"withdraw": form.error_of("confirm")})
    try:
        case_withdraw(case_id=case.pk, by=applicant, reason=form.cleaned_data["reason"][:500])
    except DomainError as exc:
        return _back_with(request, case, {"withdraw": exc.message})
    messages.success(request, _("申请已撤回。"))
    return redirect("portal:my_case", number=case.number)
