"""The Yiyang demo data set loads through the services, completely and idempotently."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db.models import Count

from onestop.accounts.models import Applicant, Staff, User
from onestop.accounts.roles import DEPARTMENT_ROLES, Role
from onestop.catalog.checks import item_version_check, package_version_check
from onestop.catalog.models import (
    MaterialNecessity,
    MaterialRequirement,
    MaterialSource,
    PackageVersion,
    ServiceItemVersion,
    VersionStatus,
)
from onestop.core import clock
from onestop.demo import agents
from onestop.demo.data import catalog as catalog_data
from onestop.demo.data import crossdomain, people, regions
from onestop.demo.loader import demo_load
from onestop.regions.models import Department, Hall, HallKind, Region, RegionLevel, Window
from tests.demo.conftest import LOADED_AT

DEMO_APPS = ("regions", "accounts", "catalog")


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in DEMO_APPS
        for model in apps.get_app_config(app).get_models()
    }


@pytest.mark.django_db
def test_second_load_creates_nothing(demo):
    # the same day: the sample cases are current (a later load renews them, test_dates.py)
    before = _row_counts()
    with clock.frozen(LOADED_AT + dt.timedelta(hours=1)):
        again = demo_load()
    assert again.created_total == 0
    assert again.present == demo.present
    assert _row_counts() == before


@pytest.mark.django_db
def test_summary_counts_what_the_database_holds(demo):
    assert demo.created == demo.present
    assert Region.objects.count() == demo.present["regions"] == len(regions.REGIONS)
    assert Department.objects.count() == demo.present["departments"]
    assert Hall.objects.count() == demo.present["halls"]
    assert Window.objects.count() == demo.present["windows"]
    # with the cross-domain demo's staff and applicants, and 帮代办's (demo/agents.py)
    # and the clerks of the pilot village stations (demo/villages.py; 芙蓉村's is in people)
    assert demo.created["village clerks"] == 7
    staff = (
        len(people.STAFF)
        + len(crossdomain.STAFF)
        + len(agents.AGENTS)
        + demo.created["village clerks"]
    )
    assert Staff.objects.count() == staff
    persons = len(people.PERSONS) + len(crossdomain.PERSONS) + len(agents.ELDERLY)
    assert Applicant.objects.count() == persons + len(people.ENTERPRISES)
    assert demo.present["items"] == len(catalog_data.ITEMS) + len(crossdomain.ITEMS)
    assert demo.present["packages"] == len(catalog_data.PACKAGES) + len(crossdomain.PACKAGES)


@pytest.mark.django_db
def test_yiyang_counties_carry_their_statutory_codes(demo):
    counties = dict(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", "name"))
    assert counties == {
        "430902": "资阳区",
        "430903": "赫山区",
        "430921": "南县",
        "430922": "桃江县",
        "430923": "安化县",
        "430981": "沅江市",
    }
    city = Region.objects.get(code="4309")
    assert city.name == "益阳市" and city.parent.code == "43"


@pytest.mark.django_db
def test_pilot_villages_lie_in_heshan_ziyang_and_taojiang(demo):
    pilots = Region.objects.filter(is_pilot=True)
    assert {p.level for p in pilots} == {RegionLevel.VILLAGE}
    assert {p.code[:6] for p in pilots} == {"430902", "430903", "430922"}
    # Every pilot village has a 便民服务站 where the six village packages are completed.
    stations = Hall.objects.filter(kind=HallKind.VILLAGE_STATION)
    assert {h.region_id for h in stations} == {p.pk for p in pilots}


@pytest.mark.django_db
def test_city_hall_has_the_windows_of_one_window_service(demo):
    hall = Hall.objects.get(name="益阳市政务服务中心")
    names = list(hall.windows.values_list("name", flat=True))
    assert names.count("综合受理") == 4
    assert {"统一出件", "帮代办", "政策兑现绿色通道"} <= set(names)
    assert "工作日" in hall.opening_hours


@pytest.mark.django_db
def test_every_department_kind_exists_at_city_level(demo):
    kinds = set(Department.objects.filter(region__code="4309").values_list("kind", flat=True))
    assert kinds == {
        "market",
        "tax",
        "police",
        "hrss",
        "civil",
        "health",
        "housing",
        "natural_resources",
        "medical_insurance",
        "approval",
    }
    # Counties reuse the kinds, so a task can be routed to the same line at another level.
    assert (
        set(Department.objects.filter(region__code="430903").values_list("kind", flat=True))
        <= kinds
    )


@pytest.mark.django_db
def test_there_is_staff_for_every_role_and_officers_are_designated(demo):
    assert set(Staff.objects.values_list("role", flat=True)) == set(Role.values)
    officers = Staff.objects.filter(role=Role.OFFICER)
    assert officers.exists() and all(o.is_designated for o in officers)
    assert all(s.department_id for s in Staff.objects.filter(role__in=DEPARTMENT_ROLES))


@pytest.mark.django_db
def test_every_demo_login_works_with_the_demo_password(demo):
    usernames = [people.SUPERUSER.username] + [
        s.username for s in [*people.STAFF, *people.PERSONS, *people.ENTERPRISES]
    ]
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    assert set(users) == set(usernames)
    assert all(u.check_password(people.DEMO_PASSWORD) for u in users.values())
    assert users["admin"].is_superuser
    assert users["catalog_admin"].is_staff


@pytest.mark.django_db
def test_applicants_have_their_own_logins(demo):
    for spec in people.PERSONS:
        applicant = Applicant.objects.get(id_number=spec.id_number)
        assert applicant.user.username == spec.username
    enterprise = Applicant.objects.get(uscc=people.ENTERPRISES[0].uscc)
    assert enterprise.user.username == "enterprise"


@pytest.mark.django_db
def test_every_item_and_package_is_published_and_passes_the_checker(demo):
    items = ServiceItemVersion.objects.select_related("item")
    packages = PackageVersion.objects.select_related("package")
    specs = [*catalog_data.ITEMS, *crossdomain.ITEMS]
    assert {v.item.basic_code for v in items} == {i.basic_code for i in specs}
    package_specs = [*catalog_data.PACKAGES, *crossdomain.PACKAGES]
    assert {v.package.code for v in packages} == {p.code for p in package_specs}
    for version in [*items, *packages]:
        assert version.status == VersionStatus.PUBLISHED, version
    for version in items:
        assert [f for f in item_version_check(version) if f.is_error] == []
    for version in packages:
        assert [f for f in package_version_check(version) if f.is_error] == []


@pytest.mark.django_db
def test_catalogue_uses_tolerance_commitment_and_licences(demo):
    rows = set(MaterialRequirement.objects.values_list("necessity", "source"))
    necessities = {n for n, _ in rows}
    assert {MaterialNecessity.TOLERABLE, MaterialNecessity.COMMITMENT} <= necessities
    assert MaterialSource.LICENCE in {s for _, s in rows}


@pytest.mark.django_db
def test_material_keys_are_shared_across_items(demo):
    shared = (
        MaterialRequirement.objects.values("key")
        .annotate(n=Count("item_version"))
        .filter(n__gt=1)
        .values_list("key", flat=True)
    )
    assert {"id_card", "business_licence", "sale_contract"} <= set(shared)


@pytest.mark.django_db
def test_the_seed_packages_are_all_there(demo):
    names = set(
        PackageVersion.objects.filter(status=VersionStatus.PUBLISHED).values_list("name", flat=True)
    )
    assert {
        "我要开办企业",
        "我要办理失业登记",
        "我要申请认定就业困难人员补助",
        "我要办理社保卡",
        "我要办理老年优待证",
        "我要办理生育服务登记（含一孩、二孩）",
        "我要办理流动人口婚育证明",
    } <= names
    assert any(name.startswith("不动产登记") for name in names)
    assert PackageVersion.objects.filter(is_policy_package=True, life_event="复工复产").exists()
    open_business = PackageVersion.objects.get(name="我要开办企业")
    assert open_business.promised_days == 2
    real_estate = PackageVersion.objects.get(name__startswith="不动产登记")
    assert real_estate.promised_days == 5
