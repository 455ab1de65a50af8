"""Reads for staff and applicants, and the permission/scope checks every app uses.

Scope rule (one place): a member of staff sees their region's subtree (``region.code`` is a
prefix); officers and chief approvers (``DEPARTMENT_ROLES``) see only their department's
share of it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, ApplicantKind, PersonalDataRead, Staff
from onestop.accounts.roles import DEPARTMENT_ROLES, Permission, Role
from onestop.core.errors import PermissionDenied
from onestop.core.identifiers import normalize_identifier
from onestop.regions.models import Department, Region


def staff_get_for_user(user: Any) -> Staff | None:
    """The active staff profile of a logged-in user, or None (anonymous, applicant, off duty)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Staff.objects.select_related("user", "region", "department", "department__region", "hall")
        .filter(user_id=user.pk, is_active=True)
        .first()
    )


def staff_list_in_scope(viewer: Staff) -> QuerySet[Staff]:
    """The staff a member may see: their region subtree, and their department for department roles."""
    qs = Staff.objects.filter(region__code__startswith=viewer.region.code)
    if viewer.role in DEPARTMENT_ROLES:
        qs = qs.filter(department=viewer.department)
    return qs.select_related("user", "region", "department", "hall").order_by(
        "region__code", "role", "name"
    )


def staff_list_for_department(
    *, department: Department, permission: Permission | None = None
) -> list[Staff]:
    """The department's active members (designated first), optionally only those holding a permission."""
    members = (
        Staff.objects.filter(department=department, is_active=True)
        .select_related("user", "region", "department")
        .order_by("-is_designated", "name")
    )
    if permission is None:
        return list(members)
    return [m for m in members if permission in m.permissions]


def staff_can_see_region(staff: Staff, region: Region | str) -> bool:
    """Whether a region (or region code) lies in the member's subtree."""
    code = region if isinstance(region, str) else region.code
    return code.startswith(staff.region.code)


def staff_can_see_department(staff: Staff, department: Department) -> bool:
    """Whether a department's work is in the member's scope (region subtree; own department for officers)."""
    if staff.role in DEPARTMENT_ROLES:
        return department.pk == staff.department_id
    return staff_can_see_region(staff, department.region)


def staff_require(
    staff: Staff | None,
    permission: Permission,
    *,
    region: Region | str | None = None,
    department: Department | None = None,
) -> Staff:
    """Return the member if they are on duty, hold the permission and (if given) cover the region/department; else PermissionDenied."""
    if staff is None:
        raise PermissionDenied(_("只有工作人员可以进行此操作。"))
    if not staff.is_active:
        raise PermissionDenied(_("%(name)s已离岗，不能进行此操作。") % {"name": staff.name})
    if permission not in staff.permissions:
        raise PermissionDenied(
            _("%(role)s没有“%(perm)s”的权限。")
            % {"role": Role(staff.role).label, "perm": Permission(permission).label},
            permission=str(permission),
        )
    if region is not None and not staff_can_see_region(staff, region):
        code = region if isinstance(region, str) else region.code
        raise PermissionDenied(
            _("区划%(code)s不在%(name)s的管辖范围（%(scope)s）内。")
            % {"code": code, "name": staff.name, "scope": staff.region.name}
        )
    if department is not None and not staff_can_see_department(staff, department):
        raise PermissionDenied(
            _("“%(dept)s”的业务不在%(name)s的职责范围内。")
            % {"dept": department.name, "name": staff.name}
        )
    return staff


def applicant_get_for_user(user: Any) -> Applicant | None:
    """The applicant profile of a logged-in user, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Applicant.objects.select_related("region").filter(user_id=user.pk).first()


def applicant_find(*, identifier: str) -> Applicant | None:
    """The applicant with this exact ID number or credit code (as typed: spaces, lower-case x fine)."""
    identifier = normalize_identifier(identifier)
    if not identifier:
        return None
    return (
        Applicant.objects.filter(
            Q(kind=ApplicantKind.PERSON, id_number=identifier)
            | Q(kind=ApplicantKind.ENTERPRISE, uscc=identifier)
        )
        .select_related("region")
        .first()
    )


def applicant_list_for(viewer: Staff) -> QuerySet[Applicant]:
    """The applicants a member may list: those living or registered in their region subtree.

    Applicants elsewhere (跨域通办) are reached by exact identifier (``applicant_find``) or
    through the cases the member handles, never by browsing.
    """
    return (
        Applicant.objects.filter(region__code__startswith=viewer.region.code)
        .select_related("region")
        .order_by("name", "pk")
    )


def personal_data_reads_of(applicant: Applicant, *, limit: int = 200) -> list[PersonalDataRead]:
    """The latest readings of this applicant's data by staff, newest first."""
    return list(
        PersonalDataRead.objects.filter(applicant=applicant)
        .select_related("staff__department", "staff__region")
        .order_by("-at", "-pk")[:limit]
    )


def agent_find(*, code: str) -> Staff | None:
    """The active 帮代办员 an applicant names by the code the agent gave them: their 工号
    (login name) or their mobile number."""
    code = (code or "").strip()
    if not code:
        return None
    return (
        Staff.objects.filter(role=Role.AGENT, is_active=True)
        .filter(Q(user__username=code) | Q(phone=code))
        .select_related("region", "user")
        .order_by("pk")
        .first()
    )
