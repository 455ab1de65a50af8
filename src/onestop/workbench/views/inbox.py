"""The department inbox (部门专人): tasks most urgent first, the task page and its actions.

Actions are htmx posts: the task panel (or the inbox row) is swapped in place; without htmx
the same views redirect back to the page (or re-render it with the error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import Staff
from onestop.accounts.roles import Role
from onestop.cases import services
from onestop.cases.api_queries import extension_get_for, task_get_for
from onestop.cases.deadlines import TrafficLight
from onestop.cases.models import ItemTask
from onestop.cases.selectors import (
    case_get_for,
    extension_list_pending_for,
    inbox_for,
    task_traffic_light,
)
from onestop.cases.states import ExtensionState, PauseKind, TaskState
from onestop.core.errors import DomainError, NotFound, ValidationFailed
from onestop.workbench import presenters
from onestop.workbench.access import INBOX_ROLES, is_htmx, staff_only


@dataclass
class InboxRow:
    task: ItemTask
    light: TrafficLight | None
    is_mine: bool
    message: str = ""
    error: str = ""


def _row(task: ItemTask, officer: Staff, **kwargs: Any) -> InboxRow:
    return InboxRow(
        task=task,
        light=task_traffic_light(task),
        is_mine=task.assignee_id == officer.pk,
        **kwargs,
    )


@staff_only(INBOX_ROLES)
def inbox(request: HttpRequest) -> HttpResponse:
    """The officer's tasks, most urgent first; htmx polls the rows every 30 seconds."""
    officer: Staff = request.staff  # type: ignore[attr-defined]
    rows = [_row(task, officer) for task in inbox_for(officer)]
    if is_htmx(request) and request.GET.get("part") == "rows":
        return render(request, "workbench/_inbox_rows.html", {"rows": rows})
    extensions = (
        list(extension_list_pending_for(officer)) if officer.role == Role.CHIEF_APPROVER else []
    )
    return render(
        request, "workbench/inbox.html", {"rows": rows, "extensions": extensions, "nav": "inbox"}
    )


def _task(request: HttpRequest, task_id: int) -> ItemTask:
    """A task of the officer's own department in their region; anything else is 404."""
    officer: Staff = request.staff  # type: ignore[attr-defined]
    try:
        task = task_get_for(officer, task_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if task.department_id != officer.department_id or not officer.covers(task.region_code):
        raise Http404
    return task


def _panel_context(task: ItemTask, officer: Staff, **extra: Any) -> dict[str, Any]:
    pending = [e for e in task.extensions.all() if e.state == ExtensionState.REQUESTED]
    open_pause = next((p for p in task.pauses.all() if p.ended_at is None), None)
    return {
        "task": task,
        "light": task_traffic_light(task),
        "is_mine": task.assignee_id == officer.pk,
        "can_claim": task.state == TaskState.READY,
        "can_decide": task.state == TaskState.CLAIMED and task.assignee_id == officer.pk,
        "is_paused": task.state == TaskState.PAUSED,
        "can_return": task.state == TaskState.READY
        or (task.state == TaskState.CLAIMED and task.assignee_id == officer.pk),
        "pending_extension": pending[0] if pending else None,
        "open_pause": open_pause,
        "pause_kinds": PauseKind.choices,
        "errors": extra.pop("errors", {}),
        "form_action": extra.pop("form_action", ""),
        "posted": extra.pop("posted", {}),
        **extra,
    }


@staff_only(INBOX_ROLES)
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    """One task: the case (answers, form, materials), other departments' progress, history."""
    officer: Staff = request.staff  # type: ignore[attr-defined]
    task = _task(request, task_id)
    case = case_get_for(officer, task.case_id)
    context = {
        **_panel_context(task, officer),
        "case": case,
        "answers": presenters.answer_rows(case),
        "form_rows": presenters.form_rows(case),
        "materials": presenters.material_rows(case),
        "tasks": presenters.task_rows(case),
        "timeline": presenters.timeline_rows(case),
        "nav": "inbox",
    }
    return render(request, "workbench/task.html", context)


_DONE = {
    "claim": _("已认领。"),
    "approve": _("已作出通过决定。"),
    "deny": _("已作出不予许可决定。"),
    "return": _("已退回窗口。"),
    "pause": _("已启动特别程序，暂停计时。"),
    "resume": _("特别程序已结束，恢复计时。"),
    "extend": _("延期申请已提交，等待首席审批员批准。"),
}


def _days(raw: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed(_("延长的工作日数须为正整数。"), field="days") from None


def _perform(action: str, task: ItemTask, officer: Staff, post: Any) -> None:
    if action == "claim":
        services.task_claim(task_id=task.pk, officer=officer)
    elif action == "approve":
        services.task_approve(task_id=task.pk, officer=officer, opinion=post.get("opinion", ""))
    elif action == "deny":
        services.task_deny(task_id=task.pk, officer=officer, opinion=post.get("opinion", ""))
    elif action == "return":
        services.task_return(task_id=task.pk, officer=officer, reason=post.get("reason", ""))
    elif action == "pause":
        services.task_pause(
            task_id=task.pk,
            officer=officer,
            kind=post.get("kind", ""),
            reason=post.get("reason", ""),
        )
    elif action == "resume":
        services.task_resume(task_id=task.pk, officer=officer, result=post.get("result", ""))
    elif action == "extend":
        services.extension_request(
            task_id=task.pk,
            officer=officer,
            days=_days(post.get("days", "")),
            reason=post.get("reason", ""),
        )
    else:
        raise Http404


@require_POST
@staff_only(INBOX_ROLES)
def task_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    """Claim, approve, deny, return, pause, resume, ask for an extension — then show the result."""
    officer: Staff = request.staff  # type: ignore[attr-defined]
    task = _task(request, task_id)
    if action not in _DONE:
        raise Http404
    error: DomainError | None = None
    try:
        _perform(action, task, officer, request.POST)
    except DomainError as exc:
        error = exc
    task = _task(request, task_id)  # fresh state after the service (or the race it lost)
    from_inbox = request.POST.get("from") == "inbox"
    if is_htmx(request):
        if from_inbox:
            row = _row(
                task,
                officer,
                message="" if error else _DONE[action],
                error=error.message if error else "",
            )
            return render(request, "workbench/_inbox_row.html", {"row": row})
        context = _panel_context(
            task,
            officer,
            done=None if error else _DONE[action],
            errors=presenters.errors_of(error) if error else {},
            form_action=action if error else "",
            posted=request.POST if error else {},
        )
        return render(request, "workbench/_task_panel.html", context)
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, _DONE[action])
    if from_inbox:
        return redirect("workbench:inbox")
    return redirect("workbench:task", task_id=task.pk)


@require_POST
@staff_only(frozenset({Role.CHIEF_APPROVER}))
def extension_approve(request: HttpRequest, extension_id: int) -> HttpResponse:
    """The chief approver approves an extension of their department (due dates move)."""
    chief: Staff = request.staff  # type: ignore[attr-defined]
    try:
        extension = extension_get_for(chief, extension_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    error = ""
    try:
        extension = services.extension_approve(extension_id=extension.pk, chief=chief)
    except DomainError as exc:
        error = exc.message
    if is_htmx(request):
        return render(
            request,
            "workbench/_extension_row.html",
            {"extension": extension, "error": error, "done": not error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已批准延期。"))
    return redirect("workbench:inbox")
