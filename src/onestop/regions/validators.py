"""Rules for departments, halls and windows, shared by the services and the admin forms;
and the region rules, which live beside ``Region`` (its ``clean`` runs them) and are named
here too, so the services find every rule in one place.

Each rule raises :class:`~onestop.core.errors.ValidationFailed` naming the field and the
rule in Chinese, so the API, the pages and the admin show the same message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from onestop.core.errors import ValidationFailed
from onestop.core.identifiers import validate_uscc
from onestop.regions.models import (
    Department,
    Hall,
    HallKind,
    Region,
    Window,
    WindowKind,
    validate_region,
)

__all__ = [
    "normalize_code",
    "validate_department",
    "validate_hall",
    "validate_region",
    "validate_window",
]


def normalize_code(code: str) -> str:
    """Codes are typed and pasted with stray spaces; they are never meaningful."""
    return "".join(code.split())


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
