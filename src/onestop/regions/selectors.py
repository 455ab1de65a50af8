"""Reads for regions, departments and halls. Scope is always a code prefix."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onestop.core.errors import NotFound
from onestop.regions.models import CODE_LENGTH, Department, Hall, Region, Window
from onestop.regions.validators import normalize_code


def region_list_under(*, code: str) -> QuerySet[Region]:
    """The region with this code and everything under it (all regions for an empty code)."""
    return Region.objects.filter(code__startswith=code).select_related("parent").order_by("code")


def region_get(*, code: str) -> Region:
    """The region with this code; NotFound (404) names the code otherwise."""
    code = normalize_code(code)
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise NotFound(_("没有代码为“%(code)s”的行政区划。") % {"code": code}, field="code")
    return region


def region_ancestors(region: Region) -> list[Region]:
    """The regions above this one, from the top down (the region itself not included).

    One query: an ancestor's code is a prefix of the region's at one of the level lengths.
    """
    prefixes = [region.code[:n] for n in CODE_LENGTH.values() if n < len(region.code)]
    return list(Region.objects.filter(code__in=prefixes).order_by("code"))


def region_path(region: Region) -> str:
    """“湖南省 / 益阳市 / 赫山区” — the region's name with its ancestors', for labels."""
    return " / ".join(r.name for r in [*region_ancestors(region), region])


def department_list_under(*, code: str, active_only: bool = True) -> QuerySet[Department]:
    """Departments at the region with this code and below it."""
    qs = Department.objects.filter(region__code__startswith=code).select_related("region")
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("region__code", "name")


def department_list_by_kind(*, kind: str) -> QuerySet[Department]:
    """The active departments of one line (market, tax …) at every level, top level first."""
    return (
        Department.objects.filter(kind=kind, is_active=True)
        .select_related("region")
        .order_by("region__code")
    )


def hall_list_under(*, code: str) -> QuerySet[Hall]:
    """Halls at the region with this code and below it."""
    return (
        Hall.objects.filter(region__code__startswith=code)
        .select_related("region")
        .order_by("region__code", "name")
    )


def window_list_for_hall(*, hall: Hall) -> QuerySet[Window]:
    """A hall's windows in number order, with their departments."""
    return Window.objects.filter(hall=hall).select_related("department").order_by("number")
