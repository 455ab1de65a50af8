"""Admin for logins, staff and applicants: Chinese, masked lists, saves through services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission as AuthPermission

from onestop.accounts.models import Applicant, Staff, User
from onestop.accounts.roles import Role
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.regions import CountyFactory, DepartmentFactory, RegionFactory

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
PHONE = "13807371234"


@pytest.fixture
def county():
    return CountyFactory(code="430903", name="赫山区", parent=RegionFactory())


@pytest.mark.parametrize(
    ("url", "labels"),
    [
        ("/admin/accounts/staff/", ["工作人员", "角色", "管辖区划", "手机号"]),
        ("/admin/accounts/staff/add/", ["登录名", "确认密码", "岗位与管辖范围", "部门专人"]),
        ("/admin/accounts/applicant/", ["申请人", "证件号码", "手机号"]),
        ("/admin/accounts/applicant/add/", ["居民身份证号码", "统一社会信用代码", "法定代表人"]),
        ("/admin/accounts/user/", ["登录账号", "用户名"]),
        ("/admin/accounts/user/add/", ["登录账号", "密码"]),
    ],
)
def test_pages_load_in_chinese(admin_client, county, url, labels):
    StaffFactory(region=county, phone=PHONE)
    ApplicantFactory(region=county)
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for label in labels:
        assert label in html, label


def test_change_pages_load(admin_client, county):
    staff = StaffFactory(region=county, officer=True, department=DepartmentFactory(region=county))
    applicant = ApplicantFactory(region=county)
    firm = ApplicantFactory(enterprise=True)
    for url in [
        f"/admin/accounts/staff/{staff.pk}/change/",
        f"/admin/accounts/applicant/{applicant.pk}/change/",
        f"/admin/accounts/applicant/{firm.pk}/change/",
        f"/admin/accounts/user/{staff.user.pk}/change/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_applicant_list_masks_id_numbers_and_phones(admin_client):
    ApplicantFactory(id_number=ID, phone=PHONE)
    html = admin_client.get("/admin/accounts/applicant/").content.decode()
    assert "110105********002X" in html
    assert "138****1234" in html
    assert ID not in html
    assert PHONE not in html


def test_staff_list_masks_phones(admin_client, county):
    StaffFactory(region=county, phone=PHONE)
    html = admin_client.get("/admin/accounts/staff/").content.decode()
    assert "138****1234" in html
    assert PHONE not in html


def test_a_superuser_sees_the_full_id_number_on_the_applicant_page(admin_client):
    applicant = ApplicantFactory(id_number=ID, phone=PHONE)
    html = admin_client.get(f"/admin/accounts/applicant/{applicant.pk}/change/").content.decode()
    assert ID in html
    assert PHONE in html


@pytest.fixture
def viewer_client(client):
    """An admin user who may view and change applicants but is not a superuser."""
    user = UserFactory(username="viewer", is_staff=True)
    user.user_permissions.add(
        *AuthPermission.objects.filter(
            codename__in=["view_applicant", "change_applicant"], content_type__app_label="accounts"
        )
    )
    client.force_login(user)
    return client


def test_other_admin_users_see_only_masked_values_on_the_applicant_page(viewer_client):
    applicant = ApplicantFactory(id_number=ID, phone=PHONE)
    response = viewer_client.get(f"/admin/accounts/applicant/{applicant.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert ID not in html and PHONE not in html
    assert "110105********002X" in html and "138****1234" in html


def test_other_admin_users_can_change_the_address_without_seeing_the_phone(viewer_client):
    applicant = ApplicantFactory(id_number=ID, phone=PHONE)
    response = viewer_client.post(
        f"/admin/accounts/applicant/{applicant.pk}/change/",
        {"name": applicant.name, "legal_representative": "", "address": "新地址", "region": ""},
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert (applicant.address, applicant.phone) == ("新地址", PHONE)


def staff_form(county, **overrides):
    data = {
        "username": "zhaoliu",
        "password1": "Hs-2026-office",
        "password2": "Hs-2026-office",
        "name": "赵六",
        "role": Role.WINDOW_CLERK,
        "region": county.pk,
        "department": "",
        "hall": "",
        "phone": "138 0737 0001",
    }
    data.update(overrides)
    return data


def test_staff_are_created_through_the_form_with_a_login(admin_client, county):
    response = admin_client.post("/admin/accounts/staff/add/", staff_form(county))
    assert response.status_code == 302, response.content.decode()
    staff = Staff.objects.get()
    assert staff.user.username == "zhaoliu"
    assert staff.user.check_password("Hs-2026-office")
    assert staff.phone == "13807370001"


def test_an_officer_without_a_department_gets_the_rule_next_to_the_field(admin_client, county):
    response = admin_client.post(
        "/admin/accounts/staff/add/", staff_form(county, role=Role.OFFICER)
    )
    assert response.status_code == 200
    assert "部门专人必须属于一个部门" in response.content.decode()
    assert not User.objects.filter(username="zhaoliu").exists()


def test_a_taken_username_and_mismatched_passwords_are_shown(admin_client, county):
    UserFactory(username="zhaoliu")
    html = admin_client.post("/admin/accounts/staff/add/", staff_form(county)).content.decode()
    assert "已被使用" in html
    html = admin_client.post(
        "/admin/accounts/staff/add/", staff_form(county, username="new", password2="other")
    ).content.decode()
    assert "两次输入的密码不一致" in html


def test_staff_changes_go_through_the_rules(admin_client, county):
    staff = StaffFactory(region=county)
    market = DepartmentFactory(region=county)
    url = f"/admin/accounts/staff/{staff.pk}/change/"
    data = {
        "name": "新名字",
        "role": Role.CHIEF_APPROVER,
        "region": county.pk,
        "department": market.pk,
        "hall": "",
        "phone": "",
    }
    assert admin_client.post(url, data).status_code == 302
    staff.refresh_from_db()
    assert (staff.name, staff.role, staff.department) == ("新名字", Role.CHIEF_APPROVER, market)
    data["department"] = DepartmentFactory(region=county.parent).pk
    assert "不在管辖区划" in admin_client.post(url, data).content.decode()


def test_staff_are_deactivated_by_action_not_deleted(admin_client, county):
    staff = StaffFactory(region=county)
    response = admin_client.post(
        "/admin/accounts/staff/", {"action": "deactivate", "_selected_action": [staff.pk]}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    staff.user.refresh_from_db()
    assert not staff.is_active and not staff.user.is_active
    assert admin_client.get(f"/admin/accounts/staff/{staff.pk}/delete/").status_code == 403


def applicant_form(**overrides):
    data = {
        "kind": "person",
        "name": "王五",
        "id_number": "110105 19491231 002x",
        "uscc": "",
        "legal_representative": "",
        "legal_representative_id_number": "",
        "phone": "13807370001",
        "address": "",
        "region": "",
        "user": "",
    }
    data.update(overrides)
    return data


def test_an_applicant_is_registered_through_the_form(admin_client):
    response = admin_client.post("/admin/accounts/applicant/add/", applicant_form())
    assert response.status_code == 302, response.content.decode()
    assert Applicant.objects.get().id_number == ID


def test_an_invalid_id_number_shows_the_check_digit_rule(admin_client):
    response = admin_client.post(
        "/admin/accounts/applicant/add/", applicant_form(id_number="110105194912310021")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "校验位错误" in html
    assert html.count("校验位错误") == 1
    assert not Applicant.objects.exists()


def test_a_duplicate_applicant_says_already_registered(admin_client):
    ApplicantFactory(id_number=ID)
    html = admin_client.post("/admin/accounts/applicant/add/", applicant_form()).content.decode()
    assert "已登记为申请人" in html


def test_an_enterprise_is_registered_through_the_form(admin_client):
    data = applicant_form(
        kind="enterprise",
        name="某公司",
        id_number="",
        uscc="91350100m000100y43",
        legal_representative="张三",
    )
    response = admin_client.post("/admin/accounts/applicant/add/", data)
    assert response.status_code == 302, response.content.decode()
    assert Applicant.objects.get().uscc == "91350100M000100Y43"


def test_admin_index_names_the_apps_in_chinese(admin_client):
    html = admin_client.get("/admin/").content.decode()
    for label in ["行政区划与机构", "人员与申请人", "工作人员", "申请人", "登录账号", "服务大厅"]:
        assert label in html, label
