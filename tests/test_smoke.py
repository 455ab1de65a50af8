import pytest

from tests.factories.accounts import StaffFactory


@pytest.mark.django_db
def test_admin_login_page_is_chinese(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_officer_trait_has_department():
    officer = StaffFactory(officer=True)
    assert officer.department is not None
