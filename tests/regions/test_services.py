"""Region, department, hall and window services: every rule refuses with its own message."""

from __future__ import annotations

import pytest

from onestop.core.errors import ValidationFailed
from onestop.regions import services
from onestop.regions.models import HallKind, Region, RegionLevel, WindowKind
from tests.factories.regions import (
    CountyFactory,
    DepartmentFactory,
    HallFactory,
    ProvinceFactory,
    RegionFactory,
    WindowFactory,
    make_uscc,
)

pytestmark = pytest.mark.django_db


def refused(call, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        call(**kwargs)
    return caught.value


# --- regions -------------------------------------------------------------------------------


@pytest.fixture
def tree():
    """湖南省 > 益阳市 > 赫山区 > 龙光桥街道 > 龙光桥社区, created through the service."""
    hunan = services.region_create(code="43", name="湖南省", level=RegionLevel.PROVINCE)
    yiyang = services.region_create(code="4309", name="益阳市", level="city", parent=hunan)
    heshan = services.region_create(code="430903", name="赫山区", level="county", parent=yiyang)
    town = services.region_create(
        code="430903001", name="龙光桥街道", level="township", parent=heshan
    )
    village = services.region_create(
        code="430903001001", name="龙光桥社区", level="village", parent=town
    )
    return hunan, yiyang, heshan, town, village


def test_a_full_chain_can_be_created(tree):
    hunan, yiyang, heshan, town, village = tree
    assert village.parent == town
    assert village.full_code == "430903001001"
    assert Region.objects.count() == 5


def test_a_code_typed_with_spaces_is_stored_without_them():
    region = services.region_create(code=" 4 3 ", name=" 湖南省 ", level="province")
    assert region.code == "43"
    assert region.name == "湖南省"


def test_an_installation_root_may_be_below_province_level():
    county = services.region_create(code="430902", name="资阳区", level="county")
    assert county.parent is None


def test_code_must_be_digits():
    error = refused(services.region_create, code="43O9", name="益阳市", level="city")
    assert error.field == "code"
    assert "只能由数字组成" in error.message


def test_full_width_digits_are_not_digits():
    error = refused(services.region_create, code="４３", name="湖南省", level="province")
    assert "只能由数字组成" in error.message


@pytest.mark.parametrize(
    ("level", "code", "n"),
    [
        ("province", "430", 2),
        ("city", "43", 4),
        ("county", "4309", 6),
        ("township", "430903", 9),
        ("village", "430903001", 12),
    ],
)
def test_code_length_must_match_the_level(level, code, n):
    error = refused(services.region_create, code=code, name="某地", level=level)
    assert error.field == "code"
    assert f"应为{n}位有效数字" in error.message


def test_unknown_level_is_refused():
    error = refused(services.region_create, code="43", name="湖南省", level="state")
    assert error.field == "level"


def test_province_has_no_parent(tree):
    hunan = tree[0]
    error = refused(
        services.region_create, code="44", name="广东省", level="province", parent=hunan
    )
    assert error.field == "parent"
    assert "省级区划没有上级区划" in error.message


@pytest.mark.parametrize(
    ("level", "code", "parent_index", "wanted"),
    [
        ("county", "430911", 0, "市"),  # a county straight under the province
        ("township", "430903101", 1, "县（区）"),  # a township straight under the city
        ("village", "430903001101", 2, "乡镇（街道）"),  # a village under the county
        ("city", "4301", 1, "省"),  # a city under a city
    ],
)
def test_parent_must_be_one_level_up(tree, level, code, parent_index, wanted):
    error = refused(
        services.region_create, code=code, name="某地", level=level, parent=tree[parent_index]
    )
    assert error.field == "parent"
    assert f"上级区划应为{wanted}级" in error.message


def test_parent_code_must_prefix_the_child_code(tree):
    yiyang = tree[1]
    error = refused(
        services.region_create, code="430102", name="芙蓉区", level="county", parent=yiyang
    )
    assert error.field == "code"
    assert "应以上级区划“益阳市”的代码4309开头" in error.message


def test_a_taken_code_is_refused_without_an_integrity_error(tree):
    error = refused(
        services.region_create, code="430903", name="另一个区", level="county", parent=tree[1]
    )
    assert error.field == "code"
    assert "已被“赫山区”使用" in error.message


def test_a_region_needs_a_name():
    error = refused(services.region_create, code="43", name="  ", level="province")
    assert error.field == "name"


def test_update_renames_and_marks_pilot(tree):
    heshan = tree[2]
    services.region_update(region=heshan, name="赫山区（试点）", is_pilot=True)
    heshan.refresh_from_db()
    assert (heshan.name, heshan.is_pilot, heshan.code) == ("赫山区（试点）", True, "430903")


def test_region_clean_runs_the_same_rules(tree):
    from django.core.exceptions import ValidationError

    region = Region(code="430102", name="芙蓉区", level="county", parent=tree[1])
    with pytest.raises(ValidationError) as caught:
        region.full_clean()
    assert "应以上级区划“益阳市”的代码4309开头" in caught.value.message_dict["code"][0]


def test_region_clean_accepts_an_existing_region_unchanged(tree):
    tree[2].full_clean()


# --- departments ---------------------------------------------------------------------------


def test_department_create_normalises_the_credit_code():
    county = CountyFactory()
    uscc = make_uscc(1)
    typed = " ".join([uscc[:6], uscc[6:12], uscc[12:]]).lower()
    dept = services.department_create(
        name="赫山区市场监督管理局", uscc=typed, region=county, kind="market"
    )
    assert dept.uscc == uscc
    assert dept.region == county


def test_department_with_a_bad_credit_code_is_refused_with_the_rule():
    uscc = make_uscc(2)
    bad = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    error = refused(services.department_create, name="某局", uscc=bad, region=RegionFactory())
    assert error.field == "uscc"
    assert error.details["rule"] == "uscc_check_char"
    assert "校验码错误" in error.message


def test_department_credit_code_is_unique():
    existing = DepartmentFactory(name="益阳市税务局")
    error = refused(
        services.department_create, name="别的局", uscc=existing.uscc, region=RegionFactory()
    )
    assert error.field == "uscc"
    assert "已登记为“益阳市税务局”" in error.message


def test_department_name_is_unique_within_its_region():
    existing = DepartmentFactory(name="益阳市税务局")
    error = refused(
        services.department_create,
        name="益阳市税务局",
        uscc=make_uscc(99),
        region=existing.region,
    )
    assert error.field == "name"


def test_department_update_keeps_the_rules():
    dept = DepartmentFactory()
    other = DepartmentFactory()
    services.department_update(department=dept, name="新名称", uscc=dept.uscc, is_active=False)
    dept.refresh_from_db()
    assert (dept.name, dept.is_active) == ("新名称", False)
    error = refused(services.department_update, department=dept, name="新名称", uscc=other.uscc)
    assert error.field == "uscc"


# --- halls and windows ---------------------------------------------------------------------


def test_hall_create_and_update():
    county = CountyFactory()
    hall = services.hall_create(
        name="赫山区政务服务中心", kind=HallKind.GOVERNMENT_SERVICE_HALL, region=county
    )
    services.hall_update(
        hall=hall, name="赫山区政务服务中心", kind="hall", opening_hours="9:00–17:00"
    )
    hall.refresh_from_db()
    assert hall.opening_hours == "9:00–17:00"


def test_hall_kind_must_exist():
    error = refused(services.hall_create, name="某大厅", kind="mall", region=RegionFactory())
    assert error.field == "kind"


def test_window_numbers_are_unique_in_a_hall():
    window = WindowFactory(number="3")
    error = refused(services.window_create, hall=window.hall, number="3", name="综合受理")
    assert error.field == "number"
    assert "已有3号窗口" in error.message
    other_hall = HallFactory()
    assert services.window_create(hall=other_hall, number="3", name="综合受理").number == "3"


def test_a_window_may_host_a_department_of_its_line_but_not_a_neighbour_county():
    city = RegionFactory()
    county, neighbour = CountyFactory(parent=city), CountyFactory(parent=city)
    hall = HallFactory(region=county)
    own = DepartmentFactory(region=county)
    city_dept = DepartmentFactory(region=city)
    services.window_create(
        hall=hall, number="1", name="市场监管", kind=WindowKind.SPECIALIZED, department=own
    )
    services.window_create(hall=hall, number="2", name="市级部门", department=city_dept)
    error = refused(
        services.window_create,
        hall=hall,
        number="3",
        name="邻县部门",
        department=DepartmentFactory(region=neighbour),
    )
    assert error.field == "department"


def test_window_update_and_delete():
    window = WindowFactory(number="1")
    services.window_update(window=window, number="8", name="统一出件", kind=WindowKind.HANDOUT)
    window.refresh_from_db()
    assert (window.number, window.kind) == ("8", WindowKind.HANDOUT)
    hall = window.hall
    services.window_delete(window=window)
    assert not hall.windows.exists()


def test_province_factory_builds_a_province():
    assert ProvinceFactory().level == RegionLevel.PROVINCE
