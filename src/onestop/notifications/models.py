"""The notification outbox (站内信, SMS, e-mail) and the applicants' channel preferences.

**One table for the outbox and the message box.** An inbox message (站内信) is a row of
:class:`Message` like an SMS or an e-mail, with ``channel = inbox``; it is ``sent`` the moment
it is written (there is nothing to deliver: the message box reads it) and carries ``read_at``.
Keeping it in the same table means the messages of one case event — inbox, SMS and e-mail
for the applicant, inbox for the agent and the officers — go in as ONE multi-row INSERT in
the case engine's transaction, share the kind/context/rendering code, and the admin shows
everything that was told to whom in one list. The message box's reads use an index led by
(recipient, channel, id), so the SMS and e-mail rows beside them cost it nothing.

Recipients are stored as ids (an applicant or a member of staff), never as a phone number
or an address: those are looked up when the row is delivered, so a changed phone number is
used and the writing transaction reads nothing. Case id and number are plain columns (no
foreign key: notifications sits below cases).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    INBOX = "inbox", _("站内信")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class Status(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送（已退订或无地址）")


class RecipientKind(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    STAFF = "staff", _("工作人员")


class MessageKind(models.TextChoices):
    """What a message says; each has a text template ``notifications/text/<kind>.txt``.

    The label is the message's title (in the message box and as the e-mail subject).
    """

    CASE_SUBMITTED = "case_submitted", _("申请已提交")
    CORRECTION_REQUESTED = "correction_requested", _("请补正材料")
    CASE_ACCEPTED = "case_accepted", _("申请已受理")
    CASE_REJECTED = "case_rejected", _("申请不予受理")
    TASK_PAUSED = "task_paused", _("办理进入特别程序")
    EXTENSION_APPROVED = "extension_approved", _("办理期限已延长")
    CASE_COMPLETED = "case_completed", _("办件已办结，可领取结果")
    HANDED_OUT = "handed_out", _("办理结果已领取")
    CASE_TERMINATED = "case_terminated", _("办件已终止")
    TOLERATED_DUE_SOON = "tolerated_due_soon", _("容缺材料即将到期")
    TASK_ASSIGNED = "task_assigned", _("新的待办子件")
    TASK_YELLOW = "task_yellow", _("子件即将到期")
    TASK_RED = "task_red", _("子件已超期")
    # 电子监察 (supervision): texts in supervision/templates/notifications/text/.
    SUPERVISION_YELLOW = "supervision_yellow", _("电子监察黄牌预警")
    SUPERVISION_RED = "supervision_red", _("电子监察红牌纠错")
    SUPERVISION_ORDER = "supervision_order", _("督办通知")
    # 好差评 (evaluations): texts in evaluations/templates/notifications/text/.
    RATING_INVITATION = "rating_invitation", _("邀请您评价本次服务")
    RECTIFICATION_ASSIGNED = "rectification_assigned", _("新的差评整改")
    RECTIFICATION_FEEDBACK = "rectification_feedback", _("差评整改情况反馈")
    # 邮政双向专递 (delivery): texts in delivery/templates/notifications/text/.
    SHIPMENT_SENT = "shipment_sent", _("邮件已寄出")
    SHIPMENT_OUT_FOR_DELIVERY = "shipment_out_for_delivery", _("邮件正在派送")
    SHIPMENT_DELIVERED = "shipment_delivered", _("邮件已签收")
    SHIPMENT_RETURNED = "shipment_returned", _("邮件被退回")
    SHIPMENT_RETURNED_ALERT = "shipment_returned_alert", _("退件提醒")


class Message(models.Model):
    """One message to one recipient through one channel (an outbox row; see the module doc)."""

    kind = models.CharField(_("消息类型"), max_length=48, choices=MessageKind.choices)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    recipient_kind = models.CharField(_("接收人类型"), max_length=16, choices=RecipientKind.choices)
    recipient_id = models.PositiveBigIntegerField(_("接收人"))
    case_id = models.PositiveBigIntegerField(_("办件ID"), null=True, blank=True)
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    # Makes a message idempotent beyond its case and kind (a reminder per material, a light
    # per task and colour): the sweeps write it again every run and the row goes in once.
    dedupe_key = models.CharField(_("去重键"), max_length=96, blank=True, default="")
    context = models.JSONField(_("内容"), default=dict, blank=True)
    # The rows written by one transaction: the on-commit delivery asks for them by this.
    # Claimed with status = pending (a partial index), so it needs no index of its own.
    batch = models.UUIDField(_("批次"))
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-pk"]
        constraints = [
            # Rate limit: one SMS per case, kind and recipient (a second pause or a second
            # correction notice of the same case still reaches the message box).
            models.UniqueConstraint(
                fields=["recipient_kind", "recipient_id", "case_id", "kind", "dedupe_key"],
                condition=models.Q(channel="sms"),
                name="message_one_sms_per_case_kind",
            ),
            models.UniqueConstraint(
                fields=["channel", "recipient_kind", "recipient_id", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="message_unique_dedupe_key",
            ),
        ]
        indexes = [
            # The message box: newest first, keyset by id.
            models.Index(
                fields=["recipient_kind", "recipient_id", "channel", "-id"],
                name="message_box",
            ),
            # The delivery sweep: pending rows whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="message_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} → {self.recipient_kind}#{self.recipient_id}"


class NotificationPreference(models.Model):
    """An applicant's channels (SMS, e-mail may be turned off; 站内信 always on) and language.

    No row means the defaults: every channel on, Chinese.
    """

    applicant = models.OneToOneField(
        "accounts.Applicant",
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    sms_enabled = models.BooleanField(_("接收短信"), default=True)
    email_enabled = models.BooleanField(_("接收电子邮件"), default=True)
    language = models.CharField(_("消息语言"), max_length=16, default="zh-hans")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("消息设置")
        verbose_name_plural = _("消息设置")

    def __str__(self) -> str:
        return f"{self.applicant_id}"
