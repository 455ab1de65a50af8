"""Shared helpers of the case services: row locks and scope checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, Staff
from onestop.accounts.roles import Permission
from onestop.cases import sql
from onestop.cases.events import Actor, event_build, event_record, head_known, head_set
from onestop.cases.models import Case, CaseEvent, ItemTask
from onestop.cases.states import CaseState, EventKind, TaskState, transition
from onestop.core.errors import NotFound, PermissionDenied, ValidationFailed
from onestop.regions.models import Region


def case_lock(case_id: int) -> Case:
    """The case row, locked until the transaction ends (every write to a case takes it)."""
    case = sql.case_row_lock(case_id)
    if case is None:
        raise NotFound(_("办件不存在。"))
    return case


def task_lock(task_id: int) -> tuple[Case, ItemTask]:
    """Lock the task's case, then the task (always in this order, so writers never deadlock).

    One statement (``sql.case_task_lock``): the task joined to its case, both rows locked.
    """
    rows = sql.case_task_lock(task_id)
    if rows is None:
        raise NotFound(_("子件不存在。"))
    return rows


def require_may_apply(
    *, applicant: Applicant, created_by: AbstractBaseUser | None, region: Region
) -> None:
    """Applicants apply for themselves; anyone else must be staff allowed to enter cases there."""
    if created_by is None or applicant.user_id == created_by.pk:
        return
    staff = getattr(created_by, "staff", None)
    if (
        staff is not None
        and staff.has_permission(Permission.CASE_INTAKE)
        and staff.covers(region.code)
    ):
        return
    raise PermissionDenied(_("只能以本人名义申请；代为申请须由窗口人员或帮代办员在其辖区内录入。"))


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
    save_reading_head(case, case, ["state", *fields, "updated_at"])
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
    save_reading_head(case, task, ["state", *fields, "updated_at"])
    (event_record if events is None else _collect(events))(
        case=case,
        kind=kind,
        actor=actor,
        from_state=old,
        to_state=to,
        reason=reason,
        payload={"task": task.pk, "item": task.title, **(payload or {})},
    )


def save_reading_head(case: Case, obj: Case | ItemTask, fields: list[str]) -> None:
    """Save the fields; the statement also reads the case's chain head if not read yet (the
    caller holds the case's row lock, and this statement runs after it was granted)."""
    if head_known(case):
        sql.row_update(obj, fields)
    else:
        head = sql.row_update(obj, fields, chain_head_of=case.pk)
        if head is not None:
            head_set(case, *head)


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
