"""The department inbox (部门专人): tasks most urgent first, the task page and its actions.

Which actions a task offers comes from ``cases.actions.task_actions`` for the officer; each
is one POST with its form (``workbench.forms``). Actions are htmx posts: the task panel (or
the inbox row) is swapped in place; without htmx the same views redirect back to the page.
A refused action (a forced POST, a race lost) is the service's message, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import PersonalDataReadKind, Staff
from onestop.accounts.roles import Permission
from onestop.cases import services
from onestop.cases.actions import TaskAction, extension_actions, task_actions
from onestop.cases.api_queries import extension_get_for, task_get_for
from onestop.cases.deadlines import TrafficLight
from onestop.cases.models import Extension, ItemTask
from onestop.cases.selectors import (
    case_cross_domain,
    case_get_for,
    extension_list_pending_for,
    inbox_page,
    task_traffic_light,
)
from onestop.cases.states import TASK_HELD_STATES, ExtensionState
from onestop.core.errors import DomainError, NotFound
from onestop.core.paging import CursorInvalid
from onestop.delivery import selectors as delivery_selectors
from onestop.workbench import forms, presenters
from onestop.workbench.access import is_htmx, personal_data_read, staff_with


@dataclass
class InboxRow:
    task: ItemTask
    light: TrafficLight | None
    is_mine: bool
    is_held: bool
    actions: frozenset[str] = field(default_factory=frozenset)
    message: str = ""
    error: str = ""


def _row(task: ItemTask, officer: Staff, **kwargs: Any) -> InboxRow:
    return InboxRow(
        task=task,
        light=task_traffic_light(task),
        is_mine=task.assignee_id == officer.pk,
        is_held=task.state in TASK_HELD_STATES,
        actions=presenters.action_names(task_actions(task, officer)),
        **kwargs,
    )


@dataclass
class ExtensionRow:
    extension: Extension
    actions: frozenset[str]


def _extension_row(extension: Extension, chief: Staff) -> ExtensionRow:
    return ExtensionRow(extension, presenters.action_names(extension_actions(extension, chief)))


@staff_with(Permission.TASK_HANDLE)
def inbox(request: HttpRequest) -> HttpResponse:
    """The officer's tasks, most urgent first; htmx polls the rows every 30 seconds."""
    officer: Staff = request.staff  # type: ignore[attr-defined]
    pending = Prefetch(
        "extensions", queryset=Extension.objects.filter(state=ExtensionState.REQUESTED)
    )
    after = request.GET.get("after", "")[:200]
    try:
        page = inbox_page(officer, cursor=after)
    except CursorInvalid:  # an old or edited link: the first page
        after, page = "", inbox_page(officer)
    prefetch_related_objects(page.rows, pending)
    rows = [_row(task, officer) for task in page.rows]
    if is_htmx(request) and request.GET.get("part") == "rows":
        return render(request, "workbench/_inbox_rows.html", {"rows": rows})
    approves = officer.has_permission(Permission.EXTENSION_APPROVE)
    extensions = (
        [_extension_row(e, officer) for e in extension_list_pending_for(officer)]
        if approves
        else []
    )
    return render(
        request,
        "workbench/inbox.html",
        {
            "rows": rows,
            "after": after,
            "next": page.next,
            "approves_extensions": approves,
            "extensions": extensions,
            "nav": "inbox",
        },
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


@dataclass(frozen=True)
class _TaskAction:
    action: TaskAction
    form: type[forms.DeskForm]
    service: Callable[..., Any]
    done: str | Promise
    panel_form: str  # which form of the panel it posts (approve and deny share one)


# Messages are lazy: read in the language of the request that shows them.
_ACTIONS: dict[str, _TaskAction] = {
    "claim": _TaskAction(
        TaskAction.CLAIM, forms.ClaimForm, services.task_claim, _("已认领。"), "claim"
    ),
    "approve": _TaskAction(
        TaskAction.APPROVE,
        forms.OpinionForm,
        services.task_approve,
        _("已作出通过决定。"),
        "decide",
    ),
    "deny": _TaskAction(
        TaskAction.DENY, forms.OpinionForm, services.task_deny, _("已作出不予许可决定。"), "decide"
    ),
    "return": _TaskAction(
        TaskAction.RETURN, forms.ReturnForm, services.task_return, _("已退回窗口。"), "return"
    ),
    "pause": _TaskAction(
        TaskAction.PAUSE,
        forms.PauseForm,
        services.task_pause,
        _("已启动特别程序，暂停计时。"),
        "pause",
    ),
    "resume": _TaskAction(
        TaskAction.RESUME,
        forms.ResumeForm,
        services.task_resume,
        _("特别程序已结束，恢复计时。"),
        "resume",
    ),
    "extend": _TaskAction(
        TaskAction.REQUEST_EXTENSION,
        forms.ExtendForm,
        services.extension_request,
        _("延期申请已提交，等待首席审批员批准。"),
        "extend",
    ),
}
_PANEL_FORMS: dict[str, type[forms.DeskForm]] = {
    spec.panel_form: spec.form for spec in _ACTIONS.values()
}


def _panel_context(
    task: ItemTask,
    officer: Staff,
    *,
    posted: forms.DeskForm | None = None,
    form_action: str = "",
    done: str = "",
) -> dict[str, Any]:
    pending = [e for e in task.extensions.all() if e.state == ExtensionState.REQUESTED]
    open_pause = next((p for p in task.pauses.all() if p.ended_at is None), None)
    panel = {name: form() for name, form in _PANEL_FORMS.items()}
    if posted is not None:
        panel[_ACTIONS[form_action].panel_form] = posted
    return {
        "task": task,
        "light": task_traffic_light(task),
        "is_mine": task.assignee_id == officer.pk,
        "actions": presenters.action_names(task_actions(task, officer)),
        "pending_extension": pending[0] if pending else None,
        "open_pause": open_pause,
        "forms": panel,
        "form_action": form_action,
        "top_error": posted.top_errors[0] if posted is not None and posted.top_errors else "",
        "done": done,
    }


@staff_with(Permission.TASK_HANDLE)
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    """One task: the case (answers, form, materials), other departments' progress, history."""
    officer: Staff = request.staff  # type: ignore[attr-defined]
    task = _task(request, task_id)
    case = case_get_for(officer, task.case_id)
    personal_data_read(request, case, PersonalDataReadKind.TASK_DESK, detail=task.title)
    context = {
        **_panel_context(task, officer),
        "case": case,
        "answers": presenters.answer_rows(case),
        "form_rows": presenters.form_rows(case),
        "materials": presenters.material_rows(case),
        "tasks": presenters.task_rows(case),
        "timeline": presenters.timeline_rows(case),
        "cross": (cross := case_cross_domain(case)),
        "originals_posted": [
            (p, status)
            for p in cross.elsewhere
            if p.region_code == task.region_code
            and (status := delivery_selectors.originals_status(case.pk, p.region_code))
        ],
        "nav": "inbox",
    }
    return render(request, "workbench/task.html", context)


@require_POST
@staff_with(Permission.TASK_HANDLE)
def task_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    """Claim, approve, deny, return, pause, resume, ask for an extension — then show the result."""
    officer: Staff = request.staff  # type: ignore[attr-defined]
    task = _task(request, task_id)
    spec = _ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = spec.form(request.POST)
    if form.is_valid():
        try:
            spec.service(task_id=task.pk, officer=officer, **form.service_kwargs())  # type: ignore[attr-defined]
        except DomainError as exc:
            form.add_domain_error(exc)
    failed = bool(form.errors)
    error = "；".join(str(m) for errs in form.errors.values() for m in errs) if failed else ""
    task = _task(request, task_id)  # fresh state after the service (or the race it lost)
    from_inbox = request.POST.get("from") == "inbox"
    if is_htmx(request):
        if from_inbox:
            row = _row(task, officer, message="" if failed else str(spec.done), error=error)
            return render(request, "workbench/_inbox_row.html", {"row": row})
        context = _panel_context(
            task,
            officer,
            posted=form if failed else None,
            form_action=action if failed else "",
            done="" if failed else str(spec.done),
        )
        panel = render(request, "workbench/_task_panel.html", context)
        if failed:
            return panel
        # The decision changed the other departments' table and the history too: both are
        # sent along and swapped in place (htmx out-of-band), so the page never goes stale.
        case = case_get_for(officer, task.case_id)
        extra = {"oob": True, "current": task}
        panel.content += render_to_string(
            "workbench/_tasks_progress.html",
            {**extra, "tasks": presenters.task_rows(case)},
            request=request,
        ).encode()
        panel.content += render_to_string(
            "workbench/_timeline.html",
            {**extra, "timeline": presenters.timeline_rows(case)},
            request=request,
        ).encode()
        return panel
    if failed:
        messages.error(request, error)
    else:
        messages.success(request, str(spec.done))
    if from_inbox:
        return redirect("workbench:inbox")
    return redirect("workbench:task", task_id=task.pk)


@require_POST
@staff_with(Permission.EXTENSION_APPROVE)
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
            {"row": _extension_row(extension, chief), "error": error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, str(_("已批准延期。")))
    return redirect("workbench:inbox")
