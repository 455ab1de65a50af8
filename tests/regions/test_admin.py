"""Admin for regions, departments, halls and windows: Chinese, and saves through services."""

from __future__ import annotations

import pytest

from onestop.regions.models import Department, Hall, Region, Window
from tests.factories.regions import (
    CountyFactory,
    DepartmentFactory,
    HallFactory,
    RegionFactory,
    WindowFactory,
    make_uscc,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return RegionFactory()


@pytest.mark.parametrize(
    ("url", "labels"),
    [
        ("/admin/regions/region/", ["行政区划", "区划代码", "层级", "上级区划", "县（区）"]),
        ("/admin/regions/region/add/", ["区划代码", "名称", "层级", "上级区划", "试点"]),
        ("/admin/regions/department/", ["部门", "统一社会信用代码", "所属区划"]),
        ("/admin/regions/department/add/", ["统一社会信用代码", "简称", "咨询电话"]),
        ("/admin/regions/hall/", ["服务大厅", "窗口数"]),
        (
            "/admin/regions/hall/add/",
            ["服务大厅", "办公时间", "窗口号", "进驻部门", "综合受理窗口"],
        ),
    ],
)
def test_pages_load_in_chinese(admin_client, city, url, labels):
    county = CountyFactory(parent=city)
    hall = HallFactory(region=county)
    WindowFactory(hall=hall)
    DepartmentFactory(region=county)
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for label in labels:
        assert label in html, label


def test_change_pages_load(admin_client, city):
    county = CountyFactory(parent=city)
    hall = HallFactory(region=county)
    WindowFactory(hall=hall)
    for url in [
        f"/admin/regions/region/{county.pk}/change/",
        f"/admin/regions/department/{DepartmentFactory().pk}/change/",
        f"/admin/regions/hall/{hall.pk}/change/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_region_list_searches_by_code_prefix_and_filters_by_level(admin_client, city):
    CountyFactory(code="430903", name="赫山区", parent=city)
    CountyFactory(code="430902", name="资阳区", parent=city)
    html = admin_client.get("/admin/regions/region/", {"q": "430903"}).content.decode()
    assert "赫山区" in html and "资阳区" not in html
    assert "└ 赫山区" in html  # indented under its city: the list reads as a tree
    html = admin_client.get("/admin/regions/region/", {"level__exact": "city"}).content.decode()
    assert "益阳市" in html and "赫山区" not in html


def region_form(**overrides):
    data = {"code": "430903", "name": "赫山区", "level": "county", "parent": "", "is_pilot": ""}
    data.update(overrides)
    return data


def test_a_region_is_added_through_the_service(admin_client, city):
    response = admin_client.post(
        "/admin/regions/region/add/", region_form(code=" 430903 ", parent=city.pk)
    )
    assert response.status_code == 302
    assert Region.objects.get(code="430903").parent == city


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "4309O3"}, "只能由数字组成"),
        ({"code": "43090"}, "应为6位有效数字"),
        ({"code": "430102"}, "应以上级区划“益阳市”的代码4309开头"),
        ({"level": "township", "code": "430903001"}, "上级区划应为县（区）级"),
    ],
)
def test_region_rules_show_next_to_the_field(admin_client, city, overrides, message):
    response = admin_client.post(
        "/admin/regions/region/add/", region_form(parent=city.pk, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Region.objects.count() == 1


def test_a_taken_code_shows_one_clear_message(admin_client, city):
    html = admin_client.post(
        "/admin/regions/region/add/", region_form(code="4309", level="city")
    ).content.decode()
    assert "区划代码4309已被“益阳市”使用" in html


def test_a_region_can_be_renamed_but_its_code_cannot_change(admin_client, city):
    county = CountyFactory(code="430903", parent=city)
    response = admin_client.post(
        f"/admin/regions/region/{county.pk}/change/",
        region_form(code="430999", name="新名称", parent=city.pk, is_pilot="on"),
    )
    assert response.status_code == 302
    county.refresh_from_db()
    assert (county.code, county.name, county.is_pilot) == ("430903", "新名称", True)


def department_form(region, **overrides):
    data = {
        "name": "赫山区市场监督管理局",
        "short_name": "区市场监管局",
        "kind": "market",
        "uscc": make_uscc(5).lower(),
        "region": region.pk,
        "phone": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_a_department_is_added_through_the_service(admin_client, city):
    response = admin_client.post("/admin/regions/department/add/", department_form(city))
    assert response.status_code == 302
    assert Department.objects.get().uscc == make_uscc(5)


def test_a_bad_credit_code_names_its_rule(admin_client, city):
    html = admin_client.post(
        "/admin/regions/department/add/", department_form(city, uscc="91350100M000100Y44")
    ).content.decode()
    assert "校验码错误（按 GB 32100 应为 3）" in html
    assert not Department.objects.exists()


def test_a_taken_credit_code_is_shown_once(admin_client, city):
    taken = DepartmentFactory(name="益阳市税务局")
    html = admin_client.post(
        "/admin/regions/department/add/", department_form(city, uscc=taken.uscc)
    ).content.decode()
    assert "已登记为“益阳市税务局”" in html


def hall_form(region, windows, **overrides):
    data = {
        "name": "赫山区政务服务中心",
        "kind": "hall",
        "region": region.pk,
        "address": "",
        "opening_hours": "",
        "phone": "",
        "windows-TOTAL_FORMS": str(len(windows)),
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "1000",
    }
    for i, window in enumerate(windows):
        for key, value in window.items():
            data[f"windows-{i}-{key}"] = value
    data.update(overrides)
    return data


def test_a_hall_with_windows_is_added_through_the_services(admin_client, city):
    county = CountyFactory(parent=city)
    dept = DepartmentFactory(region=county)
    windows = [
        {"number": "1", "name": "综合受理", "kind": "comprehensive", "department": ""},
        {"number": "2", "name": "市场监管", "kind": "specialized", "department": dept.pk},
    ]
    response = admin_client.post("/admin/regions/hall/add/", hall_form(county, windows))
    assert response.status_code == 302, response.content.decode()
    hall = Hall.objects.get()
    assert list(hall.windows.values_list("number", "department")) == [("1", None), ("2", dept.pk)]


def test_a_window_for_a_neighbour_county_department_is_refused(admin_client, city):
    county, neighbour = CountyFactory(parent=city), CountyFactory(parent=city)
    dept = DepartmentFactory(region=neighbour)
    windows = [{"number": "1", "name": "错误窗口", "kind": "specialized", "department": dept.pk}]
    response = admin_client.post("/admin/regions/hall/add/", hall_form(county, windows))
    assert response.status_code == 200
    assert "不能进驻" in response.content.decode()
    assert not Hall.objects.exists()


def test_windows_are_changed_and_removed_in_the_hall_page(admin_client, city):
    hall = HallFactory(region=city)
    keep = WindowFactory(hall=hall, number="1", name="综合受理")
    gone = WindowFactory(hall=hall, number="2", name="旧窗口")
    data = hall_form(city, [], **{"windows-TOTAL_FORMS": "2", "windows-INITIAL_FORMS": "2"})
    data.update(
        {
            "windows-0-id": keep.pk,
            "windows-0-hall": hall.pk,
            "windows-0-number": "1",
            "windows-0-name": "统一出件",
            "windows-0-kind": "handout",
            "windows-1-id": gone.pk,
            "windows-1-hall": hall.pk,
            "windows-1-number": "2",
            "windows-1-name": "旧窗口",
            "windows-1-kind": "comprehensive",
            "windows-1-DELETE": "on",
        }
    )
    response = admin_client.post(f"/admin/regions/hall/{hall.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()
    assert list(Window.objects.values_list("name", "kind")) == [("统一出件", "handout")]
