"""Pages carry a Content-Security-Policy with no inline script, and cookies their flags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import onestop

pytestmark = pytest.mark.django_db

SRC = Path(onestop.__file__).parent


def test_every_page_has_a_policy_that_refuses_inline_script(client):
    for url in ("/", "/accounts/login/", "/api/docs"):
        policy = client.get(url)["Content-Security-Policy"]
        script = re.search(r"script-src ([^;]*)", policy).group(1)
        assert script.split() == ["'self'"], url
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_the_policy_can_be_turned_off(client, settings):
    settings.ONESTOP_CSP = ""
    assert "Content-Security-Policy" not in client.get("/")


def test_no_template_carries_inline_script_or_event_handlers():
    offenders = []
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", re.I)
    for path in SRC.glob("*/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (handler, script):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(SRC)}:{line}")
    assert offenders == []


def test_session_and_csrf_cookies_are_http_only_and_same_site(client, django_user_model):
    django_user_model.objects.create_user(username="u1", password="pw-123456789")
    page = client.get("/accounts/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/accounts/login/",
        {"username": "u1", "password": "pw-123456789", "csrfmiddlewaretoken": csrf.value},
    )
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert session["max-age"] == ""  # ends with the browser (and after a working day)
