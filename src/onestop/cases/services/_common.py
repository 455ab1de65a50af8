"""Shared helpers of the case services: row locks and scope checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.cases.events import Actor, event_build, event_record
from onestop.cases.models import Case, CaseEvent, ItemTask
from onestop.cases.states import CaseState, EventKind, TaskState, transition
from onestop.core.errors import NotFound, PermissionDenied, ValidationFailed


def case_lock(case_id: int) -> Case:
    """The case row, locked until the transaction ends (every write to a case takes it)."""
    try:
        return Case.objects.select_for_update().get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFound(_("办件不存在。")) from None


def task_lock(task_id: int) -> tuple[Case, ItemTask]:
    """Lock the task's case, then the task (always in this order, so writers never deadlock).

    Two statements: the case row found through the task and locked (only the case row),
    then the task row.
    """
    try:
        case = Case.objects.select_for_update(of=("self",)).get(tasks__pk=task_id)
    except Case.DoesNotExist:
        raise NotFound(_("子件不存在。")) from None
    task = ItemTask.objects.select_for_update(of=("self",)).get(pk=task_id)
    task.case = case
    return case, task


def require_window(staff: Staff, case: Case, permission: Permission) -> None:
    """A window action: the permission, and the case's accepting region in the staff's scope."""
    if not staff.has_permission(permission):
        raise PermissionDenied(
            _("%(role)s无权执行此操作（需要“%(perm)s”权限）。")
            % {"role": staff.get_role_display(), "perm": permission.label}
        )
    if not staff.covers(case.region_code):
        raise PermissionDenied(_("该办件的收件地不在您的管辖范围内。"))


def require_task_officer(staff: Staff, task: ItemTask, permission: Permission) -> None:
    """A department action: the permission, the task's department and its region in scope."""
    if not staff.has_permission(permission):
        raise PermissionDenied(
            _("%(role)s无权执行此操作（需要“%(perm)s”权限）。")
            % {"role": staff.get_role_display(), "perm": permission.label}
        )
    if staff.department_id != task.department_id or not staff.covers(task.region_code):
        raise PermissionDenied(_("该子件不属于您所在部门或管辖区划。"))


def case_move(
    case: Case,
    *,
    to: CaseState,
    kind: EventKind,
    actor: Actor,
    action: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
    events: list[CaseEvent] | None = None,
) -> None:
    """Transition the (locked) case, save the named fields and record the event.

    With ``events`` the event is appended there for the caller to save with the others.
    """
    old = transition(case, to=to, action=action)
    case.save(update_fields=["state", *fields, "updated_at"])
    (event_record if events is None else _collect(events))(
        case=case,
        kind=kind,
        actor=actor,
        from_state=old,
        to_state=to,
        reason=reason,
        payload=payload,
    )


def task_move(
    case: Case,
    task: ItemTask,
    *,
    to: TaskState,
    kind: EventKind,
    actor: Actor,
    action: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
    events: list[CaseEvent] | None = None,
) -> None:
    """Transition a task of the (locked) case, save the named fields and record the event.

    With ``events`` the event is appended there for the caller to save with the others.
    """
    old = transition(task, to=to, action=action)
    task.save(update_fields=["state", *fields, "updated_at"])
    (event_record if events is None else _collect(events))(
        case=case,
        kind=kind,
        actor=actor,
        from_state=old,
        to_state=to,
        reason=reason,
        payload={"task": task.pk, "item": task.title, **(payload or {})},
    )


def _collect(events: list[CaseEvent]) -> Callable[..., CaseEvent]:
    def build(**kwargs: Any) -> CaseEvent:
        event = event_build(**kwargs)
        events.append(event)
        return event

    return build


def require_text(value: str, *, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(_("请填写%(what)s。") % {"what": what}, field=field)
    return text
