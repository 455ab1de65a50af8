"""The clock: 特别程序 pauses, extensions (延期), and storing recomputed due dates."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.cases.actions import (
    ExtensionAction,
    TaskAction,
    extension_action_require,
    task_action_require,
)
from onestop.cases.deadlines import due_dates
from onestop.cases.models import Case, Extension, ItemTask, Pause
from onestop.cases.services._common import require_text
from onestop.cases.states import (
    TASK_OPEN_STATES,
    EventKind,
    ExtensionState,
    PauseKind,
    TaskState,
    require_state,
)
from onestop.cases.unit import CaseWork, case_work, task_work
from onestop.core.errors import Conflict, NotFound, ValidationFailed


def dues_refresh(work: CaseWork) -> None:
    """Note the due dates recomputed from the history, this transition's events included
    (case and open tasks), as changes of the unit."""
    case = work.case
    dues = due_dates(case, now=work.now, pending=work.pending_events())
    if dues.case is not None and (
        case.due_at != dues.case.at or case.due_is_provisional != dues.case.is_provisional
    ):
        case.due_at = dues.case.at
        case.due_is_provisional = dues.case.is_provisional
        work.change(case, "due_at", "due_is_provisional")
    if not dues.tasks:
        return
    for task in case.tasks.filter(pk__in=list(dues.tasks), state__in=TASK_OPEN_STATES):
        due = dues.tasks[task.pk]
        if task.due_at != due.at or task.due_is_provisional != due.is_provisional:
            task.due_at = due.at
            task.due_is_provisional = due.is_provisional
            work.change(task, "due_at", "due_is_provisional")


@transaction.atomic
def task_pause(*, task_id: int, officer: Staff, kind: PauseKind | str, reason: str) -> Pause:
    """Start a 特别程序 (hearing, inspection, expert review …): the task and case clocks stop."""
    with task_work(task_id) as (work, task):
        task_action_require(task, officer, TaskAction.PAUSE)
        try:
            kind = PauseKind(kind)
        except ValueError:
            raise ValidationFailed(
                _("未知的特别程序类型：%(k)s。") % {"k": kind}, field="kind"
            ) from None
        text = require_text(reason, field="reason", what=_("启动特别程序的理由"))
        pause = Pause(
            case=work.case,
            task=task,
            kind=kind,
            reason=text,
            started_at=work.now,
            started_by=officer,
        )
        work.insert([pause])
        work.move_task(
            task,
            TaskState.PAUSED,
            kind=EventKind.TASK_PAUSED,
            actor=officer,
            action=TaskAction.PAUSE.label,
            reason=text,
            payload={"pause": pause.pk, "pause_kind": str(kind)},
        )
    return pause


@transaction.atomic
def task_resume(*, task_id: int, officer: Staff, result: str) -> Pause:
    """End the 特别程序 with its result; due dates move by the paused working days."""
    with task_work(task_id) as (work, task):
        task_action_require(task, officer, TaskAction.RESUME)
        text = require_text(result, field="result", what=_("特别程序的结果"))
        pause = task.pauses.filter(ended_at__isnull=True).order_by("-pk").first()
        if pause is None:  # pragma: no cover - a paused task always has an open pause
            raise Conflict(_("该子件没有进行中的特别程序。"))
        pause.ended_at = work.now
        pause.result = text
        work.move_task(
            task,
            TaskState.CLAIMED,
            kind=EventKind.TASK_RESUMED,
            actor=officer,
            action=TaskAction.RESUME.label,
            reason=text,
            payload={"pause": pause.pk},
        )
        task_due = due_dates(work.case, now=work.now, pending=work.pending_events()).tasks.get(
            task.pk
        )
        pause.paused_workdays = task_due.paused_days if task_due else 0
        work.change(pause, "ended_at", "result", "paused_workdays")
        dues_refresh(work)
    return pause


@transaction.atomic
def extension_request(*, task_id: int, officer: Staff, days: int, reason: str) -> Extension:
    """Ask to extend a task by working days, before it is overdue (a late request counts as overdue)."""
    with task_work(task_id) as (work, task):
        task_action_require(task, officer, TaskAction.REQUEST_EXTENSION)
        text = require_text(reason, field="reason", what=_("延期理由"))
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise ValidationFailed(_("延长的工作日数须为正整数。"), field="days")
        if task.due_at is not None and work.now > task.due_at:
            raise Conflict(_("办结时限已过，不能再申请延期（超过时限才申请延期按超期办结处理）。"))
        if task.extensions.filter(state=ExtensionState.REQUESTED).exists():
            raise Conflict(_("该子件已有待批准的延期申请。"))
        extension = Extension(
            case=work.case,
            task=task,
            days=days,
            reason=text,
            requested_by=officer,
            requested_at=work.now,
        )
        work.insert([extension])
        work.record(
            EventKind.EXTENSION_REQUESTED,
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
    with case_work(case_id) as work:
        extension = Extension.objects.select_related("task").get(pk=extension_id)
        extension_action_require(extension, chief, ExtensionAction.APPROVE)
        task: ItemTask = extension.task
        require_state(task, TASK_OPEN_STATES, action=_("延期"))
        extension.state = ExtensionState.APPROVED
        extension.approved_by = chief
        extension.approved_at = work.now
        work.change(extension, "state", "approved_by", "approved_at")
        work.record(
            EventKind.EXTENSION_APPROVED,
            actor=chief,
            from_state=ExtensionState.REQUESTED,
            to_state=ExtensionState.APPROVED,
            reason=extension.reason,
            payload={"task": task.pk, "extension": extension.pk, "days": extension.days},
        )
        dues_refresh(work)
    return extension


def dues_refresh_locked(*, case_id: int) -> Case:
    """Recompute and store a case's due dates (after a calendar change, for instance)."""
    with transaction.atomic(), case_work(case_id) as work:
        dues_refresh(work)
    return work.case
