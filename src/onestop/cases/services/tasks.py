"""Item tasks (子件): fan-out at acceptance, routing to the designated person, claim,
reassign, return to the window, approve, deny (dependants become not applicable), the
combined outcome, and 告知承诺 verification tasks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.accounts.roles import DEPARTMENT_ROLES, Permission
from onestop.cases import sql
from onestop.cases.actions import TaskAction, task_action_require
from onestop.cases.deadlines import due_from
from onestop.cases.events import Actor
from onestop.cases.models import ItemTask, VerificationTask
from onestop.cases.services._common import require_text
from onestop.cases.services.plans import case_plan_items
from onestop.cases.states import (
    REMOTE_CHANNELS,
    TASK_CROSS_REGION_MODES,
    TASK_DECIDED_STATES,
    TASK_INBOX_STATES,
    TASK_OPEN_STATES,
    TASK_SET_ASIDE_STATES,
    CaseOutcome,
    CaseState,
    EventKind,
    MaterialStatus,
    TaskState,
    VerificationState,
    task_mode,
    transition,
)
from onestop.cases.unit import CaseWork, case_work, task_work
from onestop.core.errors import (
    Conflict,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

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


def tasks_dispatch(*, work: CaseWork, actor: Actor, first: bool) -> list[ItemTask]:
    """Fan the (locked) case out: one task per applicable item still undecided.

    Each task is pinned to the item version the application was submitted under and routed
    to that version's department at the department's region; a task whose prerequisites are
    all approved is ready, assigned and given its due date at once, one with a denied
    prerequisite is not applicable. The tasks are inserted in their final state and their
    ``task_created`` events recorded on the unit.
    """
    case, now = work.case, work.now
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
            transition(task, to=TaskState.NOT_APPLICABLE)
            task.decided_at = now
        elif states <= {TaskState.APPROVED}:
            transition(task, to=TaskState.READY)
            task.ready_at = now
            due = due_from(now, task.promised_days, task.promised_unit)
            task.due_at, task.due_is_provisional = due.at, due.is_provisional
        created.append((task, prerequisites))
        if entry.package_item_id is not None:
            by_package_item[entry.package_item_id] = task
    for task, _prerequisites in created:
        if task.state == TaskState.READY:
            task.assignee_id = loads.pick(task.department_id)
    _modes_decide(work, [task for task, _p in created], existing)
    tasks = [task for task, _p in created]
    work.insert(tasks)
    through = ItemTask.depends_on.through
    links: list[Model] = []
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
            "mode": task.mode,
        }
        if task.state == TaskState.READY:
            payload["assignee"] = task.assignee_id
        work.record(EventKind.TASK_CREATED, actor=actor, to_state=task.state, payload=payload)
    work.insert(links)
    _files_forward(work, tasks, actor=actor)
    return tasks


def _modes_decide(work: CaseWork, created: list[ItemTask], existing: list[ItemTask]) -> None:
    """Give each new task its mode (``states.task_mode``); a window case with a task handled
    elsewhere needs the receiving window's checks first (``case_receiving_check``)."""
    case = work.case
    codes = {t.region_code for t in existing if t.state not in TASK_SET_ASIDE_STATES}
    codes |= {t.region_code for t in created}
    for task in created:
        task.mode = task_mode(
            channel=case.channel,
            receiving_code=case.region_code,
            handling_code=task.region_code,
            case_handling_codes=codes,
        )
    elsewhere = [t for t in created if not case.region_code.startswith(t.region_code)]
    if (
        elsewhere
        and case.channel not in REMOTE_CHANNELS
        and not case.events.filter(kind=EventKind.RECEIVING_CHECKED).exists()
    ):
        raise ValidationFailed(
            _("“%(item)s”由%(region)s办理（异地代收代办）：受理前请先记录形式审查和身份核验。")
            % {"item": elsewhere[0].title, "region": elsewhere[0].region_code},
            field="receiving_check",
        )


def _files_forward(work: CaseWork, tasks: list[ItemTask], *, actor: Actor) -> None:
    """Electronic copies go to every handling region other than the receiving one at once:
    the handling department reads the case's materials on the platform from now on."""
    case = work.case
    targets = sorted(
        {
            (t.region_code, t.department_id)
            for t in tasks
            if t.mode in TASK_CROSS_REGION_MODES and not case.region_code.startswith(t.region_code)
        }
    )
    if not targets:
        return
    work.record(
        EventKind.FILES_FORWARDED,
        actor=actor,
        payload={
            "to": [{"region": code, "department": dept} for code, dept in targets],
            "materials": list(
                case.materials.exclude(file="").order_by("pk").values_list("key", flat=True)
            ),
        },
    )


def tasks_close(*, work: CaseWork, actor: Actor, reason: str) -> None:
    """Cancel every open task of a withdrawn or terminated case."""
    for task in work.case.tasks.filter(state__in=TASK_OPEN_STATES):
        work.move_task(
            task,
            TaskState.CANCELLED,
            kind=EventKind.TASK_CANCELLED,
            actor=actor,
            action=_("撤销"),
            reason=reason,
        )


def _complete_if_done(work: CaseWork, *, actor: Actor, states: list[str]) -> None:
    """When no task is open any more, the case completes with the combined outcome.

    ``states``: the states of every task of the case, as this transition leaves them.
    """
    states = [s for s in states if s not in TASK_SET_ASIDE_STATES]
    if any(s in TASK_OPEN_STATES for s in states):
        return
    approved = sum(1 for s in states if s == TaskState.APPROVED)
    if approved == len(states):
        outcome = CaseOutcome.APPROVED
    elif approved == 0:
        outcome = CaseOutcome.DENIED
    else:
        outcome = CaseOutcome.PARTLY_APPROVED
    case = work.case
    case.outcome = outcome
    case.completed_at = work.now
    work.move_case(
        CaseState.COMPLETED,
        kind=EventKind.COMPLETED,
        actor=actor,
        action=_("办结"),
        payload={"outcome": str(outcome), "approved": approved, "tasks": len(states)},
        fields=["outcome", "completed_at"],
    )


@dataclass
class _TaskRow:
    """A task of the case as the decisions need it (``sql.case_task_rows``)."""

    pk: int
    state: str
    title: str
    department_id: int
    promised_days: int
    promised_unit: str
    before: list[int] = field(default_factory=list)


def _task_graph(case_id: int) -> dict[int, _TaskRow]:
    """Every task of the case with its prerequisites, in one read (the case lock keeps them)."""
    rows: dict[int, _TaskRow] = {}
    for pk, state, title, department_id, days, unit, before in sql.case_task_rows(case_id):
        row = rows.setdefault(pk, _TaskRow(pk, state, title, department_id, days, unit))
        if before is not None:
            row.before.append(before)
    return rows


# ------------------------------------------------------------------------------ actions


@transaction.atomic
def task_claim(*, task_id: int, officer: Staff) -> ItemTask:
    """An officer of the task's department takes a ready task; a claimed one is a conflict."""
    with task_work(task_id) as (work, task):
        try:
            task_action_require(task, officer, TaskAction.CLAIM)
        except IllegalTransition:
            if task.state != TaskState.CLAIMED:
                raise
            if task.assignee_id == officer.pk:
                return task  # a double click
            holder = task.assignee.name if task.assignee else _("他人")
            raise Conflict(_("该子件已由%(name)s认领。") % {"name": holder}) from None
        task.assignee = officer
        work.move_task(
            task,
            TaskState.CLAIMED,
            kind=EventKind.TASK_CLAIMED,
            actor=officer,
            action=TaskAction.CLAIM.label,
            fields=["assignee"],
        )
    return task


@transaction.atomic
def task_reassign(*, task_id: int, by: Staff, to: Staff, reason: str = "") -> ItemTask:
    """Hand a ready or claimed task to another officer of the department, who claims it afresh.

    Allowed to the current assignee and to the department's chief approver.
    """
    with task_work(task_id) as (work, task):
        task_action_require(task, by, TaskAction.REASSIGN)
        if (
            to.department_id != task.department_id
            or to.role not in DEPARTMENT_ROLES
            or not to.is_active
        ):
            raise ValidationFailed(_("只能改派给本部门在岗的工作人员。"), field="to")
        previous = task.assignee_id
        task.assignee = to
        payload = {"from_assignee": previous, "assignee": to.pk}
        if task.state == TaskState.CLAIMED:
            work.move_task(
                task,
                TaskState.READY,
                kind=EventKind.TASK_REASSIGNED,
                actor=by,
                action=TaskAction.REASSIGN.label,
                reason=reason,
                payload=payload,
                fields=["assignee"],
            )
        else:
            work.change(task, "assignee")
            work.record(
                EventKind.TASK_REASSIGNED,
                actor=by,
                from_state=task.state,
                to_state=task.state,
                reason=reason,
                payload={"task": task.pk, "item": task.title, **payload},
            )
    return task


@transaction.atomic
def task_return(*, task_id: int, officer: Staff, reason: str) -> ItemTask:
    """退回窗口: the whole case goes back to the window queue (submitted) with the reason.

    Every other open task is closed as returned; decided tasks keep their decision. The
    clerk re-accepts (tasks for the undecided items only), asks for correction or rejects.
    """
    with task_work(task_id) as (work, task):
        task_action_require(task, officer, TaskAction.RETURN)
        text = require_text(reason, field="reason", what=_("退回理由"))
        work.move_task(
            task,
            TaskState.RETURNED,
            kind=EventKind.TASK_RETURNED,
            actor=officer,
            action=TaskAction.RETURN.label,
            reason=text,
        )
        others = work.case.tasks.filter(state__in=TASK_OPEN_STATES).exclude(pk=task.pk)
        for other in others:
            work.move_task(
                other,
                TaskState.RETURNED,
                kind=EventKind.TASK_RETURNED,
                actor=officer,
                action=TaskAction.RETURN.label,
                reason=text,
                payload={"with": task.pk},
            )
        work.move_case(
            CaseState.SUBMITTED,
            kind=EventKind.RETURNED_TO_WINDOW,
            actor=officer,
            action=TaskAction.RETURN.label,
            reason=text,
            payload={"task": task.pk, "item": task.title},
        )
    return task


def _verification_open(work: CaseWork, task: ItemTask, *, actor: Actor) -> None:
    """告知承诺 核查: the approving department checks what was promised for its item."""
    case = work.case
    if case.has_commitments is False:  # set at submission: nothing was promised instead
        return
    keys = [
        key
        for key, names in case.materials.filter(status=MaterialStatus.COMMITMENT_SIGNED)
        .order_by("pk")
        .values_list("key", "item_names")
        if not names or task.title in names
    ]
    if not keys:
        return
    verification = VerificationTask(
        case=case, task=task, department_id=task.department_id, material_keys=keys
    )
    work.insert([verification])
    work.record(
        EventKind.VERIFICATION_OPENED,
        actor=actor,
        to_state=VerificationState.OPEN,
        payload={
            "verification": verification.pk,
            "task": task.pk,
            "department": task.department_id,
            "materials": keys,
        },
    )


def _decide(work: CaseWork, task: ItemTask, *, officer: Staff, opinion: str) -> None:
    task.decided_at = work.now
    task.decided_by = officer
    task.opinion = opinion


_DECIDED = ["decided_at", "decided_by", "opinion"]


@transaction.atomic
def task_approve(*, task_id: int, officer: Staff, opinion: str = "") -> ItemTask:
    """Approve a claimed task; dependants whose prerequisites are all approved become ready."""
    with task_work(task_id) as (work, task):
        task_action_require(task, officer, TaskAction.APPROVE)
        _decide(work, task, officer=officer, opinion=opinion.strip())
        work.move_task(
            task,
            TaskState.APPROVED,
            kind=EventKind.TASK_APPROVED,
            actor=officer,
            action=TaskAction.APPROVE.label,
            reason=task.opinion,
            fields=_DECIDED,
        )
        _verification_open(work, task, actor=officer)
        rows = _task_graph(work.case.pk)
        rows[task.pk].state = task.state
        ready = [
            row
            for pk, row in sorted(rows.items())
            if row.state == TaskState.PENDING
            and task.pk in row.before
            and all(rows[b].state == TaskState.APPROVED for b in row.before)
        ]
        if ready:
            _make_ready(work, ready, actor=officer)
        else:
            _complete_if_done(work, actor=officer, states=[r.state for r in rows.values()])
    return task


def _make_ready(work: CaseWork, rows: list[_TaskRow], *, actor: Actor) -> None:
    """Pending tasks whose prerequisites are approved: ready, assigned, due dates set."""
    loads = _Loads()
    loads.load(r.department_id for r in rows)
    now = work.now
    for row in rows:
        task = ItemTask(pk=row.pk, state=row.state, title=row.title)
        task.assignee_id = loads.pick(row.department_id)
        task.ready_at = now
        due = due_from(now, row.promised_days, row.promised_unit)
        task.due_at, task.due_is_provisional = due.at, due.is_provisional
        work.move_task(
            task,
            TaskState.READY,
            kind=EventKind.TASK_READY,
            actor=actor,
            action=_("就绪"),
            payload={"assignee": task.assignee_id},
            fields=["assignee", "ready_at", "due_at", "due_is_provisional"],
        )


@transaction.atomic
def task_deny(*, task_id: int, officer: Staff, opinion: str) -> ItemTask:
    """Deny a claimed task (with the reason); its dependants, transitively, become not applicable."""
    with task_work(task_id) as (work, task):
        task_action_require(task, officer, TaskAction.DENY)
        text = require_text(opinion, field="opinion", what=_("不予许可的理由"))
        _decide(work, task, officer=officer, opinion=text)
        work.move_task(
            task,
            TaskState.DENIED,
            kind=EventKind.TASK_DENIED,
            actor=officer,
            action=TaskAction.DENY.label,
            reason=text,
            fields=_DECIDED,
        )
        rows = _task_graph(work.case.pk)
        rows[task.pk].state = task.state
        frontier = [task.pk]
        while frontier:
            current = frontier.pop()
            for row in sorted(rows.values(), key=lambda r: r.pk):
                if row.state != TaskState.PENDING or current not in row.before:
                    continue
                dependant = ItemTask(pk=row.pk, state=row.state, title=row.title)
                dependant.decided_at = work.now
                work.move_task(
                    dependant,
                    TaskState.NOT_APPLICABLE,
                    kind=EventKind.TASK_NOT_APPLICABLE,
                    actor=officer,
                    action=_("标记为不适用"),
                    reason=_("前置事项“%(item)s”未获许可") % {"item": task.title},
                    payload={"because": current},
                    fields=["decided_at"],
                )
                row.state = dependant.state
                frontier.append(row.pk)
        _complete_if_done(work, actor=officer, states=[r.state for r in rows.values()])
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
    with case_work(case_id) as work:
        verification = VerificationTask.objects.get(pk=verification_id)
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
        verification.decided_at = work.now
        verification.note = note.strip()
        work.change(verification, "state", "decided_by", "decided_at", "note")
        work.record(
            EventKind.VERIFICATION_CONFIRMED if is_true else EventKind.VERIFICATION_FALSE,
            actor=officer,
            from_state=VerificationState.OPEN,
            to_state=verification.state,
            reason=verification.note,
            payload={"verification": verification.pk, "task": verification.task_id},
        )
    return verification
