"""Writes for regions, departments, halls and windows. Each refuses bad input in Chinese."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onestop.core.errors import ValidationFailed
from onestop.core.identifiers import normalize_identifier
from onestop.regions.models import (
    Department,
    Hall,
    HallKind,
    Region,
    Window,
    WindowKind,
)
from onestop.regions.validators import (
    normalize_code,
    validate_department,
    validate_hall,
    validate_region,
    validate_window,
)


def _clean_text(value: str) -> str:
    return " ".join(value.split())


@transaction.atomic
def region_create(
    *, code: str, name: str, level: str, parent: Region | None = None, is_pilot: bool = False
) -> Region:
    """Add a region: digits only, as many as its level has, under a parent one level up whose code prefixes it."""
    code = normalize_code(code)
    name = _clean_text(name)
    if not name:
        raise ValidationFailed(_("请填写区划名称。"), field="name")
    validate_region(code=code, level=level, parent=parent)
    try:
        with transaction.atomic():
            return Region.objects.create(
                code=code, name=name, level=level, parent=parent, is_pilot=is_pilot
            )
    except IntegrityError:  # a concurrent create of the same code won the race
        raise ValidationFailed(
            _("区划代码%(code)s已存在。") % {"code": code}, field="code"
        ) from None


@transaction.atomic
def region_update(*, region: Region, name: str, is_pilot: bool) -> Region:
    """Rename a region or mark it a pilot; its code, level and parent never change."""
    name = _clean_text(name)
    if not name:
        raise ValidationFailed(_("请填写区划名称。"), field="name")
    region.name = name
    region.is_pilot = is_pilot
    region.save(update_fields=["name", "is_pilot", "updated_at"])
    return region


@transaction.atomic
def department_create(
    *,
    name: str,
    uscc: str,
    region: Region,
    short_name: str = "",
    kind: str = "",
    phone: str = "",
    is_active: bool = True,
) -> Department:
    """Add a department at a region; its 统一社会信用代码 must be valid and not taken."""
    name, uscc = _clean_text(name), normalize_identifier(uscc)
    validate_department(name=name, uscc=uscc, region=region)
    try:
        with transaction.atomic():
            return Department.objects.create(
                name=name,
                uscc=uscc,
                region=region,
                short_name=_clean_text(short_name),
                kind=kind.strip(),
                phone=phone.strip(),
                is_active=is_active,
            )
    except IntegrityError:
        raise ValidationFailed(
            _("统一社会信用代码%(uscc)s或部门名称已被占用。") % {"uscc": uscc}, field="uscc"
        ) from None


@transaction.atomic
def department_update(
    *,
    department: Department,
    name: str,
    uscc: str,
    short_name: str = "",
    kind: str = "",
    phone: str = "",
    is_active: bool = True,
) -> Department:
    """Change a department's details; the code rules of ``department_create`` still hold."""
    name, uscc = _clean_text(name), normalize_identifier(uscc)
    validate_department(name=name, uscc=uscc, region=department.region, instance_pk=department.pk)
    department.name = name
    department.uscc = uscc
    department.short_name = _clean_text(short_name)
    department.kind = kind.strip()
    department.phone = phone.strip()
    department.is_active = is_active
    department.save(
        update_fields=["name", "uscc", "short_name", "kind", "phone", "is_active", "updated_at"]
    )
    return department


@transaction.atomic
def hall_create(
    *,
    name: str,
    kind: str = HallKind.GOVERNMENT_SERVICE_HALL,
    region: Region,
    address: str = "",
    opening_hours: str = "",
    phone: str = "",
) -> Hall:
    """Add a hall (政务服务大厅, 便民服务中心 or 便民服务站) at a region."""
    name = _clean_text(name)
    validate_hall(name=name, kind=kind, region=region)
    return Hall.objects.create(
        name=name,
        kind=kind,
        region=region,
        address=address.strip(),
        opening_hours=opening_hours.strip(),
        phone=phone.strip(),
    )


@transaction.atomic
def hall_update(
    *,
    hall: Hall,
    name: str,
    kind: str,
    address: str = "",
    opening_hours: str = "",
    phone: str = "",
) -> Hall:
    """Change a hall's details; it stays at its region."""
    name = _clean_text(name)
    validate_hall(name=name, kind=kind, region=hall.region)
    hall.name = name
    hall.kind = kind
    hall.address = address.strip()
    hall.opening_hours = opening_hours.strip()
    hall.phone = phone.strip()
    hall.save(update_fields=["name", "kind", "address", "opening_hours", "phone", "updated_at"])
    return hall


@transaction.atomic
def window_create(
    *,
    hall: Hall,
    number: str,
    name: str,
    kind: str = WindowKind.COMPREHENSIVE,
    department: Department | None = None,
) -> Window:
    """Open a window in a hall: its number is unique there; a stationed department is of the hall's line."""
    number, name = number.strip(), _clean_text(name)
    validate_window(hall=hall, number=number, name=name, kind=kind, department=department)
    try:
        with transaction.atomic():
            return Window.objects.create(
                hall=hall, number=number, name=name, kind=kind, department=department
            )
    except IntegrityError:
        raise ValidationFailed(
            _("“%(hall)s”已有%(number)s号窗口。") % {"hall": hall.name, "number": number},
            field="number",
        ) from None


@transaction.atomic
def window_update(
    *,
    window: Window,
    number: str,
    name: str,
    kind: str,
    department: Department | None = None,
) -> Window:
    """Change a window; the rules of ``window_create`` still hold."""
    number, name = number.strip(), _clean_text(name)
    validate_window(
        hall=window.hall,
        number=number,
        name=name,
        kind=kind,
        department=department,
        instance_pk=window.pk,
    )
    window.number = number
    window.name = name
    window.kind = kind
    window.department = department
    window.save(update_fields=["number", "name", "kind", "department", "updated_at"])
    return window


@transaction.atomic
def window_delete(*, window: Window) -> None:
    """Close a window (its hall and department stay)."""
    window.delete()
