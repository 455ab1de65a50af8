"""Shared by the portal views: who may use applicant pages, common texts and helpers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant
from onestop.accounts.selectors import applicant_get_for_user
from onestop.catalog.models import (
    PackageVersion,
)
from onestop.catalog.selectors import (
    package_version_by_code,
)
from onestop.core.errors import DomainError


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def applicant_for(request: HttpRequest) -> Applicant:
    """The logged-in applicant; staff and other logins may not use applicant pages (403)."""
    applicant = applicant_get_for_user(request.user)
    if applicant is None:
        raise PermissionDenied(_("只有申请人（个人或企业）可以使用此页面。"))
    return applicant


def package_or_404(code: str) -> PackageVersion:
    package_version = package_version_by_code(code)
    if package_version is None:
        raise Http404(_("没有找到这件事，或它尚未发布。"))
    prefetch_related_objects([package_version], "questions")
    return package_version


def field_of(exc: DomainError) -> tuple[str, str]:
    """('form'|'material'|'', key) for the field a service error names."""
    name = exc.field or ""
    if name.startswith("form_data."):
        return "form", name.split(".", 1)[1]
    if name.startswith("materials."):
        return "material", name.split(".", 1)[1]
    return "", name
