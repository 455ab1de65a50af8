"""Item tasks (子件): fan-out at acceptance, routing to the designated person, claim,
reassign, return to the window, approve, deny (dependants become not applicable), the
combined outcome, and 告知承诺 verification tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.accounts.roles import DEPARTMENT_ROLES, Permission, Role
from onestop.cases import sql
from onestop.cases.deadlines import due_from
from onestop.cases.events import Actor, event_build, event_record, events_save
from onestop.cases.models import Case, CaseEvent, ItemTask, VerificationTask
from onestop.cases.services._common import (
    case_lock,
    case_move,
    require_task_officer,
    require_text,
    task_lock,
    task_move,
)
from onestop.cases.services.plans import case_plan_items
from onestop.cases.states import (
    TASK_DECIDED_STATES,
    TASK_INBOX_STATES,
    TASK_OPEN_STATES,
    CaseOutcome,
    CaseState,
    EventKind,
    MaterialStatus,
    TaskState,
    VerificationState,
    require_state,
    transition,
)
from onestop.core import clock
from onestop.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

# ------------------------------------------------------------------------------- routing


class _Loads:
    """Open-task counts of the designated officers of each department, kept current in memory."""

    def __init__(self) -> None:
        self._by_department: dict[int, list[list[int]]] = {}

    def load(self, department_ids: Iterable[int]) -> None:
        """Read the counts of every department not read yet, in one grouped query."""
        wanted = set(department_ids) - set(self._by_department)
        if not wanted:
            return
        for department_id in wanted:
            self._by_department[department_id] = []
        rows = sql.designated_loads(
            sorted(wanted), roles=list(DEPARTMENT_ROLES), inbox_states=list(TASK_INBOX_STATES)
        )
        for department_id, load, pk in rows:
            self._by_department[department_id].append([load, pk])

    def add(self, department_id: int, staff_id: int | None, load: int) -> None:
        """Note a department's officer and count read elsewhere (None: it has no officer)."""
        officers = self._by_department.setdefault(department_id, [])
        if staff_id is not None:
            officers.append([load, staff_id])

    def pick(self, department_id: int) -> int | None:
        """The designated officer with the fewest open tasks (ties: lowest id), or None."""
        self.load([department_id])
        candidates = self._by_department[department_id]
        if not candidates:
            return None
        best = min(candidates)
        best[0] += 1
        return best[1]


def tasks_dispatch(
    *,
    case: Case,
    actor: Actor,
    now: dt.datetime,
    first: bool,
    events: list[dict[str, Any]],
) -> list[ItemTask]:
    """Fan the (locked) case out: one task per applicable item still undecided.

    Each task is pinned to the item version the application was submitted under and routed
    to that version's department at the department's region; a task whose prerequisites are
    all approved is ready, assigned and given its due date at once, one with a denied
    prerequisite is not applicable. The tasks are inserted in their final state; their
    ``task_created`` events are appended to ``events``, as the keyword arguments of
    ``event_build``, for the caller to build and save once it knows the chain head.
    """
    plan = case_plan_items(case)
    # Tasks exist only once a case has been accepted: a first acceptance has none.
    existing = [] if first else list(case.tasks.select_related("item_version"))
    decided = {
        (t.package_item_id, t.item_version.item_id)
        for t in existing
        if t.state in TASK_DECIDED_STATES
    }
    by_package_item: dict[int | None, ItemTask] = {
        t.package_item_id: t for t in existing if t.state in TASK_DECIDED_STATES
    }
    round_number = max((t.round for t in existing), default=0) + 1
    # Each department's region and its designated officers' loads, in one statement.
    regions: dict[int, tuple[int, str]] = {}
    loads = _Loads()
    for department_id, region_id, code, staff_id, load in sql.department_routes(
        sorted({p.department_id for p in plan}),
        roles=list(DEPARTMENT_ROLES),
        inbox_states=list(TASK_INBOX_STATES),
    ):
        regions[department_id] = (region_id, code)
        loads.add(department_id, staff_id, load)
    # The plan lists items in dependency order, so prerequisites exist before dependants.
    created: list[tuple[ItemTask, list[ItemTask]]] = []
    for entry in plan:
        if (entry.package_item_id, entry.item_id) in decided:
            continue
        region_id, region_code = regions[entry.department_id]
        prerequisites = [by_package_item[pk] for pk in entry.depends_on if pk in by_package_item]
        states = {p.state for p in prerequisites}
        task = ItemTask(
            case=case,
            package_item_id=entry.package_item_id,
            item_version_id=entry.item_version_id,
            title=entry.title,
            item_code=entry.item_code,
            department_id=entry.department_id,
            region_id=region_id,
            region_code=region_code,
            state=TaskState.PENDING,
            round=round_number,
            promised_days=entry.promised_days,
            promised_unit=entry.promised_unit,
        )
        if states & {TaskState.DENIED, TaskState.NOT_APPLICABLE}:
            task.state = TaskState.NOT_APPLICABLE
            task.decided_at = now
        elif states <= {TaskState.APPROVED}:
            task.state = TaskState.READY
            task.ready_at = now
            due = due_from(now, task.promised_days, task.promised_unit)
            task.due_at, task.due_is_provisional = due.at, due.is_provisional
        created.append((task, prerequisites))
        if entry.package_item_id is not None:
            by_package_item[entry.package_item_id] = task
    for task, _prerequisites in created:
        if task.state == TaskState.READY:
            task.assignee_id = loads.pick(task.department_id)
    tasks = [task for task, _p in created]
    sql.rows_insert(tasks)
    through = ItemTask.depends_on.through
    links = []
    for task, prerequisites in created:
        links.extend(through(from_itemtask=task, to_itemtask=p) for p in prerequisites)
        payload = {
            "task": task.pk,
            "item": task.title,
            "department": task.department_id,
            "item_version": task.item_version_id,
            "region": task.region_code,
            "depends_on": [p.pk for p in prerequisites],
            "round": round_number,
        }
        if task.state == TaskState.READY:
            payload["assignee"] = task.assignee_id
        events.append(
            {
                "kind": EventKind.TASK_CREATED,
                "actor": actor,
                "from_state": "",
                "to_state": task.state,
                "payload": payload,
                "at": now,
            }
        )
    if links:
        sql.rows_insert(links)
    return tasks


def tasks_close(*, case: Case, actor: Actor, reason: str) -> None:
    """Cancel every open task of a withdrawn or terminated case."""
    for task in case.tasks.select_for_update().filter(state__in=TASK_OPEN_STATES):
        task_move(
            case,
            task,
            to=TaskState.CANCELLED,
            kind=EventKind.TASK_CANCELLED,
            actor=actor,
            action=_("撤销"),
            reason=reason,
        )


def _complete_if_done(
    case: Case,
    *,
    actor: Actor,
    states: list[str] | None = None,
    events: list[CaseEvent] | None = None,
) -> None:
    """When no task is open any more, the case completes with the combined outcome.

    ``states``: the states of the case's tasks, when the caller has just read them.
    """
    if states is None:
        states = list(case.tasks.values_list("state", flat=True))
    states = [s for s in states if s not in (TaskState.RETURNED, TaskState.CANCELLED)]
    if any(s in TASK_OPEN_STATES for s in states):
        return
    approved = sum(1 for s in states if s == TaskState.APPROVED)
    if approved == len(states):
        outcome = CaseOutcome.APPROVED
    elif approved == 0:
        outcome = CaseOutcome.DENIED
    else:
        outcome = CaseOutcome.PARTLY_APPROVED
    case.outcome = outcome
    case.completed_at = clock.now()
    case_move(
        case,
        to=CaseState.COMPLETED,
        kind=EventKind.COMPLETED,
        actor=actor,
        action=_("办结"),
        payload={"outcome": str(outcome), "approved": approved, "tasks": len(states)},
        fields=["outcome", "completed_at"],
        events=events,
    )


# ------------------------------------------------------------------------------ actions


@transaction.atomic
def task_claim(*, task_id: int, officer: Staff) -> ItemTask:
    """An officer of the task's department takes a ready task; a claimed one is a conflict."""
    case, task = task_lock(task_id)
    require_task_officer(officer, task, Permission.TASK_HANDLE)
    if task.state == TaskState.CLAIMED:
        if task.assignee_id == officer.pk:
            return task  # a double click
        holder = task.assignee.name if task.assignee else _("他人")
        raise Conflict(_("该子件已由%(name)s认领。") % {"name": holder})
    require_state(task, {TaskState.READY}, action=_("认领"))
    task.assignee = officer
    task_move(
        case,
        task,
        to=TaskState.CLAIMED,
        kind=EventKind.TASK_CLAIMED,
        actor=officer,
        action=_("认领"),
        fields=["assignee"],
    )
    return task


@transaction.atomic
def task_reassign(*, task_id: int, by: Staff, to: Staff, reason: str = "") -> ItemTask:
    """Hand a ready or claimed task to another officer of the department, who claims it afresh.

    Allowed to the current assignee and to the department's chief approver.
    """
    case, task = task_lock(task_id)
    require_task_officer(by, task, Permission.TASK_HANDLE)
    if task.assignee_id not in (None, by.pk) and by.role != Role.CHIEF_APPROVER:
        raise PermissionDenied(_("只有当前承办人或本部门首席审批员可以改派。"))
    if (
        to.department_id != task.department_id
        or to.role not in DEPARTMENT_ROLES
        or not to.is_active
    ):
        raise ValidationFailed(_("只能改派给本部门在岗的工作人员。"), field="to")
    require_state(task, {TaskState.READY, TaskState.CLAIMED}, action=_("改派"))
    previous = task.assignee_id
    task.assignee = to
    payload = {"from_assignee": previous, "assignee": to.pk}
    if task.state == TaskState.CLAIMED:
        task_move(
            case,
            task,
            to=TaskState.READY,
            kind=EventKind.TASK_REASSIGNED,
            actor=by,
            action=_("改派"),
            reason=reason,
            payload=payload,
            fields=["assignee"],
        )
    else:
        task.save(update_fields=["assignee", "updated_at"])
        event_record(
            case=case,
            kind=EventKind.TASK_REASSIGNED,
            actor=by,
            from_state=task.state,
            to_state=task.state,
            reason=reason,
            payload={"task": task.pk, "item": task.title, **payload},
        )
    return task


def _require_holder(task: ItemTask, officer: Staff) -> None:
    if task.assignee_id != officer.pk:
        raise PermissionDenied(
            _("该子件由%(name)s办理，您不能代为决定。")
            % {"name": task.assignee.name if task.assignee else _("他人")}
        )


@transaction.atomic
def task_return(*, task_id: int, officer: Staff, reason: str) -> ItemTask:
    """退回窗口: the whole case goes back to the window queue (submitted) with the reason.

    Every other open task is closed as returned; decided tasks keep their decision. The
    clerk re-accepts (tasks for the undecided items only), asks for correction or rejects.
    """
    case, task = task_lock(task_id)
    require_task_officer(officer, task, Permission.TASK_HANDLE)
    text = require_text(reason, field="reason", what=_("退回理由"))
    require_state(task, {TaskState.READY, TaskState.CLAIMED}, action=_("退回窗口"))
    if task.state == TaskState.CLAIMED:
        _require_holder(task, officer)
    task_move(
        case,
        task,
        to=TaskState.RETURNED,
        kind=EventKind.TASK_RETURNED,
        actor=officer,
        action=_("退回窗口"),
        reason=text,
    )
    others = case.tasks.select_for_update().filter(state__in=TASK_OPEN_STATES).exclude(pk=task.pk)
    for other in others:
        task_move(
            case,
            other,
            to=TaskState.RETURNED,
            kind=EventKind.TASK_RETURNED,
            actor=officer,
            action=_("退回窗口"),
            reason=text,
            payload={"with": task.pk},
        )
    case_move(
        case,
        to=CaseState.SUBMITTED,
        kind=EventKind.RETURNED_TO_WINDOW,
        actor=officer,
        action=_("退回窗口"),
        reason=text,
        payload={"task": task.pk, "item": task.title},
    )
    return task


def _verification_open(
    case: Case, task: ItemTask, *, actor: Actor, events: list[CaseEvent]
) -> VerificationTask | None:
    if case.has_commitments is False:  # set at submission: nothing was promised instead
        return None
    keys = [
        key
        for key, names in case.materials.filter(status=MaterialStatus.COMMITMENT_SIGNED)
        .order_by("pk")
        .values_list("key", "item_names")
        if not names or task.title in names
    ]
    if not keys:
        return None
    verification = VerificationTask.objects.create(
        case=case, task=task, department_id=task.department_id, material_keys=keys
    )
    events.append(
        event_build(
            case=case,
            kind=EventKind.VERIFICATION_OPENED,
            actor=actor,
            to_state=VerificationState.OPEN,
            payload={
                "verification": verification.pk,
                "task": task.pk,
                "department": task.department_id,
                "materials": keys,
            },
        )
    )
    return verification


@transaction.atomic
def task_approve(*, task_id: int, officer: Staff, opinion: str = "") -> ItemTask:
    """Approve a claimed task; dependants whose prerequisites are all approved become ready."""
    case, task = task_lock(task_id)
    require_task_officer(officer, task, Permission.TASK_DECIDE)
    require_state(task, {TaskState.CLAIMED}, action=_("作出通过决定"))
    _require_holder(task, officer)
    now = clock.now()
    task.decided_at = now
    task.decided_by = officer
    task.opinion = opinion.strip()
    events: list[CaseEvent] = []
    task_move(
        case,
        task,
        to=TaskState.APPROVED,
        kind=EventKind.TASK_APPROVED,
        actor=officer,
        action=_("作出通过决定"),
        reason=task.opinion,
        fields=["decided_at", "decided_by", "opinion"],
        events=events,
    )
    _verification_open(case, task, actor=officer, events=events)
    # Every task of the case with its prerequisites, in one read (the case lock keeps them).
    rows: dict[int, _TaskRow] = {}
    for pk, state, title, department_id, days, unit, before in sql.case_task_rows(case.pk):
        row = rows.setdefault(pk, _TaskRow(pk, state, title, department_id, days, unit))
        if before is not None:
            row.before.append(before)
    ready = [
        row
        for pk, row in sorted(rows.items())
        if row.state == TaskState.PENDING
        and task.pk in row.before
        and all(rows[b].state == TaskState.APPROVED for b in row.before)
    ]
    if ready:
        _make_ready(case, ready, actor=officer, now=now, events=events)
    else:
        _complete_if_done(
            case, actor=officer, states=[r.state for r in rows.values()], events=events
        )
    events_save(events)
    return task


@dataclass
class _TaskRow:
    pk: int
    state: str
    title: str
    department_id: int
    promised_days: int
    promised_unit: str
    before: list[int] = field(default_factory=list)


def _make_ready(
    case: Case, rows: list[_TaskRow], *, actor: Actor, now: dt.datetime, events: list[CaseEvent]
) -> None:
    """Pending tasks whose prerequisites are approved: ready, assigned, due dates set."""
    loads = _Loads()
    loads.load(r.department_id for r in rows)
    tasks = []
    for row in rows:
        task = ItemTask(pk=row.pk, state=row.state)
        transition(task, to=TaskState.READY, action=_("就绪"))
        task.assignee_id = loads.pick(row.department_id)
        task.ready_at = now
        due = due_from(now, row.promised_days, row.promised_unit)
        task.due_at, task.due_is_provisional = due.at, due.is_provisional
        task.updated_at = now
        tasks.append(task)
        events.append(
            event_build(
                case=case,
                kind=EventKind.TASK_READY,
                actor=actor,
                from_state=row.state,
                to_state=TaskState.READY,
                payload={"task": row.pk, "item": row.title, "assignee": task.assignee_id},
                at=now,
            )
        )
    # One short UPDATE per task: cheaper than bulk_update's CASE expressions for a few rows.
    for task in tasks:
        sql.row_update(
            task,
            ["state", "assignee", "ready_at", "due_at", "due_is_provisional", "updated_at"],
            as_set=True,
        )


@transaction.atomic
def task_deny(*, task_id: int, officer: Staff, opinion: str) -> ItemTask:
    """Deny a claimed task (with the reason); its dependants, transitively, become not applicable."""
    case, task = task_lock(task_id)
    require_task_officer(officer, task, Permission.TASK_DECIDE)
    text = require_text(opinion, field="opinion", what=_("不予许可的理由"))
    require_state(task, {TaskState.CLAIMED}, action=_("作出不予许可决定"))
    _require_holder(task, officer)
    now = clock.now()
    task.decided_at = now
    task.decided_by = officer
    task.opinion = text
    task_move(
        case,
        task,
        to=TaskState.DENIED,
        kind=EventKind.TASK_DENIED,
        actor=officer,
        action=_("作出不予许可决定"),
        reason=text,
        fields=["decided_at", "decided_by", "opinion"],
    )
    frontier = [task]
    while frontier:
        current = frontier.pop()
        for dependant in current.dependants.select_for_update().filter(state=TaskState.PENDING):
            dependant.decided_at = now
            task_move(
                case,
                dependant,
                to=TaskState.NOT_APPLICABLE,
                kind=EventKind.TASK_NOT_APPLICABLE,
                actor=officer,
                action=_("标记为不适用"),
                reason=_("前置事项“%(item)s”未获许可") % {"item": task.title},
                payload={"because": current.pk},
                fields=["decided_at"],
            )
            frontier.append(dependant)
    _complete_if_done(case, actor=officer)
    return task


@transaction.atomic
def verification_record(
    *, verification_id: int, officer: Staff, is_true: bool, note: str = ""
) -> VerificationTask:
    """告知承诺 核查 result: the commitment held, or it was false (recorded for credit action)."""
    case_id = (
        VerificationTask.objects.filter(pk=verification_id)
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise NotFound(_("核查任务不存在。"))
    case = case_lock(case_id)
    verification = VerificationTask.objects.select_for_update().get(pk=verification_id)
    if not officer.has_permission(Permission.TASK_DECIDE) or (
        officer.department_id != verification.department_id
    ):
        raise PermissionDenied(_("该核查任务不属于您所在部门。"))
    if verification.state != VerificationState.OPEN:
        raise Conflict(_("该核查任务已于此前完成。"))
    if not is_true:
        note = require_text(note, field="note", what=_("虚假承诺的核查情况"))
    verification.state = (
        VerificationState.CONFIRMED if is_true else VerificationState.FALSE_COMMITMENT
    )
    verification.decided_by = officer
    verification.decided_at = clock.now()
    verification.note = note.strip()
    verification.save(update_fields=["state", "decided_by", "decided_at", "note", "updated_at"])
    event_record(
        case=case,
        kind=EventKind.VERIFICATION_CONFIRMED if is_true else EventKind.VERIFICATION_FALSE,
        actor=officer,
        from_state=VerificationState.OPEN,
        to_state=verification.state,
        reason=verification.note,
        payload={"verification": verification.pk, "task": verification.task_id},
    )
    return verification
