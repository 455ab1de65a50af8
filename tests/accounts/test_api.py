import pytest

from tests.factories.accounts import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _token(client, username, password="demo-pass-123"):
    return client.post(
        "/api/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_token_login_then_me(client):
    staff = StaffFactory(officer=True, user__username="officer1")
    response = _token(client, "officer1")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["role"] == "officer"
    assert me.json()["department"] == staff.department.name


def test_wrong_password_is_a_problem_json_401(client):
    UserFactory(username="someone")
    response = _token(client, "someone", "wrong")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "用户名或密码错误。"


def test_no_credentials_is_401(client):
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_changing_the_password_revokes_tokens(client):
    user = UserFactory(username="changer")
    token = _token(client, "changer").json()["token"]
    user.set_password("another-pass-456")
    user.save(update_fields=["password"])
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_tampered_token_is_refused(client):
    UserFactory(username="tamper")
    token = _token(client, "tamper").json()["token"]
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token[:-2]}xx"})
    assert response.status_code == 401


def test_session_login_works_for_the_api(client):
    user = UserFactory(username="pageuser")
    client.force_login(user)
    response = client.get("/api/auth/me")
    assert response.status_code == 200
    assert response.json()["kind"] == "user"


def test_malformed_body_is_problem_json_422(client):
    response = client.post("/api/auth/token", {"username": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_an_unparseable_body_is_explained_in_chinese(client):
    response = client.post("/api/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "请求内容无法解析"


@pytest.mark.parametrize("body", ["{x", "{not json", "[1,"])
def test_every_unparseable_body_gets_the_same_chinese_title(client, body):
    response = client.post("/api/auth/token", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["title"] == "请求内容无法解析"


def test_problems_follow_the_language_of_the_request(client):
    response = client.get("/api/auth/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["title"] == "Not logged in"
