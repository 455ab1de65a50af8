"""Who sees whom: region subtree by code prefix, own department for department roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from onestop.accounts import selectors
from onestop.accounts.roles import Permission, Role
from onestop.core.errors import PermissionDenied
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.regions import (
    CountyFactory,
    DepartmentFactory,
    RegionFactory,
    TownshipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    city = RegionFactory()
    heshan = CountyFactory(code="430903", name="赫山区", parent=city)
    ziyang = CountyFactory(code="430902", name="资阳区", parent=city)
    town = TownshipFactory(parent=heshan)
    market = DepartmentFactory(region=heshan, name="赫山区市场监督管理局")
    tax = DepartmentFactory(region=heshan, name="赫山区税务局")
    return city, heshan, ziyang, town, market, tax


def test_staff_get_for_user(places):
    staff = StaffFactory(region=places[1])
    assert selectors.staff_get_for_user(staff.user) == staff
    assert selectors.staff_get_for_user(UserFactory()) is None
    assert selectors.staff_get_for_user(AnonymousUser()) is None
    assert selectors.staff_get_for_user(None) is None
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    assert selectors.staff_get_for_user(staff.user) is None


def test_a_county_supervisor_sees_the_county_subtree_not_the_neighbour(places):
    city, heshan, ziyang, town, market, _tax = places
    supervisor = StaffFactory(region=heshan, supervisor=True)
    township_clerk = StaffFactory(region=town)
    StaffFactory(region=ziyang)
    StaffFactory(region=city)
    seen = set(selectors.staff_list_in_scope(supervisor))
    assert seen == {supervisor, township_clerk}


def test_an_officer_sees_only_their_department(places):
    _city, heshan, _ziyang, _town, market, tax = places
    officer = StaffFactory(region=heshan, officer=True, department=market)
    colleague = StaffFactory(region=heshan, chief=True, department=market)
    StaffFactory(region=heshan, officer=True, department=tax)
    StaffFactory(region=heshan)
    assert set(selectors.staff_list_in_scope(officer)) == {officer, colleague}


def test_the_scope_list_is_one_query(places, django_assert_num_queries):
    heshan = places[1]
    supervisor = StaffFactory(region=heshan, supervisor=True)
    for _ in range(5):
        StaffFactory(region=heshan, officer=True, department=places[4])
    with django_assert_num_queries(1):
        rows = [
            (s.user.username, s.region.code, s.department)
            for s in selectors.staff_list_in_scope(supervisor)
        ]
    assert len(rows) == 6


def test_department_members_designated_first(places):
    market = places[4]
    StaffFactory(region=places[1], name="甲", role=Role.OFFICER, department=market)
    designated = StaffFactory(region=places[1], name="乙", officer=True, department=market)
    chief = StaffFactory(region=places[1], name="丙", chief=True, department=market)
    StaffFactory(region=places[1], officer=True, department=market, is_active=False)
    members = selectors.staff_list_for_department(department=market)
    assert members[0] == designated and len(members) == 3
    approvers = selectors.staff_list_for_department(
        department=market, permission=Permission.EXTENSION_APPROVE
    )
    assert approvers == [chief]


def test_staff_require_passes_a_member_with_the_permission_in_scope(places):
    heshan, town, market = places[1], places[3], places[4]
    officer = StaffFactory(region=heshan, officer=True, department=market)
    assert (
        selectors.staff_require(officer, Permission.TASK_DECIDE, region=town, department=market)
        == officer
    )


def test_a_clerk_cannot_decide_tasks(places):
    clerk = StaffFactory(region=places[1])
    with pytest.raises(PermissionDenied) as caught:
        selectors.staff_require(clerk, Permission.TASK_DECIDE)
    assert "综合窗口受理人员没有“作出审批决定”的权限" in caught.value.message
    assert caught.value.status == 403


def test_staff_require_refuses_out_of_scope_region_and_department(places):
    _city, heshan, ziyang, _town, market, tax = places
    officer = StaffFactory(region=heshan, officer=True, department=market)
    with pytest.raises(PermissionDenied, match="不在.*管辖范围"):
        selectors.staff_require(officer, Permission.TASK_HANDLE, region=ziyang)
    with pytest.raises(PermissionDenied, match="赫山区税务局"):
        selectors.staff_require(officer, Permission.TASK_HANDLE, department=tax)


def test_staff_require_refuses_non_staff_and_off_duty_staff(places):
    with pytest.raises(PermissionDenied, match="只有工作人员"):
        selectors.staff_require(None, Permission.CASE_ACCEPT)
    clerk = StaffFactory(region=places[1], is_active=False)
    with pytest.raises(PermissionDenied, match="离岗"):
        selectors.staff_require(clerk, Permission.CASE_ACCEPT)


def test_a_supervisor_covers_every_department_in_the_subtree(places):
    supervisor = StaffFactory(region=places[1], supervisor=True)
    assert selectors.staff_can_see_department(supervisor, places[5])
    assert not selectors.staff_can_see_department(supervisor, DepartmentFactory(region=places[2]))


def test_applicants_listed_for_a_member_are_those_in_their_subtree(places):
    _city, heshan, ziyang, town, *_ = places
    local = ApplicantFactory(region=town)
    ApplicantFactory(region=ziyang)
    ApplicantFactory(region=None)
    clerk = StaffFactory(region=heshan)
    assert list(selectors.applicant_list_for(clerk)) == [local]


def test_an_applicant_is_found_by_exact_identifier_as_typed():
    person = ApplicantFactory(id_number="11010519491231002X")
    firm = ApplicantFactory(enterprise=True, uscc="91350100M000100Y43")
    assert selectors.applicant_find(identifier="11010519491231002x ") == person
    assert selectors.applicant_find(identifier="91350100m000100y43") == firm
    assert selectors.applicant_find(identifier="110105194912310") is None
    assert selectors.applicant_find(identifier="") is None


def test_applicant_get_for_user():
    user = UserFactory()
    applicant = ApplicantFactory(user=user)
    assert selectors.applicant_get_for_user(user) == applicant
    assert selectors.applicant_get_for_user(AnonymousUser()) is None
