"""Login throttling (accounts/throttle.py): too many failures for a user name or from an
address lock it for a window — the right password too — on the API (429, Retry-After) and on
the login page (a message on the form). Forty wrong passwords and then the right one used
to log in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from onestop.core import clock
from tests.cases.api.conftest import assert_problem
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 6, 10, 10, 0, tzinfo=clock.SHANGHAI)
RIGHT = "demo-pass-123"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.ONESTOP_LOGIN_MAX_FAILURES = 5
    settings.ONESTOP_LOGIN_MAX_FAILURES_PER_IP = 20
    settings.ONESTOP_LOGIN_WINDOW_SECONDS = 900


def token(username: str, password: str, *, ip: str = "10.0.0.1", **headers: str):
    return Client(REMOTE_ADDR=ip).post(
        "/api/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        headers=headers,
    )


def page_login(username: str, password: str, *, ip: str = "10.0.0.1", **headers: str):
    return Client(REMOTE_ADDR=ip).post(
        "/accounts/login/", {"username": username, "password": password}, headers=headers
    )


def fail(times: int, username: str = "someone", *, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert token(username, "wrong", ip=ip).status_code == 401


# ------------------------------------------------------------------------------- the API


def test_five_wrong_then_the_right_password_is_refused_with_429():
    UserFactory(username="someone")
    with clock.frozen(START):
        fail(5)
        response = token("someone", RIGHT)
    body = assert_problem(response, 429)
    assert body["code"] == "too_many_login_attempts"
    assert response["Retry-After"] == "900"
    assert "15 分钟" in body["detail"]


def test_four_wrong_then_the_right_password_logs_in_and_clears_the_count():
    UserFactory(username="someone")
    with clock.frozen(START):
        fail(4)
        assert token("someone", RIGHT).status_code == 200
        fail(4)
        assert token("someone", RIGHT).status_code == 200


def test_after_the_window_the_right_password_works_again():
    UserFactory(username="someone")
    with clock.frozen(START):
        fail(5)
    with clock.frozen(START + dt.timedelta(seconds=899)):
        response = token("someone", RIGHT)
        assert_problem(response, 429)
        assert response["Retry-After"] == "1"
    with clock.frozen(START + dt.timedelta(seconds=900)):
        assert token("someone", RIGHT).status_code == 200


def test_refused_attempts_do_not_extend_the_lock():
    UserFactory(username="someone")
    with clock.frozen(START):
        fail(5)
    with clock.frozen(START + dt.timedelta(seconds=600)):
        assert_problem(token("someone", "wrong"), 429)
    with clock.frozen(START + dt.timedelta(seconds=900)):
        assert token("someone", RIGHT).status_code == 200


def test_failures_spread_over_more_than_a_window_do_not_lock():
    UserFactory(username="someone")
    for minutes in (0, 5, 10, 15, 20, 25):  # a new window opens at 15
        with clock.frozen(START + dt.timedelta(minutes=minutes)):
            fail(1)
    with clock.frozen(START + dt.timedelta(minutes=26)):
        assert token("someone", RIGHT).status_code == 200


def test_forty_wrong_passwords_then_the_right_one_is_refused():
    UserFactory(username="someone")
    with clock.frozen(START):
        for _ in range(40):
            assert token("someone", "wrong").status_code in (401, 429)
        assert_problem(token("someone", RIGHT), 429)


def test_the_lock_follows_the_user_name_across_addresses_and_case():
    UserFactory(username="someone")
    with clock.frozen(START):
        for n in range(5):
            fail(1, "SomeOne", ip=f"10.0.1.{n}")
        assert_problem(token("someone", RIGHT, ip="10.0.2.1"), 429)


def test_another_user_is_not_locked_by_someone_elses_failures():
    UserFactory(username="someone")
    UserFactory(username="other")
    with clock.frozen(START):
        fail(5, "someone")
        assert token("other", RIGHT).status_code == 200


def test_one_address_is_locked_after_twenty_failures_across_names():
    UserFactory(username="victim")
    with clock.frozen(START):
        for n in range(20):
            fail(1, f"guess{n}", ip="10.9.9.9")
        assert_problem(token("victim", RIGHT, ip="10.9.9.9"), 429)
        assert token("victim", RIGHT, ip="10.9.9.8").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings):
    settings.ONESTOP_TRUSTED_PROXIES = 1
    settings.ONESTOP_LOGIN_MAX_FAILURES_PER_IP = 3
    UserFactory(username="victim")
    with clock.frozen(START):
        for n in range(3):
            response = token(
                f"guess{n}", "wrong", ip="192.168.0.1", x_forwarded_for="1.2.3.4, 5.6.7.8"
            )
            assert response.status_code == 401
        # 5.6.7.8 is locked (the proxy saw it); another client behind the same proxy is not,
        # and the address a client writes in front of it is not believed.
        locked = token("victim", RIGHT, ip="192.168.0.1", x_forwarded_for="9.9.9.9, 5.6.7.8")
        assert_problem(locked, 429)
        assert (
            token("victim", RIGHT, ip="192.168.0.1", x_forwarded_for="5.6.7.9").status_code == 200
        )


def test_the_429_is_in_english_for_an_english_client():
    UserFactory(username="someone")
    with clock.frozen(START):
        fail(5)
        body = assert_problem(token("someone", RIGHT, accept_language="en"), 429)
    assert body["title"] == "Too many login attempts"
    assert "15 minutes" in body["detail"]


def test_the_schema_declares_the_429(client):
    operation = client.get("/api/openapi.json").json()["paths"]["/api/auth/token"]["post"]
    assert "application/problem+json" in operation["responses"]["429"]["content"]


# -------------------------------------------------------------------------- the login page


def test_the_page_refuses_the_right_password_after_five_failures():
    UserFactory(username="someone")
    with clock.frozen(START):
        for _ in range(5):
            wrong = page_login("someone", "wrong")
            assert "用户名或密码不正确" in wrong.content.decode()
        refused = page_login("someone", RIGHT)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "登录失败次数过多" in html
    assert "用户名或密码不正确" not in html
    assert "_auth_user_id" not in refused.client.session


def test_the_page_and_the_api_share_the_count():
    UserFactory(username="someone")
    with clock.frozen(START):
        fail(3)
        for _ in range(2):
            page_login("someone", "wrong")
        assert_problem(token("someone", RIGHT), 429)
        assert "登录失败次数过多" in page_login("someone", RIGHT).content.decode()


def test_the_page_logs_in_after_the_window():
    UserFactory(username="someone")
    with clock.frozen(START):
        for _ in range(5):
            page_login("someone", "wrong")
    with clock.frozen(START + dt.timedelta(seconds=901)):
        response = page_login("someone", RIGHT)
    assert response.status_code == 302


def test_the_page_message_is_in_english_for_an_english_reader():
    UserFactory(username="someone")
    with clock.frozen(START):
        for _ in range(5):
            page_login("someone", "wrong")
        html = page_login("someone", RIGHT, accept_language="en").content.decode()
    assert "Too many failed logins" in html
