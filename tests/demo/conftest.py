from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings

from onestop.core import clock
from onestop.demo.loader import DemoSummary, demo_load

# A Wednesday afternoon, so "n working days ago" crosses a weekend for some scenarios.
LOADED_AT = dt.datetime(2026, 6, 17, 15, 30, tzinfo=clock.SHANGHAI)
# The demo creates ~20 logins; the production hasher would make each load take seconds.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker, tmp_path_factory) -> DemoSummary:
    """The demo loaded once per test module, inside a transaction rolled back at its end.

    Each test still runs in its own savepoint (pytest-django's ``db``), so what a test
    writes is undone after it; the module's tests share the ~5 s load.
    """
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=media):
                with clock.frozen(LOADED_AT):
                    summary = demo_load()
                yield summary
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_module, db, fast_passwords) -> DemoSummary:
    return demo_module


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # The sample cases upload small PDFs: keep them out of the working tree.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
