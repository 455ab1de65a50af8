from __future__ import annotations

import pytest

from tests.factories.regions import CountyFactory, RegionFactory, TownshipFactory

pytestmark = pytest.mark.django_db


def test_regions_under_a_county_with_their_parents(client):
    city = RegionFactory()
    heshan = CountyFactory(code="430903", parent=city)
    town = TownshipFactory(parent=heshan)
    CountyFactory(code="430902", parent=city)
    response = client.get("/api/regions/", {"under": "430903"})
    assert response.status_code == 200
    assert response.json() == [
        {"code": "430903", "name": heshan.name, "level": "county", "parent_code": "4309"},
        {"code": town.code, "name": town.name, "level": "township", "parent_code": "430903"},
    ]


def test_all_regions_without_a_filter(client):
    city = RegionFactory()
    CountyFactory(parent=city)
    response = client.get("/api/regions/")
    assert response.status_code == 200
    assert [r["code"] for r in response.json()][0] == "4309"
    assert len(response.json()) == 2
