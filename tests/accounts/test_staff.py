"""staff_create / staff_update / staff_deactivate and their rules."""

from __future__ import annotations

import pytest

from onestop.accounts import services
from onestop.accounts.models import Staff, User
from onestop.accounts.roles import Permission, Role
from onestop.core.errors import ValidationFailed
from tests.factories.accounts import StaffFactory
from tests.factories.regions import (
    CountyFactory,
    DepartmentFactory,
    HallFactory,
    RegionFactory,
    TownshipFactory,
)

pytestmark = pytest.mark.django_db
PASSWORD = "Hs-2026-office"


@pytest.fixture
def county():
    return CountyFactory(code="430903", name="赫山区", parent=RegionFactory())


def create(**overrides):
    fields = {
        "username": "lisi",
        "password": PASSWORD,
        "name": "李四",
        "role": Role.WINDOW_CLERK,
    }
    fields.update(overrides)
    return services.staff_create(**fields)


def refused(**overrides) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        create(**overrides)
    return caught.value


def test_a_clerk_gets_a_login_and_a_profile(county):
    hall = HallFactory(region=county)
    staff = create(region=county, hall=hall, phone="138 0737 0001", name=" 李 四 ")
    assert staff.user.username == "lisi"
    assert staff.user.check_password(PASSWORD)
    assert staff.name == "李 四"
    assert staff.phone == "13807370001"
    assert staff.hall == hall
    assert staff.is_active and staff.user.is_active


def test_an_officer_of_the_county_market_bureau(county):
    market = DepartmentFactory(region=county, name="赫山区市场监督管理局")
    officer = create(role=Role.OFFICER, region=county, department=market, is_designated=True)
    assert officer.department == market
    assert officer.is_designated


def test_a_city_officer_may_belong_to_a_department_in_a_county_below(county):
    officer = create(
        role=Role.OFFICER, region=county.parent, department=DepartmentFactory(region=county)
    )
    assert officer.region == county.parent


@pytest.mark.parametrize("role", [Role.OFFICER, Role.CHIEF_APPROVER])
def test_department_roles_need_a_department(county, role):
    error = refused(role=role, region=county)
    assert error.field == "department"
    assert f"{role.label}必须属于一个部门" in error.message
    assert not User.objects.exists()


def test_the_department_must_lie_within_the_staff_region(county):
    neighbour = CountyFactory(code="430902", name="资阳区", parent=county.parent)
    error = refused(
        role=Role.OFFICER, region=county, department=DepartmentFactory(region=neighbour)
    )
    assert error.field == "department"
    assert "不在管辖区划“赫山区”及其下级范围内" in error.message


def test_a_county_officer_cannot_belong_to_a_city_department(county):
    error = refused(
        role=Role.OFFICER, region=county, department=DepartmentFactory(region=county.parent)
    )
    assert error.field == "department"


def test_the_hall_must_lie_within_the_staff_region(county):
    township_centre = HallFactory(region=TownshipFactory(parent=county))
    assert create(region=county, hall=township_centre).hall == township_centre
    error = refused(username="wangwu", region=county, hall=HallFactory(region=county.parent))
    assert error.field == "hall"


def test_only_department_roles_can_be_designated(county):
    error = refused(region=county, is_designated=True)
    assert error.field == "is_designated"


def test_unknown_role_is_refused(county):
    assert refused(role="mayor", region=county).field == "role"


def test_a_taken_username_is_refused_clearly(county):
    create(region=county)
    error = refused(username="LiSi", region=county)
    assert error.field == "username"
    assert "已被使用" in error.message
    assert Staff.objects.count() == 1


def test_a_weak_password_is_refused_with_djangos_reason(county):
    error = refused(region=county, password="12345678")
    assert error.field == "password"


def test_a_bad_phone_is_refused(county):
    error = refused(region=county, phone="0737-123")
    assert error.field == "phone"
    assert "11位数字" in error.message


def test_a_name_is_needed(county):
    assert refused(region=county, name="  ").field == "name"


def test_update_changes_role_and_scope_under_the_same_rules(county):
    staff = create(region=county)
    market = DepartmentFactory(region=county)
    services.staff_update(
        staff=staff, name="李四", role=Role.CHIEF_APPROVER, region=county, department=market
    )
    staff.refresh_from_db()
    assert (staff.role, staff.department) == (Role.CHIEF_APPROVER, market)
    with pytest.raises(ValidationFailed) as caught:
        services.staff_update(staff=staff, name="李四", role=Role.OFFICER, region=county)
    assert caught.value.field == "department"


def test_deactivated_staff_can_no_longer_log_in_or_act(county, client):
    staff = create(region=county)
    assert client.login(username="lisi", password=PASSWORD)
    client.logout()
    services.staff_deactivate(staff=staff)
    staff.refresh_from_db()
    assert not staff.is_active
    assert not client.login(username="lisi", password=PASSWORD)
    assert not staff.has_permission(Permission.CASE_ACCEPT)
    services.staff_reactivate(staff=staff)
    assert client.login(username="lisi", password=PASSWORD)


def test_model_clean_gives_the_service_message_next_to_the_field(county):
    from django.core.exceptions import ValidationError

    staff = StaffFactory.build(role=Role.OFFICER, region=county, department=None)
    with pytest.raises(ValidationError) as caught:
        staff.clean()
    assert "department" in caught.value.message_dict


def test_a_catalog_admin_may_be_given_the_admin_site(county):
    staff = create(role=Role.CATALOG_ADMIN, region=county, can_use_admin=True)
    assert staff.user.is_staff
    assert not create(username="clerk2", region=county).user.is_staff


def test_a_bare_login_for_an_applicant(client):
    user = services.user_create(username=" wangwu ", password=PASSWORD, name="王五")
    assert (user.username, user.first_name, user.is_staff) == ("wangwu", "王五", False)
    assert client.login(username="wangwu", password=PASSWORD)
    with pytest.raises(ValidationFailed) as caught:
        services.user_create(username="WangWu", password=PASSWORD)
    assert caught.value.field == "username"
    with pytest.raises(ValidationFailed) as caught:
        services.user_create(username="wangliu", password="wangliu1")
    assert caught.value.field == "password"
