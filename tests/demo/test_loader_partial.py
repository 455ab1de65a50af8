"""The loader on a database that already holds part of the city (no shared demo load)."""

from __future__ import annotations

import pytest

from onestop.demo.data import regions
from onestop.demo.loader import demo_load
from onestop.regions.models import Region, RegionLevel


@pytest.mark.django_db
def test_load_fills_in_what_is_missing_and_keeps_what_exists(fast_passwords):
    # Someone set up the city by hand before trying the demo: it is reused, not duplicated.
    from onestop.regions import services

    province = services.region_create(code="43", name="湖南省", level=RegionLevel.PROVINCE)
    services.region_create(code="4309", name="益阳市", level=RegionLevel.CITY, parent=province)

    summary = demo_load()

    assert summary.created["regions"] == len(regions.REGIONS) - 2
    assert Region.objects.filter(code="4309").count() == 1
