import pytest

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html


def test_wrong_password_shows_a_message_on_the_page(client):
    UserFactory(username="someone")
    response = client.post("/accounts/login/", {"username": "someone", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_login_redirects_to_next(client):
    UserFactory(username="someone")
    response = client.post(
        "/accounts/login/",
        {"username": "someone", "password": "demo-pass-123", "next": "/desk/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/desk/"
