"""统计分析: the consultation register (咨询登记) and the figures' aggregate rows.

- ``Consultation`` is a fact recorded by a clerk: one enquiry by phone, online or at a
  window (the press release counts them: "各类网络、电话咨询…人次").
- ``CaseFigure`` is what one case contributes to the figures now (its dimensions, the days
  it was received, accepted and completed, its measures), recomputed from the case rows and
  its event log whenever its events change. It is the memory that makes the daily rows
  incremental: a refresh subtracts the case's old contribution and adds the new one.
- ``DailyFigure`` and ``DailyDuration`` are the sums over ``CaseFigure`` by day, region
  and (one at a time) dimension; the dashboards read only them. ``onestop stats check`` proves they equal a
  full recount from the cases.

Dimension columns that may be absent hold 0 / "" rather than NULL, so the unique key is one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsultationChannel(models.TextChoices):
    PHONE = "phone", _("电话咨询")
    ONLINE = "online", _("网络咨询")
    WINDOW = "window", _("窗口咨询")


class Consultation(models.Model):
    """One enquiry (咨询) answered by staff: by phone, online or at a window."""

    channel = models.CharField(_("咨询渠道"), max_length=16, choices=ConsultationChannel.choices)
    topic = models.CharField(_("咨询内容"), max_length=200)
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("相关事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    # The region's code, for subtree filters without a join.
    region_code = models.CharField(_("区划代码"), max_length=12)
    hall = models.ForeignKey(
        "regions.Hall",
        verbose_name=_("大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("咨询时间"))
    idempotency_key = models.CharField(_("幂等键"), max_length=128, null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("咨询登记")
        verbose_name_plural = _("咨询登记")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["region_code", "at"], name="consultation_region_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="consultation_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.topic}"


class CaseFigure(models.Model):
    """What one case contributes to the figures, as of its event ``event_seq``."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="+"
    )
    event_seq = models.PositiveIntegerField(_("已计入的事件序号"), default=0)
    # dimensions
    region_code = models.CharField(_("收件地区划代码"), max_length=12)
    department_id = models.PositiveIntegerField(_("部门"), default=0)
    item_code = models.CharField(_("事项基本编码"), max_length=32, blank=True)
    package_id = models.PositiveIntegerField(_("一件事"), default=0)
    channel = models.CharField(_("申报渠道"), max_length=24)
    hall_id = models.PositiveIntegerField(_("大厅"), default=0)
    # the days it counts on (Asia/Shanghai)
    received_on = models.DateField(_("收件日"), null=True)
    accepted_on = models.DateField(_("受理日"), null=True)
    completed_on = models.DateField(_("办结日"), null=True)
    # measures
    is_enterprise = models.BooleanField(_("企业办件"), default=False)
    is_online = models.BooleanField(_("网上办理"), default=False)
    is_package = models.BooleanField(_("一件事"), default=False)
    is_cross_domain = models.BooleanField(_("跨域通办"), default=False)
    is_immediate = models.BooleanField(_("即办件"), default=False)
    corrections = models.PositiveIntegerField(_("补正次数"), default=0)
    pauses = models.PositiveIntegerField(_("特别程序次数"), default=0)
    extensions = models.PositiveIntegerField(_("延期次数"), default=0)
    used_days = models.IntegerField(_("用时（工作日）"), null=True)
    limit_days = models.IntegerField(_("时限（工作日）"), null=True)
    is_on_time = models.BooleanField(_("按时办结"), null=True)
    # 限时办结 ("2、5、6"): the package version's target, the working days from submission
    # to completion, and whether it was met (None: no target, or not completed).
    sla_days = models.IntegerField(_("限时办结（工作日）"), null=True)
    sla_used_days = models.IntegerField(_("申请至办结用时（工作日）"), null=True)
    is_sla_met = models.BooleanField(_("限时办结达标"), null=True)
    # 办事不出村: a case limited in minutes (a package version's ``promised_minutes``), the
    # natural minutes from acceptance to completion, and whether they kept to the limit.
    promised_minutes = models.IntegerField(_("分钟时限"), null=True)
    used_minutes = models.IntegerField(_("受理至办结用时（分钟）"), null=True)
    is_minutes_met = models.BooleanField(_("分钟时限内办结"), null=True)

    class Meta:
        verbose_name = _("办件统计")
        verbose_name_plural = _("办件统计")

    def __str__(self) -> str:
        return f"{self.case_id}@{self.event_seq}"


class Dimension(models.TextChoices):
    """What a daily row is split by besides day and region ("" for the region's total)."""

    TOTAL = "", _("合计")
    CHANNEL = "channel", _("申报渠道")
    DEPARTMENT = "department", _("部门")
    ITEM = "item", _("事项或一件事")
    HALL = "hall", _("大厅")


class Grain(models.TextChoices):
    """A row sums one day, or one calendar month (its ``day`` is then the 1st)."""

    DAY = "d", _("日")
    MONTH = "m", _("月")


DAILY_DIMENSIONS = ("grain", "day", "region_code", "dimension", "key")
DAILY_MEASURES = (
    "received",
    "enterprise_received",
    "online_received",
    "corrections",
    "accepted",
    "enterprise_accepted",
    "online_accepted",
    "online_enterprise_accepted",
    "package_accepted",
    "cross_domain_accepted",
    "pauses",
    "extensions",
    "completed",
    "enterprise_completed",
    "village_completed",
    "immediate_completed",
    "on_time",
    "late",
    "used_days_sum",
    "limit_days_sum",
    "sla_completed",
    "sla_met",
    "minutes_completed",
    "minutes_met",
)


class DailyFigure(models.Model):
    """The sums of the case figures for one day and region: the total (no dimension), and
    split by each dimension on its own, so any figure of the dashboard reads rows whose
    number grows with days × regions × the dimension's values, never with cases. Each is
    kept by day and by month: a long period reads its whole months from the month rows."""

    grain = models.CharField(_("粒度"), max_length=1, choices=Grain.choices, default=Grain.DAY)
    day = models.DateField(_("日期"), help_text=_("按月汇总的行为该月1日。"))
    region_code = models.CharField(_("区划代码"), max_length=12)
    dimension = models.CharField(
        _("分组"), max_length=16, choices=Dimension.choices, blank=True, default=""
    )
    # The dimension's value: a channel, a department or hall id, an item's basic code or
    # "P<package id>"; "" for the total.
    key = models.CharField(_("分组值"), max_length=40, blank=True, default="")

    received = models.IntegerField(_("收件"), default=0)
    enterprise_received = models.IntegerField(_("企业收件"), default=0)
    online_received = models.IntegerField(_("网上收件"), default=0)
    corrections = models.IntegerField(_("补正"), default=0)
    accepted = models.IntegerField(_("受理"), default=0)
    enterprise_accepted = models.IntegerField(_("企业受理"), default=0)
    online_accepted = models.IntegerField(_("网上受理"), default=0)
    online_enterprise_accepted = models.IntegerField(_("企业网上受理"), default=0)
    package_accepted = models.IntegerField(_("一件事受理"), default=0)
    cross_domain_accepted = models.IntegerField(_("跨域通办受理"), default=0)
    pauses = models.IntegerField(_("特别程序"), default=0)
    extensions = models.IntegerField(_("延期"), default=0)
    completed = models.IntegerField(_("办结"), default=0)
    enterprise_completed = models.IntegerField(_("企业办结"), default=0)
    village_completed = models.IntegerField(_("村级办结"), default=0)
    immediate_completed = models.IntegerField(_("即办件办结"), default=0)
    on_time = models.IntegerField(_("按时办结"), default=0)
    late = models.IntegerField(_("超期办结"), default=0)
    used_days_sum = models.IntegerField(_("用时合计（工作日）"), default=0)
    limit_days_sum = models.IntegerField(_("时限合计（工作日）"), default=0)
    sla_completed = models.IntegerField(_("限时办结考核件"), default=0)
    sla_met = models.IntegerField(_("限时办结达标"), default=0)
    minutes_completed = models.IntegerField(_("分钟时限考核件"), default=0)
    minutes_met = models.IntegerField(_("分钟时限内办结"), default=0)

    class Meta:
        verbose_name = _("每日统计")
        verbose_name_plural = _("每日统计")
        constraints = [
            models.UniqueConstraint(fields=list(DAILY_DIMENSIONS), name="daily_figure_key")
        ]
        indexes = [
            models.Index(
                fields=["grain", "dimension", "day", "region_code"], name="daily_figure_grain_dim"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.region_code}"


class DailyDuration(models.Model):
    """How many cases completed on a day (or in a month) in a region used so many working
    days (for the p90)."""

    grain = models.CharField(_("粒度"), max_length=1, choices=Grain.choices, default=Grain.DAY)
    day = models.DateField(_("日期"))
    region_code = models.CharField(_("区划代码"), max_length=12)
    used_days = models.IntegerField(_("用时（工作日）"))
    count = models.IntegerField(_("件数"), default=0)

    class Meta:
        verbose_name = _("办结用时分布")
        verbose_name_plural = _("办结用时分布")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "region_code", "used_days"], name="daily_duration_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.region_code} {self.used_days}d×{self.count}"
