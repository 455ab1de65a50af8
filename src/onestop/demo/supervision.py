"""Demo data of supervision: the sweep over the demo cases, and 督办 orders at every step.

The signals are what the rules find in the sample cases (``services.signals_sweep`` at the
moment of loading; the case-event hook has already raised and cleared signals as the
history was played). Orders are issued by the city's supervisor on the first red signals,
one per signal (the request key names the signal's subject, so a second load issues
none), and taken to each state: issued, answered, closed, escalated; plus one to a
department, and one on the region's first 差评 rectification still open (answered by the
department it was routed to). Every step goes through ``supervision.services``.
"""

from __future__ import annotations

from onestop.accounts.models import Staff
from onestop.demo.summary import DemoSummary
from onestop.evaluations.models import Rectification
from onestop.evaluations.states import RECTIFICATION_OPEN_STATES
from onestop.regions.models import Department
from onestop.supervision import selectors, services
from onestop.supervision.models import Signal, SupervisionOrder
from onestop.supervision.states import Colour, OrderAction, SignalState

SUPERVISOR = "supervisor"
# What each order on a red signal is taken to, in turn.
PLAN = (
    (),
    (OrderAction.ANSWER,),
    (OrderAction.ANSWER, OrderAction.CLOSE),
    (OrderAction.ESCALATE,),
    (OrderAction.ANSWER, OrderAction.ESCALATE),
)
CONTENT = "该件已超出时限，请说明原因、提出整改措施，并在答复期限内办结。"
ANSWERS = "已核实：材料流转延误，已安排专人当日办结，今后每日核对到期件。"


def _answerer(order: SupervisionOrder) -> Staff | None:
    ids = selectors.department_answerers(
        department_id=order.department_id, region_code=order.region_code
    )
    return Staff.objects.filter(pk__in=ids).order_by("pk").first()


def _take(order: SupervisionOrder, action: OrderAction, supervisor: Staff) -> SupervisionOrder:
    if action == OrderAction.ANSWER:
        officer = _answerer(order)
        if officer is None or action not in selectors.order_actions(order, officer):
            return order
        return services.order_answer(order_id=order.pk, officer=officer, answer=ANSWERS)
    if action not in selectors.order_actions(order, supervisor):
        return order
    if action == OrderAction.CLOSE:
        return services.order_close(
            order_id=order.pk, supervisor=supervisor, note="答复属实，办结。"
        )
    return services.order_escalate(
        order_id=order.pk, supervisor=supervisor, note="逾期仍未办结，升级督办。"
    )


def load_supervision(summary: DemoSummary) -> None:
    """Signals over the demo cases; 督办 orders in every state."""
    services.rules_ensure()
    known = set(Signal.objects.values_list("pk", flat=True))
    services.signals_sweep()
    for pk in Signal.objects.values_list("pk", flat=True):
        summary.tally("signals", created=pk not in known)
    issued = set(SupervisionOrder.objects.values_list("pk", flat=True))
    supervisor = Staff.objects.filter(user__username=SUPERVISOR).select_related("region").first()
    if supervisor is None:
        return
    red = list(
        Signal.objects.filter(
            state=SignalState.OPEN, colour=Colour.RED, task__isnull=False
        ).order_by("raised_at", "pk")[: len(PLAN)]
    )
    for signal, steps in zip(red, PLAN, strict=False):
        key = f"demo:{signal.subject}"
        exists = SupervisionOrder.objects.filter(issued_by=supervisor, request_key=key).exists()
        order = services.order_issue(
            supervisor=supervisor,
            signal=signal,
            content=f"{signal.rule.name}：{CONTENT}",
            respond_days=3,
            request_key=key,
        )
        if not exists:
            for action in steps:
                order = _take(order, action, supervisor)
    department = (
        Department.objects.filter(region__code=supervisor.region.code, kind="market")
        .order_by("pk")
        .first()
    )
    if department is not None:
        services.order_issue(
            supervisor=supervisor,
            department=department,
            content="请报送本月超期办件、环节超时办件的原因分析和整改情况。",
            respond_days=5,
            request_key="demo:department:monthly",
        )
    _rectification_order(supervisor)
    for pk in SupervisionOrder.objects.values_list("pk", flat=True):
        summary.tally("supervision orders", created=pk not in issued)


def _rectification_order(supervisor: Staff) -> None:
    """督办 on a 差评 rectification of the supervisor's region, answered by its department."""
    rect = (
        Rectification.objects.filter(
            rating__region_code__startswith=supervisor.region.code,
            state__in=RECTIFICATION_OPEN_STATES,
        )
        .order_by("due_at", "pk")
        .first()
    )
    if rect is None:
        return
    key = f"demo:rectification:{rect.pk}"
    if SupervisionOrder.objects.filter(issued_by=supervisor, request_key=key).exists():
        return
    order = services.order_issue(
        supervisor=supervisor,
        rectification=rect,
        content="差评整改请加快办理：核实情况、整改措施和回访结果于答复期限内报送。",
        respond_days=3,
        request_key=key,
    )
    _take(order, OrderAction.ANSWER, supervisor)
