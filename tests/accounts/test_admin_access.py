"""Staff use the admin pages their role allows, without hand-granted model permissions."""

import pytest

from onestop.accounts import services
from onestop.accounts.roles import Role
from tests.factories.catalog import PackageVersionFactory, ServiceItemVersionFactory
from tests.factories.regions import RegionFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/catalog/packageversion/",
    "/admin/catalog/serviceitemversion/",
    "/admin/catalog/package/",
    "/admin/catalog/serviceitem/",
    "/admin/workdays/calendarday/",
    "/admin/workdays/scheduleyear/",
]


def _login(client, role):
    staff = services.staff_create(
        username=f"u_{role}",
        password="a-long-demo-pass-9",
        name="测试",
        role=role,
        region=RegionFactory(),
        can_use_admin=True,
    )
    client.force_login(staff.user)
    return staff


@pytest.mark.parametrize("page", PAGES)
def test_catalog_admin_role_opens_catalog_and_calendar_pages(client, page):
    ServiceItemVersionFactory()
    PackageVersionFactory()
    _login(client, Role.CATALOG_ADMIN)
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_a_window_clerk_with_admin_login_is_refused(client, page):
    _login(client, Role.WINDOW_CLERK)
    assert client.get(page).status_code == 403


def test_catalog_admin_sees_the_catalog_on_the_admin_index(client):
    _login(client, Role.CATALOG_ADMIN)
    html = client.get("/admin/").content.decode()
    assert "事项目录" in html
    assert "工作日历" in html
