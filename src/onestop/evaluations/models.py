"""好差评: ratings of cases, the versioned indicator set, rating tokens, window evaluator
pairings and rectifications (整改) of 差评. Every change goes through ``services``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import TimestampedModel
from onestop.evaluations.states import (
    IndicatorScope,
    RatingChannel,
    RatingKind,
    RatingLevel,
    RatingStatus,
    RectificationRating,
    RectificationState,
    Triage,
)


class IndicatorSet(TimestampedModel):
    """One version of the content indicators (评价指标); a new version replaces the current one.

    Indicators are nationally uniform and version-managed ("未经允许不得在评价内容中添加或
    删除评价指标"), so they are data, seeded by a migration, never edited in place.
    """

    version = models.CharField(_("版本"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    is_current = models.BooleanField(_("现行"), default=False)
    valid_from = models.DateField(_("启用日期"))

    class Meta:
        verbose_name = _("评价指标集")
        verbose_name_plural = _("评价指标集")
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="indicator_set_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Indicator(models.Model):
    """一个二级评价指标, for online or on-site service; ``code`` goes to ``evalDetail``."""

    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name=_("指标集"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("指标代码"), max_length=8)
    name = models.CharField(_("指标名称"), max_length=32)
    scope = models.CharField(_("适用服务"), max_length=8, choices=IndicatorScope.choices)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["indicator_set", "scope", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "code"], name="indicator_unique_code_in_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Rating(TimestampedModel):
    """One rating (评价) of a case by its applicant, and the subjects it rates through the case."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="ratings"
    )
    applicant = models.ForeignKey(
        "accounts.Applicant",
        verbose_name=_("评价人"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    kind = models.CharField(_("评价类型"), max_length=16, choices=RatingKind.choices)
    level = models.PositiveSmallIntegerField(_("满意度"), choices=RatingLevel.choices)
    channel = models.CharField(_("评价渠道"), max_length=16, choices=RatingChannel.choices)
    indicators = models.ManyToManyField(
        Indicator, verbose_name=_("评价内容"), blank=True, related_name="ratings"
    )
    text = models.TextField(_("文字评价"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"))
    status = models.CharField(
        _("有效性"), max_length=8, choices=RatingStatus.choices, default=RatingStatus.VALID
    )
    is_bad = models.BooleanField(_("差评"), default=False)
    # The rated subjects, derived from the case when the rating is made.
    region_code = models.CharField(_("评价地区划代码"), max_length=12, db_index=True)
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("受理部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    hall = models.ForeignKey(
        "regions.Hall",
        verbose_name=_("大厅"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    window = models.ForeignKey(
        "regions.Window",
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    staff = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("服务人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
        help_text=_("为其服务的窗口人员。"),
    )
    recorded_by = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("代录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recorded_ratings",
        help_text=_("电话、纸质评价由窗口人员代录。"),
    )
    # Anti-fraud on the public page: hashes only (no address or device id is kept).
    client_hash = models.CharField(_("来源地址摘要"), max_length=64, blank=True, db_index=True)
    device_hash = models.CharField(_("设备摘要"), max_length=64, blank=True, db_index=True)
    pushed_at = models.DateTimeField(_("已上报省平台"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            # One first rating (首次, 补充 or 默认) per case and applicant, one follow-up.
            models.UniqueConstraint(
                fields=["case", "applicant"],
                condition=models.Q(kind__in=["first", "late", "default"]),
                name="rating_one_first_per_case",
            ),
            models.UniqueConstraint(
                fields=["case", "applicant"],
                condition=models.Q(kind="follow_up"),
                name="rating_one_follow_up_per_case",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="rating_level_range"
            ),
        ]
        indexes = [
            models.Index(fields=["region_code", "rated_at"], name="rating_region_time"),
            # The figures of a month or a quarter (ranking, public page) read a time range of
            # every region; a prefix LIKE on region_code cannot lead an index on PostgreSQL.
            models.Index(fields=["rated_at"], name="rating_time"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"


class RatedItem(models.Model):
    """A rated item (事项) of the case and its department and officer (one per task)."""

    rating = models.ForeignKey(
        Rating, verbose_name=_("评价"), on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    item_code = models.CharField(_("事项编码"), max_length=32)
    item_name = models.CharField(_("事项名称"), max_length=200)
    department = models.ForeignKey(
        "regions.Department", verbose_name=_("办理部门"), on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("被评价事项")
        verbose_name_plural = _("被评价事项")
        ordering = ["rating", "pk"]

    def __str__(self) -> str:
        return self.item_name


class RatingToken(models.Model):
    """An unguessable one-use link to the rating page (QR code, SMS); no personal data."""

    token = models.CharField(_("令牌"), max_length=64, unique=True)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("发放渠道"), max_length=16, choices=RatingChannel.choices)
    created_at = models.DateTimeField(_("发放时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价令牌")
        verbose_name_plural = _("评价令牌")

    def __str__(self) -> str:
        return f"{self.case_id} {self.token[:6]}…"


class EvaluatorPairing(models.Model):
    """A hall tablet (评价器) paired to a window by the clerk working there."""

    token = models.CharField(_("配对令牌"), max_length=64, unique=True)
    window = models.ForeignKey(
        "regions.Window", verbose_name=_("窗口"), on_delete=models.CASCADE, related_name="+"
    )
    clerk = models.ForeignKey(
        "accounts.Staff", verbose_name=_("窗口人员"), on_delete=models.CASCADE, related_name="+"
    )
    paired_at = models.DateTimeField(_("配对时间"))
    is_active = models.BooleanField(_("有效"), default=True)
    # The case just handed out at the window, waiting for its one tap.
    current_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("待评价办件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lit_at = models.DateTimeField(_("亮起时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价器配对")
        verbose_name_plural = _("评价器配对")

    def __str__(self) -> str:
        return f"{self.window} {self.clerk}"


class Rectification(TimestampedModel):
    """整改: a 差评 routed to the responsible department's designated officer."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("差评"), on_delete=models.PROTECT, related_name="rectification"
    )
    department = models.ForeignKey(
        "regions.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        "accounts.Staff",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=RectificationState.choices,
        default=RectificationState.OPEN,
    )
    due_at = models.DateTimeField(_("整改期限"))
    finding = models.TextField(_("核实情况"), blank=True)
    triage = models.CharField(_("处置方式"), max_length=16, choices=Triage.choices, blank=True)
    reform_content = models.TextField(_("整改回复内容"), blank=True)
    reform_on = models.DateField(_("整改期限（台账）"), null=True, blank=True)
    fed_back_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    rater_opinion = models.CharField(
        _("整改满意度"), max_length=16, choices=RectificationRating.choices, blank=True
    )
    follow_up_note = models.TextField(_("回访记录"), blank=True)
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    appeal_decision = models.TextField(_("复核意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    history = models.JSONField(_("处置记录"), default=list, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["department", "state"], name="rectification_dept_state")]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.get_state_display()}"


class PushRecord(models.Model):
    """Outbox of the push to the provincial platform: one row per rating (idempotent)."""

    rating = models.OneToOneField(
        Rating, verbose_name=_("评价"), on_delete=models.CASCADE, related_name="push"
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    sent_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("省平台上报")
        verbose_name_plural = _("省平台上报")
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="push_due")]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.sent_at or '-'}"
