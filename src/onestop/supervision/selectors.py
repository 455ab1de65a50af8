"""Reads of supervision: the facts the rules evaluate, the desk's lists and counts, orders.

Who sees what: a supervisor sees the signals and orders of their region subtree; a
department member (SUPERVISION_ANSWER) the orders addressed to their department.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from onestop.accounts.models import Staff
from onestop.accounts.roles import Permission, Role, permissions_of
from onestop.cases import selectors as case_selectors
from onestop.cases.models import Case, CaseEvent, Extension, ItemTask
from onestop.cases.states import CASE_FINAL_STATES, CaseState, ExtensionState, TaskState
from onestop.catalog.models import ProcessStep
from onestop.certificates.models import Certificate
from onestop.core.errors import NotFound
from onestop.core.paging import ListPage, keyset_page
from onestop.evaluations import selectors as rating_selectors
from onestop.evaluations.models import Rectification
from onestop.supervision.models import OrderEvent, Signal, SupervisionOrder, SupervisionRule
from onestop.supervision.rules import CaseFacts, EventRow, ExtensionRow, StepLimit, TaskRow
from onestop.supervision.states import Colour, OrderAction, SignalState, order_actions_from

# Cases the rules look at besides the running ones: the final states only the
# "reason missing" and "extension" rules read (and the open signals, so they clear).
_LIVE_STATES = [s for s in CaseState if s not in CASE_FINAL_STATES and s != CaseState.DRAFT]


def roles_with(permission: Permission) -> list[str]:
    """The roles whose grant includes ``permission`` (accounts.roles decides, not a literal)."""
    return [str(role) for role in Role if permission in permissions_of(role)]


def rules_active() -> list[SupervisionRule]:
    return list(SupervisionRule.objects.filter(is_active=True).order_by("code"))


def sweep_case_ids() -> list[int]:
    """Every case a sweep evaluates: running ones, the rule-breaking final ones, and the
    cases of open signals (whose cause may be gone)."""
    running = Case.objects.filter(state__in=_LIVE_STATES).values_list("pk", flat=True)
    rejected = Case.objects.filter(
        state=CaseState.REJECTED, rejection_reason__regex=r"^\s*$"
    ).values_list("pk", flat=True)
    denied = ItemTask.objects.filter(state=TaskState.DENIED, opinion__regex=r"^\s*$").values_list(
        "case_id", flat=True
    )
    extended = Extension.objects.filter(state=ExtensionState.APPROVED).values_list(
        "case_id", flat=True
    )
    signalled = Signal.objects.filter(state=SignalState.OPEN, case__isnull=False).values_list(
        "case_id", flat=True
    )
    ids: set[int] = set()
    for query in (running, rejected, denied, extended, signalled):
        ids.update(query)
    return sorted(ids)


def _step_limits(version_ids: Iterable[int]) -> dict[int, list[StepLimit]]:
    steps: dict[int, list[StepLimit]] = defaultdict(list)
    rows = ProcessStep.objects.filter(item_version_id__in=set(version_ids)).values_list(
        "item_version_id", "name", "limit_days", "limit_unit"
    )
    for version_id, name, days, unit in rows:
        steps[version_id].append(StepLimit(name, days, unit))
    return dict(steps)


def case_facts(case_ids: Sequence[int], *, now: dt.datetime) -> list[CaseFacts]:
    """What the rules need about these cases, in a few queries per batch (plus one per
    running case for its light, which the case engine computes from the events)."""
    cases = list(
        Case.objects.filter(pk__in=list(case_ids))
        .select_related("package_version__package", "item_version__item")
        .order_by("pk")
    )
    if not cases:
        return []
    ids = [c.pk for c in cases]
    events: dict[int, list[EventRow]] = defaultdict(list)
    for case_id, kind, at, from_state, to_state, reason, payload in (
        CaseEvent.objects.filter(case_id__in=ids)
        .order_by("case_id", "seq")
        .values_list("case_id", "kind", "at", "from_state", "to_state", "reason", "payload")
    ):
        events[case_id].append(EventRow(kind, at, from_state, to_state, reason, payload or {}))
    tasks: dict[int, list[ItemTask]] = defaultdict(list)
    for task in ItemTask.objects.filter(case_id__in=ids).select_related("case").order_by("pk"):
        tasks[task.case_id].append(task)
    approvers = set(roles_with(Permission.EXTENSION_APPROVE))
    extensions: dict[int, list[ExtensionRow]] = defaultdict(list)
    for ext in Extension.objects.filter(case_id__in=ids).select_related(
        "approved_by", "approved_by__region", "task"
    ):
        approver = ext.approved_by
        may = (
            approver is not None
            and approver.role in approvers
            and approver.department_id == ext.task.department_id
            and ext.task.region_code.startswith(approver.region.code)
        )
        extensions[ext.case_id].append(
            ExtensionRow(
                ext.pk,
                ext.task_id,
                ext.days,
                ext.state == ExtensionState.APPROVED,
                ext.approved_by_id,
                may,
            )
        )
    # 制证 ends when the certificates app issues the task's result (no case event says so).
    issued: dict[int, dict[int, dt.datetime]] = defaultdict(dict)
    for case_id, task_id, issued_at in Certificate.objects.filter(case_id__in=ids).values_list(
        "case_id", "task_id", "issued_at"
    ):
        issued[case_id][task_id] = issued_at
    versions: dict[int, list[int]] = {}
    for case in cases:
        found = [int(d["item_version"]) for d in case.dispatch_items or []]
        if case.item_version_id:
            found.append(case.item_version_id)
        found.extend(t.item_version_id for t in tasks[case.pk])
        versions[case.pk] = sorted(set(found))
    steps = _step_limits(v for vs in versions.values() for v in vs)
    result = []
    for case in cases:
        department_id = None
        if case.dispatch_items:
            department_id = int(case.dispatch_items[0]["department"])
        elif case.item_version is not None:
            department_id = case.item_version.department_id
        elif case.package_version is not None:
            department_id = case.package_version.lead_department_id
        light = case_selectors.case_traffic_light(case, now=now)
        task_rows = []
        for task in tasks[case.pk]:
            task_light = case_selectors.task_traffic_light(task, now=now)
            task_rows.append(
                TaskRow(
                    pk=task.pk,
                    state=task.state,
                    title=task.title,
                    item_code=task.item_code,
                    item_version_id=task.item_version_id,
                    department_id=task.department_id,
                    region_code=task.region_code,
                    assignee_id=task.assignee_id,
                    light=task_light.colour if task_light else None,
                    opinion=task.opinion,
                    due_at=task.due_at,
                    mode=task.mode,
                )
            )
        item_code = (
            case.item_version.item.basic_code
            if case.item_version is not None
            else (case.package_version.package.code if case.package_version is not None else "")
        )
        result.append(
            CaseFacts(
                pk=case.pk,
                number=case.number or "",
                title=case.title,
                state=case.state,
                channel=case.channel,
                region_code=case.region_code,
                department_id=department_id,
                item_code=item_code or "",
                item_version_ids=versions[case.pk],
                light=light.colour if light else None,
                is_final=case.state in CASE_FINAL_STATES,
                completed_late=bool(
                    case.completed_at and case.due_at and case.completed_at > case.due_at
                ),
                rejection_reason=case.rejection_reason,
                events=events[case.pk],
                tasks=task_rows,
                steps={v: steps.get(v, []) for v in versions[case.pk]},
                extensions=extensions[case.pk],
                results_issued=issued[case.pk],
            )
        )
    return result


# ------------------------------------------------------------------------ recipients


def chief_approvers_for(*, department_id: int, region_code: str) -> list[int]:
    """The active chief approvers of a department covering the region (by permission)."""
    staff = Staff.objects.filter(
        is_active=True,
        department_id=department_id,
        role__in=roles_with(Permission.EXTENSION_APPROVE),
    ).select_related("region")
    return [s.pk for s in staff if region_code.startswith(s.region.code)]


def supervisors_for(*, region_code: str) -> list[int]:
    """The active supervisors whose region subtree holds the region."""
    prefixes = [region_code[:n] for n in range(2, len(region_code) + 1)]
    return list(
        Staff.objects.filter(
            is_active=True,
            role__in=roles_with(Permission.SUPERVISE),
            region__code__in=prefixes,
        ).values_list("pk", flat=True)
    )


def department_answerers(*, department_id: int, region_code: str) -> list[int]:
    """Who answers a 督办 addressed to the department (SUPERVISION_ANSWER), in scope."""
    staff = Staff.objects.filter(
        is_active=True,
        department_id=department_id,
        role__in=roles_with(Permission.SUPERVISION_ANSWER),
    ).select_related("region")
    return [s.pk for s in staff if region_code.startswith(s.region.code)]


# -------------------------------------------------------------------------- the desk


@dataclass(frozen=True)
class SignalFilters:
    colour: str = ""
    region_code: str = ""
    department_id: int | None = None
    item_code: str = ""
    officer_id: int | None = None
    state: str = SignalState.OPEN


def signal_scope_for(viewer: Staff) -> QuerySet[Signal]:
    """The signals of the supervisor's region subtree (none for anyone else)."""
    if not viewer.has_permission(Permission.SUPERVISE):
        return Signal.objects.none()
    return Signal.objects.filter(region_code__startswith=viewer.region.code)


def signal_list_for(viewer: Staff, filters: SignalFilters | None = None) -> QuerySet[Signal]:
    """Signals in scope, filtered; red before yellow, newest first."""
    f = filters or SignalFilters()
    signals = signal_scope_for(viewer)
    if f.state:
        signals = signals.filter(state=f.state)
    if f.colour:
        signals = signals.filter(colour=f.colour)
    if f.region_code:
        signals = signals.filter(region_code__startswith=f.region_code)
    if f.department_id:
        signals = signals.filter(department_id=f.department_id)
    if f.item_code:
        signals = signals.filter(item_code=f.item_code)
    if f.officer_id:
        signals = signals.filter(officer_id=f.officer_id)
    order = ["-raised_at", "-pk"]
    return signals.select_related("rule", "case", "task", "department", "officer").order_by(
        "colour", *order
    )


def signal_counts_for(
    viewer: Staff, filters: SignalFilters | None = None
) -> dict[str, list[dict[str, object]]]:
    """Open signal counts by colour and by region, department, item and officer."""
    base = signal_list_for(viewer, filters).order_by()
    by_colour = list(base.values("colour").annotate(n=Count("pk")).order_by("colour"))
    by_region = list(base.values("region_code").annotate(n=Count("pk")).order_by("-n")[:20])
    by_department = list(
        base.filter(department__isnull=False)
        .values("department_id", "department__name")
        .annotate(n=Count("pk"), red=Count("pk", filter=Q(colour=Colour.RED)))
        .order_by("-n")[:20]
    )
    by_item = list(
        base.exclude(item_code="")
        .values("item_code", "item_name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:20]
    )
    by_officer = list(
        base.filter(officer__isnull=False)
        .values("officer_id", "officer__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:20]
    )
    return {
        "colour": by_colour,
        "region": by_region,
        "department": by_department,
        "item": by_item,
        "officer": by_officer,
    }


def signal_list_for_case(viewer: Staff, case: Case) -> QuerySet[Signal]:
    return signal_scope_for(viewer).filter(case=case).select_related("rule").order_by("-raised_at")


def signal_get_for(viewer: Staff, signal_id: int) -> Signal:
    signal = signal_scope_for(viewer).select_related("case", "task").filter(pk=signal_id).first()
    if signal is None:
        raise NotFound("监察信号不存在。")
    return signal


def case_get_for(viewer: Staff, number: str) -> Case:
    """A case in the supervisor's scope (the case engine's own scope rule)."""
    return case_selectors.case_get_by_number_for(viewer, number)


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case_selectors.case_timeline(case)


# ---------------------------------------------------------------------------- orders


def order_scope_for(viewer: Staff) -> QuerySet[SupervisionOrder]:
    """Orders a supervisor issued in their subtree, or those addressed to the viewer's
    department (for those who answer them)."""
    orders = SupervisionOrder.objects.all()
    if viewer.has_permission(Permission.SUPERVISE):
        return orders.filter(region_code__startswith=viewer.region.code)
    if viewer.has_permission(Permission.SUPERVISION_ANSWER) and viewer.department_id:
        return orders.filter(
            department_id=viewer.department_id, region_code__startswith=viewer.region.code
        )
    return orders.none()


def order_list_for(viewer: Staff, *, states: Sequence[str] = ()) -> QuerySet[SupervisionOrder]:
    orders = order_scope_for(viewer)
    if states:
        orders = orders.filter(state__in=list(states))
    return orders.select_related(
        "case", "task", "department", "issued_by", "rectification__rating__case"
    ).order_by("-issued_at", "-pk")


def order_get_for(viewer: Staff, order_id: int) -> SupervisionOrder:
    order = (
        order_scope_for(viewer)
        .select_related(
            "case",
            "task",
            "department",
            "issued_by",
            "answered_by",
            "signal",
            "rectification__rating__case",
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound("督办不存在。")
    return order


def order_log(order: SupervisionOrder) -> QuerySet[OrderEvent]:
    return OrderEvent.objects.filter(order=order).select_related("actor").order_by("seq")


def order_actions(order: SupervisionOrder, viewer: Staff) -> frozenset[OrderAction]:
    """What the viewer may do to the order now: a move the table allows, by permission."""
    allowed: set[OrderAction] = set()
    for action in order_actions_from(order.state):
        if action == OrderAction.ANSWER:
            if (
                viewer.has_permission(Permission.SUPERVISION_ANSWER)
                and viewer.department_id == order.department_id
                and viewer.covers(order.region_code)
            ):
                allowed.add(action)
        elif viewer.has_permission(Permission.SUPERVISE) and viewer.covers(order.region_code):
            allowed.add(action)
    return frozenset(allowed)


def rectification_get_for(viewer: Staff, rectification_id: int) -> Rectification:
    """A 差评 rectification rated in the supervisor's region subtree (NotFound otherwise)."""
    found = (
        Rectification.objects.filter(
            pk=rectification_id, rating__region_code__startswith=viewer.region.code
        )
        .select_related("rating__case", "department")
        .first()
        if viewer.has_permission(Permission.SUPERVISE)
        else None
    )
    if found is None:
        raise NotFound("差评整改不存在。")
    return found


def rectifications_to_supervise(viewer: Staff) -> list[Rectification]:
    """The overdue rectifications of the supervisor's region (the evaluations app decides
    what is overdue), each a subject the desk offers a 督办 on."""
    if not viewer.has_permission(Permission.SUPERVISE):
        return []
    return list(rating_selectors.rectifications_overdue(viewer).order_by("due_at", "pk")[:20])


def task_get_for(viewer: Staff, task_id: int) -> ItemTask | None:
    """A task whose case lies in the viewer's scope."""
    scope = case_selectors.case_scope_for(viewer)
    return ItemTask.objects.filter(pk=task_id, case__in=scope).select_related("case").first()


# Keyset pages of the lists (``core.paging``): the API's ``cursor``/``next``.
SIGNAL_ORDER = ["colour", "-raised_at", "-pk"]
ORDER_ORDER = ["-issued_at", "-pk"]


def signal_page(
    viewer: Staff,
    filters: SignalFilters | None = None,
    *,
    cursor: str = "",
    limit: int | None = None,
) -> ListPage:
    """One page of ``signal_list_for`` in its order."""
    return keyset_page(signal_list_for(viewer, filters), SIGNAL_ORDER, cursor, limit)


def order_page(
    viewer: Staff, *, states: Sequence[str] = (), cursor: str = "", limit: int | None = None
) -> ListPage:
    """One page of ``order_list_for`` in its order."""
    return keyset_page(order_list_for(viewer, states=states), ORDER_ORDER, cursor, limit)
