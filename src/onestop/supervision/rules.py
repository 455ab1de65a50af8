"""What each trigger finds, as pure functions over one case's rows and events.

``supervision.selectors.case_facts`` reads a case (its tasks, events, step limits,
extensions and the lights the case engine gives it) into a :class:`CaseFacts`; the functions
here turn facts into :class:`Finding` s, one per subject that breaks the rule now. They
read nothing from the database and change nothing: the lights come from
``cases.selectors`` (the same yellow/red as the desks), working days from
``workdays.calendar``. ``services.signals_sweep`` raises a signal for each new finding and
clears each open signal whose finding is gone.

Steps (环节) are derived from the case's events, since the engine records acts, not steps:

- 受理 — each period the case waits in the window queue (``submitted``) until it is
  accepted, rejected or sent back for correction; one step per period.
- 审查 (审核) — a task from ready to its decision (approved / denied), less the working days of
  its special procedures (特别程序), plus its approved extensions.
- 决定 (办结) — from the last task's decision to the case's 办结 (``completed``).
- 送达 (出件) — from 办结 to the hand-out (统一出件).
- 制证 (发证) — a task from its decision to the result the certificates app issued for it
  (``Certificate.issued_at``; the case log has no event for it, so the selector reads it
  beside the events); running while no result is issued.

A case-level step takes the strictest limit among the case's items that name it; a task's
step the limit of its own item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from onestop.cases.deadlines import Light
from onestop.cases.states import (
    REMOTE_CHANNELS,
    TASK_CROSS_REGION_MODES,
    CaseState,
    EventKind,
    TaskMode,
    TaskState,
)
from onestop.core import clock
from onestop.delivery.states import ShipmentKind
from onestop.supervision.states import Trigger
from onestop.workdays import calendar
from onestop.workdays.units import TimeUnit


class Phase:
    ACCEPT = "accept"
    REVIEW = "review"
    DECISION = "decision"
    DELIVERY = "delivery"
    CERTIFICATE = "certificate"
    ALL = (ACCEPT, REVIEW, DECISION, CERTIFICATE, DELIVERY)
    LABELS = {
        ACCEPT: "受理",
        REVIEW: "审查",
        DECISION: "决定",
        CERTIFICATE: "制证",
        DELIVERY: "送达",
    }


# A catalogue step's name → the phase the events show (names as items write them).
STEP_PHASES: dict[str, str] = {
    "受理": Phase.ACCEPT,
    "审查": Phase.REVIEW,
    "审核": Phase.REVIEW,
    "决定": Phase.DECISION,
    "办结": Phase.DECISION,
    "制证": Phase.CERTIFICATE,
    "发证": Phase.CERTIFICATE,
    "送达": Phase.DELIVERY,
    "出件": Phase.DELIVERY,
}
CASE_PHASES = frozenset({Phase.ACCEPT, Phase.DECISION, Phase.DELIVERY})


@dataclass(frozen=True)
class EventRow:
    kind: str
    at: dt.datetime
    from_state: str = ""
    to_state: str = ""
    reason: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepLimit:
    name: str
    days: int
    unit: str = TimeUnit.WORKDAY


@dataclass(frozen=True)
class TaskRow:
    pk: int
    state: str
    title: str
    item_code: str
    item_version_id: int
    department_id: int
    region_code: str
    assignee_id: int | None
    light: str | None  # the case engine's colour (cases.selectors.task_traffic_light)
    opinion: str = ""
    due_at: dt.datetime | None = None
    mode: str = TaskMode.LOCAL  # 跨域通办 mode (cases.states.TaskMode)


@dataclass(frozen=True)
class ExtensionRow:
    pk: int
    task_id: int
    days: int
    approved: bool
    approver_id: int | None
    # The approver's role carries the permission to approve extensions for the task's
    # department (computed from accounts.roles by the selector).
    approver_may_approve: bool


@dataclass
class CaseFacts:
    pk: int
    number: str
    title: str
    state: str
    channel: str
    region_code: str
    department_id: int | None
    item_code: str
    item_version_ids: Sequence[int]
    light: str | None  # cases.selectors.case_traffic_light
    is_final: bool
    # Completed after its due date (a completed case has no light any more).
    completed_late: bool = False
    rejection_reason: str = ""
    events: Sequence[EventRow] = ()
    tasks: Sequence[TaskRow] = ()
    steps: Mapping[int, Sequence[StepLimit]] = field(default_factory=dict)
    extensions: Sequence[ExtensionRow] = ()
    # When the result (证照, 决定书) of each decided task was issued, by task id.
    results_issued: Mapping[int, dt.datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A subject that breaks a rule now, with what the signal records about it."""

    subject: str
    case_id: int
    region_code: str
    task_id: int | None = None
    department_id: int | None = None
    officer_id: int | None = None
    item_code: str = ""
    item_name: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


# The paper originals' parcel, as shipment events name it.
ORIGINALS_SHIPMENT_KIND = str(ShipmentKind.MATERIALS_TO_HANDLING)
_REMOTE = frozenset(str(c) for c in REMOTE_CHANNELS)

Params = Mapping[str, Any]
Evaluator = Callable[[CaseFacts, Params, dt.datetime], list[Finding]]


def _case_finding(facts: CaseFacts, subject: str, **detail: Any) -> Finding:
    open_tasks = sorted(
        (t for t in facts.tasks if t.assignee_id and t.light is not None),
        key=lambda t: (t.due_at is None, t.due_at or clock.now()),
    )
    return Finding(
        subject=subject,
        case_id=facts.pk,
        region_code=facts.region_code,
        department_id=facts.department_id,
        officer_id=open_tasks[0].assignee_id if open_tasks else None,
        item_code=facts.item_code,
        item_name=facts.title,
        detail=detail,
    )


def _task_finding(facts: CaseFacts, task: TaskRow, subject: str, **detail: Any) -> Finding:
    return Finding(
        subject=subject,
        case_id=facts.pk,
        task_id=task.pk,
        region_code=task.region_code,
        department_id=task.department_id,
        officer_id=task.assignee_id,
        item_code=task.item_code,
        item_name=task.title,
        detail=detail,
    )


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# --------------------------------------------------------------------- lights


def case_light(colour: str) -> Evaluator:
    def evaluate(facts: CaseFacts, params: Params, now: dt.datetime) -> list[Finding]:
        if facts.light != colour:
            return []
        return [_case_finding(facts, f"case:{facts.pk}", light=colour)]

    return evaluate


def task_light(colour: str) -> Evaluator:
    def evaluate(facts: CaseFacts, params: Params, now: dt.datetime) -> list[Finding]:
        return [
            _task_finding(facts, t, f"task:{t.pk}", light=colour, due_at=_iso(t.due_at))
            for t in facts.tasks
            if t.light == colour
        ]

    return evaluate


# ---------------------------------------------------------------------- steps


@dataclass(frozen=True)
class StepSpan:
    phase: str
    start: dt.datetime
    end: dt.datetime | None  # None: running
    task_id: int | None = None
    paused_days: int = 0
    extension_days: int = 0


def _workdays(start: dt.datetime, end: dt.datetime) -> int:
    """Working days after ``start``'s day up to ``end``'s day (the rule of cases.deadlines)."""
    a, b = clock.local(start).date(), clock.local(end).date()
    return calendar.workdays_between(a, b).value if b > a else 0


def step_spans(facts: CaseFacts, now: dt.datetime) -> list[StepSpan]:
    """Every step period the case's events show, in order."""
    spans: list[StepSpan] = []
    queued_at: dt.datetime | None = None
    ready: dict[int, dt.datetime] = {}
    pauses: dict[Any, tuple[int, dt.datetime]] = {}
    paused: dict[int, int] = {}
    extended: dict[int, int] = {}
    last_decision: dt.datetime | None = None
    decided: dict[int, dt.datetime] = {}
    completed_at: dt.datetime | None = None
    for e in facts.events:
        task_id = e.payload.get("task")
        # 受理: the periods the case waits in the window queue.
        if e.to_state == CaseState.SUBMITTED and queued_at is None and task_id is None:
            queued_at = e.at
        elif queued_at is not None and e.from_state == CaseState.SUBMITTED and task_id is None:
            spans.append(StepSpan(Phase.ACCEPT, queued_at, e.at))
            queued_at = None
        if e.kind in (EventKind.TASK_CREATED, EventKind.TASK_READY) and task_id is not None:
            if e.to_state == TaskState.READY:
                ready.setdefault(task_id, e.at)
        elif e.kind == EventKind.TASK_PAUSED and task_id is not None:
            pauses[e.payload.get("pause")] = (task_id, e.at)
        elif e.kind == EventKind.TASK_RESUMED:
            started = pauses.pop(e.payload.get("pause"), None)
            if started is not None:
                paused[started[0]] = paused.get(started[0], 0) + _workdays(started[1], e.at)
        elif e.kind == EventKind.EXTENSION_APPROVED and task_id is not None:
            extended[task_id] = extended.get(task_id, 0) + int(e.payload.get("days", 0))
        elif e.kind in (EventKind.TASK_APPROVED, EventKind.TASK_DENIED) and task_id in ready:
            start = ready.pop(task_id)
            spans.append(
                StepSpan(
                    Phase.REVIEW,
                    start,
                    e.at,
                    task_id,
                    paused.get(task_id, 0),
                    extended.get(task_id, 0),
                )
            )
            last_decision = decided[task_id] = e.at
        elif e.kind in (EventKind.TASK_RETURNED, EventKind.TASK_CANCELLED):
            ready.pop(task_id, None)
        elif e.kind == EventKind.COMPLETED:
            completed_at = e.at
            if last_decision is not None:
                spans.append(StepSpan(Phase.DECISION, last_decision, e.at))
        elif e.kind == EventKind.HANDED_OUT and completed_at is not None:
            spans.append(StepSpan(Phase.DELIVERY, completed_at, e.at))
            completed_at = None
    # What is still running.
    if queued_at is not None:
        spans.append(StepSpan(Phase.ACCEPT, queued_at, None))
    open_paused = {task_id: at for task_id, at in pauses.values()}
    for task_id, start in ready.items():
        running_pause = _workdays(open_paused[task_id], now) if task_id in open_paused else 0
        spans.append(
            StepSpan(
                Phase.REVIEW,
                start,
                None,
                task_id,
                paused.get(task_id, 0) + running_pause,
                extended.get(task_id, 0),
            )
        )
    if completed_at is not None and not facts.is_final:
        spans.append(StepSpan(Phase.DELIVERY, completed_at, None))
    # 制证: from each task's decision to its result (running while none is issued).
    spans.extend(
        StepSpan(Phase.CERTIFICATE, at, facts.results_issued.get(task_id), task_id)
        for task_id, at in decided.items()
    )
    return spans


def _limit(steps: Sequence[StepLimit], phase: str) -> StepLimit | None:
    named = [s for s in steps if STEP_PHASES.get(s.name.strip()) == phase]
    return min(named, key=lambda s: s.days) if named else None


def step_limit_for(facts: CaseFacts, span: StepSpan) -> StepLimit | None:
    """The limit of the span's step: its task's item, or the strictest item of the case."""
    if span.task_id is not None:
        task = next((t for t in facts.tasks if t.pk == span.task_id), None)
        if task is None:
            return None
        return _limit(facts.steps.get(task.item_version_id, ()), span.phase)
    limits = [
        limit
        for version in facts.item_version_ids
        if (limit := _limit(facts.steps.get(version, ()), span.phase)) is not None
    ]
    return min(limits, key=lambda s: s.days) if limits else None


def steps_overdue(facts: CaseFacts, params: Params, now: dt.datetime) -> list[Finding]:
    """Steps over their own limit while the case itself is not overdue (and not finished)."""
    if facts.is_final or facts.light == Light.RED or facts.completed_late:
        return []
    checked = set(params.get("steps") or Phase.ALL)
    findings: dict[str, Finding] = {}
    for span in step_spans(facts, now):
        if span.phase not in checked:
            continue
        limit = step_limit_for(facts, span)
        if limit is None:
            continue
        allowed = limit.days + span.paused_days + span.extension_days
        deadline = calendar.deadline(span.start, allowed, limit.unit)
        end = span.end or now
        if end <= deadline.at:
            continue
        subject = f"step:{facts.pk}:{span.phase}" + (f":{span.task_id}" if span.task_id else "")
        detail = {
            "step": limit.name,
            "phase": span.phase,
            "limit_days": limit.days,
            "unit": limit.unit,
            "started_at": _iso(span.start),
            "ended_at": _iso(span.end),
            "deadline": _iso(deadline.at),
        }
        task = next((t for t in facts.tasks if t.pk == span.task_id), None)
        if task is not None:
            findings[subject] = _task_finding(facts, task, subject, **detail)
        else:
            findings[subject] = _case_finding(facts, subject, **detail)
    return list(findings.values())


# ---------------------------------------------------------------- the others


def pre_review_overdue(facts: CaseFacts, params: Params, now: dt.datetime) -> list[Finding]:
    """An online application still in pre-review after ``limit_days``."""
    if facts.state != CaseState.PRE_REVIEW:
        return []
    arrived = [e.at for e in facts.events if e.to_state == CaseState.PRE_REVIEW]
    if not arrived:
        return []
    days = int(params.get("limit_days", 1))
    unit = str(params.get("unit", TimeUnit.WORKDAY))
    deadline = calendar.deadline(arrived[-1], days, unit)
    if now <= deadline.at:
        return []
    return [
        _case_finding(
            facts,
            f"pre_review:{facts.pk}",
            submitted_at=_iso(arrived[-1]),
            deadline=_iso(deadline.at),
            limit_days=days,
        )
    ]


def reasons_missing(facts: CaseFacts, params: Params, now: dt.datetime) -> list[Finding]:
    """A case rejected without a reason; a task denied without an opinion."""
    findings = []
    if facts.state == CaseState.REJECTED and not facts.rejection_reason.strip():
        findings.append(_case_finding(facts, f"rejected:{facts.pk}", decision="rejected"))
    findings.extend(
        _task_finding(facts, task, f"denied:{task.pk}", decision="denied")
        for task in facts.tasks
        if task.state == TaskState.DENIED and not task.opinion.strip()
    )
    return findings


def extensions_unapproved(facts: CaseFacts, params: Params, now: dt.datetime) -> list[Finding]:
    """An extension in force that no chief approver of the task's department approved."""
    findings = []
    tasks = {t.pk: t for t in facts.tasks}
    for ext in facts.extensions:
        if not ext.approved or (ext.approver_id is not None and ext.approver_may_approve):
            continue
        task = tasks.get(ext.task_id)
        if task is None:
            continue
        findings.append(
            _task_finding(
                facts,
                task,
                f"extension:{ext.pk}",
                extension=ext.pk,
                days=ext.days,
                approver=ext.approver_id,
            )
        )
    return findings


def originals_forward_overdue(facts: CaseFacts, params: Params, now: dt.datetime) -> list[Finding]:
    """异地代收代办: the receiving region has not posted the paper originals to a region that
    handles a task of the case within ``limit_days`` of acceptance (the receiving side's duty)."""
    if facts.channel in _REMOTE or facts.is_final:
        return []
    elsewhere = [
        t
        for t in facts.tasks
        if t.mode in TASK_CROSS_REGION_MODES and not facts.region_code.startswith(t.region_code)
    ]
    if not elsewhere:
        return []
    accepted = [e.at for e in facts.events if e.kind == EventKind.ACCEPTED]
    if not accepted:
        return []
    posted = any(
        e.kind == EventKind.SHIPMENT_CREATED
        and e.payload.get("shipment_kind") == ORIGINALS_SHIPMENT_KIND
        for e in facts.events
    )
    if posted:
        return []
    days = int(params.get("limit_days", 2))
    unit = str(params.get("unit", TimeUnit.WORKDAY))
    deadline = calendar.deadline(accepted[0], days, unit)
    if now <= deadline.at:
        return []
    return [
        _case_finding(
            facts,
            f"originals:{facts.pk}",
            accepted_at=_iso(accepted[0]),
            deadline=_iso(deadline.at),
            limit_days=days,
            handling_regions=sorted({t.region_code for t in elsewhere}),
        )
    ]


def fees_over_standard(facts: CaseFacts, params: Params, now: dt.datetime) -> list[Finding]:
    """Fees charged are not recorded anywhere yet: nothing to compare (the rule is off)."""
    return []


EVALUATORS: dict[str, Evaluator] = {
    Trigger.CASE_NEAR_LIMIT: case_light(Light.YELLOW),
    Trigger.CASE_OVERDUE: case_light(Light.RED),
    Trigger.TASK_NEAR_LIMIT: task_light(Light.YELLOW),
    Trigger.TASK_OVERDUE: task_light(Light.RED),
    Trigger.STEP_OVERDUE: steps_overdue,
    Trigger.PRE_REVIEW_OVERDUE: pre_review_overdue,
    Trigger.REASON_MISSING: reasons_missing,
    Trigger.EXTENSION_UNAPPROVED: extensions_unapproved,
    Trigger.FEE_OVER_STANDARD: fees_over_standard,
    Trigger.ORIGINALS_FORWARD_OVERDUE: originals_forward_overdue,
}


def evaluate(trigger: str, facts: CaseFacts, params: Params, now: dt.datetime) -> list[Finding]:
    """The findings of one trigger about one case."""
    return EVALUATORS[trigger](facts, params, now)
