from __future__ import annotations

import pytest

from onestop.core.errors import NotFound
from onestop.regions import selectors
from tests.factories.regions import (
    CountyFactory,
    DepartmentFactory,
    HallFactory,
    ProvinceFactory,
    RegionFactory,
    TownshipFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_counties():
    city = RegionFactory(code="4309", parent=ProvinceFactory())
    heshan = CountyFactory(code="430903", name="赫山区", parent=city)
    ziyang = CountyFactory(code="430902", name="资阳区", parent=city)
    town = TownshipFactory(parent=heshan)
    village = VillageFactory(parent=town)
    neighbour_town = TownshipFactory(parent=ziyang)
    VillageFactory(parent=neighbour_town)
    return city, heshan, ziyang, town, village


def test_everything_under_a_county_is_its_townships_and_villages(two_counties):
    city, heshan, ziyang, town, village = two_counties
    codes = [r.code for r in selectors.region_list_under(code=heshan.code)]
    assert codes == [heshan.code, town.code, village.code]
    assert all(not c.startswith(ziyang.code) for c in codes)


def test_everything_under_the_city_includes_both_counties(two_counties):
    city = two_counties[0]
    assert selectors.region_list_under(code=city.code).count() == 7


def test_ancestors_come_from_the_top_down(two_counties):
    city, heshan, _ziyang, town, village = two_counties
    names = [r.name for r in selectors.region_ancestors(village)]
    assert names == ["湖南省", city.name, "赫山区", town.name]
    assert selectors.region_ancestors(village)[0].code == "43"
    assert selectors.region_path(heshan) == f"湖南省 / {city.name} / 赫山区"


def test_a_root_has_no_ancestors():
    assert selectors.region_ancestors(ProvinceFactory()) == []


def test_region_get_by_code_and_not_found():
    county = CountyFactory(code="430903")
    assert selectors.region_get(code=" 430903 ") == county
    with pytest.raises(NotFound) as caught:
        selectors.region_get(code="439999")
    assert "439999" in caught.value.message


def test_departments_and_halls_under_a_county(two_counties):
    _city, heshan, ziyang, town, _village = two_counties
    mine = DepartmentFactory(region=heshan)
    DepartmentFactory(region=ziyang)
    DepartmentFactory(region=heshan, is_active=False)
    assert list(selectors.department_list_under(code=heshan.code)) == [mine]
    centre = HallFactory(region=town)
    HallFactory(region=ziyang)
    assert list(selectors.hall_list_under(code=heshan.code)) == [centre]


def test_departments_of_one_line_top_level_first(two_counties):
    city, heshan = two_counties[0], two_counties[1]
    county_market = DepartmentFactory(region=heshan, kind="market")
    city_market = DepartmentFactory(region=city, kind="market")
    DepartmentFactory(region=city, kind="tax")
    assert list(selectors.department_list_by_kind(kind="market")) == [city_market, county_market]
