"""行政区划 (regions), departments, halls and their windows.

A region's ``code`` is its statistical division code with only its significant digits:
2 for a province (43), 4 for a city (4309), 6 for a county (430902), 9 for a township
(430902001) and 12 for a village (430902001001). So "everything under X" is
``code__startswith=X.code``, one indexed range scan.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import ValidationFailed
from onestop.core.models import TimestampedModel


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（区）")
    TOWNSHIP = "township", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")


# Significant digits of a division code at each level.
CODE_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}
LEVEL_ORDER = list(CODE_LENGTH)


class Region(TimestampedModel):
    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_pilot = models.BooleanField(_("试点"), default=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def full_code(self) -> str:
        """The 12-digit statistical division code (zero-padded)."""
        return self.code.ljust(12, "0")

    def contains(self, other: Region) -> bool:
        return other.code.startswith(self.code)

    def clean(self) -> None:
        """``validate_region``, the rules ``region_create`` runs, shown next to the fields."""
        if not self.code or not self.level:
            return  # a required field is empty: the field's own error says so
        try:
            validate_region(
                code=self.code,
                level=self.level,
                parent=self.parent if self.parent_id else None,
                instance_pk=self.pk,
            )
        except ValidationFailed as exc:
            raise ValidationError({exc.field or NON_FIELD_ERRORS: exc.message}) from None


# The region rules sit beside the model because ``Region.clean`` runs them too.
def validate_region(
    *, code: str, level: str, parent: Region | None, instance_pk: int | None = None
) -> None:
    """Refuse a region whose code, level or parent breaks the division-code rules."""
    if not code:
        raise ValidationFailed(gettext("请填写区划代码。"), field="code")
    if not code.isascii() or not code.isdigit():
        raise ValidationFailed(
            gettext("区划代码只能由数字组成，“%(code)s”不是。") % {"code": code}, field="code"
        )
    if level not in RegionLevel.values:
        raise ValidationFailed(gettext("层级“%(level)s”不存在。") % {"level": level}, field="level")
    level = RegionLevel(level)
    expected = CODE_LENGTH[level]
    if len(code) != expected:
        raise ValidationFailed(
            gettext("%(level)s级区划代码应为%(n)d位有效数字，“%(code)s”为%(m)d位。")
            % {"level": level.label, "n": expected, "code": code, "m": len(code)},
            field="code",
        )
    if parent is not None:
        if level == RegionLevel.PROVINCE:
            raise ValidationFailed(gettext("省级区划没有上级区划。"), field="parent")
        one_up = LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]
        if parent.level != one_up:
            raise ValidationFailed(
                gettext("%(level)s的上级区划应为%(up)s级，所选“%(parent)s”为%(plevel)s级。")
                % {
                    "level": level.label,
                    "up": one_up.label,
                    "parent": parent.name,
                    "plevel": RegionLevel(parent.level).label,
                },
                field="parent",
            )
        if not code.startswith(parent.code):
            raise ValidationFailed(
                gettext("区划代码“%(code)s”应以上级区划“%(parent)s”的代码%(pcode)s开头。")
                % {"code": code, "parent": parent.name, "pcode": parent.code},
                field="code",
            )
    clash = Region.objects.filter(code=code)
    if instance_pk is not None:
        clash = clash.exclude(pk=instance_pk)
    if clash.exists():
        raise ValidationFailed(
            gettext("区划代码%(code)s已被“%(name)s”使用。")
            % {"code": code, "name": clash.get().name},
            field="code",
        )


class Department(TimestampedModel):
    """A government department (部门) at one region, e.g. 益阳市市场监督管理局."""

    name = models.CharField(_("名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    kind = models.CharField(
        _("系统"),
        max_length=32,
        blank=True,
        help_text=_("同一系统在各级的部门共用此代码，如 market、tax，用于跨级路由。"),
    )
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="departments"
    )
    phone = models.CharField(_("咨询电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"], name="department_unique_name_in_region"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class HallKind(models.TextChoices):
    GOVERNMENT_SERVICE_HALL = "hall", _("政务服务大厅")
    CONVENIENCE_CENTRE = "centre", _("便民服务中心")
    VILLAGE_STATION = "station", _("便民服务站")


class Hall(TimestampedModel):
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=16, choices=HallKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="halls"
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    opening_hours = models.CharField(_("办公时间"), max_length=255, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("服务大厅")
        verbose_name_plural = _("服务大厅")
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class WindowKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合受理窗口")
    SPECIALIZED = "specialized", _("专业窗口")
    HANDOUT = "handout", _("统一出件窗口")
    GREEN_CHANNEL = "green", _("绿色通道")
    HELP_DESK = "help", _("帮代办窗口")


class Window(TimestampedModel):
    hall = models.ForeignKey(
        Hall, verbose_name=_("大厅"), on_delete=models.CASCADE, related_name="windows"
    )
    number = models.CharField(_("窗口号"), max_length=16)
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(
        _("类型"), max_length=16, choices=WindowKind.choices, default=WindowKind.COMPREHENSIVE
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("进驻部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="windows",
    )

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="window_unique_number_in_hall"),
        ]

    def __str__(self) -> str:
        return f"{self.hall.name} {self.number}号 {self.name}"
