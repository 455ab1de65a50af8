"""Error and refusal pages: styled, on the base layout, saying why and where to go.

``onestop demo`` and ``onestop serve`` run with DEBUG off (``onestop.cli``), so a citizen who
opens another applicant's case sees this 404, never Django's debug page with the URLconf.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.views import defaults

from onestop import cli
from onestop.core.management.commands import serve as serve_command
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

DEBUG_TRACES = ("URLconf", "onestop.config.urls", "Django tried these URL patterns", "Traceback")


def assert_styled(body: str, heading: str) -> None:
    assert 'class="topbar"' in body and "onestop.css" in body  # the base layout
    assert 'id="error-page"' in body and heading in body
    assert "前往办事门户首页" in body
    for trace in DEBUG_TRACES:
        assert trace not in body


@override_settings(DEBUG=False)
def test_a_404_is_the_styled_page_without_the_urlconf(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert_styled(body, "没有找到这个页面")
    assert reverse("login") in body  # anonymous: log in, or go home


@override_settings(DEBUG=False)
def test_another_applicants_case_is_the_same_styled_404(client):
    from tests.factories.cases import start_business

    setup = start_business()
    case = setup.submit()
    client.force_login(ApplicantFactory(user=UserFactory()).user)
    response = client.get(reverse("portal:my_case", args=[case.number]))
    assert response.status_code == 404
    body = response.content.decode()
    assert_styled(body, "没有找到这个页面")
    assert "my_case" not in body and case.title not in body
    assert reverse("portal:my_cases") in body  # an applicant is sent to their own cases


@override_settings(DEBUG=False)
def test_the_404_speaks_english_when_asked(client):
    body = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page not found" in body and "没有找到这个页面" not in body


@override_settings(DEBUG=False)
def test_an_applicant_on_a_desk_page_is_told_why_and_sent_to_the_portal(client):
    client.force_login(ApplicantFactory(user=UserFactory()).user)
    response = client.get(reverse("workbench:window_queue"))
    assert response.status_code == 403
    body = response.content.decode()
    assert_styled(body, "您不能打开这个页面")
    assert "工作台仅供在岗的工作人员使用" in body and "申请人请在办事门户" in body
    assert reverse("portal:my_cases") in body


@override_settings(DEBUG=False)
def test_staff_without_the_permission_get_a_styled_403_with_the_way_back_to_their_desk(client):
    client.force_login(StaffFactory(officer=True).user)
    response = client.get(reverse("workbench:window_queue"))
    assert response.status_code == 403
    body = response.content.decode()
    assert_styled(body, "您不能打开这个页面")
    assert "系统管理员" in body and reverse("workbench:home") in body


def test_a_refusal_raised_anywhere_renders_the_403_template_with_its_reason():
    request = RequestFactory().get("/desk/")
    request.user = UserFactory()
    response = defaults.permission_denied(request, PermissionDenied("仅限本区工作人员。"))
    body = response.content.decode()
    assert response.status_code == 403
    assert_styled(body, "您不能打开这个页面")
    assert "仅限本区工作人员。" in body


def test_the_500_page_renders_without_the_request_and_says_what_to_do():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert_styled(body, "系统出现了问题")
    assert "稍后再试" in body and reverse("login") in body


@override_settings(DEBUG=False)
def test_a_foreign_host_is_a_styled_400(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_styled(response.content.decode(), "无法处理这个请求")


@override_settings(DEBUG=False)
def test_an_expired_form_is_a_styled_403_that_says_to_reload():
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert_styled(body, "页面已过期")
    assert "刷新" in body


# --- onestop demo / serve run with DEBUG off -------------------------------------------------


def test_demo_and_serve_default_to_debug_off_runserver_keeps_it(monkeypatch):
    for args, expected in ((["demo"], "0"), (["serve", "--bind", "x"], "0"), (["runserver"], None)):
        monkeypatch.delenv("ONESTOP_DEBUG", raising=False)
        cli.environment_for(args)
        assert os.environ.get("ONESTOP_DEBUG") == expected, args
    monkeypatch.setenv("ONESTOP_DEBUG", "1")  # asked for explicitly: kept
    cli.environment_for(["demo"])
    assert os.environ["ONESTOP_DEBUG"] == "1"


def test_main_sets_the_environment_before_django_reads_the_settings(monkeypatch):
    seen: list[str | None] = []
    monkeypatch.delenv("ONESTOP_DEBUG", raising=False)
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line",
        lambda argv: seen.append(os.environ.get("ONESTOP_DEBUG")),
    )
    cli.main(["demo", "--no-serve"])
    assert seen == ["0"]


def _debug_in_a_fresh_process(tmp_path: Path, args: list[str]) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ONESTOP_") and k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env["ONESTOP_DATA_DIR"] = str(tmp_path)
    code = (
        "import sys; from onestop import cli; cli.environment_for(sys.argv[1:]);"
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.DEBUG, settings.STORAGES['staticfiles']['BACKEND'])"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_the_demo_process_has_debug_off_and_whitenoise_manifest_storage(tmp_path):
    assert _debug_in_a_fresh_process(tmp_path, ["demo"]) == (
        "False whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert _debug_in_a_fresh_process(tmp_path, ["runserver"]).startswith("True ")


def test_serve_collects_static_files_when_debug_is_off(monkeypatch, settings):
    calls: list[tuple] = []
    monkeypatch.setattr(serve_command, "call_command", lambda *a, **k: calls.append(a))
    monkeypatch.setattr(serve_command, "serve", lambda **kwargs: calls.append(("serve",)))
    settings.DEBUG = False
    serve_command.Command().handle(bind="127.0.0.1:0", workers=1, threads=1)
    assert calls == [("collectstatic",), ("serve",)]
