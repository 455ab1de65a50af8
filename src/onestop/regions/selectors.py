from __future__ import annotations

from django.db.models import QuerySet

from onestop.regions.models import Region


def region_list_under(*, code: str) -> QuerySet[Region]:
    """The region with this code and everything under it (all regions for an empty code)."""
    return Region.objects.filter(code__startswith=code).select_related("parent").order_by("code")
