"""Shared by the case services: who may apply, and required texts."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant
from onestop.accounts.roles import Permission
from onestop.core.errors import PermissionDenied, ValidationFailed
from onestop.regions.models import Region


def require_may_apply(
    *, applicant: Applicant, created_by: AbstractBaseUser | None, region: Region
) -> None:
    """Applicants apply for themselves; anyone else must be staff allowed to enter cases there."""
    if created_by is None or applicant.user_id == created_by.pk:
        return
    staff = getattr(created_by, "staff", None)
    if (
        staff is not None
        and staff.has_permission(Permission.CASE_INTAKE)
        and staff.covers(region.code)
    ):
        return
    raise PermissionDenied(_("只能以本人名义申请；代为申请须由窗口人员或帮代办员在其辖区内录入。"))


def require_text(value: str, *, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(_("请填写%(what)s。") % {"what": what}, field=field)
    return text
