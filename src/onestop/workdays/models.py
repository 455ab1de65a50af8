"""The working-day calendar: exceptions to the Monday–Friday rule, per year and per place.

Only exceptions are stored: a weekday that is not worked (holiday, local closure) and a
weekend day that is worked (调休上班). A State Council row (``source=state_council``)
counts only once its year's ``ScheduleYear`` is published; until then it is a draft and
the year is computed on weekends only, flagged provisional. A local row
(``source=local``) always counts and wins over the State Council row of the same date.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import TimestampedModel
from onestop.workdays.kinds import DayKind, DaySource


class CalendarDay(TimestampedModel):
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=DayKind.choices)
    source = models.CharField(
        _("来源"), max_length=16, choices=DaySource.choices, default=DaySource.LOCAL
    )
    name = models.CharField(_("名称"), max_length=64, blank=True, help_text=_("如：春节、国庆节。"))
    note = models.CharField(
        _("说明"), max_length=255, blank=True, help_text=_("如：台风停工、调休、文件文号。")
    )

    class Meta:
        verbose_name = _("日历例外日")
        verbose_name_plural = _("日历例外日")
        ordering = ["date", "source"]
        constraints = [
            models.UniqueConstraint(fields=["date", "source"], name="workdays_day_date_source"),
        ]

    def __str__(self) -> str:
        label = self.name or self.get_kind_display()
        return f"{self.date.isoformat()} {label}（{self.get_source_display()}）"


class ScheduleYear(TimestampedModel):
    """Whether a year's State Council holiday schedule has been entered in full."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    is_published = models.BooleanField(
        _("已发布"),
        default=False,
        help_text=_("未发布的年度按周末规则计算，结果标记为“暂定”。"),
    )
    notice = models.CharField(
        _("依据"), max_length=255, blank=True, help_text=_("国务院办公厅通知的文号或数据来源。")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


class CalendarVersion(models.Model):
    """One row whose number goes up on every calendar change (cross-process cache check)."""

    number = models.BigIntegerField(_("版本号"), default=0)

    class Meta:
        verbose_name = _("日历版本")
        verbose_name_plural = _("日历版本")

    def __str__(self) -> str:
        return str(self.number)
