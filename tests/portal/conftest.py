"""Portal tests read the Yiyang demo data: loaded once per module inside a transaction
that is rolled back at the end of the module (each test runs in a savepoint inside it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from onestop.demo.loader import DemoSummary, demo_load

FAST = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD = "onestop-demo"


@pytest.fixture(scope="module")
def _media_dir(tmp_path_factory) -> Iterator[object]:
    media = tmp_path_factory.mktemp("media")
    with override_settings(
        MEDIA_ROOT=media,
        PASSWORD_HASHERS=FAST,
        STORAGES={
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        },
    ):
        yield media


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker, _media_dir) -> Iterator[DemoSummary]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield demo_load()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_module, db) -> DemoSummary:
    return demo_module


@pytest.fixture
def as_user(client):
    """``as_user("liming")`` logs the test client in as a demo user."""

    def _login(username: str):
        from onestop.accounts.models import User

        client.force_login(User.objects.get(username=username))
        return client

    return _login
