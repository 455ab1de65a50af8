"""邮政双向专递: the address book, the applicant's 送达方式, shipments and their tracking.

A shipment keeps a copy of the sender and the recipient as they were when it was made (an
address edited or deleted later does not change where a parcel went). Its ``key`` is the
idempotency key the carrier is given with the order: an order sent twice (a retry after a
timeout, a second sync process) yields one waybill.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core import clock
from onestop.core.masking import mask_name, mask_phone
from onestop.delivery.states import HAND_OUT_KINDS, DeliveryMethod, ShipmentKind, ShipmentState


def mask_address(value: str) -> str:
    """湖南省益阳市赫山区龙岭大道 88 号 3 栋 → 湖南省益阳市赫山区龙岭****** (the street kept
    to its first characters, the house hidden)."""
    if not value:
        return ""
    keep = min(len(value), max(6, len(value) // 2))
    return value[:keep] + "*" * min(6, len(value) - keep)


class Address(models.Model):
    """One entry of an applicant's address book (收件地址)."""

    applicant = models.ForeignKey(
        "accounts.Applicant",
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="addresses",
    )
    name = models.CharField(_("收件人"), max_length=64)
    phone = models.CharField(_("联系电话"), max_length=20)
    region_code = models.CharField(_("所在区划代码"), max_length=12, blank=True)
    address = models.CharField(_("详细地址"), max_length=255)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    is_default = models.BooleanField(_("默认地址"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)

    class Meta:
        verbose_name = _("收件地址")
        verbose_name_plural = _("收件地址")
        ordering = ["-is_default", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=models.Q(is_default=True),
                name="delivery_one_default_address",
            )
        ]

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        """张** 138****5678 湖南省益阳市赫山区龙岭******: what lists show."""
        return f"{mask_name(self.name)} {mask_phone(self.phone)} {mask_address(self.address)}"


class DeliveryChoice(models.Model):
    """How the applicant wants a case's result (送达方式), with the signed free-post authorisation."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("办件"),
        on_delete=models.CASCADE,
        related_name="delivery_choice",
    )
    method = models.CharField(
        _("送达方式"), max_length=8, choices=DeliveryMethod.choices, default=DeliveryMethod.WINDOW
    )
    address = models.ForeignKey(
        Address,
        verbose_name=_("收件地址"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # 《政务服务专递免费寄递委托书》: which version of the text was signed, and when.
    authorisation_version = models.CharField(_("委托书版本"), max_length=32, blank=True)
    authorisation_signed_at = models.DateTimeField(_("委托书签署时间"), null=True, blank=True)
    chosen_at = models.DateTimeField(_("选择时间"), default=clock.now)

    class Meta:
        verbose_name = _("送达方式")
        verbose_name_plural = _("送达方式")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(method="window")
                    | models.Q(method="post", authorisation_signed_at__isnull=False)
                ),
                name="delivery_post_needs_authorisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.method}"


class Shipment(models.Model):
    """One parcel of a case, from a sender to a recipient, through a carrier."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="shipments"
    )
    kind = models.CharField(_("寄递类型"), max_length=24, choices=ShipmentKind.choices)
    state = models.CharField(
        _("状态"), max_length=20, choices=ShipmentState.choices, default=ShipmentState.PENDING
    )
    # The idempotency key of the carrier order (one waybill however often it is sent).
    key = models.UUIDField(_("订单键"), default=uuid.uuid4, unique=True, editable=False)
    # What the caller named this shipment by (a form's hidden key, a1's request id): the
    # same request twice returns the first shipment.
    request_key = models.CharField(_("请求键"), max_length=96, null=True, blank=True, unique=True)
    hall = models.ForeignKey(
        "regions.Hall",
        verbose_name=_("负责大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    # The region code whose staff look after it (its desk list and its returned alerts).
    region_code = models.CharField(_("负责区划代码"), max_length=12, db_index=True)

    sender_name = models.CharField(_("寄件人"), max_length=128)
    sender_phone = models.CharField(_("寄件人电话"), max_length=20, blank=True)
    sender_address = models.CharField(_("寄件地址"), max_length=255)
    recipient_name = models.CharField(_("收件人"), max_length=128)
    recipient_phone = models.CharField(_("收件人电话"), max_length=20, blank=True)
    recipient_address = models.CharField(_("收件地址"), max_length=255)
    recipient_postcode = models.CharField(_("收件邮编"), max_length=6, blank=True)
    contents = models.CharField(_("内件"), max_length=255, blank=True)

    carrier = models.CharField(_("承运方"), max_length=32)
    waybill_no = models.CharField(_("运单号"), max_length=40, blank=True, db_index=True)
    # The carrier order (waybill) and tracking: outbox-style attempts with backoff.
    attempts = models.PositiveSmallIntegerField(_("下单次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次下单时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    tracked_at = models.DateTimeField(_("最近查询轨迹"), null=True, blank=True)
    track_seq = models.PositiveIntegerField(_("已记录轨迹序号"), default=0)

    created_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)
    waybill_at = models.DateTimeField(_("下单时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=255, blank=True)
    # A returned shipment stays on the hall's alert list until a clerk has dealt with it.
    return_handled_at = models.DateTimeField(_("退件处理时间"), null=True, blank=True)
    # Hand-out by post: the case was handed out when this shipment was delivered.
    handed_out_at = models.DateTimeField(_("出件时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=clock.now)

    class Meta:
        verbose_name = _("邮件")
        verbose_name_plural = _("邮件")
        ordering = ["-pk"]
        constraints = [
            # One result parcel under way per case.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(kind="results_to_applicant")
                & ~models.Q(state__in=["delivered", "returned", "cancelled"]),
                name="delivery_one_open_result_shipment",
            ),
            models.UniqueConstraint(
                fields=["carrier", "waybill_no"],
                condition=~models.Q(waybill_no=""),
                name="delivery_unique_waybill",
            ),
        ]
        indexes = [
            # The sync: shipments waiting for a waybill whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="delivery_pending_due",
            ),
            models.Index(fields=["region_code", "state", "-id"], name="delivery_desk"),
        ]

    def __str__(self) -> str:
        return self.waybill_no or f"#{self.pk}"

    @property
    def recipient_masked(self) -> str:
        return (
            f"{mask_name(self.recipient_name)} {mask_phone(self.recipient_phone)} "
            f"{mask_address(self.recipient_address)}"
        )

    @property
    def latest_tracking(self) -> TrackingEvent | None:
        """The newest scan (from the prefetched tracking when there is one)."""
        rows = list(self.tracking.all())
        return rows[-1] if rows else None

    @property
    def completes_case(self) -> bool:
        return self.kind in HAND_OUT_KINDS


class TrackingEvent(models.Model):
    """One scan of the carrier (揽收, 到达, 派送, 签收, 退回 …), as the carrier reported it."""

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("邮件"), on_delete=models.CASCADE, related_name="tracking"
    )
    seq = models.PositiveIntegerField(_("序号"))
    status = models.CharField(_("状态"), max_length=20, choices=ShipmentState.choices)
    at = models.DateTimeField(_("时间"))
    location = models.CharField(_("地点"), max_length=128, blank=True)
    description = models.CharField(_("描述"), max_length=255, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), default=clock.now)

    class Meta:
        verbose_name = _("物流轨迹")
        verbose_name_plural = _("物流轨迹")
        ordering = ["shipment", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "seq"], name="delivery_tracking_once")
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}#{self.seq} {self.status}"
