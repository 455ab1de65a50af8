"""电子监察: rules as data, the signals they raise, 督办 orders and the orders' chained log.

Every change goes through ``supervision.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import TimestampedModel
from onestop.supervision.states import (
    KIND_COLOUR,
    Colour,
    OrderAction,
    OrderState,
    OrderSubject,
    RuleKind,
    SignalState,
    Trigger,
)


class SupervisionRule(TimestampedModel):
    """A 监察规则: a trigger with its parameters and the kind of signal it raises."""

    code = models.CharField(_("监察规则编号"), max_length=32, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    kind = models.CharField(_("监察预警类型"), max_length=16, choices=RuleKind.choices)
    trigger = models.CharField(_("触发条件"), max_length=32, choices=Trigger.choices)
    parameters = models.JSONField(_("参数"), default=dict, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("监察规则")
        verbose_name_plural = _("监察规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def colour(self) -> Colour:
        return KIND_COLOUR[self.kind]


class Signal(models.Model):
    """One 监察信号 of a rule about one subject (a case, a task, a step of either).

    Open while its cause lasts; the sweep and the case-event handler clear it when the
    cause is gone. The database holds at most one open signal per (rule, subject).
    """

    rule = models.ForeignKey(
        SupervisionRule, verbose_name=_("监察规则"), on_delete=models.PROTECT, related_name="+"
    )
    # What the signal is about, e.g. "case:12", "task:34", "step:12:34:review".
    subject = models.CharField(_("监察对象"), max_length=96)
    colour = models.CharField(_("信号"), max_length=16, choices=Colour.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    task = models.ForeignKey(
        "cases.ItemTask",
        verbose_name=_("子件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_code = models.CharField(_("区划代码"), max_length=12)
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    officer = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item_code = models.CharField(_("事项编码"), max_length=32, blank=True)
    item_name = models.CharField(_("事项名称"), max_length=200, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=SignalState.choices, default=SignalState.OPEN
    )
    raised_at = models.DateTimeField(_("状态产生时间"))
    cleared_at = models.DateTimeField(_("消除时间"), null=True, blank=True)
    # Set once the officers or supervisors have been told (the sweep tells the rest).
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("监察信号")
        verbose_name_plural = _("监察信号")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject"],
                condition=models.Q(state="open"),
                name="supervision_one_open_signal",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "colour", "region_code"], name="signal_live"),
            models.Index(fields=["case", "state"], name="signal_case"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject} {self.state}"


class SupervisionOrder(TimestampedModel):
    """督办: a supervisor's order to a department about a case, task, the department itself
    or a 差评 rectification, with a response deadline in working days."""

    subject_kind = models.CharField(_("督办对象"), max_length=16, choices=OrderSubject.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    task = models.ForeignKey(
        "cases.ItemTask",
        verbose_name=_("子件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rectification = models.ForeignKey(
        "evaluations.Rectification",
        verbose_name=_("差评整改"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A rectification named by text only (an outside system's number), with its department.
    rectification_ref = models.CharField(
        _("差评整改编号"), max_length=64, blank=True, help_text=_("好差评整改单的编号。")
    )
    signal = models.ForeignKey(
        Signal,
        verbose_name=_("监察信号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_code = models.CharField(_("区划代码"), max_length=12)
    content = models.TextField(_("督办内容"))
    respond_days = models.PositiveIntegerField(_("答复时限（工作日）"))
    respond_by = models.DateTimeField(_("答复期限"))
    state = models.CharField(
        _("状态"), max_length=16, choices=OrderState.choices, default=OrderState.ISSUED
    )
    issued_by = models.ForeignKey(
        "accounts.Staff", verbose_name=_("督办人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("发出时间"))
    answer = models.TextField(_("答复内容"), blank=True)
    answered_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    # Set once the department has been reminded that the response deadline is near.
    reminded_at = models.DateTimeField(_("答复提醒时间"), null=True, blank=True)
    # The issuing form's (or API call's) key: a retried POST returns the same order.
    request_key = models.CharField(_("请求键"), max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issued_by", "request_key"],
                condition=models.Q(request_key__isnull=False),
                name="supervision_order_unique_request",
            ),
        ]
        indexes = [models.Index(fields=["department", "state"], name="order_dept_state")]

    def __str__(self) -> str:
        return f"督办#{self.pk} {self.get_state_display()}"


class OrderEvent(models.Model):
    """An append-only step of a 督办, hash-chained per order (see ``supervision.log``)."""

    order = models.ForeignKey(
        SupervisionOrder,
        verbose_name=_("督办"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,  # led by the unique (order, seq) index
    )
    seq = models.PositiveIntegerField(_("序号"))
    action = models.CharField(_("操作"), max_length=16, choices=OrderAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("操作人角色"), max_length=32, blank=True)
    at = models.DateTimeField(_("时间"))
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16)
    note = models.TextField(_("内容"), blank=True)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64, blank=True)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["order", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["order", "seq"], name="order_event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not logic: the log is append-only.
        if not self._state.adding:
            raise RuntimeError("OrderEvent rows are append-only; they are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("OrderEvent rows are append-only; they are never deleted.")
