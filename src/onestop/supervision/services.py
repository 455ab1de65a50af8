"""Writes of supervision: the signal sweep, its notifications, and the 督办 lifecycle.

``signals_sweep`` evaluates every active rule (``supervision.rules``) over the cases it is
given (all that can break a rule, by default), raises a signal for each finding that has
no open one and clears each open signal whose finding is gone: twice in a row it changes
nothing. The database holds one open signal per (rule, subject), so two sweeps racing
raise it once. New signals are told (yellow: the responsible officer and the chief
approvers of their department; red and 监察建议: the supervisors of the region) after
commit, through the outbox; a signal whose telling was lost is told by the next sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import staff_can_see_region, staff_require
from onestop.cases.models import Case, CaseEvent, ItemTask
from onestop.cases.states import EventKind
from onestop.core import clock
from onestop.core.errors import NotFound, PermissionDenied, ValidationFailed
from onestop.evaluations.models import Rectification
from onestop.notifications.models import MessageKind
from onestop.notifications.services import Notice, messages_enqueue, staff_recipient
from onestop.regions.models import Department
from onestop.supervision import log, rules, seed, selectors
from onestop.supervision.models import Signal, SupervisionOrder, SupervisionRule
from onestop.supervision.states import (
    KIND_COLOUR,
    Colour,
    OrderAction,
    OrderState,
    OrderSubject,
    SignalState,
    Trigger,
    order_transition,
)
from onestop.workdays import calendar

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
RESPOND_DAYS_MAX = 60
REMINDER_LABEL = gettext_lazy("答复期限将至")

# The case events after which a case's signals may change (the case-event hook).
WATCHED_EVENTS = (
    EventKind.SUBMITTED,
    EventKind.PRE_REVIEW_PASSED,
    EventKind.CORRECTION_REQUESTED,
    EventKind.SUPPLEMENTED,
    EventKind.ACCEPTED,
    EventKind.REJECTED,
    EventKind.WITHDRAWN,
    EventKind.RETURNED_TO_WINDOW,
    EventKind.COMPLETED,
    EventKind.HANDED_OUT,
    EventKind.TERMINATED,
    EventKind.TASK_READY,
    EventKind.TASK_CLAIMED,
    EventKind.TASK_REASSIGNED,
    EventKind.TASK_APPROVED,
    EventKind.TASK_DENIED,
    EventKind.TASK_CANCELLED,
    EventKind.TASK_PAUSED,
    EventKind.TASK_RESUMED,
    EventKind.EXTENSION_APPROVED,
)


@dataclass(frozen=True)
class SweepResult:
    raised: int
    cleared: int
    open: int
    reminded: int = 0


def _findings(
    active: Sequence[SupervisionRule], case_ids: Sequence[int], now: dt.datetime
) -> dict[tuple[int, str], tuple[SupervisionRule, rules.Finding]]:
    found: dict[tuple[int, str], tuple[SupervisionRule, rules.Finding]] = {}
    for start in range(0, len(case_ids), SWEEP_BATCH):
        for facts in selectors.case_facts(case_ids[start : start + SWEEP_BATCH], now=now):
            for rule in active:
                for finding in rules.evaluate(rule.trigger, facts, rule.parameters, now):
                    found[(rule.pk, finding.subject)] = (rule, finding)
    return found


def signals_sweep(
    *, now: dt.datetime | None = None, case_ids: Sequence[int] | None = None
) -> SweepResult:
    """Raise each finding that has no open signal, clear each open signal whose cause is gone.

    ``case_ids``: only these cases (the case-event hook); by default every case a rule can
    see, and the open signals of rules switched off are cleared too.
    """
    now = now or clock.now()
    active = selectors.rules_active()
    scoped = case_ids is not None
    ids = sorted(set(case_ids)) if case_ids is not None else selectors.sweep_case_ids()
    found = _findings(active, ids, now)
    with transaction.atomic():
        open_rows = Signal.objects.filter(state=SignalState.OPEN)
        if scoped:
            open_rows = open_rows.filter(case_id__in=ids)
        current = {
            (rule_id, subject): pk
            for pk, rule_id, subject in open_rows.values_list("pk", "rule_id", "subject")
        }
        gone = [pk for key, pk in current.items() if key not in found]
        cleared = 0
        for start in range(0, len(gone), SWEEP_BATCH):
            cleared += Signal.objects.filter(
                pk__in=gone[start : start + SWEEP_BATCH], state=SignalState.OPEN
            ).update(state=SignalState.CLEARED, cleared_at=now)
        new = [
            Signal(
                rule=rule,
                subject=finding.subject,
                colour=KIND_COLOUR[rule.kind],
                case_id=finding.case_id,
                task_id=finding.task_id,
                region_code=finding.region_code,
                department_id=finding.department_id,
                officer_id=finding.officer_id,
                item_code=finding.item_code[:32],
                item_name=finding.item_name[:200],
                detail=dict(finding.detail),
                raised_at=now,
            )
            for key, (rule, finding) in found.items()
            if key not in current
        ]
        # Another sweep may have raised some meanwhile: the open-signal constraint keeps one.
        Signal.objects.bulk_create(new, batch_size=SWEEP_BATCH, ignore_conflicts=True)
        transaction.on_commit(signals_notify, robust=True)
    total = Signal.objects.filter(state=SignalState.OPEN).count()
    # The full sweep (beat, the command) also reminds departments of 督办 deadlines.
    reminded = 0 if scoped else orders_remind(now=now)
    return SweepResult(raised=len(new), cleared=cleared, open=total, reminded=reminded)


def signals_on_case_events(case_id: int, events: Sequence[CaseEvent]) -> None:
    """The case-event hook: re-evaluate the case whose events were just committed."""
    if getattr(settings, "ONESTOP_SUPERVISION_HOOK", True):
        signals_sweep(case_ids=[case_id])


def _recipients(signal: Signal) -> list[int]:
    if signal.colour == Colour.YELLOW:
        ids = [signal.officer_id] if signal.officer_id else []
        if signal.department_id:
            ids += selectors.chief_approvers_for(
                department_id=signal.department_id, region_code=signal.region_code
            )
    else:
        ids = selectors.supervisors_for(region_code=signal.region_code)
    return sorted(set(ids))


def _subject_text(signal: Signal) -> str:
    step = signal.detail.get("step")
    name = signal.item_name or (signal.case.title if signal.case else "")
    return f"{name}·{step}" if step else name


def signals_notify() -> int:
    """Tell whom each open, untold signal concerns (once per signal: a dedupe key)."""
    pending = list(
        Signal.objects.filter(state=SignalState.OPEN, notified_at__isnull=True)
        .select_related("rule", "case", "department")
        .order_by("pk")[:5000]
    )
    notices = []
    for signal in pending:
        recipients = _recipients(signal)
        if not recipients:
            continue
        kind = (
            MessageKind.SUPERVISION_YELLOW
            if signal.colour == Colour.YELLOW
            else MessageKind.SUPERVISION_RED
        )
        notices.append(
            Notice(
                kind=kind,
                recipients=[staff_recipient(pk) for pk in recipients],
                case_id=signal.case_id,
                case_number=(signal.case.number or "") if signal.case else "",
                context={
                    "rule_code": signal.rule.code,
                    "rule_name": signal.rule.name,
                    "subject": _subject_text(signal),
                    "department": signal.department.name if signal.department else "",
                },
                dedupe_key=f"signal:{signal.pk}",
            )
        )
    for start in range(0, len(notices), 500):
        messages_enqueue(notices=notices[start : start + 500])
    Signal.objects.filter(pk__in=[s.pk for s in pending]).update(notified_at=clock.now())
    return len(notices)


# ------------------------------------------------------------------------------ 督办


def _order_department(case: Case | None, task: ItemTask | None) -> int | None:
    if task is not None:
        return task.department_id
    if case is not None:
        if case.dispatch_items:
            return int(case.dispatch_items[0]["department"])
        if case.item_version is not None:
            return case.item_version.department_id
        if case.package_version is not None:
            return case.package_version.lead_department_id
    return None


def _order_notify(order_id: int, action: OrderAction) -> None:
    order = SupervisionOrder.objects.select_related("issued_by").get(pk=order_id)
    if action in (OrderAction.ISSUE, OrderAction.ESCALATE):
        recipients = selectors.department_answerers(
            department_id=order.department_id, region_code=order.region_code
        )
    else:
        recipients = [order.issued_by_id]
    if not recipients:
        return
    messages_enqueue(
        notices=[
            Notice(
                kind=MessageKind.SUPERVISION_ORDER,
                recipients=[staff_recipient(pk) for pk in recipients],
                case_id=order.case_id,
                case_number=order.case.number or "" if order.case else "",
                context={
                    "action": str(action.label),
                    "content": order.content[:200],
                    "respond_on": clock.local(order.respond_by).date().isoformat(),
                },
                dedupe_key=f"order:{order.pk}:{action}:{order.events.count()}",
            )
        ]
    )


# The states in which an order waits for the department's answer.
AWAITING_ANSWER = (OrderState.ISSUED, OrderState.ESCALATED)


@transaction.atomic
def orders_remind(*, now: dt.datetime | None = None) -> int:
    """Remind the department of each order still awaiting its answer whose response deadline
    is at most ONESTOP_WARN_REMAINING_WORKDAYS working days away (the desks' yellow), once
    per order, through the outbox; returns the orders reminded."""
    now = now or clock.now()
    horizon = calendar.deadline(now, int(settings.ONESTOP_WARN_REMAINING_WORKDAYS)).at
    due = list(
        SupervisionOrder.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            state__in=AWAITING_ANSWER,
            reminded_at__isnull=True,
            respond_by__gt=now,
            respond_by__lte=horizon,
        )
        .select_related("case")
        .order_by("respond_by", "pk")[:5000]
    )
    notices = []
    for order in due:
        recipients = selectors.department_answerers(
            department_id=order.department_id, region_code=order.region_code
        )
        if not recipients:
            continue
        notices.append(
            Notice(
                kind=MessageKind.SUPERVISION_ORDER,
                recipients=[staff_recipient(pk) for pk in recipients],
                case_id=order.case_id,
                case_number=(order.case.number or "") if order.case else "",
                context={
                    "action": str(REMINDER_LABEL),
                    "content": order.content[:200],
                    "respond_on": clock.local(order.respond_by).date().isoformat(),
                },
                dedupe_key=f"order:{order.pk}:remind",
            )
        )
    for start in range(0, len(notices), 500):
        messages_enqueue(notices=notices[start : start + 500])
    SupervisionOrder.objects.filter(pk__in=[o.pk for o in due]).update(reminded_at=now)
    return len(due)


def _after_commit(order: SupervisionOrder, action: OrderAction) -> None:
    transaction.on_commit(partial(_order_notify, order.pk, action), robust=True)


@transaction.atomic
def order_issue(
    *,
    supervisor: Staff,
    content: str,
    respond_days: int,
    case: Case | None = None,
    task: ItemTask | None = None,
    department: Department | None = None,
    rectification: Rectification | None = None,
    rectification_ref: str = "",
    signal: Signal | None = None,
    request_key: str | None = None,
) -> SupervisionOrder:
    """A supervisor orders a department to answer within working days (督办) about a case,
    a task, a 差评 rectification or the department itself; a retry with the same request
    key returns the first order."""
    staff_require(supervisor, Permission.SUPERVISE)
    if request_key:
        existing = SupervisionOrder.objects.filter(
            issued_by=supervisor, request_key=request_key
        ).first()
        if existing is not None:
            return existing
    text = (content or "").strip()
    if not text:
        raise ValidationFailed(_("请填写督办内容。"), field="content")
    if isinstance(respond_days, bool) or not isinstance(respond_days, int):
        raise ValidationFailed(_("答复时限须为整数个工作日。"), field="respond_days")
    if not 1 <= respond_days <= RESPOND_DAYS_MAX:
        raise ValidationFailed(
            _("答复时限须为 1～%(max)d 个工作日。") % {"max": RESPOND_DAYS_MAX},
            field="respond_days",
        )
    if signal is not None:
        case = case or signal.case
        task = task or signal.task
    if rectification is not None and (case is not None or task is not None):
        raise ValidationFailed(
            _("督办对象只能是办件、子件、部门或差评整改中的一个。"), field="subject"
        )
    if task is not None:
        case = task.case
        subject = OrderSubject.TASK
    elif case is not None:
        subject = OrderSubject.CASE
    elif rectification is not None or rectification_ref.strip():
        subject = OrderSubject.RECTIFICATION
    elif department is not None:
        subject = OrderSubject.DEPARTMENT
    else:
        raise ValidationFailed(_("请指定督办的办件、子件、部门或差评整改。"), field="subject")
    if department is not None:
        department_id: int | None = department.pk
    elif rectification is not None:
        # The department the 差评 was routed to answers for its rectification.
        department_id = rectification.department_id
    else:
        department_id = _order_department(case, task)
    if department_id is None:
        raise ValidationFailed(_("请指定责任部门。"), field="department")
    dept = Department.objects.select_related("region").get(pk=department_id)
    if task is not None:
        region_code = task.region_code
    elif case is not None:
        region_code = case.region_code
    elif rectification is not None:
        region_code = rectification.rating.region_code
    else:
        region_code = dept.region.code
    if not staff_can_see_region(supervisor, region_code) and not staff_can_see_region(
        supervisor, dept.region
    ):
        raise PermissionDenied(_("督办对象不在您的监察范围内。"))
    now = clock.now()
    order = SupervisionOrder(
        subject_kind=subject,
        case=case,
        task=task,
        rectification=rectification,
        rectification_ref=rectification_ref.strip()[:64],
        signal=signal,
        department=dept,
        region_code=region_code,
        content=text,
        respond_days=respond_days,
        respond_by=calendar.deadline(now, respond_days).at,
        state=OrderState.ISSUED,
        issued_by=supervisor,
        issued_at=now,
        request_key=request_key or None,
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:  # the same request raced in: return the first
        return SupervisionOrder.objects.get(issued_by=supervisor, request_key=request_key)
    log.step_append(
        order=order,
        action=OrderAction.ISSUE,
        actor=supervisor,
        from_state="",
        to_state=order.state,
        note=text,
        at=now,
    )
    _after_commit(order, OrderAction.ISSUE)
    return order


def _locked(order_id: int) -> SupervisionOrder:
    order = (
        SupervisionOrder.objects.select_for_update(of=("self",))
        .select_related("department", "case")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(_("督办不存在。"))
    return order


def _move(
    order: SupervisionOrder, action: OrderAction, *, actor: Staff, note: str, fields: list[str]
) -> SupervisionOrder:
    now = clock.now()
    before = order.state
    order.state = order_transition(order.state, action)
    if action == OrderAction.ANSWER:
        order.answer, order.answered_by, order.answered_at = note, actor, now
    elif action == OrderAction.CLOSE:
        order.closed_at = now
    elif action == OrderAction.ESCALATE:
        order.escalated_at = now
    order.save(update_fields=["state", *fields, "updated_at"])
    log.step_append(
        order=order,
        action=action,
        actor=actor,
        from_state=before,
        to_state=order.state,
        note=note,
        at=now,
    )
    _after_commit(order, action)
    return order


@transaction.atomic
def order_answer(*, order_id: int, officer: Staff, answer: str) -> SupervisionOrder:
    """The department answers (SUPERVISION_ANSWER, its own department and region only)."""
    staff_require(officer, Permission.SUPERVISION_ANSWER)
    order = _locked(order_id)
    if officer.department_id != order.department_id or not officer.covers(order.region_code):
        raise NotFound(_("督办不存在。"))
    text = (answer or "").strip()
    if not text:
        raise ValidationFailed(_("请填写答复内容。"), field="answer")
    return _move(
        order,
        OrderAction.ANSWER,
        actor=officer,
        note=text,
        fields=["answer", "answered_by", "answered_at"],
    )


def _supervised(order_id: int, supervisor: Staff) -> SupervisionOrder:
    staff_require(supervisor, Permission.SUPERVISE)
    order = _locked(order_id)
    if not supervisor.covers(order.region_code):
        raise NotFound(_("督办不存在。"))
    return order


@transaction.atomic
def order_close(*, order_id: int, supervisor: Staff, note: str = "") -> SupervisionOrder:
    """The supervisor accepts the answer and closes the order."""
    order = _supervised(order_id, supervisor)
    return _move(
        order, OrderAction.CLOSE, actor=supervisor, note=note.strip(), fields=["closed_at"]
    )


@transaction.atomic
def order_escalate(*, order_id: int, supervisor: Staff, note: str) -> SupervisionOrder:
    """The supervisor escalates an unanswered order or an unsatisfying answer (with why)."""
    order = _supervised(order_id, supervisor)
    text = (note or "").strip()
    if not text:
        raise ValidationFailed(_("请说明升级督办的理由。"), field="note")
    return _move(order, OrderAction.ESCALATE, actor=supervisor, note=text, fields=["escalated_at"])


def rules_ensure() -> int:
    """Create the seeded 监察规则 that are missing (never changes an existing one)."""
    existing = set(SupervisionRule.objects.values_list("code", flat=True))
    missing = [
        SupervisionRule(
            code=code,
            name=name,
            kind=kind,
            trigger=trigger,
            parameters=parameters,
            is_active=active,
            note=note,
        )
        for code, name, kind, trigger, parameters, active, note in seed.RULES
        if code not in existing
    ]
    SupervisionRule.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def rule_update(
    *, rule_id: int, by: Staff, is_active: bool, parameters: dict[str, object], note: str
) -> SupervisionRule:
    """A supervisor switches a rule on or off or changes its parameters (checked per trigger);
    the next sweep raises or clears signals accordingly."""
    staff_require(by, Permission.SUPERVISE)
    with transaction.atomic():
        rule = SupervisionRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("监察规则不存在。"))
        if not isinstance(parameters, dict):
            raise ValidationFailed(_("参数须为 JSON 对象。"), field="parameters")
        if "limit_days" in parameters:
            days = parameters["limit_days"]
            if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 60:
                raise ValidationFailed(_("limit_days 须为 0～60 的整数。"), field="parameters")
        if "unit" in parameters and parameters["unit"] not in ("workday", "natural_day"):
            raise ValidationFailed(_("unit 只能是 workday 或 natural_day。"), field="parameters")
        if "steps" in parameters:
            steps = parameters["steps"]
            if not isinstance(steps, list) or any(s not in rules.Phase.ALL for s in steps):
                raise ValidationFailed(
                    _("steps 只能列出：%(phases)s。") % {"phases": "、".join(rules.Phase.ALL)},
                    field="parameters",
                )
        if is_active and rule.trigger == Trigger.FEE_OVER_STANDARD:
            raise ValidationFailed(
                _("尚无实际收费记录，超标准收费规则无法启用。"), field="is_active"
            )
        rule.is_active = is_active
        rule.parameters = parameters
        rule.note = note.strip()
        rule.save(update_fields=["is_active", "parameters", "note", "updated_at"])
    return rule
