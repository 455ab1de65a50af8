"""``onestop demo --no-serve`` migrates, loads, and prints where to go and how to log in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command

from onestop.catalog.models import Package
from onestop.demo.data import people


@pytest.fixture
def quiet_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.mark.django_db
def test_demo_command_prints_urls_and_logins(fast_passwords, quiet_static):
    out = StringIO()
    call_command("demo", "--no-serve", "--bind", "127.0.0.1:8123", stdout=out)
    text = out.getvalue()

    assert "http://127.0.0.1:8123/admin/" in text
    assert people.DEMO_PASSWORD in text
    for username in ("admin", "clerk", "officer_market", "chief_market", "supervisor", "agent"):
        assert f"  {username} " in text
    assert "一件事 10（新建 10）" in text  # 9 of the seed, 1 跨县通办 (docs/cross_domain.md)
    assert "  clerk_ziyang " in text and "跨域通办办件 33（新建 33）" in text


@pytest.mark.django_db
def test_admin_shows_the_yiyang_catalogue_in_chinese(demo, client):
    if Package not in admin.site._registry:
        pytest.skip("the catalog admin is not registered yet")
    assert client.login(username="admin", password=people.DEMO_PASSWORD)

    response = client.get("/admin/catalog/package/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    page = response.content.decode()
    assert "我要开办企业" in page
    assert "一件事" in page
