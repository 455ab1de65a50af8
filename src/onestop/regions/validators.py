"""Rules for a region's code, level and parent, shared by the services and ``Region.clean``.

Each rule raises :class:`~onestop.core.errors.ValidationFailed` naming the field and the
rule in Chinese, so the API, the pages and the admin show the same message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from onestop.accounts.validators import validate_uscc
from onestop.core.errors import ValidationFailed
from onestop.regions.models import (
    CODE_LENGTH,
    LEVEL_ORDER,
    Department,
    Hall,
    HallKind,
    Region,
    RegionLevel,
    Window,
    WindowKind,
)


def normalize_code(code: str) -> str:
    """Codes are typed and pasted with stray spaces; they are never meaningful."""
    return "".join(code.split())


def validate_region(
    *, code: str, level: str, parent: Region | None, instance_pk: int | None = None
) -> None:
    """Refuse a region whose code, level or parent breaks the division-code rules."""
    if not code:
        raise ValidationFailed(_("请填写区划代码。"), field="code")
    if not code.isascii() or not code.isdigit():
        raise ValidationFailed(
            _("区划代码只能由数字组成，“%(code)s”不是。") % {"code": code}, field="code"
        )
    if level not in RegionLevel.values:
        raise ValidationFailed(_("层级“%(level)s”不存在。") % {"level": level}, field="level")
    level = RegionLevel(level)
    expected = CODE_LENGTH[level]
    if len(code) != expected:
        raise ValidationFailed(
            _("%(level)s级区划代码应为%(n)d位有效数字，“%(code)s”为%(m)d位。")
            % {"level": level.label, "n": expected, "code": code, "m": len(code)},
            field="code",
        )
    if parent is not None:
        if level == RegionLevel.PROVINCE:
            raise ValidationFailed(_("省级区划没有上级区划。"), field="parent")
        one_up = LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]
        if parent.level != one_up:
            raise ValidationFailed(
                _("%(level)s的上级区划应为%(up)s级，所选“%(parent)s”为%(plevel)s级。")
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
                _("区划代码“%(code)s”应以上级区划“%(parent)s”的代码%(pcode)s开头。")
                % {"code": code, "parent": parent.name, "pcode": parent.code},
                field="code",
            )
    clash = Region.objects.filter(code=code)
    if instance_pk is not None:
        clash = clash.exclude(pk=instance_pk)
    if clash.exists():
        raise ValidationFailed(
            _("区划代码%(code)s已被“%(name)s”使用。") % {"code": code, "name": clash.get().name},
            field="code",
        )


def _related(a: Region, b: Region) -> bool:
    return a.code.startswith(b.code) or b.code.startswith(a.code)


def validate_department(
    *, name: str, uscc: str, region: Region | None, instance_pk: int | None = None
) -> None:
    """Refuse a department without a name or region, or with a bad or taken credit code."""
    if not name:
        raise ValidationFailed(_("请填写部门名称。"), field="name")
    if region is None:
        raise ValidationFailed(_("请选择部门所属区划。"), field="region")
    try:
        validate_uscc(uscc)
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.messages[0], field="uscc", rule=exc.code) from None
    others = Department.objects.exclude(pk=instance_pk) if instance_pk else Department.objects
    taken = others.filter(uscc=uscc).first()
    if taken is not None:
        raise ValidationFailed(
            _("统一社会信用代码%(uscc)s已登记为“%(name)s”。") % {"uscc": uscc, "name": taken.name},
            field="uscc",
        )
    if others.filter(region=region, name=name).exists():
        raise ValidationFailed(
            _("“%(region)s”已有名为“%(name)s”的部门。") % {"region": region.name, "name": name},
            field="name",
        )


def validate_hall(*, name: str, kind: str, region: Region | None) -> None:
    """Refuse a hall without a name, a known kind or a region."""
    if not name:
        raise ValidationFailed(_("请填写大厅名称。"), field="name")
    if kind not in HallKind.values:
        raise ValidationFailed(_("大厅类型“%(kind)s”不存在。") % {"kind": kind}, field="kind")
    if region is None:
        raise ValidationFailed(_("请选择大厅所属区划。"), field="region")


def validate_window(
    *,
    hall: Hall,
    number: str,
    name: str,
    kind: str,
    department: Department | None,
    instance_pk: int | None = None,
) -> None:
    """Refuse a window whose number is taken in its hall or whose department is elsewhere."""
    if not number:
        raise ValidationFailed(_("请填写窗口号。"), field="number")
    if not name:
        raise ValidationFailed(_("请填写窗口名称。"), field="name")
    if kind not in WindowKind.values:
        raise ValidationFailed(_("窗口类型“%(kind)s”不存在。") % {"kind": kind}, field="kind")
    others = Window.objects.exclude(pk=instance_pk) if instance_pk else Window.objects
    if hall.pk is not None and others.filter(hall=hall, number=number).exists():
        raise ValidationFailed(
            _("“%(hall)s”已有%(number)s号窗口。") % {"hall": hall.name, "number": number},
            field="number",
        )
    # A hall hosts the departments of its own region's line (a county hall: county
    # departments, a city office stationed there, a township's own office), not a
    # neighbouring county's.
    if department is not None and not _related(department.region, hall.region):
        raise ValidationFailed(
            _("“%(dept)s”属于%(dregion)s，不能进驻%(hregion)s的“%(hall)s”。")
            % {
                "dept": department.name,
                "dregion": department.region.name,
                "hregion": hall.region.name,
                "hall": hall.name,
            },
            field="department",
        )
