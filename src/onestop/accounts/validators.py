"""Rules for a staff profile, shared by the services and ``Staff.clean``; and the
identifier validators the applicant fields use.

The identifier validators live in :mod:`onestop.core.identifiers` (regions' departments
need the credit code too); they are named here because migrations refer to them by this
path. A rule raises :class:`~onestop.core.errors.ValidationFailed` naming the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from onestop.accounts.roles import DEPARTMENT_ROLES, Role
from onestop.core.errors import ValidationFailed
from onestop.core.identifiers import (
    PROVINCE_CODES,
    USCC_ALPHABET,
    normalize_identifier,
    normalize_phone,
    resident_id_check_digit,
    uscc_check_char,
    validate_mobile,
    validate_resident_id,
    validate_uscc,
)

if TYPE_CHECKING:
    from onestop.regions.models import Department, Hall, Region

__all__ = [
    "PROVINCE_CODES",
    "USCC_ALPHABET",
    "normalize_identifier",
    "normalize_phone",
    "resident_id_check_digit",
    "run_validator",
    "uscc_check_char",
    "validate_mobile",
    "validate_resident_id",
    "validate_staff",
    "validate_uscc",
]


def run_validator(validator: Callable[[str], None], value: str, *, field: str) -> None:
    """Run a Django validator and re-raise its refusal as a domain error on ``field``."""
    try:
        validator(value)
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.messages[0], field=field, rule=exc.code) from None


def validate_staff(
    *,
    name: str,
    role: str,
    region: Region | None,
    department: Department | None = None,
    hall: Hall | None = None,
    phone: str = "",
    is_designated: bool = False,
) -> None:
    """Refuse a staff profile whose role, scope, department or hall do not fit together."""
    if not name:
        raise ValidationFailed(_("请填写姓名。"), field="name")
    if role not in Role.values:
        raise ValidationFailed(_("角色“%(role)s”不存在。") % {"role": role}, field="role")
    if region is None:
        raise ValidationFailed(_("请选择管辖区划。"), field="region")
    role_label = Role(role).label
    if role in DEPARTMENT_ROLES and department is None:
        raise ValidationFailed(
            _("%(role)s必须属于一个部门。") % {"role": role_label}, field="department"
        )
    if department is not None and not department.region.code.startswith(region.code):
        raise ValidationFailed(
            _("部门“%(dept)s”（%(dregion)s）不在管辖区划“%(region)s”及其下级范围内。")
            % {"dept": department.name, "dregion": department.region.name, "region": region.name},
            field="department",
        )
    if hall is not None and not hall.region.code.startswith(region.code):
        raise ValidationFailed(
            _("大厅“%(hall)s”（%(hregion)s）不在管辖区划“%(region)s”及其下级范围内。")
            % {"hall": hall.name, "hregion": hall.region.name, "region": region.name},
            field="hall",
        )
    if is_designated and role not in DEPARTMENT_ROLES:
        raise ValidationFailed(
            _("只有部门专人或首席审批员可以被指定为“一件事”专人，%(role)s不可以。")
            % {"role": role_label},
            field="is_designated",
        )
    if phone:
        run_validator(validate_mobile, phone, field="phone")
