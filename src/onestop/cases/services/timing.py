"""The clock: 特别程序 pauses, extensions (延期), and storing recomputed due dates."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.cases.deadlines import due_dates
from onestop.cases.events import event_record
from onestop.cases.models import Case, Extension, ItemTask, Pause
from onestop.cases.services._common import (
    case_lock,
    require_task_officer,
    require_text,
    task_lock,
    task_move,
)
from onestop.cases.states import (
    TASK_OPEN_STATES,
    EventKind,
    ExtensionState,
    PauseKind,
    TaskState,
    require_state,
)
from onestop.core import clock
from onestop.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


def dues_refresh(case: Case) -> None:
    """Store the due dates recomputed from the event history (case and open tasks)."""
    dues = due_dates(case)
    if dues.case is not None and (
        case.due_at != dues.case.at or case.due_is_provisional != dues.case.is_provisional
    ):
        case.due_at = dues.case.at
        case.due_is_provisional = dues.case.is_provisional
        case.save(update_fields=["due_at", "due_is_provisional", "updated_at"])
    if not dues.tasks:
        return
    for task in case.tasks.filter(pk__in=list(dues.tasks), state__in=TASK_OPEN_STATES):
        due = dues.tasks[task.pk]
        if task.due_at != due.at or task.due_is_provisional != due.is_provisional:
            task.due_at = due.at
            task.due_is_provisional = due.is_provisional
            task.save(update_fields=["due_at", "due_is_provisional", "updated_at"])


def _require_holder(task: ItemTask, officer: Staff) -> None:
    if task.assignee_id != officer.pk:
        raise PermissionDenied(_("只有该子件的承办人可以执行此操作。"))


@transaction.atomic
def task_pause(*, task_id: int, officer: Staff, kind: PauseKind | str, reason: str) -> Pause:
    """Start a 特别程序 (hearing, inspection, expert review …): the task and case clocks stop."""
    case, task = task_lock(task_id)
    require_task_officer(officer, task, Permission.TASK_PAUSE)
    try:
        kind = PauseKind(kind)
    except ValueError:
        raise ValidationFailed(
            _("未知的特别程序类型：%(k)s。") % {"k": kind}, field="kind"
        ) from None
    text = require_text(reason, field="reason", what=_("启动特别程序的理由"))
    require_state(task, {TaskState.CLAIMED}, action=_("启动特别程序"))
    _require_holder(task, officer)
    pause = Pause.objects.create(
        case=case, task=task, kind=kind, reason=text, started_at=clock.now(), started_by=officer
    )
    task_move(
        case,
        task,
        to=TaskState.PAUSED,
        kind=EventKind.TASK_PAUSED,
        actor=officer,
        action=_("启动特别程序"),
        reason=text,
        payload={"pause": pause.pk, "pause_kind": str(kind)},
    )
    return pause


@transaction.atomic
def task_resume(*, task_id: int, officer: Staff, result: str) -> Pause:
    """End the 特别程序 with its result; due dates move by the paused working days."""
    case, task = task_lock(task_id)
    require_task_officer(officer, task, Permission.TASK_PAUSE)
    text = require_text(result, field="result", what=_("特别程序的结果"))
    require_state(task, {TaskState.PAUSED}, action=_("结束特别程序"))
    pause = task.pauses.select_for_update().filter(ended_at__isnull=True).order_by("-pk").first()
    if pause is None:  # pragma: no cover - a paused task always has an open pause
        raise Conflict(_("该子件没有进行中的特别程序。"))
    pause.ended_at = clock.now()
    pause.result = text
    task_move(
        case,
        task,
        to=TaskState.CLAIMED,
        kind=EventKind.TASK_RESUMED,
        actor=officer,
        action=_("结束特别程序"),
        reason=text,
        payload={"pause": pause.pk},
    )
    dues = due_dates(case)
    task_due = dues.tasks.get(task.pk)
    pause.paused_workdays = task_due.paused_days if task_due else 0
    pause.save(update_fields=["ended_at", "result", "paused_workdays", "updated_at"])
    dues_refresh(case)
    return pause


@transaction.atomic
def extension_request(*, task_id: int, officer: Staff, days: int, reason: str) -> Extension:
    """Ask to extend a task by working days, before it is overdue (a late request counts as overdue)."""
    case, task = task_lock(task_id)
    require_task_officer(officer, task, Permission.TASK_HANDLE)
    text = require_text(reason, field="reason", what=_("延期理由"))
    if not isinstance(days, int) or days < 1:
        raise ValidationFailed(_("延长的工作日数须为正整数。"), field="days")
    require_state(task, {TaskState.CLAIMED, TaskState.PAUSED}, action=_("申请延期"))
    _require_holder(task, officer)
    if task.due_at is not None and clock.now() > task.due_at:
        raise Conflict(_("办结时限已过，不能再申请延期（超过时限才申请延期按超期办结处理）。"))
    if task.extensions.filter(state=ExtensionState.REQUESTED).exists():
        raise Conflict(_("该子件已有待批准的延期申请。"))
    extension = Extension.objects.create(
        case=case,
        task=task,
        days=days,
        reason=text,
        requested_by=officer,
        requested_at=clock.now(),
    )
    event_record(
        case=case,
        kind=EventKind.EXTENSION_REQUESTED,
        actor=officer,
        to_state=ExtensionState.REQUESTED,
        reason=text,
        payload={"task": task.pk, "extension": extension.pk, "days": days},
    )
    return extension


@transaction.atomic
def extension_approve(*, extension_id: int, chief: Staff) -> Extension:
    """Only the department's chief approver approves; task and case due dates move by the days."""
    case_id = Extension.objects.filter(pk=extension_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound(_("延期申请不存在。"))
    case = case_lock(case_id)
    extension = Extension.objects.select_for_update().select_related("task").get(pk=extension_id)
    task = extension.task
    if (
        not chief.has_permission(Permission.EXTENSION_APPROVE)
        or chief.department_id != task.department_id
        or not chief.covers(task.region_code)
    ):
        raise PermissionDenied(_("只有该部门的首席审批员可以批准延期。"))
    if extension.state != ExtensionState.REQUESTED:
        raise Conflict(_("该延期申请已处理。"))
    require_state(task, TASK_OPEN_STATES, action=_("延期"))
    extension.state = ExtensionState.APPROVED
    extension.approved_by = chief
    extension.approved_at = clock.now()
    extension.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    event_record(
        case=case,
        kind=EventKind.EXTENSION_APPROVED,
        actor=chief,
        from_state=ExtensionState.REQUESTED,
        to_state=ExtensionState.APPROVED,
        reason=extension.reason,
        payload={"task": task.pk, "extension": extension.pk, "days": extension.days},
    )
    dues_refresh(case)
    return extension


def dues_refresh_locked(*, case_id: int) -> Case:
    """Recompute and store a case's due dates (after a calendar change, for instance)."""
    with transaction.atomic():
        case = case_lock(case_id)
        dues_refresh(case)
    return case
