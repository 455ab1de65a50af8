"""Kinds, triggers and states of supervision (电子监察), with the 督办 transition table.

Only ``supervision.services`` assigns a state, and only through :func:`order_transition`,
which refuses any move :data:`ORDER_TRANSITIONS` does not list.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import IllegalTransition


class RuleKind(models.TextChoices):
    """监察预警类型: what a signal of the rule is (and its colour on the desk)."""

    WARNING = "warning", _("预警（黄牌）")
    CORRECTION = "correction", _("纠错（红牌）")
    ADVICE = "advice", _("监察建议")


class Colour(models.TextChoices):
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")
    ADVICE = "advice", _("监察建议")


KIND_COLOUR: dict[str, Colour] = {
    RuleKind.WARNING: Colour.YELLOW,
    RuleKind.CORRECTION: Colour.RED,
    RuleKind.ADVICE: Colour.ADVICE,
}


class Trigger(models.TextChoices):
    """What raises a signal (DOMAIN §6.4); each has one evaluator in ``supervision.rules``."""

    CASE_NEAR_LIMIT = "case_near_limit", _("办件承诺时限即将到期")
    CASE_OVERDUE = "case_overdue", _("办件超过承诺时限")
    TASK_NEAR_LIMIT = "task_near_limit", _("子件办理时限即将到期")
    TASK_OVERDUE = "task_overdue", _("子件超过办理时限")
    STEP_OVERDUE = "step_overdue", _("办件未超期但环节超时")
    PRE_REVIEW_OVERDUE = "pre_review_overdue", _("网上预审超期未处理")
    REASON_MISSING = "reason_missing", _("不予受理、不予许可未说明理由")
    EXTENSION_UNAPPROVED = "extension_unapproved", _("延期未经首席审批员批准")
    FEE_OVER_STANDARD = "fee_over_standard", _("超标准收费")
    ORIGINALS_FORWARD_OVERDUE = "originals_forward_overdue", _("异地收件超期未转寄原件")


class SignalState(models.TextChoices):
    OPEN = "open", _("未消除")
    CLEARED = "cleared", _("已消除")


class OrderState(models.TextChoices):
    ISSUED = "issued", _("已发出")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")
    ESCALATED = "escalated", _("已升级")


class OrderSubject(models.TextChoices):
    """What a 督办 is about."""

    CASE = "case", _("办件")
    TASK = "task", _("子件")
    DEPARTMENT = "department", _("部门")
    RECTIFICATION = "rectification", _("差评整改")


class OrderAction(models.TextChoices):
    """A step of a 督办; each is a move of the table (and an entry of the order log)."""

    ISSUE = "issue", _("发出督办")
    ANSWER = "answer", _("答复督办")
    CLOSE = "close", _("办结督办")
    ESCALATE = "escalate", _("升级督办")


_S = OrderState
# (state, action) → next state. Issuing creates the order in ``issued``.
ORDER_TRANSITIONS: dict[tuple[OrderState, OrderAction], OrderState] = {
    (_S.ISSUED, OrderAction.ANSWER): _S.ANSWERED,
    # A supervisor escalates an order nobody answered, or an answer that does not satisfy.
    (_S.ISSUED, OrderAction.ESCALATE): _S.ESCALATED,
    (_S.ANSWERED, OrderAction.CLOSE): _S.CLOSED,
    (_S.ANSWERED, OrderAction.ESCALATE): _S.ESCALATED,
    # An escalated order is answered again (by the department, to the higher level).
    (_S.ESCALATED, OrderAction.ANSWER): _S.ANSWERED,
}
del _S

ORDER_OPEN_STATES = frozenset(
    {state for (state, _action) in ORDER_TRANSITIONS} | {OrderState.ISSUED}
)


def order_actions_from(state: str) -> frozenset[OrderAction]:
    """The actions the table allows from ``state``."""
    return frozenset(action for (src, action) in ORDER_TRANSITIONS if src == state)


def order_transition(state: str, action: OrderAction) -> OrderState:
    """The state ``action`` leads to from ``state``; ``IllegalTransition`` if none."""
    try:
        return ORDER_TRANSITIONS[(OrderState(state), action)]
    except (KeyError, ValueError):
        raise IllegalTransition(
            _gettext("督办当前状态为「%(state)s」，不能%(action)s。")
            % {"state": OrderState(state).label, "action": action.label},
            current_state=str(state),
        ) from None
